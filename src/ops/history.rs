//! `mcp history`: the service's recent releases, newest first.

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform;
use crate::ui::Printer;

pub async fn history(settings: &Settings, printer: &Printer, limit: usize) -> Result<ExitStatus> {
    let history = platform::for_settings(settings)
        .history(settings, printer, limit)
        .await?;
    printer.data(&history)?;
    Ok(ExitStatus::Success)
}
