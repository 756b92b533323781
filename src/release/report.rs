//! What a deploy or a rollback did, on any platform: the [`Report`] printed as
//! text or JSON, its [`DeployStatus`] and the exit code that follows from it
//! (0 success, 3 failed and the previous release runs again, 4 failed and it
//! does not, 130 interrupted). In a GitHub Actions job, the report is also the
//! `::error` annotation of a release that did not go live and the job
//! summary's table (one row per service, the contract's differences, the smoke
//! calls); the workflow-command plumbing is `ui::github`'s.

use std::fmt;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::ImageRef;
use crate::error::ExitStatus;
use crate::probe::CheckReport;
use crate::ui::Printer;
use crate::ui::github::error_annotation;

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
    /// The revision this command tried to put live (`family:N`, `release N`).
    pub revision: String,
    /// The revision that was live before.
    pub previous_revision: Option<String>,
    /// The revision live when the command ended.
    pub live_revision: Option<String>,
    pub image: Option<ImageRef>,
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
    /// The MCP check run after the rollout, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
    /// The last lines of failed tasks' logs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_task_logs: Vec<TaskLog>,
    /// Where MCP clients reach the release, when the platform knows: `mcp
    /// deploy` prints a client snippet for it after a success.
    #[serde(skip)]
    pub client_url: Option<String>,
    /// A preview deployment's MCP URL (`mcp deploy --preview`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
    /// `rolling`, `blue_green`, `canary` or `linear` (ECS deploys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<crate::config::Strategy>,
    /// The lifecycle stage the deployment was in when `mcp` stopped following
    /// (blue/green, canary, linear).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The MCP gate's verdict at the test listener.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<super::gate::GateReport>,
    /// ECS's service deployment ARN (blue/green, canary, linear).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_deployment: Option<String>,
}

impl Report {
    /// A report with nothing known yet but what is being put live.
    pub fn new(status: DeployStatus, cluster: String, service: String, revision: String) -> Self {
        Report {
            status,
            cluster,
            service,
            revision,
            previous_revision: None,
            live_revision: None,
            image: None,
            digest: None,
            deployment_id: None,
            duration_s: 0.0,
            reason: None,
            stopped_tasks: Vec::new(),
            next: None,
            check: None,
            failed_task_logs: Vec::new(),
            client_url: None,
            preview_url: None,
            strategy: None,
            stage: None,
            gate: None,
            service_deployment: None,
        }
    }
}

/// The end of one failed task's output.
#[derive(Debug, Clone, Serialize)]
pub struct TaskLog {
    pub task_id: String,
    pub stream: String,
    pub lines: Vec<String>,
}

/// A task of the deployment that stopped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoppedTask {
    /// The last part of the task ARN.
    pub task_id: String,
    pub stopped_at: Option<jiff::Timestamp>,
    /// ECS's `stopCode`, e.g. `EssentialContainerExited`, `TaskFailedToStart`.
    pub stop_code: Option<String>,
    /// ECS's `stoppedReason`.
    pub reason: Option<String>,
    pub containers: Vec<ContainerExit>,
}

/// How one container of a stopped task ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerExit {
    pub name: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

/// One line: `task abc: Essential container in task exited (EssentialContainerExited); app exited 1`.
impl fmt::Display for StoppedTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task {}: {}",
            self.task_id,
            self.reason.as_deref().unwrap_or("stopped")
        )?;
        if let Some(code) = &self.stop_code {
            write!(f, " ({code})")?;
        }
        for c in &self.containers {
            match (c.exit_code, &c.reason) {
                (Some(code), Some(reason)) => write!(f, "; {} exited {code}: {reason}", c.name)?,
                (Some(code), None) => write!(f, "; {} exited {code}", c.name)?,
                (None, Some(reason)) => write!(f, "; {}: {reason}", c.name)?,
                (None, None) => {}
            }
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            DeployStatus::Succeeded => writeln!(
                f,
                "{} runs {} ({})",
                self.service,
                self.revision,
                self.image
                    .as_ref()
                    .map_or_else(|| "?".to_string(), ToString::to_string)
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

/// Seconds since `started`, to a tenth: the `duration_s` of reports.
pub fn seconds_since(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 10.0).round() / 10.0
}

/// The snippet a user pastes into an MCP client after a deploy.
pub fn client_snippet(name: &str, url: &str) -> String {
    let config = serde_json::json!({ "mcpServers": { name: { "url": url } } });
    serde_json::to_string_pretty(&config).unwrap_or_default()
}

/// The snippet for a function URL with `AuthType AWS_IAM`
/// (`lambda.url_auth`): an MCP client cannot sign its requests, so it runs
/// the MCP Proxy for AWS (`mcp-proxy-for-aws`, published by AWS), which
/// speaks stdio to the client and signs each request with SigV4 for
/// `lambda`; then a note saying so. `region` is the function's (none: the
/// proxy reads `AWS_REGION`).
pub fn client_snippet_aws_iam(name: &str, url: &str, region: Option<&str>) -> String {
    let mut args = vec![
        "mcp-proxy-for-aws@latest".to_string(),
        url.to_string(),
        "--service".to_string(),
        "lambda".to_string(),
    ];
    if let Some(region) = region {
        args.extend(["--region".to_string(), region.to_string()]);
    }
    let config = serde_json::json!({ "mcpServers": { name: { "command": "uvx", "args": args } } });
    format!(
        "{}\n\
         The URL's auth is AWS_IAM: every request must be signed (SigV4, service `lambda`), which MCP clients \
         do not do themselves. The MCP Proxy for AWS (https://github.com/aws/mcp-proxy-for-aws, run by `uvx`) \
         signs for the client with the AWS credentials it finds (AWS_PROFILE, or add \"--profile\", \"NAME\" to \
         its args); they need `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` on the function's `live` alias. \
         Code that calls the URL itself signs with an AWS SDK's SigV4 signer (botocore's SigV4Auth, the aws-sigv4 crate).",
        serde_json::to_string_pretty(&config).unwrap_or_default()
    )
}

/// Print the final status line and the report; map it to the exit code.
/// `verb` names the command (`deploy`, `rollback`, `restart`) in a GitHub
/// Actions annotation and job summary.
pub fn finish(printer: &Printer, verb: &str, report: &Report) -> Result<ExitStatus> {
    match report.status {
        DeployStatus::Succeeded => printer.status(
            "Deployed",
            format!("{} in {:.0}s", report.revision, report.duration_s),
        ),
        DeployStatus::Started => {
            printer.status("Started", format!("{} (not waiting)", report.revision))
        }
        DeployStatus::RolledBack => printer.warn(format!(
            "deploy of {} failed; {} runs again",
            report.revision,
            report
                .live_revision
                .as_deref()
                .unwrap_or("the previous release")
        )),
        DeployStatus::Failed => printer.warn(format!(
            "deploy of {} failed and the previous release was not restored",
            report.revision
        )),
        // The command that picks it up goes next to the warning, on the terminal.
        DeployStatus::Interrupted => printer.warn(format!(
            "interrupted; ECS carries on with the deployment; {}",
            report.next.clone().unwrap_or_else(crate::cancel::resume)
        )),
    }
    if printer.github() {
        if let Some(annotation) = report_annotation(verb, &report.service, report) {
            printer.workflow_command(&annotation);
        }
        printer.job_summary(&report_summary(verb, report));
    }
    // `mcp deploy -o json | head -1`: the exit code still tells what happened.
    if let Err(err) = printer.data(report) {
        let err = anyhow::Error::new(err);
        if !crate::ui::printer::is_stdout_closed(&err) {
            return Err(err);
        }
    }
    Ok(report.status.exit_status())
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

/// The summary of one deploy, rollback or restart (markdown). A preview's
/// row ends with its URL (`url` column).
pub fn report_summary(verb: &str, report: &Report) -> String {
    let mut text = format!("### mcp {verb}: {}\n\n", cell(&report.service));
    match &report.preview_url {
        Some(url) => {
            text.push_str(&HEADER.replace(" |\n|", " | url |\n|---|"));
            let row = report_row(&report.service, report);
            let _ = writeln!(text, "{} {} |", row.trim_end(), cell(url));
        }
        None => {
            text.push_str(HEADER);
            text.push_str(&report_row(&report.service, report));
        }
    }
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

    /// Guards issue 29 (AWS_IAM URLs): the snippet runs a signing proxy for
    /// `lambda` in the function's region, and says why.
    #[test]
    fn an_aws_iam_url_gets_a_signing_proxy_in_its_snippet() {
        let url = "https://abc.lambda-url.eu-west-1.on.aws/mcp";
        let text = client_snippet_aws_iam("demo", url, Some("eu-west-1"));
        let (json, note) = text.split_once("\n}\n").unwrap();
        let config: serde_json::Value = serde_json::from_str(&format!("{json}\n}}")).unwrap();
        let server = &config["mcpServers"]["demo"];
        assert_eq!(server["command"], "uvx");
        assert_eq!(
            server["args"],
            serde_json::json!([
                "mcp-proxy-for-aws@latest",
                url,
                "--service",
                "lambda",
                "--region",
                "eu-west-1"
            ])
        );
        assert!(server.get("url").is_none(), "{server}");
        assert!(
            note.contains("AWS_IAM") && note.contains("lambda:InvokeFunctionUrl"),
            "{note}"
        );
        let without = client_snippet_aws_iam("demo", url, None);
        assert!(!without.contains("--region"), "{without}");
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
