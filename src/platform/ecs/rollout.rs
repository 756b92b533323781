//! Starting an ECS rolling deployment and seeing it through: shared by deploy,
//! rollback and `status --wait` on ECS.
//!
//! The rollback policy lives here: a rollout that fails is rolled back
//! according to `deploy.rollback` (unless ECS's circuit breaker already did),
//! and a rollout that completed but fails its MCP check counts as failed. The
//! outcome is told as a [`Report`]. Streaming the new tasks' logs while
//! waiting, and reading the failed tasks' last lines, are in [`super::tail`].

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{Service, Tag};
use futures_util::future::BoxFuture;

use super::follow::{self, Event, FollowOptions, Outcome};
use crate::aws::{self, Clients, taskdef};
use crate::cancel;
use crate::config::{RollbackPolicy, Settings};
use crate::error::{ExitStatus, McpError};
use crate::platform::DeployRequest;
use crate::probe::{self, CheckReport};
use crate::release::build::PushReport;
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, ImageRef, Report, tags};
use crate::ui::Printer;

/// What the MCP check after a rollout needs, checked before anything changes:
/// `deploy.url` (and the health URL made from it) is an http(s) URL, and the
/// bearer-token variable is set. `check` is false with `--no-check`.
pub fn preflight_check(settings: &Settings, check: bool) -> Result<()> {
    let Some(url) = settings.deploy.url.as_deref().filter(|_| check) else {
        return Ok(());
    };
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            McpError::usage(format!("`deploy.url` `{url}` is not an http:// or https:// URL"))
                .hint("write the MCP endpoint in full, e.g. `https://demo.example.com/mcp`, or pass --no-check")
        })?;
    probe::health_url(&parsed, &settings.deploy.health_path)?;
    probe::Options::from_settings(settings)?;
    Ok(())
}

/// Refuse a service whose deployments ECS does not run itself (CODE_DEPLOY,
/// EXTERNAL): UpdateService cannot roll out a new revision there.
pub fn ensure_ecs_controller(service: &Service) -> Result<()> {
    let controller = service
        .deployment_controller()
        .map(|c| c.r#type().as_str().to_string())
        .unwrap_or_else(|| "ECS".into());
    if controller == "ECS" {
        return Ok(());
    }
    Err(McpError::usage(format!(
        "service `{}` uses the {controller} deployment controller; `mcp` rolls out services whose deployments ECS runs (controller ECS)",
        service.service_name().unwrap_or("?")
    ))
    .hint(match controller.as_str() {
        "CODE_DEPLOY" => "deploy it through CodeDeploy (`aws deploy create-deployment`), or recreate the service with `deploymentController = ECS`",
        _ => "deploy it with the tool that owns its task sets, or recreate the service with `deploymentController = ECS`",
    })
    .into())
}

/// The build may have taken minutes: look again before replacing anything
/// (another deployment may have started, unless `--force`), and change
/// nothing after a Ctrl-C.
pub async fn look_again(
    clients: &Clients,
    cluster: &str,
    service: &str,
    force: bool,
    printer: &Printer,
) -> Result<()> {
    cancel::check("before updating the service")?;
    let described = cancel::or_cancelled(
        "before updating the service",
        aws::ecs::describe_service(clients, cluster, service),
    )
    .await?;
    ensure_idle(&described, force, printer)?;
    cancel::check("before updating the service")
}

/// A deploy's new release, just started on the service.
pub struct Started<'a> {
    pub cluster: &'a str,
    pub service: &'a str,
    /// The revision being put live, and the one live before (the rollback target).
    pub new_arn: String,
    pub current_arn: &'a str,
    pub deployment_id: String,
    pub pushed: &'a PushReport,
    /// When the deploy began.
    pub started: Instant,
}

/// The rollout of a deploy's release, the same on every ECS platform: say
/// it is deploying, then see it through under the rollback policy (putting
/// the previous release back `restore`'s way), or with `--no-wait` say how
/// to follow it. The report carries the client URL.
pub async fn follow_deploy(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    request: &DeployRequest,
    release: Started<'_>,
    restore: &dyn Restore,
) -> Result<Report> {
    printer.status(
        "Deploying",
        format!(
            "{} to {}/{} (deployment {})",
            taskdef::short_name(&release.new_arn),
            release.cluster,
            release.service,
            release.deployment_id
        ),
    );
    let rollout = Rollout {
        settings,
        clients,
        printer,
        cluster: release.cluster.to_string(),
        service: release.service.to_string(),
        target_arn: release.new_arn,
        previous_arn: Some(release.current_arn.to_string()),
        restoring: false,
        deployment_id: release.deployment_id,
        image: Some(release.pushed.image.clone()),
        digest: (!release.pushed.digest.is_empty()).then(|| release.pushed.digest.clone()),
        started: release.started,
        seen: Default::default(),
        check: !request.no_check,
        logs: request.logs,
        restore,
    };
    let mut report = if request.no_wait {
        let mut report = rollout.report(DeployStatus::Started);
        report.next = Some(format!(
            "follow it with `mcp status --wait{}`",
            settings
                .service
                .as_ref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default()
        ));
        report
    } else {
        rollout.see_through().await?
    };
    report.client_url = settings.deploy.url.clone();
    Ok(report)
}

/// Refuse to start while another deployment is in flight, unless forced.
pub fn ensure_idle(service: &Service, force: bool, printer: &Printer) -> Result<()> {
    // A PRIMARY that FAILED (circuit breaker, no rollback) is over: what it
    // left beside it is no rollout in progress, and a new deploy may replace it.
    let primary_failed = service.deployments().iter().any(|d| {
        d.status() == Some("PRIMARY") && d.rollout_state().map(|s| s.as_str()) == Some("FAILED")
    });
    let busy: Vec<String> = service
        .deployments()
        .iter()
        .filter(|d| {
            d.rollout_state().map(|s| s.as_str()) == Some("IN_PROGRESS")
                || (d.status() != Some("PRIMARY") && !primary_failed)
        })
        .map(|d| {
            format!(
                "{} ({})",
                d.id().unwrap_or("?"),
                taskdef::short_name(d.task_definition().unwrap_or("?"))
            )
        })
        .collect();
    if busy.is_empty() {
        return Ok(());
    }
    let message = format!(
        "another deployment of `{}` is in progress: {}",
        service.service_name().unwrap_or("?"),
        busy.join(", ")
    );
    if force {
        printer.warn(format!("{message}; going ahead (--force)"));
        return Ok(());
    }
    Err(McpError::new(message)
        .hint("wait for it with `mcp status --wait`, or pass --force to start anyway")
        .into())
}

/// UpdateService to `task_definition`; the id of the deployment it started.
pub async fn start(
    clients: &Clients,
    cluster: &str,
    service: &str,
    task_definition: &str,
) -> Result<String> {
    let out = clients
        .ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .task_definition(task_definition)
        .send()
        .await
        .map_err(aws::error)
        .with_context(|| {
            format!(
                "updating ECS service `{service}` to `{}`",
                taskdef::short_name(task_definition)
            )
        })?;
    let service = out.service().context("UpdateService returned no service")?;
    follow::deployment_id_from_update(service)
        .context("UpdateService started no PRIMARY deployment")
}

/// Set the service's deployment configuration alone (no new deployment starts).
pub async fn configure(
    clients: &Clients,
    cluster: &str,
    service: &str,
    configuration: &aws_sdk_ecs::types::DeploymentConfiguration,
) -> Result<()> {
    clients
        .ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .deployment_configuration(configuration.clone())
        .send()
        .await
        .map_err(aws::error)
        .with_context(|| {
            format!("setting the deployment configuration of ECS service `{service}`")
        })?;
    Ok(())
}

/// Putting a release back live is each platform's own business: a rolling
/// service is told to run the task definition again ([`UpdateService`]); an
/// Express service, whose task definition Express owns, gets that revision's
/// container through Express (`ecs_express::deploy::ExpressRestore`). The
/// caller of a [`Rollout`] hands in its own.
pub trait Restore: Send + Sync {
    /// Put `task_definition` live again: the deployment started and the task
    /// definition it runs.
    fn restore<'a>(
        &'a self,
        settings: &'a Settings,
        clients: &'a Clients,
        cluster: &'a str,
        service: &'a str,
        task_definition: &'a str,
    ) -> BoxFuture<'a, Result<(String, String)>>;
}

/// A rolling service's way back: UpdateService with the earlier task definition.
pub struct UpdateService;

impl Restore for UpdateService {
    fn restore<'a>(
        &'a self,
        _settings: &'a Settings,
        clients: &'a Clients,
        cluster: &'a str,
        service: &'a str,
        task_definition: &'a str,
    ) -> BoxFuture<'a, Result<(String, String)>> {
        Box::pin(async move {
            let deployment = start(clients, cluster, service, task_definition).await?;
            Ok((deployment, task_definition.to_string()))
        })
    }
}

/// Follow one deployment, telling each event on stderr. `seen` holds the ids
/// of service events already told, so following a rollback after a failed
/// rollout does not repeat them.
pub async fn watch(
    clients: &Clients,
    printer: &Printer,
    options: &FollowOptions,
    seen: &Mutex<HashSet<String>>,
) -> Result<Outcome> {
    let printer_for_events = printer.clone();
    let mut last_progress = String::new();
    let mut on_event = move |event: Event| match event {
        Event::Progress(s) => {
            let line = format!(
                "{}/{} running, {} pending, {} failed, {}",
                s.running,
                s.desired,
                s.pending,
                s.failed,
                s.rollout_state
                    .as_deref()
                    .unwrap_or("no rollout state")
                    .to_lowercase()
                    .replace('_', " ")
            );
            if line != last_progress {
                printer_for_events.status("Rollout", format!("[{:>4}] {line}", elapsed(s.elapsed)));
                last_progress = line;
            }
        }
        Event::ServiceEvent { id, message, .. } => {
            if seen.lock().unwrap_or_else(|e| e.into_inner()).insert(id) {
                printer_for_events.status("Event", message);
            }
        }
        Event::TaskStopped(task) => printer_for_events.warn(format!("stopped {task}")),
        Event::Throttled { error } => printer_for_events.note(format!(
            "             AWS throttled the polling ({error}); backing off"
        )),
        Event::SideReadFailed { what, error } => printer_for_events.note(format!(
            "        note {what} failed ({error}); following the deployment goes on without it"
        )),
    };
    follow::follow(&clients.ecs, options, &mut on_event, cancel::cancelled()).await
}

pub(super) fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// Tag a revision that reached COMPLETED, so `mcp rollback` and `mcp history`
/// know which releases ran. Best effort: a missing permission costs only that.
pub async fn mark_completed(clients: &Clients, printer: &Printer, task_definition_arn: &str) {
    let tag = Tag::builder()
        .key(tags::COMPLETED_AT)
        .value(jiff::Timestamp::now().to_string())
        .build();
    let tagging = cancel::or_cancelled("while tagging", async {
        clients
            .ecs
            .tag_resource()
            .resource_arn(task_definition_arn)
            .tags(tag)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(aws::describe(&e)))
    });
    if let Err(err) = tagging.await {
        printer.note(format!(
            "        note tagging {} as completed (TagResource) failed ({err:#}); `mcp rollback` will not count it as a release that ran",
            taskdef::short_name(task_definition_arn)
        ));
    }
}

/// Everything needed to see a started rollout through.
pub struct Rollout<'a> {
    pub settings: &'a Settings,
    pub clients: &'a Clients,
    pub printer: &'a Printer,
    pub cluster: String,
    pub service: String,
    /// What is being put live.
    pub target_arn: String,
    /// What was live before (the rollback target).
    pub previous_arn: Option<String>,
    /// This rollout is itself a rollback (`mcp rollback`): when it fails, it
    /// never rolls forward into `previous_arn`, the release it fled.
    pub restoring: bool,
    pub deployment_id: String,
    pub image: Option<ImageRef>,
    pub digest: Option<String>,
    pub started: Instant,
    /// Service events already told.
    pub seen: Mutex<HashSet<String>>,
    /// Run the MCP check after the rollout (when `deploy.url` is set).
    pub check: bool,
    /// Stream the new tasks' logs while waiting (`--logs`).
    pub logs: bool,
    /// How this platform puts the previous release back.
    pub restore: &'a dyn Restore,
}

impl Rollout<'_> {
    pub(super) fn options(&self, deployment_id: &str, timeout: Duration) -> FollowOptions {
        let options = FollowOptions {
            // Services of one `deploy --all` share their DescribeServices calls.
            batched: true,
            ..FollowOptions::new(&self.cluster, &self.service, deployment_id, timeout)
        };
        // Unit tests fake ECS: poll every few milliseconds, not every few seconds.
        #[cfg(test)]
        let options = FollowOptions {
            min_poll: Duration::from_millis(1),
            max_poll: Duration::from_millis(4),
            ..options
        };
        options
    }

    pub(crate) fn report(&self, status: DeployStatus) -> Report {
        let mut report = Report::new(
            status,
            self.cluster.clone(),
            self.service.clone(),
            taskdef::short_name(&self.target_arn).to_string(),
        );
        report.previous_revision = self
            .previous_arn
            .as_deref()
            .map(|a| taskdef::short_name(a).to_string());
        report.image = self.image.clone();
        report.digest = self.digest.clone();
        report.deployment_id = Some(self.deployment_id.clone());
        report.duration_s = seconds_since(self.started);
        report.strategy = Some(crate::config::Strategy::Rolling);
        report
    }

    /// Follow the rollout; on failure apply the rollback policy.
    pub async fn see_through(&self) -> Result<Report> {
        let timeout = self.settings.deploy.timeout;
        // From here on UpdateService was called: every error ends in the report.
        let outcome = match self.watch_with_logs(&self.deployment_id, timeout).await {
            Ok(outcome) => outcome,
            Err(err) => {
                let mut report = self.report(DeployStatus::Failed);
                report.reason = Some(format!("following the rollout failed: {err:#}"));
                report.next = Some(format!(
                    "see where it stands with `mcp status --wait{}`",
                    self.service_flag()
                ));
                return Ok(report);
            }
        };
        let logs_hint = format!(
            "see the failed tasks' output with `mcp logs --since 30m{}`",
            self.service_flag()
        );
        let mut failed_check = None;
        let (reason, stopped) = match outcome {
            Outcome::Completed(_) => {
                let check = match self.post_rollout_check().await {
                    Ok(check) => Ok(check),
                    Err(err) if crate::error::status(&err) == ExitStatus::Interrupted => {
                        let mut report = self.report(DeployStatus::Interrupted);
                        report.live_revision = Some(report.revision.clone());
                        report.reason = Some(format!(
                            "the rollout completed; interrupted while checking: {err:#}"
                        ));
                        report.next =
                            Some(format!("check it with `mcp check{}`", self.service_flag()));
                        return Ok(report);
                    }
                    // The check could not even run (a bad URL, say): it failed.
                    Err(err) => Err(format!(
                        "the rollout completed but the MCP check could not run: {err:#}"
                    )),
                };
                match check {
                    Err(reason) => (reason, Vec::new()),
                    Ok(Some(check)) if !check.healthy => {
                        let step = check.failed_step.map(|s| s.to_string()).unwrap_or_default();
                        let reason = format!(
                            "the rollout completed but the MCP check failed at {step}: {}",
                            check.error.as_deref().unwrap_or("?")
                        );
                        failed_check = Some(check);
                        (reason, Vec::new())
                    }
                    Ok(check) => {
                        // Only a release that passed its check counts as completed for `mcp rollback`.
                        mark_completed(self.clients, self.printer, &self.target_arn).await;
                        let mut report = self.report(DeployStatus::Succeeded);
                        report.live_revision = Some(report.revision.clone());
                        report.check = check;
                        return Ok(report);
                    }
                }
            }
            Outcome::Interrupted { .. } => {
                let mut report = self.report(DeployStatus::Interrupted);
                report.reason = Some("interrupted; ECS goes on with the deployment".into());
                report.next = Some(format!(
                    "follow it with `mcp status --wait{}`",
                    self.service_flag()
                ));
                return Ok(report);
            }
            Outcome::RolledBackByEcs {
                reason,
                rollback_deployment_id,
                rollback_task_definition,
                stopped,
                ..
            } => {
                self.printer.status(
                    "Rollback",
                    format!(
                        "ECS is rolling back to {} ({rollback_deployment_id})",
                        taskdef::short_name(&rollback_task_definition)
                    ),
                );
                let restored = self.follow_restore(&rollback_deployment_id).await;
                let confirmed = matches!(restored, Ok(true));
                let mut report = self.report(DeployStatus::Failed);
                report.live_revision =
                    Some(taskdef::short_name(&rollback_task_definition).to_string());
                report.reason = Some(reason);
                self.restore_outcome(&mut report, restored);
                if !confirmed && report.status != DeployStatus::Interrupted {
                    self.look_again(&rollback_deployment_id, &mut report).await;
                }
                report.failed_task_logs = self.failed_task_logs(&stopped).await;
                report.stopped_tasks = stopped;
                report.next = Some(logs_hint);
                return Ok(report);
            }
            Outcome::Failed {
                reason, stopped, ..
            } => (reason, stopped),
            Outcome::TimedOut { stopped, .. } => (
                format!(
                    "the rollout did not complete within {} (deploy.timeout)",
                    elapsed(timeout)
                ),
                stopped,
            ),
            Outcome::Superseded {
                by_deployment_id,
                by_task_definition,
                ..
            } => {
                let mut report = self.report(DeployStatus::Failed);
                report.reason = Some(format!(
                    "another deployment ({by_deployment_id}, {}) replaced this one",
                    taskdef::short_name(&by_task_definition)
                ));
                report.live_revision = Some(taskdef::short_name(&by_task_definition).to_string());
                report.next = Some(format!(
                    "see what runs with `mcp status{}`",
                    self.service_flag()
                ));
                return Ok(report);
            }
        };

        // Failed, and ECS did not roll back by itself.
        let mut report = self.report(DeployStatus::Failed);
        report.reason = Some(reason);
        report.check = failed_check;
        report.failed_task_logs = self.failed_task_logs(&stopped).await;
        report.stopped_tasks = stopped;
        report.next = Some(logs_hint);
        if self.restoring {
            // Going back to the release a rollback left would undo the rollback.
            let fled = self
                .previous_arn
                .as_deref()
                .map_or("the release it replaced", taskdef::short_name);
            self.printer.warn(format!(
                "the rollback to {} failed; not rolling forward into {fled}, the release it left",
                taskdef::short_name(&self.target_arn)
            ));
            report.live_revision = Some(report.revision.clone());
            report.reason = Some(format!(
                "{}; {} runs now as ECS left it (not rolled forward into {fled})",
                report.reason.as_deref().unwrap_or("the rollback failed"),
                taskdef::short_name(&self.target_arn)
            ));
            report.next = Some(format!(
                "see what runs with `mcp status{}`; pick another release with `mcp history{}` and `mcp rollback --to REVISION`",
                self.service_flag(),
                self.service_flag()
            ));
            return Ok(report);
        }
        let previous = match (&self.previous_arn, self.settings.deploy.rollback) {
            (Some(previous), RollbackPolicy::Auto) if previous != &self.target_arn => {
                previous.clone()
            }
            (_, RollbackPolicy::Never) => {
                self.printer
                    .warn("deploy.rollback = \"never\": leaving the service as ECS left it");
                report.live_revision = Some(report.revision.clone());
                return Ok(report);
            }
            _ => {
                self.printer.warn("no earlier revision to roll back to");
                return Ok(report);
            }
        };
        if cancel::is_cancelled() {
            // Ctrl-C before the rollback started: leave it to the user, say so.
            report.status = DeployStatus::Interrupted;
            report.live_revision = Some(report.revision.clone());
            report.reason = Some(format!(
                "{}; interrupted before rolling back to {}",
                report.reason.as_deref().unwrap_or("the rollout failed"),
                taskdef::short_name(&previous)
            ));
            report.next = Some(format!(
                "see what runs with `mcp status --wait{}`; roll back with `mcp rollback{}`",
                self.service_flag(),
                self.service_flag()
            ));
            return Ok(report);
        }
        self.printer
            .status("Rollback", format!("to {}", taskdef::short_name(&previous)));
        cancel::rolling_out(
            self.settings.service.as_deref(),
            &self.service,
            taskdef::short_name(&previous),
        );
        let (deployment, live) = match self
            .restore
            .restore(
                self.settings,
                self.clients,
                &self.cluster,
                &self.service,
                &previous,
            )
            .await
        {
            Ok(started) => started,
            Err(err) => {
                self.printer
                    .warn(format!("the rollback did not start: {err:#}"));
                report.live_revision = Some(report.revision.clone());
                report.reason = Some(format!(
                    "{}; rolling back to {} failed: {err:#}",
                    report.reason.as_deref().unwrap_or("the rollout failed"),
                    taskdef::short_name(&previous)
                ));
                report.next = Some(format!(
                    "see what runs with `mcp status{}`; roll back with `mcp rollback{}`",
                    self.service_flag(),
                    self.service_flag()
                ));
                return Ok(report);
            }
        };
        let restored = self.follow_restore(&deployment).await;
        let confirmed = matches!(restored, Ok(true));
        // What mcp put live; `look_again` replaces it with what ECS shows.
        report.live_revision = Some(taskdef::short_name(&live).to_string());
        self.restore_outcome(&mut report, restored);
        if !confirmed && report.status != DeployStatus::Interrupted {
            self.look_again(&deployment, &mut report).await;
        }
        Ok(report)
    }

    /// A rollback (`deployment_id`) not seen to complete: what DescribeServices
    /// shows now decides. The service's task definition is what runs (or is
    /// being put live); the rollback counts only once its deployment is
    /// COMPLETED. Without an answer, `report.live_revision` keeps what was put live.
    async fn look_again(&self, deployment_id: &str, report: &mut Report) {
        let target = report.live_revision.clone().unwrap_or_default();
        let service = cancel::or_cancelled(
            "while looking at the rollback",
            aws::ecs::describe_service(self.clients, &self.cluster, &self.service),
        )
        .await;
        let failed = report
            .reason
            .clone()
            .unwrap_or_else(|| "the rollout failed".into());
        report.next = Some(format!(
            "see whether the rollback completes with `mcp status --wait{}`",
            self.service_flag()
        ));
        let service = match service {
            Ok(service) => service,
            Err(err) => {
                report.reason = Some(format!(
                    "{failed}; the rollback to {target} ({deployment_id}) was started but could not be confirmed: {err:#}"
                ));
                return;
            }
        };
        if let Some(live) = service.task_definition() {
            report.live_revision = Some(taskdef::short_name(live).to_string());
        }
        let ours = service
            .deployments()
            .iter()
            .find(|d| d.id() == Some(deployment_id));
        let state = ours.and_then(|d| d.rollout_state());
        if state == Some(&aws_sdk_ecs::types::DeploymentRolloutState::Completed) {
            report.status = DeployStatus::RolledBack;
            report.next = None;
            return;
        }
        let shown = match state {
            Some(state) => format!(
                "deployment {deployment_id} is {}",
                state.as_str().to_lowercase().replace('_', " ")
            ),
            None => format!("deployment {deployment_id} is no longer on the service"),
        };
        let live = report.live_revision.as_deref().unwrap_or(&target);
        report.reason = Some(format!(
            "{failed}; ECS has not confirmed the rollback to {live} within {} ({shown})",
            elapsed(self.settings.deploy.timeout)
        ));
    }

    /// Tell a followed rollback in `report` (whose `live_revision` names the
    /// restored release): rolled back, failed, or interrupted; never an error.
    fn restore_outcome(&self, report: &mut Report, restored: Result<bool>) {
        match restored {
            Ok(true) => report.status = DeployStatus::RolledBack,
            Ok(false) => report.status = DeployStatus::Failed,
            Err(err) => {
                let interrupted = crate::error::status(&err) == ExitStatus::Interrupted;
                report.status = if interrupted {
                    DeployStatus::Interrupted
                } else {
                    DeployStatus::Failed
                };
                report.reason = Some(format!(
                    "{}; {err:#}",
                    report.reason.as_deref().unwrap_or("the rollout failed")
                ));
                report.next = Some(format!(
                    "see where the rollback stands with `mcp status --wait{}`",
                    self.service_flag()
                ));
            }
        }
    }

    /// Follow a rollback deployment; true when it completed. Ctrl-C while
    /// following it is an error that ends the command with 130.
    async fn follow_restore(&self, deployment_id: &str) -> Result<bool> {
        // A rollback gets a full timeout of its own: it replaces tasks like any rollout.
        let outcome = watch(
            self.clients,
            self.printer,
            &self.options(deployment_id, self.settings.deploy.timeout),
            &self.seen,
        )
        .await?;
        if matches!(outcome, Outcome::Interrupted { .. }) {
            return Err(McpError::new(format!(
                "interrupted while following the rollback ({deployment_id})"
            ))
            .with_status(ExitStatus::Interrupted)
            .hint(format!(
                "ECS carries on; follow it with `mcp status --wait{}`",
                self.service_flag()
            ))
            .into());
        }
        Ok(outcome.is_success())
    }

    /// `mcp check` against `deploy.url`, retried for a while: a load balancer
    /// takes some seconds to send traffic to new targets.
    async fn post_rollout_check(&self) -> Result<Option<CheckReport>> {
        let Some(url) = self.settings.deploy.url.as_deref() else {
            return Ok(None);
        };
        if !self.check {
            return Ok(None);
        }
        crate::platform::check::until_healthy(
            self.settings,
            self.printer,
            url,
            Duration::from_secs(60),
        )
        .await
        .map(Some)
    }

    pub(super) fn service_flag(&self) -> String {
        self.settings
            .service
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    //! The rollback policy, with ECS faked by aws-smithy-mocks: what
    //! DescribeServices answers depends on whether mcp's own rollback
    //! (UpdateService) was started.

    use super::*;
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::aws::mock_client;
    use aws_sdk_ecs::Client;
    use aws_sdk_ecs::config::retry::RetryConfig;
    use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
    use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionError;
    use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
    use aws_sdk_ecs::operation::update_service::{UpdateServiceError, UpdateServiceOutput};
    use aws_sdk_ecs::types::{Deployment, DeploymentRolloutState};
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    use crate::config::{self, Inputs};
    use crate::ui::OutputFormat;

    const OURS: &str = "ecs-svc/1111";
    const ECS_ROLLBACK: &str = "ecs-svc/2222";
    const OUR_ROLLBACK: &str = "ecs-svc/3333";
    const OTHER: &str = "ecs-svc/4444";
    const TD_NEW: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/weather:8";
    const TD_OLD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/weather:7";
    const TD_OTHER: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/weather:9";

    /// What ECS shows for our deployment (before any rollback by mcp).
    #[derive(Clone, Copy)]
    enum Ecs {
        /// Our deployment FAILED; ECS did not roll back.
        Failed,
        /// ECS's circuit breaker rolled back to the old revision.
        RolledBack,
        /// Someone else's deployment replaced ours.
        Superseded,
        /// Our deployment COMPLETED.
        Completed,
        /// The service was deleted (the follow ends in an error).
        Deleted,
        /// Our deployment never ends, nor does mcp's rollback (ECS shows it IN_PROGRESS).
        Stuck,
    }

    fn deployment(id: &str, status: &str, td: &str, state: DeploymentRolloutState) -> Deployment {
        Deployment::builder()
            .id(id)
            .status(status)
            .task_definition(td)
            .desired_count(1)
            .running_count(i32::from(state == DeploymentRolloutState::Completed))
            .rollout_state(state)
            .build()
    }

    fn service(status: &str, deployments: Vec<Deployment>) -> Service {
        // ECS shows the PRIMARY deployment's task definition as the service's.
        let live = deployments
            .iter()
            .find(|d| d.status() == Some("PRIMARY"))
            .and_then(|d| d.task_definition())
            .map(str::to_string);
        Service::builder()
            .service_name("weather")
            .status(status)
            .set_task_definition(live)
            .set_deployments(Some(deployments))
            .build()
    }

    fn settings(deploy: &str) -> Settings {
        let text = format!(
            "name = \"weather\"\nregion = \"us-east-1\"\n\n[ecs]\ncluster = \"prod\"\nservice = \"weather\"\n\n[deploy]\ntimeout = \"2s\"\n{deploy}"
        );
        let file = config::file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
        let inputs = Inputs {
            cwd: "/p".into(),
            ..Inputs::default()
        };
        config::resolve(Some(&file), &inputs).unwrap()
    }

    struct Fake {
        clients: Clients,
        /// UpdateService calls (mcp's rollback).
        updates: Arc<AtomicUsize>,
    }

    /// ECS as `ecs` describes it; UpdateService starts a rollback that
    /// completes, or fails when `update_fails`.
    fn fake(ecs: Ecs, update_fails: bool) -> Fake {
        let updates = Arc::new(AtomicUsize::new(0));
        let seen = updates.clone();
        let describe = mock!(Client::describe_services).then_compute_output(move |_| {
            let deployments = if seen.load(Ordering::SeqCst) > 0 && matches!(ecs, Ecs::Stuck) {
                vec![
                    deployment(
                        OUR_ROLLBACK,
                        "PRIMARY",
                        TD_OLD,
                        DeploymentRolloutState::InProgress,
                    ),
                    deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::InProgress),
                ]
            } else if seen.load(Ordering::SeqCst) > 0 && !update_fails {
                vec![deployment(
                    OUR_ROLLBACK,
                    "PRIMARY",
                    TD_OLD,
                    DeploymentRolloutState::Completed,
                )]
            } else {
                match ecs {
                    Ecs::Failed => vec![
                        deployment(OURS, "PRIMARY", TD_NEW, DeploymentRolloutState::Failed),
                        deployment(
                            "ecs-svc/0000",
                            "ACTIVE",
                            TD_OLD,
                            DeploymentRolloutState::Completed,
                        ),
                    ],
                    Ecs::RolledBack => vec![
                        deployment(
                            ECS_ROLLBACK,
                            "PRIMARY",
                            TD_OLD,
                            DeploymentRolloutState::Completed,
                        ),
                        deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::Failed),
                    ],
                    Ecs::Stuck => vec![
                        deployment(OURS, "PRIMARY", TD_NEW, DeploymentRolloutState::InProgress),
                        deployment(
                            "ecs-svc/0000",
                            "ACTIVE",
                            TD_OLD,
                            DeploymentRolloutState::Completed,
                        ),
                    ],
                    Ecs::Superseded => vec![
                        deployment(
                            OTHER,
                            "PRIMARY",
                            TD_OTHER,
                            DeploymentRolloutState::InProgress,
                        ),
                        deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::InProgress),
                    ],
                    Ecs::Completed | Ecs::Deleted => vec![deployment(
                        OURS,
                        "PRIMARY",
                        TD_NEW,
                        DeploymentRolloutState::Completed,
                    )],
                }
            };
            let status = if matches!(ecs, Ecs::Deleted) {
                "INACTIVE"
            } else {
                "ACTIVE"
            };
            DescribeServicesOutput::builder()
                .services(service(status, deployments))
                .build()
        });
        let count = updates.clone();
        let update = if update_fails {
            mock!(Client::update_service).then_compute_response(move |_| {
                count.fetch_add(1, Ordering::SeqCst);
                aws_smithy_mocks::MockResponse::Error(UpdateServiceError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDeniedException")
                        .message("not authorized to perform ecs:UpdateService")
                        .build(),
                ))
            })
        } else {
            mock!(Client::update_service).then_compute_output(move |_| {
                count.fetch_add(1, Ordering::SeqCst);
                UpdateServiceOutput::builder()
                    .service(service(
                        "ACTIVE",
                        vec![deployment(
                            OUR_ROLLBACK,
                            "PRIMARY",
                            TD_OLD,
                            DeploymentRolloutState::InProgress,
                        )],
                    ))
                    .build()
            })
        };
        let list = mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build());
        let taskdef = mock!(Client::describe_task_definition).then_error(|| {
            DescribeTaskDefinitionError::generic(
                ErrorMetadata::builder().code("ClientException").build(),
            )
        });
        let tag = mock!(Client::tag_resource).then_output(|| {
            aws_sdk_ecs::operation::tag_resource::TagResourceOutput::builder().build()
        });
        let ecs = mock_client!(
            aws_sdk_ecs,
            RuleMode::MatchAny,
            &[&describe, &update, &list, &taskdef, &tag],
            |c| c.retry_config(RetryConfig::disabled())
        );
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .build();
        let mut clients = Clients::from_config(config);
        clients.ecs = ecs;
        Fake { clients, updates }
    }

    async fn see_through(settings: &Settings, fake: &Fake, restoring: bool) -> Result<Report> {
        let printer = Printer::plain(OutputFormat::Text);
        let rollout = Rollout {
            settings,
            clients: &fake.clients,
            printer: &printer,
            cluster: "prod".into(),
            service: "weather".into(),
            target_arn: TD_NEW.into(),
            previous_arn: Some(TD_OLD.into()),
            restoring,
            deployment_id: OURS.into(),
            image: None,
            digest: None,
            started: Instant::now(),
            seen: Default::default(),
            check: true,
            logs: false,
            restore: &UpdateService,
        };
        rollout.see_through().await
    }

    #[tokio::test]
    async fn a_failed_rollout_is_rolled_back_under_auto() {
        let fake = fake(Ecs::Failed, false);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(report.status, DeployStatus::RolledBack);
        assert_eq!(report.status.exit_status().code(), 3);
        assert_eq!(report.live_revision.as_deref(), Some("weather:7"));
        assert_eq!(fake.updates.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn policy_never_leaves_the_failed_release() {
        let fake = fake(Ecs::Failed, false);
        let report = see_through(&settings("rollback = \"never\"\n"), &fake, false)
            .await
            .unwrap();
        assert_eq!(report.status, DeployStatus::Failed);
        assert_eq!(report.status.exit_status().code(), 4);
        assert_eq!(fake.updates.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn ecs_rolled_back_is_followed_not_repeated() {
        let fake = fake(Ecs::RolledBack, false);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(report.status, DeployStatus::RolledBack);
        assert_eq!(report.live_revision.as_deref(), Some("weather:7"));
        assert_eq!(
            fake.updates.load(Ordering::SeqCst),
            0,
            "ECS already rolled back"
        );
    }

    #[tokio::test]
    async fn superseded_is_a_failure_without_rollback() {
        let fake = fake(Ecs::Superseded, false);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(report.status, DeployStatus::Failed);
        assert_eq!(report.live_revision.as_deref(), Some("weather:9"));
        assert_eq!(fake.updates.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_failed_check_rolls_back() {
        // Nothing listens on port 9: the check fails within deploy.timeout (2s).
        let fake = fake(Ecs::Completed, false);
        let settings = settings("url = \"http://127.0.0.1:9/mcp\"\n");
        let report = see_through(&settings, &fake, false).await.unwrap();
        assert_eq!(
            report.status,
            DeployStatus::RolledBack,
            "{:?}",
            report.reason
        );
        assert!(report.reason.unwrap().contains("MCP check failed"));
        assert_eq!(fake.updates.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_rollback_that_fails_does_not_roll_forward() {
        let fake = fake(Ecs::Failed, false);
        let report = see_through(&settings(""), &fake, true).await.unwrap();
        assert_eq!(report.status, DeployStatus::Failed);
        assert_eq!(report.status.exit_status().code(), 4);
        assert_eq!(
            fake.updates.load(Ordering::SeqCst),
            0,
            "no UpdateService back to weather:7"
        );
        assert!(
            report
                .reason
                .as_deref()
                .unwrap()
                .contains("not rolled forward into weather:7"),
            "{:?}",
            report.reason
        );
    }

    #[tokio::test]
    async fn a_rollback_whose_update_service_fails_still_reports() {
        let fake = fake(Ecs::Failed, true);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(report.status, DeployStatus::Failed);
        assert_eq!(report.status.exit_status().code(), 4);
        assert_eq!(fake.updates.load(Ordering::SeqCst), 1);
        let reason = report.reason.unwrap();
        assert!(
            reason.contains("rolling back to weather:7 failed"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn a_rollback_ecs_has_not_confirmed_by_the_deadline_says_what_was_put_live() {
        let fake = fake(Ecs::Stuck, false);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(fake.updates.load(Ordering::SeqCst), 1);
        assert_eq!(report.status, DeployStatus::Failed);
        // Never "unknown" once mcp itself started the rollback.
        assert_eq!(report.live_revision.as_deref(), Some("weather:7"));
        let reason = report.reason.unwrap();
        assert!(
            reason.contains("ECS has not confirmed the rollback to weather:7"),
            "{reason}"
        );
        assert!(reason.contains(OUR_ROLLBACK), "{reason}");
        assert!(report.next.unwrap().contains("mcp status --wait"));
    }

    #[tokio::test]
    async fn a_follow_error_still_reports() {
        let fake = fake(Ecs::Deleted, false);
        let report = see_through(&settings(""), &fake, false).await.unwrap();
        assert_eq!(report.status, DeployStatus::Failed);
        assert!(
            report
                .reason
                .unwrap()
                .contains("following the rollout failed")
        );
        assert!(report.next.unwrap().contains("mcp status --wait"));
    }
}
