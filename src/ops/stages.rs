//! `mcp status --stages`: what runs where, and does it answer MCP, for every
//! stage at once (local → staging → production).
//!
//! Each stage is resolved like `--stage <name>` would (so each brings its own
//! target, region and credentials profile), every service of every stage is
//! read in parallel (bounded, so a long list does not flood ECS), and each
//! (stage, service) pair becomes one row. A stage that cannot be read (its
//! settings do not resolve, its profile has no credentials, its service is
//! missing) is a row with the reason, never an abort: a scheduled job needs the
//! whole picture, and the exit code (0 when every row is healthy, 1 otherwise)
//! to alert on.
//!
//! Drift is marked, not judged: the same service on different commits in
//! two stages (a later stage, in promotion order, *ahead* of an earlier one is
//! flagged; behind is the normal state of a pipeline), and a live task
//! definition whose env or secrets differ from what mcp.toml would deploy.
//! Drift does not change the exit code: it is not ill health.

use std::fmt;
use std::path::Path;

use anyhow::Result;
use futures_util::StreamExt;
use serde::Serialize;

use crate::config::{Settings, TargetKind};
use crate::error::ExitStatus;
use crate::platform;
use crate::probe::Step;
use crate::release::cost::{Cost, usd};
use crate::ui::Printer;
use crate::ui::table::Table;

/// How many services are read at once, over all stages.
const PARALLEL: usize = 6;

/// One stage as the command line resolved it: its services' settings, or why
/// they could not be resolved.
pub struct Stage {
    /// `None` for the top level (no `[stages.*]` applied).
    pub name: Option<String>,
    pub services: std::result::Result<Vec<(String, Settings)>, String>,
}

/// The MCP check of a row, without the detail `mcp check` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub healthy: bool,
    pub latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One stage and service.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `null` for the top level.
    pub stage: Option<String>,
    /// The `[services.<name>]` key, or the project name; `null` when the
    /// stage's settings could not be resolved at all.
    pub service: Option<String>,
    /// `ecs` or `local`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetKind>,
    /// What runs: `family:7`, `release 3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_sha: Option<String>,
    pub running: i32,
    pub desired: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<String>,
    /// The MCP check of `deploy.url`, when one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<Check>,
    /// Env and secrets that differ from what mcp.toml would deploy.
    pub config_drift: Vec<String>,
    /// Findings of the load balancer in front of the service (`mcp doctor` lists them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_findings: Option<usize>,
    /// The monthly estimate, or why there is none (`mcp status` says the same);
    /// `null` where the target costs nothing (local).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    /// Other stages this one's commit differs from: `ahead of staging`
    /// (flagged), `behind staging`, or `differs from staging` when git
    /// cannot order the two commits.
    pub sha_drift: Vec<String>,
    /// Readable, tasks all running, rollout not failed, MCP check passed.
    pub healthy: bool,
    /// Why this stage or service could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Row {
    fn unreadable(stage: Option<String>, service: Option<String>, error: String) -> Row {
        Row {
            stage,
            service,
            target: None,
            release: None,
            tag: None,
            git_sha: None,
            running: 0,
            desired: 0,
            rollout: None,
            check: None,
            config_drift: Vec::new(),
            load_balancer_findings: None,
            cost: None,
            sha_drift: Vec::new(),
            healthy: false,
            error: Some(error),
        }
    }

    /// Whether this row's commit is ahead of an earlier stage's: the flag.
    fn ahead(&self) -> bool {
        self.sha_drift.iter().any(|d| d.starts_with("ahead"))
    }
}

/// The board: a table for people, an array of rows for programs.
#[derive(Debug)]
pub struct Board(pub Vec<Row>);

impl Serialize for Board {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// At most `width` characters of `text`, with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// At most `width` characters, keeping the end (`…service:12`).
fn fit_end(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - width.saturating_sub(1)).collect();
    format!("…{tail}")
}

/// Column widths: the table never grows past 100 columns.
const COLUMNS: [(&str, usize); 12] = [
    ("STAGE", 10),
    ("SERVICE", 9),
    ("TARGET", 6),
    ("RELEASE", 11),
    ("TAG", 7),
    ("SHA", 7),
    ("TASKS", 5),
    ("ROLLOUT", 9),
    ("CHECK", 10),
    ("DRIFT", 8),
    ("LB", 2),
    ("$/MO", 5),
];

/// A monthly figure in at most 5 characters: cents below $10, dollars below
/// $10,000, thousands above; `?` when there is no figure (`mcp status` says why).
/// `--output json` has the exact figure.
fn per_month(cost: Option<&Cost>) -> String {
    match cost.map(|c| c.monthly) {
        None => "-".into(),
        Some(None) => "?".into(),
        Some(Some(usd)) if usd < 10.0 => format!("${usd:.2}"),
        Some(Some(usd)) if usd < 10_000.0 => format!("${usd:.0}"),
        Some(Some(usd)) => format!("${:.0}k", usd / 1000.0),
    }
}

/// The line under the table: the sum of the priced rows, and how many have no figure.
fn total(rows: &[Row]) -> Option<String> {
    let costs: Vec<&Cost> = rows.iter().filter_map(|r| r.cost.as_ref()).collect();
    if costs.is_empty() {
        return None;
    }
    let priced: Vec<f64> = costs.iter().filter_map(|c| c.monthly).collect();
    let mut line = format!("total ≈ {} / month", usd(priced.iter().sum()));
    let unpriced = costs.len() - priced.len();
    if unpriced > 0 {
        line.push_str(&format!(
            " ({unpriced} of {} without a figure: `mcp status --stage <name>` says why)",
            costs.len()
        ));
    }
    Some(line)
}

impl fmt::Display for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = Table::new(COLUMNS);
        let w = |i: usize| COLUMNS[i].1;
        for row in &self.0 {
            let stage = fit(row.stage.as_deref().unwrap_or("(top)"), w(0));
            let service = fit(row.service.as_deref().unwrap_or("-"), w(1));
            if let Some(error) = &row.error {
                // The reason runs free to the 100th column.
                let room = 100 - w(0) - w(1) - 2;
                table.row([stage, service, fit(&format!("error: {error}"), room)]);
                continue;
            }
            let check = match &row.check {
                None => "-".to_string(),
                Some(c) if c.healthy => format!("ok {:.0}ms", c.latency_ms),
                Some(c) => format!(
                    "FAIL {}",
                    c.failed_step.map(|s| s.to_string()).unwrap_or_default()
                ),
            };
            let mut drift: Vec<String> = Vec::new();
            if row.ahead() {
                drift.push("AHEAD".into());
            } else if !row.sha_drift.is_empty() {
                drift.push("sha".into());
            }
            drift.extend(row.config_drift.iter().cloned());
            table.row([
                stage,
                service,
                row.target
                    .map(|t| match t {
                        TargetKind::Ecs => "ecs",
                        TargetKind::Local => "local",
                        TargetKind::Lambda => "lambda",
                    })
                    .unwrap_or("-")
                    .to_string(),
                fit_end(row.release.as_deref().unwrap_or("-"), w(3)),
                fit(row.tag.as_deref().unwrap_or("-"), w(4)),
                fit(row.git_sha.as_deref().unwrap_or("-"), w(5)),
                fit(&format!("{}/{}", row.running, row.desired), w(6)),
                fit(
                    &row.rollout
                        .as_deref()
                        .unwrap_or("-")
                        .replace("in_progress", "rolling"),
                    w(7),
                ),
                fit(&check, w(8)),
                fit(
                    &if drift.is_empty() {
                        "-".to_string()
                    } else {
                        drift.join(",")
                    },
                    w(9),
                ),
                row.load_balancer_findings
                    .map_or_else(|| "-".to_string(), |n| n.to_string()),
                per_month(row.cost.as_ref()),
            ]);
        }
        write!(f, "{table}")?;
        if let Some(total) = total(&self.0) {
            writeln!(f, "{total}")?;
        }
        Ok(())
    }
}

/// Read one service of one stage.
async fn read(stage: Option<String>, name: &str, settings: &Settings, printer: &Printer) -> Row {
    let status = platform::for_settings(settings)
        .status(settings, printer, false)
        .await;
    match status {
        Err(err) => Row::unreadable(stage, Some(name.to_string()), crate::error::one_line(&err)),
        Ok(status) => {
            let line = status.summary;
            // A platform that found the URL (a Lambda stage's `live` URL)
            // checked it already: once is enough.
            let check = match &line.url {
                Some(_) => line.check,
                None => crate::platform::check::once(settings).await,
            };
            let check = check.map(|c| Check {
                healthy: c.healthy,
                latency_ms: c.latency_ms,
                failed_step: c.failed_step,
                error: c.error,
            });
            let healthy = line.running >= line.desired
                && !line
                    .rollout
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case("failed"))
                && check.as_ref().is_none_or(|c| c.healthy);
            Row {
                stage,
                service: Some(name.to_string()),
                target: Some(settings.target),
                release: Some(line.revision),
                tag: line.tag,
                git_sha: line.git_sha,
                running: line.running,
                desired: line.desired,
                rollout: line.rollout,
                check,
                config_drift: line.config_drift,
                load_balancer_findings: line.load_balancer_findings,
                cost: line.cost,
                sha_drift: Vec::new(),
                healthy,
                error: None,
            }
        }
    }
}

/// Mark rows of one service whose commit differs from an earlier stage's.
/// `ancestor(a, b)`: whether commit `a` is an ancestor of `b` (`None`: unknown).
pub fn mark_sha_drift(rows: &mut [Row], ancestor: impl Fn(&str, &str) -> Option<bool>) {
    for later in 0..rows.len() {
        for earlier in 0..later {
            let (a, b) = (&rows[earlier], &rows[later]);
            let (Some(earlier_sha), Some(later_sha)) = (&a.git_sha, &b.git_sha) else {
                continue;
            };
            if a.service != b.service || earlier_sha == later_sha {
                continue;
            }
            let stage = a.stage.clone().unwrap_or_else(|| "(top)".into());
            let mark = if ancestor(earlier_sha, later_sha) == Some(true) {
                format!("ahead of {stage}")
            } else if ancestor(later_sha, earlier_sha) == Some(true) {
                format!("behind {stage}")
            } else {
                format!("differs from {stage}")
            };
            rows[later].sha_drift.push(mark);
        }
    }
}

/// `mcp status --stages`: one row per stage and service, in the order given.
pub async fn status_stages(
    stages: Vec<Stage>,
    project_dir: &Path,
    printer: &Printer,
) -> Result<ExitStatus> {
    let mut work = Vec::new();
    let mut rows: Vec<(usize, Row)> = Vec::new();
    for stage in &stages {
        match &stage.services {
            Err(reason) => rows.push((
                work.len() + rows.len(),
                Row::unreadable(stage.name.clone(), None, reason.clone()),
            )),
            Ok(services) => {
                for (name, settings) in services {
                    work.push((work.len() + rows.len(), stage.name.clone(), name, settings));
                }
            }
        }
    }
    let read_rows = futures_util::stream::iter(
        work.into_iter()
            .map(|(at, stage, name, settings)| async move {
                (at, read(stage, name, settings, printer).await)
            }),
    )
    .buffer_unordered(PARALLEL)
    .collect::<Vec<_>>()
    .await;
    rows.extend(read_rows);
    rows.sort_by_key(|(at, _)| *at);
    let mut rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
    mark_sha_drift(&mut rows, |a, b| {
        crate::docker::git::is_ancestor(project_dir, a, b)
    });
    for row in rows.iter().filter(|r| r.ahead()) {
        printer.warn(format!(
            "{} in stage {}: {} (promote the commit through the earlier stages first)",
            row.service.as_deref().unwrap_or("?"),
            row.stage.as_deref().unwrap_or("(top)"),
            row.sha_drift.join(", ")
        ));
    }
    let healthy = rows.iter().all(|r| r.healthy);
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

    fn row(stage: &str, service: &str, sha: &str) -> Row {
        Row {
            stage: Some(stage.into()),
            service: Some(service.into()),
            target: Some(TargetKind::Ecs),
            release: Some(format!("{service}:3")),
            tag: Some(sha.into()),
            git_sha: Some(sha.into()),
            running: 1,
            desired: 1,
            rollout: Some("completed".into()),
            check: None,
            config_drift: Vec::new(),
            load_balancer_findings: Some(2),
            cost: None,
            sha_drift: Vec::new(),
            healthy: true,
            error: None,
        }
    }

    /// Commits in a line: c1 → c2 → c3.
    fn line(a: &str, b: &str) -> Option<bool> {
        let order = ["c1", "c2", "c3"];
        let pos = |s| order.iter().position(|o| *o == s);
        Some(pos(a)? <= pos(b)?)
    }

    #[test]
    fn production_ahead_of_staging_is_flagged_behind_is_not() {
        let mut rows = vec![
            row("staging", "slack", "c2"),
            row("production", "slack", "c3"),
            row("staging", "files", "c3"),
            row("production", "files", "c1"),
            row("production", "other", "c9"),
            row("staging", "other", "c1"),
        ];
        mark_sha_drift(&mut rows, line);
        assert_eq!(rows[1].sha_drift, ["ahead of staging"]);
        assert!(rows[1].ahead());
        assert_eq!(rows[3].sha_drift, ["behind staging"]);
        assert!(!rows[3].ahead());
        assert_eq!(rows[5].sha_drift, ["differs from production"]);
        assert!(rows[0].sha_drift.is_empty() && rows[2].sha_drift.is_empty());
    }

    fn priced(monthly: Option<f64>) -> Cost {
        let mut cost = Cost::unknown(None, "no price: denied");
        if monthly.is_some() {
            cost.monthly = monthly;
            cost.reason = None;
        }
        cost
    }

    #[test]
    fn each_row_shows_its_monthly_figure_and_the_total_sums_the_priced_ones() {
        let mut rows = vec![
            row("staging", "api", "a"),
            row("production", "api", "a"),
            row("production", "search", "a"),
            row("local", "api", "a"),
        ];
        rows[0].cost = Some(priced(Some(7.108)));
        rows[1].cost = Some(priced(Some(1234.5)));
        rows[2].cost = Some(priced(None));
        let text = Board(rows).to_string();
        let cell = |service_stage: &str| {
            text.lines()
                .find(|l| l.starts_with(service_stage))
                .unwrap_or_else(|| panic!("no row {service_stage}: {text}"))
                .split_whitespace()
                .last()
                .unwrap()
                .to_string()
        };
        assert_eq!(cell("staging"), "$7.11", "{text}");
        assert_eq!(cell("local"), "-", "local costs nothing: {text}");
        let production: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("production"))
            .map(|l| l.split_whitespace().last().unwrap())
            .collect();
        assert_eq!(production, ["$1234", "?"], "{text}");
        assert!(
            text.contains(
                "total ≈ $1241.61 / month (1 of 3 without a figure: `mcp status --stage <name>` says why)"
            ),
            "{text}"
        );
        assert!(
            !Board(vec![row("local", "api", "a")])
                .to_string()
                .contains("total"),
            "no total without a priced target"
        );
    }

    #[test]
    fn the_table_fits_100_columns() {
        let mut long = row(
            "production-eu-west",
            "a-service-with-a-long-name",
            "0123456789abcdef0123456789abcdef01234567",
        );
        long.release = Some("a-very-long-task-definition-family:123".into());
        long.tag = Some("0123456-dirty-abcdef".into());
        long.check = Some(Check {
            healthy: false,
            latency_ms: 12345.0,
            failed_step: Some(Step::ToolsList),
            error: Some("boom".into()),
        });
        long.config_drift = vec!["env A_LONG_VARIABLE".into(), "secret TOKEN".into()];
        long.cost = Some(priced(Some(123_456.78)));
        let unreadable = Row::unreadable(Some("staging".into()), None, "x".repeat(300));
        let text = Board(vec![long, unreadable]).to_string();
        for line in text.lines() {
            assert!(
                console::measure_text_width(line) <= 100,
                "{} columns: {line}",
                console::measure_text_width(line)
            );
        }
        assert!(
            text.contains("…family:123"),
            "the revision number stays: {text}"
        );
        assert!(text.contains("FAIL tool"), "{text}");
        assert!(text.contains(" $123k"), "{text}");
    }
}
