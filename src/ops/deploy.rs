//! `mcp deploy` of one service: the platform prepares the release (image,
//! revision) and rolls it out; this prints the plan (`--dry-run`) or the
//! report, and after a success the snippet for an MCP client.

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::{self, DeployRequest, Prepared};
use crate::release::build::BuildMemo;
use crate::release::report::{self, DeployStatus};
use crate::ui::Printer;

pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    request: &DeployRequest,
) -> Result<ExitStatus> {
    let platform = platform::for_settings(settings);
    let service = settings.service_or_name();
    if !request.dry_run
        && !request.no_check
        && !request.no_wait
        && let Some(url) = platform::check_url(settings)
    {
        // What clients use now, read before anything changes: the checks
        // after the rollout (and the gate) compare the new release with it.
        crate::platform::check::remember_live_contract(
            settings,
            printer,
            &url,
            request.allow_breaking,
        )
        .await;
    }
    let prepared = {
        let _group = printer.group(format_args!("mcp deploy {service}: build, push, register"));
        platform
            .prepare(settings, printer, request, &BuildMemo::default())
            .await?
    };
    match prepared {
        Prepared::DryRun(plan) => {
            printer.data(&plan)?;
            Ok(ExitStatus::Success)
        }
        Prepared::Ready(ready) => {
            let report = {
                let _group = printer.group(format_args!("mcp deploy {service}: roll out"));
                ready.roll_out(settings, printer, request).await?
            };
            if report.status == DeployStatus::Succeeded
                && let Some(url) = &report.client_url
            {
                printer.note(format!(
                    "\nAdd it to an MCP client:\n{}\n",
                    crate::platform::client_snippet(settings, url)
                ));
            }
            report::finish(printer, "deploy", &report)
        }
    }
}
