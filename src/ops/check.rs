//! `mcp check`: probe the MCP server at `deploy.url` (`--url` arrives as a
//! flag setting), print the report, and exit 1 naming the failed step. The
//! probe itself is [`crate::probe`].

use std::time::Duration;

use anyhow::Result;

use crate::config::{FILE_NAME, Settings, schema};
use crate::error::{ExitStatus, McpError};
use crate::probe;
use crate::ui::Printer;

pub async fn check(
    settings: &Settings,
    printer: &Printer,
    timeout: Duration,
) -> Result<ExitStatus> {
    let Some(url) = settings.deploy.url.as_deref() else {
        return Err(McpError::usage("no MCP endpoint to check (`deploy.url`)")
            .hint(format!(
                "set `[deploy] url = \"https://…/mcp\"` in {FILE_NAME}, set {}, or pass --url",
                schema::env::URL
            ))
            .into());
    };
    let token = probe::bearer_token(&settings.deploy)?;
    printer.status("Checking", url);
    if let Some(var) = &settings.deploy.auth_token_env {
        printer.detail(1, format!("sending a bearer token from {var} (not shown)"));
    }
    let report = probe::run_check(url, &settings.deploy.health_path, token, timeout).await?;
    for step in &report.steps {
        printer.detail(
            1,
            format!(
                "{:>12} {} ({:.1} ms): {}",
                step.step.name(),
                if step.ok { "ok" } else { "failed" },
                step.latency_ms,
                step.detail
            ),
        );
    }
    printer.data(&report)?;
    match report.failed_step {
        None => {
            printer.status(
                "Healthy",
                format!(
                    "{url} ({} tool{})",
                    report.tools.len(),
                    if report.tools.len() == 1 { "" } else { "s" }
                ),
            );
            Ok(ExitStatus::Success)
        }
        Some(step) => {
            let mut err = McpError::new(format!(
                "{url} failed the `{step}` step: {}",
                report.error.as_deref().unwrap_or("unknown error")
            ));
            if let Some(hint) = &report.hint {
                err = err.hint(hint.clone());
            }
            Err(err.into())
        }
    }
}
