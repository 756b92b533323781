//! Several MCP services in one project (`[services.<name>]`): deploy them
//! together, see them on one screen.
//!
//! A multi-service deploy runs the services in parallel, at most `--jobs` at
//! a time, each preparing its release and rolling it out on its own, reporting
//! on stderr with a `[name]` prefix. Images are shared through [`BuildMemo`]:
//! services with the same build inputs are built once, each repository gets
//! one push, and a service starts its rollout as soon as its image is ready.
//! The exit code is the worst of them.

use std::fmt;

use anyhow::Result;
use futures_util::StreamExt;
use serde::Serialize;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::{self, DeployRequest, Prepared, StatusLine};
use crate::probe::CheckReport;
use crate::release::build::BuildMemo;
use crate::release::{DeployStatus, Report};
use crate::ui::table::Table;
use crate::ui::{Output, Printer};

/// How bad an exit status is, to pick the worst of several.
fn severity(status: ExitStatus) -> u8 {
    match status {
        ExitStatus::Success => 0,
        ExitStatus::DeployRestored => 1,
        ExitStatus::Failure | ExitStatus::Command(_) => 2,
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
        let mut table = Table::new([
            ("SERVICE", 7),
            ("STATUS", 11),
            ("REVISION", 28),
            ("TIME", 8),
            ("REASON", 0),
        ])
        .gap(2);
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
            table.row([e.name.clone(), status, revision, time, reason]);
        }
        write!(f, "{table}")
    }
}

/// A service that Ctrl-C kept from starting.
fn not_started(name: &str) -> Entry {
    Entry {
        name: name.to_string(),
        status: ExitStatus::Interrupted,
        report: None,
        error: Some("not started: interrupted (Ctrl-C); nothing was changed".into()),
    }
}

fn error_text(err: &anyhow::Error) -> (ExitStatus, String) {
    (crate::error::status(err), crate::error::one_line(err))
}

/// Deploy every service in `services` (name, settings).
pub async fn deploy_many(
    services: &[(String, Settings)],
    printer: &Printer,
    options: &DeployRequest,
    jobs: usize,
) -> Result<ExitStatus> {
    let platforms: Vec<_> = services
        .iter()
        .map(|(_, s)| platform::for_settings(s))
        .collect();
    if let Some(((name, _), platform)) = services
        .iter()
        .zip(&platforms)
        .find(|(_, p)| !p.joins_fleet())
    {
        return Err(crate::error::McpError::usage(format!(
            "service `{name}` deploys to {}, which takes one service at a time",
            platform.name()
        ))
        .hint(format!(
            "deploy it alone: `mcp deploy {name}` (with its local stage)"
        ))
        .into());
    }
    // Every service prepares and rolls out on its own, at most `jobs` at once.
    // Images are shared through `builds`: one build per set of build inputs,
    // one push per repository; a service whose image is ready goes on to its
    // rollout without waiting for the other services' pushes.
    let builds = BuildMemo::default();
    let mut entries = Vec::new();
    // On a terminal each service gets one line; elsewhere prefixed lines scroll.
    let lines = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
    let builds = &builds;
    let outcomes = futures_util::stream::iter(services.iter().zip(&platforms).map(
        |((name, settings), platform)| {
            let p = printer.with_line(name, &lines);
            async move {
                if crate::cancel::is_cancelled() {
                    // Ctrl-C: no queued service starts.
                    let entry = not_started(name);
                    return (
                        name.clone(),
                        p,
                        Err((entry.status, entry.error.unwrap_or_default())),
                    );
                }
                if !options.dry_run
                    && !options.no_check
                    && !options.no_wait
                    && let Some(url) = crate::platform::check_url(settings)
                {
                    crate::platform::check::remember_live_contract(
                        settings,
                        &p,
                        &url,
                        options.allow_breaking,
                    )
                    .await;
                }
                let outcome = match platform.prepare(settings, &p, options, builds).await {
                    // A rollout whose image became ready after Ctrl-C does not start.
                    Ok(Prepared::Ready(r)) => {
                        Some(match crate::cancel::check("before updating the service") {
                            Ok(()) => r.roll_out(settings, &p, options).await,
                            Err(err) => Err(err),
                        })
                    }
                    Ok(Prepared::DryRun(plan)) => {
                        p.note(format!("[{name}] {}", plan.to_string().trim_end()));
                        None
                    }
                    Err(err) => {
                        let (status, text) = error_text(&err);
                        p.warn(format!("not deployed: {text}"));
                        return (name.clone(), p, Err((status, text)));
                    }
                };
                (name.clone(), p, Ok(outcome))
            }
        },
    ))
    .buffer_unordered(jobs.max(1))
    .collect::<Vec<_>>()
    .await;
    for (_, p, _) in &outcomes {
        p.finish_line();
    }
    let mut rollouts = Vec::new();
    for (name, p, outcome) in outcomes {
        match outcome {
            Ok(Some(result)) => rollouts.push((name, p, result)),
            Ok(None) => entries.push(Entry {
                name,
                status: ExitStatus::Success,
                report: None,
                error: None,
            }),
            Err((status, text)) => entries.push(Entry {
                name,
                status,
                report: None,
                error: Some(text),
            }),
        }
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
    if printer.github() {
        github_report(printer, &entries);
    }
    printer.data(&Summary(entries))?;
    Ok(status)
}

/// Under GitHub Actions: an annotation per service that failed, and one job
/// summary table for all of them.
fn github_report(printer: &Printer, entries: &[Entry]) {
    use crate::release::report::{FleetLine, fleet_summary, report_annotation};
    use crate::ui::github;
    let mut lines = Vec::new();
    for e in entries {
        match (&e.report, &e.error) {
            (Some(report), _) => {
                if let Some(annotation) = report_annotation("deploy", &e.name, report) {
                    printer.workflow_command(&annotation);
                }
                lines.push(FleetLine::Report(&e.name, report));
            }
            (None, Some(error)) => {
                printer.workflow_command(&github::error_annotation(
                    &format!("mcp deploy {}", e.name),
                    error,
                    None,
                ));
                lines.push(FleetLine::Error(&e.name, error));
            }
            (None, None) => lines.push(FleetLine::Skipped(&e.name)),
        }
    }
    printer.job_summary(&fleet_summary(&lines));
}

fn as_code<S: serde::Serializer>(status: &ExitStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(status.code())
}

/// One row of `mcp status --all`.
#[derive(Debug, Serialize)]
pub struct Row {
    pub name: String,
    /// The platform's own status (as `mcp status -o json` prints it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Output>,
    /// The columns of the text table.
    #[serde(skip)]
    pub summary: Option<StatusLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The MCP check of `deploy.url`, when one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
}

#[derive(Debug)]
pub struct Board(pub Vec<Row>);

impl Serialize for Board {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Display for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = Table::new([
            ("SERVICE", 7),
            ("REVISION", 28),
            ("TASKS", 7),
            ("ROLLOUT", 11),
            ("CHECK", 9),
            ("LAST EVENT", 0),
        ])
        .gap(2);
        for row in &self.0 {
            match (&row.summary, &row.error) {
                (Some(s), _) => table.row([
                    row.name.clone(),
                    s.revision.clone(),
                    format!("{}/{}", s.running, s.desired),
                    s.rollout.clone().unwrap_or_else(|| "-".into()),
                    match &row.check {
                        None => "-".to_string(),
                        Some(c) if c.healthy => "healthy".to_string(),
                        Some(c) => format!(
                            "failed:{}",
                            c.failed_step.map(|s| s.to_string()).unwrap_or_default()
                        ),
                    },
                    s.last_event.clone().unwrap_or_else(|| "-".into()),
                ]),
                (None, error) => table.row([
                    row.name.clone(),
                    format!("error: {}", error.as_deref().unwrap_or("?")),
                ]),
            }
        }
        write!(f, "{table}")
    }
}

/// `mcp status --all`: every service on one screen.
pub async fn status_all(services: &[(String, Settings)], printer: &Printer) -> Result<ExitStatus> {
    let rows = futures_util::stream::iter(services.iter().map(|(name, settings)| async move {
        let status = platform::for_settings(settings)
            .status(settings, printer, false)
            .await;
        match status {
            Ok(status) => Row {
                name: name.clone(),
                status: Some(status.output),
                summary: Some(status.summary),
                error: None,
                check: crate::platform::check::once(settings).await,
            },
            Err(err) => Row {
                name: name.clone(),
                status: None,
                summary: None,
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
