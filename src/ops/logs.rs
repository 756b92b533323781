//! `mcp logs`: the release's output, from wherever its platform keeps it
//! (CloudWatch Logs on ECS, the engine for local containers), printed as it
//! arrives; `-f` follows until Ctrl-C.

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::{self, LogsRequest};
use crate::ui::Printer;

pub async fn logs(
    settings: &Settings,
    printer: &Printer,
    request: &LogsRequest,
) -> Result<ExitStatus> {
    platform::for_settings(settings)
        .logs(settings, printer, request)
        .await
}
