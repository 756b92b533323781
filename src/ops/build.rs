//! `mcp build`: build and tag `<ecr.repository>:<tag>` locally; no AWS access
//! needed. The pipeline is [`crate::release::build`].

use anyhow::Result;

use crate::config::Settings;
use crate::error::ExitStatus;
use crate::release::build;
use crate::ui::Printer;

pub async fn build(
    settings: &Settings,
    printer: &Printer,
    tag: Option<&str>,
) -> Result<ExitStatus> {
    let report = build::build_only(settings, printer, tag).await?;
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}
