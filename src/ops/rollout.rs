//! Starting an ECS rollout and seeing it through: shared by `mcp deploy`,
//! `mcp rollback` and `mcp status --wait`.
//!
//! A rollout that fails is rolled back according to `deploy.rollback`; the
//! outcome is told as a [`Report`] with the documented exit codes: 0 success,
//! 3 failed and the previous release runs again, 4 failed and it does not.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{Service, Tag};
use serde::Serialize;

use crate::aws::{self, Clients, taskdef};
use crate::config::{RollbackPolicy, Settings};
use crate::error::{ExitStatus, McpError};
use crate::target::follow::{self, Event, FollowOptions, Outcome, StoppedTask};
use crate::ui::Printer;

/// `status` in a deploy's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    /// The new release runs.
    Succeeded,
    /// The release failed and the previous one runs again (exit 3).
    RolledBack,
    /// The release failed and the previous one does not run (exit 4).
    Failed,
    /// `--no-wait`: the rollout was started and not followed.
    Started,
    /// Ctrl-C while following; ECS carries on (exit 130).
    Interrupted,
}

impl fmt::Display for DeployStatus {
    /// The same words as the JSON `status`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeployStatus::Succeeded => "succeeded",
            DeployStatus::RolledBack => "rolled_back",
            DeployStatus::Failed => "failed",
            DeployStatus::Started => "started",
            DeployStatus::Interrupted => "interrupted",
        })
    }
}

impl DeployStatus {
    pub fn exit_status(self) -> ExitStatus {
        match self {
            DeployStatus::Succeeded | DeployStatus::Started => ExitStatus::Success,
            DeployStatus::RolledBack => ExitStatus::DeployRestored,
            DeployStatus::Failed => ExitStatus::DeployNotRestored,
            DeployStatus::Interrupted => ExitStatus::Interrupted,
        }
    }
}

/// What a deploy or rollback did; printed as text or JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: DeployStatus,
    pub cluster: String,
    pub service: String,
    /// The revision this command tried to put live (`family:N`).
    pub revision: String,
    /// The revision that was live before.
    pub previous_revision: Option<String>,
    /// The revision live when the command ended.
    pub live_revision: Option<String>,
    pub image: Option<String>,
    pub digest: Option<String>,
    pub deployment_id: Option<String>,
    pub duration_s: f64,
    /// Why it failed, when it did.
    pub reason: Option<String>,
    /// Tasks that stopped during the rollout.
    pub stopped_tasks: Vec<StoppedTask>,
    /// What a person should run next, when something went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The MCP check run after the rollout, when `deploy.url` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<super::check::CheckReport>,
    /// The last lines of failed tasks' logs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_task_logs: Vec<TaskLog>,
}

/// The end of one failed task's output.
#[derive(Debug, Clone, Serialize)]
pub struct TaskLog {
    pub task_id: String,
    pub stream: String,
    pub lines: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            DeployStatus::Succeeded => writeln!(
                f,
                "{} runs {} ({})",
                self.service,
                self.revision,
                self.image.as_deref().unwrap_or("?")
            ),
            DeployStatus::Started => writeln!(
                f,
                "{} is rolling out {} (deployment {})",
                self.service,
                self.revision,
                self.deployment_id.as_deref().unwrap_or("?")
            ),
            DeployStatus::RolledBack | DeployStatus::Failed | DeployStatus::Interrupted => {
                writeln!(
                    f,
                    "{} did not go live: {}",
                    self.revision,
                    self.reason.as_deref().unwrap_or("unknown reason")
                )?;
                writeln!(
                    f,
                    "live now: {}",
                    self.live_revision.as_deref().unwrap_or("unknown")
                )?;
                for task in self.stopped_tasks.iter().take(3) {
                    writeln!(f, "  {task}")?;
                }
                if let Some(next) = &self.next {
                    writeln!(f, "next: {next}")?;
                }
                Ok(())
            }
        }
    }
}

pub use crate::aws::ecs::describe_service;

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

fn elapsed(d: Duration) -> String {
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
        .key(TAG_COMPLETED)
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

/// Set on a revision once a rollout of it completed.
pub const TAG_COMPLETED: &str = "mcp:completed-at";

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
    pub image: Option<String>,
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
    fn options(&self, deployment_id: &str, timeout: Duration) -> FollowOptions {
        FollowOptions::new(&self.cluster, &self.service, deployment_id, timeout)
    }

    pub(crate) fn report(&self, status: DeployStatus) -> Report {
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
            deployment_id: Some(self.deployment_id.clone()),
            duration_s: seconds_since(self.started),
            reason: None,
            stopped_tasks: Vec::new(),
            next: None,
            check: None,
            failed_task_logs: Vec::new(),
        }
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
    async fn post_rollout_check(&self) -> Result<Option<super::check::CheckReport>> {
        let Some(url) = self.settings.deploy.url.as_deref() else {
            return Ok(None);
        };
        if !self.check {
            return Ok(None);
        }
        check_until_healthy(self.settings, self.printer, url, Duration::from_secs(60))
            .await
            .map(Some)
    }

    /// Follow a deployment; with `--logs`, print its tasks' log lines meanwhile.
    async fn watch_with_logs(&self, deployment_id: &str, timeout: Duration) -> Result<Outcome> {
        let options = self.options(deployment_id, timeout);
        let watching = watch(self.clients, self.printer, &options, &self.seen);
        if !self.logs {
            return watching.await;
        }
        tokio::pin!(watching);
        let location = self.target_log_location().await;
        let Some(location) = location else {
            return watching.await;
        };
        let client = crate::aws::logs::client_for(self.clients, location.region.as_deref());
        let start_ms = jiff::Timestamp::now().as_millisecond() - 5_000;
        let mut tail: Option<crate::aws::logs::Tail> = None;
        let mut known: Vec<String> = Vec::new();
        let mut refresh = tokio::time::interval(Duration::from_secs(2));
        loop {
            tokio::select! {
                outcome = &mut watching => {
                    // Give the last lines a moment to arrive.
                    if let Some(tail) = tail.as_mut() {
                        while let Ok(Some(Ok(batch))) = tokio::time::timeout(Duration::from_millis(1500), tail.recv()).await {
                            self.print_log_lines(&batch.lines);
                        }
                    }
                    return outcome;
                }
                Some(Ok(batch)) = async { match tail.as_mut() { Some(t) => t.recv().await, None => std::future::pending().await } } => {
                    self.print_log_lines(&batch.lines);
                }
                _ = refresh.tick() => {
                    let streams: Vec<String> = self
                        .deployment_tasks(deployment_id)
                        .await
                        .iter()
                        .filter_map(|task| location.stream_for_task(task))
                        .collect();
                    if !streams.is_empty() && streams != known {
                        known = streams.clone();
                        let select = crate::aws::logs::StreamSelect::Names(streams);
                        match &tail {
                            Some(t) => t.set_streams(select),
                            None => {
                                let query = crate::aws::logs::Query { group: location.group.clone(), streams: select, filter_pattern: None };
                                let reader = crate::aws::logs::Reader::new(client.clone(), query, start_ms, None, true, Default::default());
                                tail = Some(crate::aws::logs::Tail::spawn(reader));
                            }
                        }
                    }
                }
            }
        }
    }

    fn print_log_lines(&self, lines: &[crate::aws::logs::LogLine]) {
        for line in lines {
            let task = line
                .task
                .as_deref()
                .map(|t| &t[..t.len().min(8)])
                .unwrap_or("-");
            self.printer
                .note(format!("{:>12} {task} {}", "Log", line.message));
        }
    }

    /// Ids of the tasks a deployment started (running and stopped).
    async fn deployment_tasks(&self, deployment_id: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for status in [
            aws_sdk_ecs::types::DesiredStatus::Running,
            aws_sdk_ecs::types::DesiredStatus::Stopped,
        ] {
            if let Ok(out) = self
                .clients
                .ecs
                .list_tasks()
                .cluster(&self.cluster)
                .started_by(deployment_id)
                .desired_status(status)
                .send()
                .await
            {
                ids.extend(
                    out.task_arns()
                        .iter()
                        .map(|a| crate::aws::logs::task_id_of(a).to_string()),
                );
            }
        }
        ids
    }

    /// Where the revision being deployed sends its logs, if it uses awslogs.
    async fn target_log_location(&self) -> Option<crate::aws::logs::LogLocation> {
        let out = self
            .clients
            .ecs
            .describe_task_definition()
            .task_definition(&self.target_arn)
            .send()
            .await
            .ok()?;
        let definition = out.task_definition()?;
        crate::aws::logs::location_in(definition, self.settings.ecs.container.as_deref(), None).ok()
    }

    /// The last lines of the first failed tasks' logs, printed as they are fetched.
    async fn failed_task_logs(&self, stopped: &[StoppedTask]) -> Vec<TaskLog> {
        let Some(location) = self.target_log_location().await else {
            return Vec::new();
        };
        let client = crate::aws::logs::client_for(self.clients, location.region.as_deref());
        let mut logs = Vec::new();
        for task in stopped.iter().take(2) {
            let Some(stream) = location.stream_for_task(&task.task_id) else {
                continue;
            };
            let Ok(lines) =
                crate::aws::logs::last_lines(&client, &location.group, &stream, 10).await
            else {
                continue;
            };
            if lines.is_empty() {
                continue;
            }
            self.printer.note(format!(
                "{:>12} last lines of task {}:",
                "Logs", task.task_id
            ));
            for line in &lines {
                self.printer
                    .note(format!("             | {}", line.message));
            }
            logs.push(TaskLog {
                task_id: task.task_id.clone(),
                stream,
                lines: lines.into_iter().map(|l| l.message).collect(),
            });
        }
        logs
    }

    fn service_flag(&self) -> String {
        self.settings
            .service
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default()
    }
}

/// Run the MCP check until it passes or a minute goes by (a new target takes
/// a few health-check intervals to receive traffic behind a load balancer).
pub async fn check_until_healthy(
    settings: &Settings,
    printer: &Printer,
    url: &str,
    patience: Duration,
) -> Result<super::check::CheckReport> {
    let token = super::check::bearer_token(&settings.deploy)?;
    let deadline = Instant::now() + patience.min(settings.deploy.timeout);
    printer.status("Checking", url);
    // Ctrl-C here ends the command (130): after a follow, SIGINT no longer kills the process by itself.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let stop = || {
        anyhow::Error::new(
            McpError::new(format!("interrupted while checking {url}"))
                .with_status(ExitStatus::Interrupted)
                .hint("the rollout itself completed; run `mcp check` to check again"),
        )
    };
    loop {
        let report = tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            report = super::check::run_check(
                url,
                &settings.deploy.health_path,
                token.clone(),
                super::check::DEFAULT_TIMEOUT,
            ) => report?,
        };
        if report.healthy || Instant::now() >= deadline {
            if report.healthy {
                printer.status(
                    "Checked",
                    format!(
                        "{} {} answers MCP {} with {} tool{}: {}",
                        report
                            .server
                            .as_ref()
                            .map(|s| s.name.as_str())
                            .unwrap_or("?"),
                        report
                            .server
                            .as_ref()
                            .map(|s| s.version.as_str())
                            .unwrap_or(""),
                        report.protocol_version.as_deref().unwrap_or("?"),
                        report.tools.len(),
                        if report.tools.len() == 1 { "" } else { "s" },
                        report.tools.join(", ")
                    ),
                );
            }
            return Ok(report);
        }
        tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// Seconds since `started`, to a tenth: the `duration_s` of reports.
pub fn seconds_since(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 10.0).round() / 10.0
}

/// The snippet a user pastes into an MCP client after a deploy.
pub fn client_snippet(name: &str, url: &str) -> String {
    let config = serde_json::json!({ "mcpServers": { name: { "url": url } } });
    serde_json::to_string_pretty(&config).unwrap_or_default()
}
