//! ECS services deployed blue/green, canary or linear, with the MCP gate.
//!
//! A rolling deployment replaces the old tasks and, when `deploy.url` is
//! set, checks the MCP endpoint afterwards: by then every client has been sent
//! to a release that may pass `/healthz` and still fail `initialize`. With
//! `deploy.strategy = "blue_green" | "canary" | "linear"` ECS runs the new
//! release ("green") next to the old one ("blue") and moves load balancer
//! traffic between two target groups in lifecycle stages. `mcp` adds a PAUSE
//! hook at `POST_TEST_TRAFFIC_SHIFT` (see [`preflight`]): the test listener
//! already reaches green, production still reaches blue. There [`gate`] runs
//! the MCP check through `deploy.test_url` and answers the pause with CONTINUE
//! or ROLLBACK, so a release that does not speak MCP never serves production.
//! The hook's timeout rolls back by itself, so a CI runner that dies at the
//! pause does not leave a deployment paused.
//!
//! [`Deployment::run`] starts the deployment (UpdateService with the task
//! definition and the deployment configuration), then follows ECS's *service
//! deployment* by ARN ([`follow`]): one line per lifecycle stage and traffic
//! step, stopped tasks with their reasons, and ends at `--wait-until shifted`
//! (production traffic all on green; the bake goes on without `mcp`) or
//! `complete`. Rollback is ECS's own: blue still runs, so it takes seconds.
//! [`instant_rollback`] is `mcp rollback` during a deployment or its bake:
//! `StopServiceDeployment` with ROLLBACK.
//!
//! It is not a platform of its own: the service's strategy (or
//! `deploy.strategy`) is only known once the service is described, so the ECS
//! platform ([`crate::platform::ecs`]) decides in its deploy, rollback and
//! `status --wait` and hands a progressive deployment to this module. What
//! this module shares with the other platforms (release model, MCP probe)
//! goes through [`seam`].

pub mod follow;
pub mod gate;
pub mod preflight;
pub mod seam;
pub mod status;

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{
    DeploymentLifecycleHookAction, DesiredStatus, ServiceDeployment, StopServiceDeploymentStopType,
    Task,
};
use tokio::time::Instant;

use crate::aws::{self, Clients, service_deployments as sds, taskdef};
use crate::config::{RollbackPolicy, Settings};
use crate::error::{ExitStatus, McpError};
use crate::release::{ContainerExit, ImageRef, StoppedTask};
use crate::ui::Printer;
use follow::{Phase, Tracker, WaitUntil};
use gate::GateReport;
pub use preflight::{GateSpec, Plan};
use seam::{DeployStatus, Report};

/// The first and shortest interval between two looks at the deployment.
const MIN_POLL: Duration = Duration::from_millis(500);
/// The longest, while nothing changes.
const MAX_POLL: Duration = Duration::from_secs(2);
/// While ECS throttles us, the interval may grow to this.
const THROTTLED_POLL: Duration = Duration::from_secs(10);
/// How often the new tasks are listed for ones that stopped.
const TASKS_EVERY: Duration = Duration::from_secs(2);
/// How long to wait for ECS to list the service deployment UpdateService started.
const FIND_DEPLOYMENT_FOR: Duration = Duration::from_secs(30);

/// One blue/green, canary or linear deployment of a task definition.
pub struct Deployment<'a> {
    pub settings: &'a Settings,
    pub clients: &'a Clients,
    pub printer: &'a Printer,
    pub cluster: String,
    pub service: String,
    /// The task definition to put live.
    pub target_arn: String,
    /// The one live before.
    pub previous_arn: Option<String>,
    pub image: Option<ImageRef>,
    pub digest: Option<String>,
    pub started: std::time::Instant,
    pub plan: Plan,
    pub wait_until: WaitUntil,
    /// Return once ECS has the deployment (`--no-wait`).
    pub no_wait: bool,
    /// Check `deploy.url` once production traffic shifted (not with `--no-check`).
    pub check: bool,
}

/// Where a followed deployment stands when `mcp` stops following.
struct Followed {
    status: DeployStatus,
    reason: Option<String>,
    stage: Option<&'static str>,
    stopped: Vec<StoppedTask>,
    next: Option<String>,
}

impl Deployment<'_> {
    /// The report of this deployment, before its outcome is known.
    fn report(&self, status: DeployStatus, deployment_id: Option<String>) -> Report {
        Report {
            status,
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            revision: taskdef::short_name(&self.target_arn).to_string(),
            previous_revision: self
                .previous_arn
                .as_deref()
                .map(|a| taskdef::short_name(a).to_string()),
            live_revision: None,
            image: self.image.clone(),
            digest: self.digest.clone(),
            deployment_id,
            duration_s: seam::seconds_since(self.started),
            reason: None,
            stopped_tasks: Vec::new(),
            next: None,
            check: None,
            failed_task_logs: Vec::new(),
            strategy: Some(self.plan.strategy),
            stage: None,
            gate: None,
            service_deployment: None,
            client_url: None,
            preview_url: None,
        }
    }

    /// Start the deployment and follow it as far as `--wait-until` says.
    pub async fn run(&self) -> Result<Report> {
        let options = match &self.plan.gate {
            Some(_) => Some(seam::check_options(self.settings)?),
            None => None,
        };
        let (deployment_id, arn) = self.start().await?;
        self.printer.status(
            "Deploying",
            format!(
                "{} to {}/{} with {} (service deployment {})",
                taskdef::short_name(&self.target_arn),
                self.cluster,
                self.service,
                strategy_words(self.plan.strategy),
                short_arn(&arn)
            ),
        );
        if self.no_wait {
            let mut report = self.report(DeployStatus::Started, Some(deployment_id));
            report.service_deployment = Some(arn);
            report.next = Some(format!(
                "see how it goes with `mcp status{}`",
                self.service_flag()
            ));
            return Ok(report);
        }
        self.see_through(&arn, &deployment_id, options).await
    }

    /// Follow a deployment that is already under way (`mcp status --wait`).
    pub async fn follow_existing(&self, arn: &str, deployment_id: &str) -> Result<Report> {
        let options = match &self.plan.gate {
            Some(_) => Some(seam::check_options(self.settings)?),
            None => None,
        };
        self.see_through(arn, deployment_id, options).await
    }

    /// Follow to the end `--wait-until` names and make the report.
    async fn see_through(
        &self,
        arn: &str,
        deployment_id: &str,
        options: Option<seam::CheckOptions>,
    ) -> Result<Report> {
        let mut report = self.report(DeployStatus::Started, Some(deployment_id.to_string()));
        report.service_deployment = Some(arn.to_string());
        let mut gate_report = None;
        let followed = self
            .follow(arn, deployment_id, options, &mut gate_report)
            .await?;
        report.status = followed.status;
        report.reason = followed.reason;
        report.stage = followed.stage.map(str::to_string);
        report.stopped_tasks = followed.stopped;
        report.next = followed.next;
        report.gate = gate_report;
        if report.status == DeployStatus::Succeeded {
            self.check_production(arn, &mut report).await?;
        }
        report.duration_s = seam::seconds_since(self.started);
        report.live_revision = match report.status {
            DeployStatus::Succeeded => Some(report.revision.clone()),
            DeployStatus::RolledBack => report.previous_revision.clone(),
            _ => None,
        };
        if report.status == DeployStatus::Succeeded {
            seam::mark_completed(self.clients, self.printer, &self.target_arn).await;
        }
        Ok(report)
    }

    /// With `deploy.url`: the MCP check through production, once all its
    /// traffic is on the new release, as after a rolling deploy. A failure
    /// during the bake stops the deployment with ROLLBACK (the old release
    /// still runs); after it, the deploy fails and `mcp rollback` is the way back.
    async fn check_production(&self, arn: &str, report: &mut Report) -> Result<()> {
        let Some(url) = self.settings.deploy.url.as_deref().filter(|_| self.check) else {
            return Ok(());
        };
        let check = seam::check_until_healthy(self.settings, self.printer, url).await?;
        let failed = (!check.healthy).then(|| {
            format!(
                "production traffic shifted but the MCP check of {url} failed at {}: {}",
                check.failed_step.map_or("?", |s| s.name()),
                check.error.as_deref().unwrap_or("?")
            )
        });
        report.check = Some(check);
        let Some(reason) = failed else {
            return Ok(());
        };
        let sd = sds::describe(&self.clients.ecs, arn).await?;
        if sd.status() != Some(&aws_sdk_ecs::types::ServiceDeploymentStatus::InProgress) {
            report.status = DeployStatus::Failed;
            report.reason = Some(format!("{reason}; the deployment had already completed"));
            report.next = Some(format!(
                "put the earlier release back with `mcp rollback{}`",
                self.service_flag()
            ));
            return Ok(());
        }
        self.printer.status(
            "Rollback",
            format!("{reason}: stopping the deployment with ROLLBACK"),
        );
        sds::stop(
            &self.clients.ecs,
            arn,
            StopServiceDeploymentStopType::Rollback,
        )
        .await?;
        let mut ignored = None;
        let followed = self.follow(arn, "", None, &mut ignored).await?;
        report.status = match followed.status {
            DeployStatus::RolledBack | DeployStatus::Interrupted => followed.status,
            _ => DeployStatus::Failed,
        };
        report.reason = Some(match followed.status {
            DeployStatus::RolledBack => reason,
            _ => format!("{reason}; {}", followed.reason.unwrap_or_default()),
        });
        report.stage = followed.stage.map(str::to_string);
        report.next = followed.next;
        Ok(())
    }

    /// UpdateService; the new deployment's id (`ecs-svc/…`) and its service deployment ARN.
    async fn start(&self) -> Result<(String, String)> {
        let before = crate::aws::ecs::describe_service(self.clients, &self.cluster, &self.service)
            .await?
            .current_service_deployment()
            .map(str::to_string);
        let out = self
            .clients
            .ecs
            .update_service()
            .cluster(&self.cluster)
            .service(&self.service)
            .task_definition(&self.target_arn)
            .set_deployment_configuration(self.plan.configuration.clone())
            .send()
            .await
            .map_err(|e| refused(aws::error(e), self.plan.strategy))
            .with_context(|| {
                format!(
                    "updating ECS service `{}` to `{}` ({})",
                    self.service,
                    taskdef::short_name(&self.target_arn),
                    self.plan.strategy
                )
            })?;
        let service = out.service().context("UpdateService returned no service")?;
        let deployment_id = crate::platform::ecs::follow::deployment_id_from_update(service)
            .context("UpdateService started no PRIMARY deployment")?;
        if let Some(arn) = service.current_service_deployment()
            && Some(arn) != before.as_deref()
        {
            return Ok((deployment_id, arn.to_string()));
        }
        // ECS may list the service deployment a moment after UpdateService answers.
        let deadline = Instant::now() + FIND_DEPLOYMENT_FOR;
        loop {
            if let Some(brief) =
                sds::latest(&self.clients.ecs, &self.cluster, &self.service).await?
                && let Some(arn) = brief.service_deployment_arn()
                && Some(arn) != before.as_deref()
            {
                return Ok((deployment_id, arn.to_string()));
            }
            if Instant::now() >= deadline {
                return Err(McpError::new(format!(
                    "ECS started deployment {deployment_id} but listed no new service deployment for it within {}s",
                    FIND_DEPLOYMENT_FOR.as_secs()
                ))
                .hint(format!("see it with `mcp status{}`", self.service_flag()))
                .into());
            }
            tokio::time::sleep(MIN_POLL).await;
        }
    }

    /// Follow the service deployment, answering the gate on the way.
    async fn follow(
        &self,
        arn: &str,
        deployment_id: &str,
        options: Option<seam::CheckOptions>,
        gate_report: &mut Option<GateReport>,
    ) -> Result<Followed> {
        let timeout = self.settings.deploy.timeout;
        let mut deadline = Instant::now() + timeout;
        let mut tracker = Tracker::new(self.plan.bake, self.plan.gate.is_some());
        let mut stopped = StoppedTasks::new(deployment_id);
        let mut interval = MIN_POLL;
        let mut throttled = false;
        let mut last: Option<ServiceDeployment> = None;
        // Set once `mcp` asked for the rollback (gate failed, timeout): its reason wins.
        let mut our_reason: Option<String> = None;
        let mut rolling_back = false;
        let interrupted = tokio::signal::ctrl_c();
        tokio::pin!(interrupted);
        loop {
            let sd = match sds::describe(&self.clients.ecs, arn).await {
                Ok(sd) => {
                    throttled = false;
                    sd
                }
                Err(err) if sds::is_transient(&err) => {
                    if !throttled {
                        self.printer.note(format!(
                            "             AWS throttled the polling ({}); backing off",
                            crate::error::one_line(&err)
                        ));
                        throttled = true;
                    }
                    interval = (interval * 2).min(THROTTLED_POLL);
                    tokio::select! {
                        _ = &mut interrupted => return Ok(self.interrupted(&tracker, last.as_ref(), stopped.take())),
                        () = tokio::time::sleep(interval) => continue,
                    }
                }
                Err(err) => return Err(err),
            };
            let now = Instant::now();
            let (lines, phase) = tracker.observe(&sd, now);
            let changed = !lines.is_empty();
            for l in lines {
                self.printer.status(l.verb, l.text);
            }
            if !rolling_back
                && matches!(
                    phase,
                    Phase::Running | Phase::AtGate { .. } | Phase::Shifted
                )
            {
                stopped
                    .poll(self.clients, &self.cluster, self.printer)
                    .await;
            }
            last = Some(sd);
            match phase {
                Phase::Running => {}
                Phase::AtGate { hook_id } => {
                    let spec = self
                        .plan
                        .gate
                        .as_ref()
                        .expect("a gate phase only with a gate");
                    self.printer.status(
                        "Gate",
                        format!("checking the new revision at {}", spec.test_url),
                    );
                    let plain = seam::CheckOptions::plain(&self.settings.deploy.health_path);
                    let checked = tokio::select! {
                        _ = &mut interrupted => {
                            let mut f = self.interrupted(&tracker, last.as_ref(), stopped.take());
                            f.next = Some(format!(
                                "ECS waits at the gate's pause for up to {} and then rolls back by itself; \
                                 or roll back now with `mcp rollback{}`",
                                follow::human(spec.timeout),
                                self.service_flag()
                            ));
                            return Ok(f);
                        }
                        checked = gate::run(&spec.test_url, options.as_ref().unwrap_or(&plain), &spec.expect_tools) => checked?,
                    };
                    let mut checked = checked;
                    let action = if checked.passed {
                        DeploymentLifecycleHookAction::Continue
                    } else {
                        DeploymentLifecycleHookAction::Rollback
                    };
                    checked.action = Some(if checked.passed {
                        "continue"
                    } else {
                        "rollback"
                    });
                    if checked.passed {
                        self.printer.status("Gate", checked.summary());
                    } else {
                        self.printer.warn(format!("MCP gate {}", checked.summary()));
                        for step in checked.check.steps.iter().filter(|s| !s.ok) {
                            self.printer
                                .detail(1, format!("             {}: {}", step.step, step.detail));
                        }
                        if let Some(hint) = &checked.check.hint {
                            self.printer.note(format!("             hint: {hint}"));
                        }
                        our_reason = Some(format!(
                            "the MCP gate failed at {}: {}",
                            checked.failed_step.as_deref().unwrap_or("?"),
                            checked.reason.as_deref().unwrap_or("?")
                        ));
                    }
                    let answered =
                        sds::continue_hook(&self.clients.ecs, arn, &hook_id, action).await;
                    tracker.answered(&hook_id);
                    *gate_report = Some(checked);
                    if let Err(err) = answered {
                        // The hook may have timed out meanwhile: ECS's own rollback then shows next.
                        self.printer.warn(format!(
                            "could not answer the pause: {}",
                            crate::error::one_line(&err)
                        ));
                    }
                    interval = MIN_POLL;
                    continue;
                }
                Phase::Shifted if self.wait_until == WaitUntil::Shifted => {
                    let left = tracker.bake_left(now).or(self.plan.bake);
                    if let Some(left) = left.filter(|d| !d.is_zero()) {
                        self.printer.note(format!(
                            "             the bake goes on for up to {} without mcp; `mcp rollback{}` switches back at once meanwhile",
                            follow::human(left),
                            self.service_flag()
                        ));
                    }
                    return Ok(Followed {
                        status: DeployStatus::Succeeded,
                        reason: None,
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: None,
                    });
                }
                Phase::Shifted => {}
                Phase::Complete => {
                    return Ok(Followed {
                        status: DeployStatus::Succeeded,
                        reason: None,
                        stage: Some("CLEAN_UP"),
                        stopped: stopped.take(),
                        next: None,
                    });
                }
                Phase::RollingBack { .. } => {
                    if !rolling_back {
                        rolling_back = true;
                        // A rollback gets a full timeout of its own.
                        deadline = Instant::now() + timeout;
                    }
                }
                Phase::RolledBack { reason } => {
                    return Ok(Followed {
                        status: DeployStatus::RolledBack,
                        reason: Some(our_reason.unwrap_or(reason)),
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: Some(self.logs_hint()),
                    });
                }
                Phase::RollbackFailed { reason } => {
                    return Ok(Followed {
                        status: DeployStatus::Failed,
                        reason: Some(format!(
                            "{}; and ECS could not roll back: {reason}",
                            our_reason.unwrap_or_else(|| "the deployment failed".into())
                        )),
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: Some(format!(
                            "see what runs with `mcp status{}`",
                            self.service_flag()
                        )),
                    });
                }
                Phase::Stopped { reason } => {
                    return Ok(Followed {
                        status: DeployStatus::Failed,
                        reason: Some(format!("ECS stopped the deployment: {reason}")),
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: Some(format!(
                            "see what runs with `mcp status{}`",
                            self.service_flag()
                        )),
                    });
                }
            }
            if Instant::now() >= deadline {
                if rolling_back {
                    return Ok(Followed {
                        status: DeployStatus::Failed,
                        reason: Some(format!(
                            "{}; the rollback did not finish within {} (deploy.timeout)",
                            our_reason.unwrap_or_else(|| "the deployment failed".into()),
                            follow::human(timeout)
                        )),
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: Some(format!(
                            "follow it with `mcp status{}`",
                            self.service_flag()
                        )),
                    });
                }
                let why = format!(
                    "the deployment did not {} within {} (deploy.timeout)",
                    match self.wait_until {
                        WaitUntil::Shifted => "shift production traffic",
                        WaitUntil::Complete => "complete",
                    },
                    follow::human(timeout)
                );
                if self.settings.deploy.rollback == RollbackPolicy::Never {
                    self.printer
                        .warn("deploy.rollback = \"never\": leaving the deployment to ECS");
                    return Ok(Followed {
                        status: DeployStatus::Failed,
                        reason: Some(why),
                        stage: tracker.stage(),
                        stopped: stopped.take(),
                        next: Some(format!(
                            "follow it with `mcp status{}`",
                            self.service_flag()
                        )),
                    });
                }
                self.printer
                    .status("Rollback", format!("{why}: stopping it with ROLLBACK"));
                sds::stop(
                    &self.clients.ecs,
                    arn,
                    StopServiceDeploymentStopType::Rollback,
                )
                .await?;
                our_reason = Some(why);
                rolling_back = true;
                deadline = Instant::now() + timeout;
            }
            interval = if changed {
                MIN_POLL
            } else {
                interval.mul_f64(1.5).min(MAX_POLL)
            };
            tokio::select! {
                _ = &mut interrupted => return Ok(self.interrupted(&tracker, last.as_ref(), stopped.take())),
                () = tokio::time::sleep(interval) => {}
            }
        }
    }

    fn interrupted(
        &self,
        tracker: &Tracker,
        _last: Option<&ServiceDeployment>,
        stopped: Vec<StoppedTask>,
    ) -> Followed {
        Followed {
            status: DeployStatus::Interrupted,
            reason: Some("interrupted; ECS goes on with the deployment".into()),
            stage: tracker.stage(),
            stopped,
            next: Some(format!(
                "see how it goes with `mcp status{}`",
                self.service_flag()
            )),
        }
    }

    fn logs_hint(&self) -> String {
        format!(
            "see the new tasks' output with `mcp logs --since 30m{}`",
            self.service_flag()
        )
    }

    fn service_flag(&self) -> String {
        self.settings
            .service
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default()
    }
}

/// ECS refusing the configuration is a configuration problem: say what to fix.
fn refused(err: anyhow::Error, strategy: crate::config::Strategy) -> anyhow::Error {
    let text = err.to_string();
    if text.starts_with("InvalidParameterException") {
        return err.context(
            McpError::usage(format!(
                "ECS refused the `{strategy}` deployment configuration"
            ))
            .hint(preflight::RESOURCES_HINT),
        );
    }
    err
}

fn strategy_words(strategy: crate::config::Strategy) -> &'static str {
    match strategy {
        crate::config::Strategy::Rolling => "a rolling deployment",
        crate::config::Strategy::BlueGreen => "blue/green",
        crate::config::Strategy::Canary => "canary",
        crate::config::Strategy::Linear => "linear",
    }
}

/// The last part of a service deployment ARN: enough to tell them apart.
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Tasks of the new revision that stopped, each told once.
struct StoppedTasks {
    deployment_id: String,
    seen: HashSet<String>,
    found: Vec<StoppedTask>,
    next: Option<Instant>,
    /// Side reads whose failure was told (each once).
    told: HashSet<&'static str>,
}

impl StoppedTasks {
    fn new(deployment_id: &str) -> Self {
        StoppedTasks {
            deployment_id: deployment_id.to_string(),
            seen: HashSet::new(),
            found: Vec::new(),
            next: None,
            told: HashSet::new(),
        }
    }

    /// A side read failed: say so once; the follow goes on without it.
    fn failed(&mut self, printer: &Printer, what: &'static str, error: String) {
        if self.told.insert(what) {
            printer.note(format!(
                "        note {what} failed ({error}); following the deployment goes on without it"
            ));
        }
    }

    fn take(&mut self) -> Vec<StoppedTask> {
        std::mem::take(&mut self.found)
    }

    /// List them again, at most every [`TASKS_EVERY`]; errors only cost a look.
    async fn poll(&mut self, clients: &Clients, cluster: &str, printer: &Printer) {
        let now = Instant::now();
        if self.deployment_id.is_empty() || self.next.is_some_and(|t| now < t) {
            return;
        }
        self.next = Some(now + TASKS_EVERY);
        let listed = match clients
            .ecs
            .list_tasks()
            .cluster(cluster)
            .started_by(&self.deployment_id)
            .desired_status(DesiredStatus::Stopped)
            .send()
            .await
        {
            Ok(listed) => listed,
            Err(err) => {
                let error = crate::aws::describe(&err);
                return self.failed(printer, "listing stopped tasks (ListTasks)", error);
            }
        };
        let new: Vec<String> = listed
            .task_arns()
            .iter()
            .filter(|a| !self.seen.contains(*a))
            .take(100)
            .cloned()
            .collect();
        if new.is_empty() {
            return;
        }
        let described = match clients
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(new))
            .send()
            .await
        {
            Ok(described) => described,
            Err(err) => {
                let error = crate::aws::describe(&err);
                return self.failed(printer, "describing stopped tasks (DescribeTasks)", error);
            }
        };
        for task in described.tasks() {
            let Some(arn) = task.task_arn() else { continue };
            if task.last_status() != Some("STOPPED") {
                continue;
            }
            self.seen.insert(arn.to_string());
            let stopped = stopped_task(task);
            printer.warn(format!("stopped {stopped}"));
            self.found.push(stopped);
        }
    }
}

fn stopped_task(task: &Task) -> StoppedTask {
    let arn = task.task_arn().unwrap_or_default();
    StoppedTask {
        task_id: arn.rsplit('/').next().unwrap_or(arn).to_string(),
        stopped_at: task
            .stopped_at()
            .and_then(|t| jiff::Timestamp::from_second(t.secs()).ok()),
        stop_code: task.stop_code().map(|c| c.as_str().to_string()),
        reason: task.stopped_reason().map(str::to_string),
        containers: task
            .containers()
            .iter()
            .map(|c| ContainerExit {
                name: c.name().unwrap_or_default().to_string(),
                exit_code: c.exit_code(),
                reason: c.reason().map(str::to_string),
            })
            .collect(),
    }
}

/// `mcp status --wait` while a blue/green, canary or linear deployment is in
/// progress: follow it by ARN to its end, running the MCP gate if it waits at
/// the gate's pause (so a deploy interrupted there can be resumed). `None`
/// when the current service deployment is not such a one in progress.
pub async fn resume(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
) -> Result<Option<Report>> {
    use aws_sdk_ecs::types::ServiceDeploymentStatus as S;
    let started = std::time::Instant::now();
    let cluster = settings.cluster()?;
    let service =
        crate::aws::ecs::describe_service(clients, cluster, &settings.ecs.service).await?;
    let Some(arn) = service.current_service_deployment() else {
        return Ok(None);
    };
    let sd = sds::describe(&clients.ecs, arn).await?;
    let in_progress = matches!(
        sd.status(),
        Some(S::Pending | S::InProgress | S::RollbackRequested | S::RollbackInProgress)
    );
    if sd.lifecycle_stage().is_none() || !in_progress {
        return Ok(None);
    }
    // What mcp.toml says of the gate; a configuration that no longer fits the
    // service must not stop anyone from watching the deployment.
    let plan = match preflight::plan(settings, &service, true) {
        Ok(plan) => plan,
        Err(err) => {
            printer.warn(format!(
                "following without the MCP gate: {}",
                crate::error::one_line(&err)
            ));
            preflight::Plan {
                strategy: preflight::service_strategy(&service),
                configuration: None,
                gate: None,
                bake: None,
            }
        }
    };
    let target = match sd.target_service_revision().and_then(|r| r.arn()) {
        Some(revision) => sds::revision_task_definition(&clients.ecs, revision).await?,
        None => None,
    }
    .or_else(|| service.task_definition().map(str::to_string))
    .unwrap_or_default();
    let previous = service
        .deployments()
        .iter()
        .filter_map(|d| d.task_definition())
        .find(|td| *td != target)
        .map(str::to_string);
    let deployment_id = service
        .deployments()
        .iter()
        .find(|d| d.task_definition() == Some(target.as_str()))
        .and_then(|d| d.id())
        .unwrap_or_default()
        .to_string();
    printer.status(
        "Following",
        format!(
            "{} deployment {} of {} (at {})",
            plan.strategy,
            short_arn(arn),
            taskdef::short_name(&target),
            sd.lifecycle_stage().map(|s| s.as_str()).unwrap_or("?")
        ),
    );
    let deployment = Deployment {
        settings,
        clients,
        printer,
        cluster: cluster.to_string(),
        service: settings.ecs.service.clone(),
        target_arn: target,
        previous_arn: previous,
        image: None,
        digest: None,
        started,
        plan,
        wait_until: WaitUntil::Complete,
        no_wait: false,
        check: true,
    };
    deployment
        .follow_existing(arn, &deployment_id)
        .await
        .map(Some)
}

/// `mcp rollback` while a blue/green, canary or linear deployment runs or
/// bakes: the old revision still runs, so `StopServiceDeployment` ROLLBACK
/// puts production back on it in seconds. `None` when there is no such
/// deployment (the caller then deploys an earlier revision).
pub async fn instant_rollback(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    cluster: &str,
    service_name: &str,
    started: std::time::Instant,
) -> Result<Option<Report>> {
    let service = crate::aws::ecs::describe_service(clients, cluster, service_name).await?;
    let Some(arn) = service.current_service_deployment() else {
        return Ok(None);
    };
    let sd = sds::describe(&clients.ecs, arn).await?;
    // Rolling deployments have no lifecycle stage and cannot be stopped this way.
    if sd.lifecycle_stage().is_none() {
        return Ok(None);
    }
    use aws_sdk_ecs::types::ServiceDeploymentStatus as S;
    let status = sd.status().cloned();
    if !matches!(
        status,
        Some(S::Pending | S::InProgress | S::RollbackRequested | S::RollbackInProgress)
    ) {
        return Ok(None);
    }
    let strategy = preflight::service_strategy(&service);
    let green = service.task_definition().unwrap_or_default().to_string();
    let blue = service
        .deployments()
        .iter()
        .find(|d| d.status() != Some("PRIMARY"))
        .and_then(|d| d.task_definition())
        .map(str::to_string);
    if matches!(status, Some(S::Pending | S::InProgress)) {
        printer.status(
            "Rolling back",
            format!(
                "{} deployment {} at {} (StopServiceDeployment ROLLBACK): the old revision still runs",
                strategy,
                short_arn(arn),
                sd.lifecycle_stage().map(|s| s.as_str()).unwrap_or("?")
            ),
        );
        sds::stop(&clients.ecs, arn, StopServiceDeploymentStopType::Rollback).await?;
    } else {
        printer.status(
            "Following",
            format!("the rollback of {} already under way", short_arn(arn)),
        );
    }
    let deadline = Instant::now() + settings.deploy.timeout;
    let mut tracker = Tracker::new(None, false);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let outcome = loop {
        let sd = match sds::describe(&clients.ecs, arn).await {
            Ok(sd) => sd,
            Err(err) if sds::is_transient(&err) => {
                tokio::time::sleep(MAX_POLL).await;
                continue;
            }
            Err(err) => return Err(err),
        };
        let (lines, phase) = tracker.observe(&sd, Instant::now());
        for l in lines {
            printer.status(l.verb, l.text);
        }
        match phase {
            Phase::RolledBack { .. } => break DeployStatus::Succeeded,
            Phase::RollbackFailed { reason } => {
                return Err(McpError::new(format!(
                    "ECS could not roll back {}: {reason}",
                    short_arn(arn)
                ))
                .with_status(ExitStatus::DeployNotRestored)
                .hint("see what runs with `mcp status`")
                .into());
            }
            Phase::Complete => {
                return Err(McpError::new(format!(
                    "the deployment {} completed before the rollback took effect",
                    short_arn(arn)
                ))
                .hint("run `mcp rollback` again: it deploys the earlier revision")
                .into());
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            break DeployStatus::Failed;
        }
        tokio::select! {
            _ = &mut interrupted => break DeployStatus::Interrupted,
            () = tokio::time::sleep(MIN_POLL) => {}
        }
    };
    let live = crate::aws::ecs::describe_service(clients, cluster, service_name)
        .await
        .ok()
        .and_then(|s| s.task_definition().map(str::to_string));
    let revision = blue.clone().or(live.clone()).unwrap_or_default();
    Ok(Some(Report {
        status: outcome,
        cluster: cluster.to_string(),
        service: service_name.to_string(),
        revision: taskdef::short_name(&revision).to_string(),
        previous_revision: Some(taskdef::short_name(&green).to_string()),
        live_revision: live.as_deref().map(|a| taskdef::short_name(a).to_string()),
        image: None,
        digest: None,
        deployment_id: None,
        duration_s: seam::seconds_since(started),
        reason: match outcome {
            DeployStatus::Failed => Some(format!(
                "the rollback did not finish within {} (deploy.timeout)",
                follow::human(settings.deploy.timeout)
            )),
            DeployStatus::Interrupted => Some("interrupted; ECS goes on with the rollback".into()),
            _ => None,
        },
        stopped_tasks: Vec::new(),
        next: None,
        check: None,
        failed_task_logs: Vec::new(),
        strategy: Some(strategy),
        stage: tracker.stage().map(str::to_string),
        gate: None,
        service_deployment: Some(arn.to_string()),
        client_url: None,
        preview_url: None,
    }))
}
