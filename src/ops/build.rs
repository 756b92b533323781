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
    let report = {
        let _group = printer.group(format_args!("mcp build {}", settings.name));
        build::build_only(settings, printer, tag).await?
    };
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}
