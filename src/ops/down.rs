//! `mcp down`: remove what runs for the service (the local target's
//! containers; on ECS, `mcp scale 0` is the way to go offline).

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform;
use crate::ui::Printer;

pub async fn down(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let removed = platform::for_settings(settings)
        .down(settings, printer)
        .await?;
    printer.data(&removed)?;
    Ok(ExitStatus::Success)
}
