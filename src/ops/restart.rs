//! `mcp restart`: a new deployment of the release that runs now, followed and
//! reported like a deploy. The way to pick up a rotated secret (ECS reads
//! secrets when a task starts) or to replace a wedged task.

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::{self, RestartRequest};
use crate::release::report;
use crate::ui::Printer;

pub async fn restart(
    settings: &Settings,
    printer: &Printer,
    request: &RestartRequest,
) -> Result<ExitStatus> {
    let report = {
        let service = settings.service_or_name();
        let _group = printer.group(format_args!("mcp restart {service}"));
        platform::for_settings(settings)
            .restart(settings, printer, request)
            .await?
    };
    report::finish(printer, "restart", &report)
}
