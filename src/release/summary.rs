//! A deploy's report as a GitHub Actions job shows it: the `::error`
//! annotation of a release that did not go live, and the job summary's table
//! (one row per service, the contract's differences, the smoke calls). The
//! workflow-command plumbing is `ui::github`'s; what a report says is here,
//! beside the report.

use std::fmt::Write as _;

use crate::release::report::{DeployStatus, Report};
use crate::ui::github::error_annotation;

/// The annotation for a deploy, rollback or restart of `name` (the service,
/// or its `[services.<name>]` key) that did not succeed.
pub fn report_annotation(verb: &str, name: &str, report: &Report) -> Option<String> {
    let outcome = match report.status {
        DeployStatus::Succeeded | DeployStatus::Started => return None,
        DeployStatus::RolledBack => format!(
            "{} did not go live; {} runs again",
            report.revision,
            report
                .live_revision
                .as_deref()
                .unwrap_or("the previous release")
        ),
        DeployStatus::Failed => format!(
            "{} did not go live and the previous release was not restored",
            report.revision
        ),
        DeployStatus::Interrupted => format!(
            "interrupted while following {}; ECS carries on",
            report.revision
        ),
    };
    let message = match &report.reason {
        Some(reason) => format!("{outcome}: {reason}"),
        None => outcome,
    };
    Some(error_annotation(
        &format!("mcp {verb} {name}"),
        &message,
        report.next.as_deref(),
    ))
}

/// A table cell: one line, and markdown left inert. Plain words (a name, a
/// revision, an image) are written as they are; anything else from outside
/// (a reason from AWS, a server's 401 body) goes in a code span, where
/// links, images, HTML and autolinks are text (issue 26 item 9): backticks
/// become `'` and pipes are escaped, which GitHub's tables honour there too.
fn cell(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // URL credentials are redacted over the whole summary (`Printer::job_summary`).
    let lower = one_line.to_ascii_lowercase();
    let plain = one_line
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " ._:/+=,-".contains(c))
        && !lower.contains("://")
        && !lower.contains("www.");
    if plain {
        return one_line;
    }
    format!("`{}`", one_line.replace('`', "'").replace('|', "\\|"))
}

fn status_word(status: DeployStatus) -> &'static str {
    match status {
        DeployStatus::Succeeded => "✅ succeeded",
        DeployStatus::Started => "▶️ started (not followed)",
        DeployStatus::RolledBack => "↩️ rolled back",
        DeployStatus::Failed => "❌ failed, not restored",
        DeployStatus::Interrupted => "⏸️ interrupted",
    }
}

/// One row of the summary table for a report.
fn report_row(name: &str, report: &Report) -> String {
    let rollback = match report.status {
        DeployStatus::RolledBack => format!(
            "back to {}",
            report
                .live_revision
                .as_deref()
                .unwrap_or("the previous release")
        ),
        DeployStatus::Failed => "not restored".to_string(),
        _ => "-".to_string(),
    };
    format!(
        "| {} | {} | {} | {} | {:.0}s | {} | {} |\n",
        cell(name),
        status_word(report.status),
        cell(&report.revision),
        cell(
            &report
                .image
                .as_ref()
                .map_or_else(|| "-".to_string(), ToString::to_string)
        ),
        report.duration_s,
        cell(&rollback),
        cell(report.reason.as_deref().unwrap_or("")),
    )
}

const HEADER: &str = "| service | status | revision | image | duration | rollback | reason |\n\
                      |---|---|---|---|---|---|---|\n";

/// The summary of one deploy, rollback or restart (markdown).
pub fn report_summary(verb: &str, report: &Report) -> String {
    let mut text = format!("### mcp {verb}: {}\n\n{HEADER}", cell(&report.service));
    text.push_str(&report_row(&report.service, report));
    text.push_str(&contract_table(report));
    if let Some(next) = &report.next {
        let _ = write!(text, "\nNext: `{}`\n", next.replace('`', "'"));
    }
    text.push('\n');
    text
}

/// The differences of the release's contract from the live one, and its
/// smoke calls, as the gate (or the check after the rollout) found them: a
/// reviewer sees "this release removes tool `lookup`" in the run.
fn contract_table(report: &Report) -> String {
    let check = report
        .gate
        .as_ref()
        .map(|g| &g.check)
        .or(report.check.as_ref());
    let Some(check) = check else {
        return String::new();
    };
    let mut text = String::new();
    if let Some(contract) = &check.contract
        && !(contract.breaking.is_empty() && contract.compatible.is_empty())
    {
        let _ = write!(
            text,
            "\n**Contract** against {}{}\n\n| change | kind |\n|---|---|\n",
            cell(&contract.baseline),
            if contract.allowed && !contract.breaking.is_empty() {
                " (breaking changes allowed)"
            } else {
                ""
            }
        );
        for line in &contract.breaking {
            let _ = writeln!(text, "| {} | ⚠️ breaking |", cell(line));
        }
        for line in &contract.compatible {
            let _ = writeln!(text, "| {} | compatible |", cell(line));
        }
    }
    if !check.calls.is_empty() {
        text.push_str("\n**Smoke calls**\n\n| tool | result | ms |\n|---|---|---|\n");
        for call in &check.calls {
            let result = match (&call.error, call.ok) {
                (_, true) => "✅ ok".to_string(),
                (Some(e), false) => format!("❌ {}", cell(e)),
                (None, false) => "❌ failed".to_string(),
            };
            let _ = writeln!(
                text,
                "| {} | {result} | {:.0} |",
                cell(&call.tool),
                call.latency_ms
            );
        }
    }
    text
}

/// One line of a multi-service summary: a report, or an error before one.
pub enum FleetLine<'a> {
    Report(&'a str, &'a Report),
    Error(&'a str, &'a str),
    Skipped(&'a str),
}

/// The summary of a multi-service deploy (markdown).
pub fn fleet_summary(lines: &[FleetLine<'_>]) -> String {
    let mut text = format!("### mcp deploy: {} services\n\n{HEADER}", lines.len());
    for line in lines {
        match line {
            FleetLine::Report(name, report) => text.push_str(&report_row(name, report)),
            FleetLine::Error(name, error) => {
                let _ = writeln!(
                    text,
                    "| {} | ❌ error | - | - | - | - | {} |",
                    cell(name),
                    cell(error)
                );
            }
            FleetLine::Skipped(name) => {
                let _ = writeln!(text, "| {} | dry run | - | - | - | - | - |", cell(name));
            }
        }
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards issue 26 item 9: remote text in the job summary makes no link,
    /// image, HTML or autolink: it lands in a code span, as text.
    #[test]
    fn the_summary_lists_contract_differences_and_smoke_calls() {
        use crate::probe::contract::{ContractReport, Difference};
        let mut report = Report::new(
            DeployStatus::RolledBack,
            "c".into(),
            "svc".into(),
            "svc:2".into(),
        );
        let mut check = crate::probe::CheckReport::new("https://x/mcp", "", false);
        let removed = Difference {
            breaking: true,
            path: "tool lookup".into(),
            change: "removed".into(),
        };
        let added = Difference {
            breaking: false,
            path: "tool search".into(),
            change: "added".into(),
        };
        check.contract = Some(ContractReport::new(
            "the live release",
            &[removed, added],
            false,
        ));
        check.calls.push(crate::probe::CallReport {
            tool: "echo".into(),
            ok: false,
            latency_ms: 12.0,
            error: Some("`echo` failed: [boom](https://evil.example)".into()),
        });
        report.check = Some(check);
        let text = report_summary("deploy", &report);
        assert!(
            text.contains("| tool lookup: removed | ⚠️ breaking |"),
            "{text}"
        );
        assert!(
            text.contains("| tool search: added | compatible |"),
            "{text}"
        );
        // Remote text in a code span, where markdown makes no link.
        assert!(
            text.contains("| echo | ❌ `'echo' failed: [boom](https://evil.example)` | 12 |"),
            "{text}"
        );
    }

    #[test]
    fn summary_cells_make_no_links_or_images() {
        for hostile in [
            "denied: [log in again](https://evil.example/login)",
            "![pixel](https://evil.example/track.png)",
            "<img src=https://evil.example/x.png>",
            "see https://evil.example/ or www.evil.example",
            "**bold** _x_ `code` | a | b",
        ] {
            let shown = cell(hostile);
            assert!(
                shown.len() > 2 && shown.starts_with('`') && shown.ends_with('`'),
                "{shown}"
            );
            let inner = &shown[1..shown.len() - 1];
            assert!(!inner.contains('`'), "{shown}");
            assert!(!inner.replace("\\|", "").contains('|'), "{shown}");
        }
        // Plain names, revisions and images stay as they are.
        assert_eq!(cell("release 1"), "release 1");
        assert_eq!(
            cell("127.0.0.1:5000/repo:sha-1"),
            "127.0.0.1:5000/repo:sha-1"
        );
    }

    #[test]
    fn summary_cells_cannot_break_the_table() {
        let row = cell("a|b\nc `x` <script>");
        assert_eq!(row, "`a\\|b c 'x' <script>`");
    }
}
