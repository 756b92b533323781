//! `mcp scale [SERVICE] COUNT`: take a service offline (0) and back, waiting
//! for the platform to start or stop the copies like a deploy waits.

use anyhow::Result;

use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform;
use crate::ui::Printer;

pub async fn scale(
    settings: &Settings,
    printer: &Printer,
    count: i32,
    wait: bool,
) -> Result<ExitStatus> {
    if count < 0 {
        return Err(McpError::usage(format!("cannot scale to {count} tasks"))
            .hint("COUNT is 0 or more")
            .into());
    }
    let scaled = platform::for_settings(settings)
        .scale(settings, printer, count, wait)
        .await?;
    printer.data(&scaled)?;
    Ok(ExitStatus::Success)
}
