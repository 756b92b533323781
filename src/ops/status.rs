//! `mcp status`: what runs now, and `--wait` to follow a rollout in flight
//! (the exit code then says how it ended, as a deploy's would).

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform;
use crate::ui::Printer;

pub async fn status(settings: &Settings, printer: &Printer, wait: bool) -> Result<ExitStatus> {
    let status = platform::for_settings(settings)
        .status(settings, printer, wait)
        .await?;
    printer.data(&status.output)?;
    Ok(status.exit)
}
