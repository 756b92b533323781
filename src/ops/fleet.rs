//! Several MCP services in one project (`[services.<name>]`): deploy them
//! together, see them on one screen.
//!
//! A multi-service deploy prepares each service in turn (so services that
//! share a build context and Dockerfile are built once, see
//! [`super::image::BuildMemo`]), then rolls them out in parallel, at most
//! `--jobs` at a time, each reporting on stderr with a `[name]` prefix. The
//! exit code is the worst of them.

use std::fmt;

use anyhow::Result;
use futures_util::StreamExt;
use serde::Serialize;

use super::deploy::{self, DeployOptions, Prepared};
use super::image::BuildMemo;
use super::rollout::{DeployStatus, Report};
use crate::aws::Clients;
use crate::config::Settings;
use crate::error::{ExitStatus, render};
use crate::ui::Printer;

/// How bad an exit status is, to pick the worst of several.
fn severity(status: ExitStatus) -> u8 {
    match status {
        ExitStatus::Success => 0,
        ExitStatus::DeployRestored => 1,
        ExitStatus::Failure => 2,
        ExitStatus::Usage => 3,
        ExitStatus::DeployNotRestored => 4,
        ExitStatus::Interrupted => 5,
    }
}

/// The worst of several exit statuses (success when there are none).
pub fn worst(statuses: impl IntoIterator<Item = ExitStatus>) -> ExitStatus {
    statuses
        .into_iter()
        .max_by_key(|s| severity(*s))
        .unwrap_or(ExitStatus::Success)
}

/// One service's line in a multi-service deploy.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The `[services.<name>]` key.
    pub name: String,
    #[serde(rename = "exit_code", serialize_with = "as_code")]
    pub status: ExitStatus,
    #[serde(flatten)]
    pub report: Option<Report>,
    /// An error that ended this service's deploy before or during its rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The summary of a multi-service deploy: a table for people, an array for programs.
#[derive(Debug, Clone)]
pub struct Summary(pub Vec<Entry>);

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .0
            .iter()
            .map(|e| e.name.len())
            .max()
            .unwrap_or(0)
            .max(7);
        writeln!(
            f,
            "{:<width$}  {:<11}  {:<28}  {:<8}  REASON",
            "SERVICE", "STATUS", "REVISION", "TIME"
        )?;
        for e in &self.0 {
            let (status, revision, time, reason) = match (&e.report, &e.error) {
                (Some(r), _) => (
                    r.status.to_string(),
                    r.live_revision
                        .clone()
                        .unwrap_or_else(|| r.revision.clone()),
                    format!("{:.0}s", r.duration_s),
                    r.reason.clone().unwrap_or_default(),
                ),
                (None, Some(error)) => ("error".into(), "-".into(), "-".into(), error.clone()),
                (None, None) => ("?".into(), "-".into(), "-".into(), String::new()),
            };
            writeln!(
                f,
                "{:<width$}  {status:<11}  {revision:<28}  {time:<8}  {reason}",
                e.name
            )?;
        }
        Ok(())
    }
}

fn error_text(err: &anyhow::Error) -> (ExitStatus, String) {
    (render(err).status, crate::error::one_line(err))
}

/// Deploy every service in `services` (name, settings).
pub async fn deploy_many(
    services: &[(String, Settings)],
    printer: &Printer,
    options: &DeployOptions,
    jobs: usize,
) -> Result<ExitStatus> {
    if let Some((name, _)) = services
        .iter()
        .find(|(_, s)| s.target == crate::config::TargetKind::Local)
    {
        return Err(crate::error::McpError::usage(format!(
            "service `{name}` deploys to the local target, which takes one service at a time"
        ))
        .hint(format!(
            "deploy it alone: `mcp deploy {name}` (with its local stage)"
        ))
        .into());
    }
    // Images and revisions one service at a time: shared builds happen once.
    let builds = BuildMemo::default();
    let mut ready = Vec::new();
    let mut entries = Vec::new();
    // On a terminal each service gets one line; elsewhere prefixed lines scroll.
    let lines = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
    for (name, settings) in services {
        let p = printer.with_line(name, &lines);
        match deploy::prepare(settings, &p, options, &builds).await {
            Ok(Prepared::Ready(r)) => ready.push((name.clone(), settings, p, r)),
            Ok(Prepared::DryRun(plan)) => {
                p.note(format!("[{name}] {}", plan.to_string().trim_end()));
                entries.push(Entry {
                    name: name.clone(),
                    status: ExitStatus::Success,
                    report: None,
                    error: None,
                });
            }
            Err(err) => {
                let (status, text) = error_text(&err);
                p.warn(format!("not deployed: {text}"));
                entries.push(Entry {
                    name: name.clone(),
                    status,
                    report: None,
                    error: Some(text),
                });
            }
        }
    }

    // Rollouts in parallel, at most `jobs` at once.
    let rollouts =
        futures_util::stream::iter(ready.iter().map(|(name, settings, p, r)| async move {
            let result = deploy::roll_out(settings, p, r, options).await;
            (name.clone(), p, result)
        }))
        .buffer_unordered(jobs.max(1))
        .collect::<Vec<_>>()
        .await;
    for (_, p, _) in &rollouts {
        p.finish_line();
    }
    for (name, p, result) in rollouts {
        match result {
            Ok(report) => {
                match report.status {
                    DeployStatus::Succeeded => p.status("Deployed", &report.revision),
                    DeployStatus::Started => p.status("Started", &report.revision),
                    _ => p.warn(format!(
                        "{} failed: {}",
                        report.revision,
                        report.reason.as_deref().unwrap_or("?")
                    )),
                }
                let status = report.status.exit_status();
                entries.push(Entry {
                    name,
                    status,
                    report: Some(report),
                    error: None,
                });
            }
            Err(err) => {
                let (status, text) = error_text(&err);
                p.warn(format!("not deployed: {text}"));
                entries.push(Entry {
                    name,
                    status,
                    report: None,
                    error: Some(text),
                });
            }
        }
    }
    // The order of mcp.toml, not of completion.
    entries.sort_by_key(|e| services.iter().position(|(n, _)| *n == e.name));
    let status = worst(entries.iter().map(|e| e.status));
    printer.data(&Summary(entries))?;
    Ok(status)
}

fn as_code<S: serde::Serializer>(status: &ExitStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(status.code())
}

/// One row of `mcp status --all`.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<super::status::Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The MCP check of `deploy.url`, when one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<super::check::CheckReport>,
}

#[derive(Debug, Clone)]
pub struct Board(pub Vec<Row>);

impl Serialize for Board {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Display for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .0
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(0)
            .max(7);
        writeln!(
            f,
            "{:<width$}  {:<28}  {:<7}  {:<11}  {:<9}  LAST EVENT",
            "SERVICE", "REVISION", "TASKS", "ROLLOUT", "CHECK"
        )?;
        for row in &self.0 {
            match (&row.status, &row.error) {
                (Some(s), _) => writeln!(
                    f,
                    "{:<width$}  {:<28}  {:<7}  {:<11}  {:<9}  {}",
                    row.name,
                    s.revision,
                    format!("{}/{}", s.running, s.desired),
                    s.rollout_state.as_deref().unwrap_or("-").to_lowercase(),
                    match &row.check {
                        None => "-".to_string(),
                        Some(c) if c.healthy => "healthy".to_string(),
                        Some(c) => format!(
                            "failed:{}",
                            c.failed_step.map(|s| s.to_string()).unwrap_or_default()
                        ),
                    },
                    s.events.first().map(|e| e.message.as_str()).unwrap_or("-")
                )?,
                (None, error) => writeln!(
                    f,
                    "{:<width$}  error: {}",
                    row.name,
                    error.as_deref().unwrap_or("?")
                )?,
            }
        }
        Ok(())
    }
}

/// `mcp status --all`: every service on one screen.
pub async fn status_all(services: &[(String, Settings)], printer: &Printer) -> Result<ExitStatus> {
    let rows = futures_util::stream::iter(services.iter().map(|(name, settings)| async move {
        let clients = Clients::new(settings).await;
        match super::status::current(settings, &clients).await {
            Ok(status) => Row {
                name: name.clone(),
                status: Some(status),
                error: None,
                check: check_once(settings).await,
            },
            Err(err) => Row {
                name: name.clone(),
                status: None,
                check: None,
                error: Some(error_text(&err).1),
            },
        }
    }))
    .buffered(4)
    .collect::<Vec<_>>()
    .await;
    let healthy = rows.iter().all(|r| r.error.is_none());
    printer.data(&Board(rows))?;
    Ok(if healthy {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// One MCP check of `deploy.url` for the health report (no retries).
async fn check_once(settings: &Settings) -> Option<super::check::CheckReport> {
    let url = settings.deploy.url.as_deref()?;
    let token = super::check::bearer_token(&settings.deploy).ok()?;
    super::check::run_check(
        url,
        &settings.deploy.health_path,
        token,
        super::check::DEFAULT_TIMEOUT,
    )
    .await
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_exit_status() {
        use ExitStatus::*;
        assert_eq!(worst([Success, DeployRestored]), DeployRestored);
        assert_eq!(worst([DeployRestored, Failure, Success]), Failure);
        assert_eq!(worst([Failure, DeployNotRestored]), DeployNotRestored);
        assert_eq!(worst([]), Success);
    }
}
