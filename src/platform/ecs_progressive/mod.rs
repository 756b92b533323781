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
pub mod preflight;
mod resume;
mod rollback;
pub mod seam;
pub mod status;
mod stopped;

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{
    DeploymentLifecycleHookAction, ServiceDeployment, StopServiceDeploymentStopType,
};
use tokio::time::Instant;

use crate::aws::{self, Clients, service_deployments as sds, taskdef};
use crate::config::{RollbackPolicy, Settings};
use crate::error::McpError;
use crate::release::{ImageRef, StoppedTask};
use crate::ui::Printer;
use follow::{Phase, Tracker, WaitUntil};
pub use preflight::{GateSpec, Plan};
pub use resume::resume;
pub use rollback::instant_rollback;
use seam::gate::{self, GateReport};
use seam::{DeployStatus, Report};
use stopped::StoppedTasks;

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
