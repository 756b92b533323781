//! `mcp rollback`: put an earlier release live again, followed like a deploy.
//!
//! On ECS the default target is the newest revision older than the live one
//! whose rollout completed (`mcp` tags those); `--to` takes a revision number
//! or an image tag, and no new revision is registered. On the local target
//! `--to` takes a release number.

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::{self, RollbackRequest};
use crate::release::report;
use crate::ui::Printer;

pub async fn rollback(
    settings: &Settings,
    printer: &Printer,
    request: &RollbackRequest,
) -> Result<ExitStatus> {
    let report = {
        let service = settings.service_or_name();
        let _group = printer.group(format_args!("mcp rollback {service}"));
        platform::for_settings(settings)
            .rollback(settings, printer, request)
            .await?
    };
    report::finish(printer, "rollback", &report)
}
