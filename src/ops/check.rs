//! `mcp check`: probe the MCP server at `deploy.url` (`--url` arrives as a
//! flag setting), print the report, and exit 1 naming the failed step. The
//! probe itself is [`crate::probe`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::config::{FILE_NAME, Settings, schema};
use crate::error::{ExitStatus, McpError};
use crate::probe;
use crate::ui::Printer;

/// `--save-contract`, `--baseline`, `--allow-breaking`.
#[derive(Debug, Default)]
pub struct ContractFlags {
    pub save: Option<PathBuf>,
    pub baseline: Option<String>,
    pub allow_breaking: bool,
}

pub async fn check(
    settings: &Settings,
    printer: &Printer,
    timeout: Duration,
    calls: Vec<probe::Call>,
    contract: ContractFlags,
) -> Result<ExitStatus> {
    // A Lambda stage without `deploy.url`: its `live` alias's function URL.
    let lambda_url = match (&settings.deploy.url, settings.target) {
        (None, crate::config::TargetKind::Lambda) => {
            let clients = crate::aws::Clients::new(settings).await;
            crate::platform::lambda::live_url(&clients, settings).await?
        }
        _ => None,
    };
    let Some(url) = settings.deploy.url.as_deref().or(lambda_url.as_deref()) else {
        let how = format!(
            "set `[deploy] url = \"https://…/mcp\"` in {FILE_NAME}, set {}, or pass --url",
            schema::env::URL
        );
        let stages = settings.stages_setting("deploy.url");
        let hint = match crate::config::stage_hint(&stages, "sets `deploy.url`") {
            Some(stages) => format!("{stages}; or {how}"),
            None => how,
        };
        return Err(McpError::usage("no MCP endpoint to check (`deploy.url`)")
            .hint(hint)
            .into());
    };
    // On a Lambda stage with `AuthType AWS_IAM`, every request is signed.
    let mut options = crate::platform::check::options(settings).await?;
    options.timeout = timeout;
    if !calls.is_empty() {
        options.calls = calls;
    }
    options.allow_breaking |= contract.allow_breaking;
    options.read_contract = contract.save.is_some();
    if let Some(source) = &contract.baseline {
        let baseline = probe::baseline(source, &options).await?;
        options.baseline = Some((source.clone(), baseline));
    }
    printer.status("Checking", url);
    if let Some(signer) = &options.signer {
        printer.detail(1, signer.describe());
    }
    if let Some(var) = &settings.deploy.auth_token_env {
        printer.detail(1, format!("sending a bearer token from {var} (not shown)"));
    }
    if let Some(auth) = &settings.deploy.auth {
        printer.detail(
            1,
            format!(
                "OAuth client `{}`, secret from {} (not shown)",
                auth.client_id, auth.client_secret_env
            ),
        );
    }
    let report = probe::run_check(url, &options).await?;
    if let (Some(path), Some(read)) = (&contract.save, &report.contract_read) {
        std::fs::write(path, read.to_json()).map_err(|e| {
            McpError::new(format!("writing the contract to {}: {e}", path.display()))
                .hint("--save-contract names a file in a folder that exists and you can write")
        })?;
        printer.status("Saved", format!("the contract to {}", path.display()));
    }
    if let Some(judged) = &report.contract {
        for line in &judged.breaking {
            printer.warn(format!("breaking: {line}"));
        }
        for line in &judged.compatible {
            printer.detail(0, format!("compatible: {line}"));
        }
    }
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
        None if report.protocol.is_none() && report.auth.is_some() => {
            printer.status(
                "Protected",
                format!(
                    "{url}: OAuth discovery OK; set `deploy.auth` (client credentials) to check it further"
                ),
            );
            Ok(ExitStatus::Success)
        }
        None => {
            printer.status(
                "Healthy",
                format!(
                    "{url} (MCP {}, {}, {} tool{})",
                    report.protocol.as_deref().unwrap_or("?"),
                    report.session.unwrap_or("stateless"),
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
