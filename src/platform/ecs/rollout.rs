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

use super::follow::{self, Event, FollowOptions, Outcome};
use crate::aws::{self, Clients, taskdef};
use crate::config::{RollbackPolicy, Settings};
use crate::error::{ExitStatus, McpError};
use crate::probe::{self, CheckReport};
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, ImageRef, Report, tags};
use crate::ui::Printer;

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

/// Put `task_definition` live again: UpdateService, or for an Express service
/// (whose task definition Express owns) UpdateExpressGatewayService with that
/// revision's container. The deployment started and the task definition it runs.
pub async fn restore(
    settings: &Settings,
    clients: &Clients,
    cluster: &str,
    service: &str,
    task_definition: &str,
) -> Result<(String, String)> {
    if settings.ecs.express {
        return crate::platform::ecs_express::deploy::restore(settings, clients, task_definition)
            .await;
    }
    let deployment = start(clients, cluster, service, task_definition).await?;
    Ok((deployment, task_definition.to_string()))
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
    };
    let cancel = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    follow::follow(&clients.ecs, options, &mut on_event, cancel).await
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
    if let Err(err) = clients
        .ecs
        .tag_resource()
        .resource_arn(task_definition_arn)
        .tags(tag)
        .send()
        .await
    {
        printer.detail(
            1,
            format!(
                "could not tag {task_definition_arn} as completed: {}",
                aws::describe(&err)
            ),
        );
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
}

impl Rollout<'_> {
    pub(super) fn options(&self, deployment_id: &str, timeout: Duration) -> FollowOptions {
        FollowOptions::new(&self.cluster, &self.service, deployment_id, timeout)
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
        report
    }

    /// Follow the rollout; on failure apply the rollback policy.
    pub async fn see_through(&self) -> Result<Report> {
        let timeout = self.settings.deploy.timeout;
        let outcome = self.watch_with_logs(&self.deployment_id, timeout).await?;
        let logs_hint = format!(
            "see the failed tasks' output with `mcp logs --since 30m{}`",
            self.service_flag()
        );
        let mut failed_check = None;
        let (reason, stopped) = match outcome {
            Outcome::Completed(_) => {
                let check = self.post_rollout_check().await?;
                match check {
                    Some(check) if !check.healthy => {
                        let step = check.failed_step.map(|s| s.to_string()).unwrap_or_default();
                        let reason = format!(
                            "the rollout completed but the MCP check failed at {step}: {}",
                            check.error.as_deref().unwrap_or("?")
                        );
                        failed_check = Some(check);
                        (reason, Vec::new())
                    }
                    check => {
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
                let restored = self.follow_restore(&rollback_deployment_id).await?;
                let mut report = self.report(if restored {
                    DeployStatus::RolledBack
                } else {
                    DeployStatus::Failed
                });
                report.live_revision =
                    Some(taskdef::short_name(&rollback_task_definition).to_string());
                report.reason = Some(reason);
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
        self.printer
            .status("Rollback", format!("to {}", taskdef::short_name(&previous)));
        let (deployment, live) = restore(
            self.settings,
            self.clients,
            &self.cluster,
            &self.service,
            &previous,
        )
        .await?;
        let restored = self.follow_restore(&deployment).await?;
        if restored {
            report.status = DeployStatus::RolledBack;
            report.live_revision = Some(taskdef::short_name(&live).to_string());
        }
        Ok(report)
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
        probe::until_healthy(self.settings, self.printer, url, Duration::from_secs(60))
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
