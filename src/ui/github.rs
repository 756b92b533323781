//! At home in GitHub Actions (`GITHUB_ACTIONS=true`): long phases fold into
//! collapsible groups (`::group::`), a failure becomes an `::error::`
//! annotation carrying its hint, and deploys append a job summary to
//! `$GITHUB_STEP_SUMMARY`. Everywhere else none of this is written.
//!
//! The runner reads workflow commands from stderr as well as stdout, so `mcp`
//! writes its own there (stdout stays data), and text from outside (build
//! output, server log lines, AWS error messages) is kept from being read as
//! one: see [`neutralize`].

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use crate::release::report::{DeployStatus, Report};

/// True when this process runs in a GitHub Actions job.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The job summary file, when there is one.
fn summary_path() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// A workflow command's message: `%`, CR and LF escaped as the runner expects.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (`title=…`): also `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text from outside, made unable to act as a workflow command: a line that
/// starts with `::` (after blanks), or holds the older `##[` form, gets a zero
/// width space between its two first characters. It reads the same in the log.
///
/// The runner ends a line at LF, CRLF and a bare CR alike (issue 26 item 1),
/// so each of them starts a line here; CRLF is written as LF and a bare CR as
/// the text `\r`, so no carriage return from outside reaches the log.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    let hostile = |line: &str| line.trim_start().starts_with("::") || line.contains("##[");
    if !text.contains('\r') && !text.split('\n').any(hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let line = &rest[..end];
        if hostile(line) {
            let blanks = line.len() - line.trim_start().len();
            let (lead, tail) = line.split_at(blanks);
            out.push_str(lead);
            let tail = tail.replace("##[", "#\u{200b}#[");
            match tail.strip_prefix("::") {
                Some(tail) => {
                    out.push_str(":\u{200b}:");
                    out.push_str(tail);
                }
                None => out.push_str(&tail),
            }
        } else {
            out.push_str(line);
        }
        rest = &rest[end..];
        if let Some(after) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            out.push('\n');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\r') {
            out.push_str("\\r");
            rest = after;
        } else {
            break;
        }
    }
    Cow::Owned(out)
}

/// `::group::title`.
pub fn group_start(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

pub const GROUP_END: &str = "::endgroup::";

/// `::error title=…::message` with the hint on the annotation's next line.
pub fn error_annotation(title: &str, message: &str, hint: Option<&str>) -> String {
    let mut text = message.to_string();
    if let Some(hint) = hint {
        text.push_str("\nhint: ");
        text.push_str(hint);
    }
    format!(
        "::error title={}::{}",
        escape_property(title),
        escape_data(&text)
    )
}

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

/// Append `markdown` to `$GITHUB_STEP_SUMMARY`, when set. A summary that
/// cannot be written is reported, never fatal: the deploy's outcome stands.
pub fn append_summary(markdown: &str) -> Result<(), String> {
    let Some(path) = summary_path() else {
        return Ok(());
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()))
        .map_err(|err| {
            format!(
                "could not append the job summary to {} (GITHUB_STEP_SUMMARY): {err}",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_expects() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("mcp deploy a:b,c"), "mcp deploy a%3Ab%2Cc");
        assert_eq!(
            error_annotation("mcp deploy", "it failed\nbadly", Some("run `mcp status`")),
            "::error title=mcp deploy::it failed%0Abadly%0Ahint: run `mcp status`"
        );
    }

    /// Remote text cannot add annotations, masks or stop the runner's parsing.
    #[test]
    fn workflow_commands_in_remote_text_are_neutralized() {
        assert_eq!(neutralize("plain text :: here"), "plain text :: here");
        let hostile = "ok\n  ::error::pwned\n::stop-commands::x\nsee ##[set-output name=a]b";
        let shown = neutralize(hostile);
        for line in shown.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line:?}");
            assert!(!line.contains("##["), "{line:?}");
        }
        assert_eq!(shown.lines().count(), 4);
        assert!(shown.contains("  :\u{200b}:error::pwned"));
    }

    /// Guards issue 26 item 1: the runner also ends a line at a bare CR, so a
    /// `::` after one is a workflow command too.
    #[test]
    fn workflow_commands_after_a_bare_cr_are_neutralized() {
        for hostile in [
            "x\r::error::pwned",
            "x\r\n::add-mask::y",
            "a\rb\r  ::stop-commands::t",
            "ok\r##[error]z",
        ] {
            let shown = neutralize(hostile);
            for line in shown.split(['\r', '\n']) {
                assert!(
                    !line.trim_start().starts_with("::"),
                    "{hostile:?}: {line:?}"
                );
                assert!(!line.contains("##["), "{hostile:?}: {line:?}");
            }
            assert!(!shown.contains('\r'), "a bare CR is kept: {shown:?}");
        }
        assert_eq!(
            neutralize("x\r::error::pwned"),
            "x\\r:\u{200b}:error::pwned"
        );
    }

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
