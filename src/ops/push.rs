//! `mcp push`: build (unless ECR already has this exact tree) and push to
//! ECR, or with `--image` check that an image built elsewhere is there; print
//! the image by digest.

use anyhow::Result;

use crate::aws::Clients;
use crate::config::Settings;
use crate::error::ExitStatus;
use crate::release::build;
use crate::ui::Printer;

pub async fn push(
    settings: &Settings,
    printer: &Printer,
    tag: Option<&str>,
    image: Option<&str>,
) -> Result<ExitStatus> {
    let clients = Clients::new(settings).await;
    let report = match image {
        Some(uri) => {
            let report = build::verify(&clients, uri).await?;
            printer.status("Found", &report.image);
            report
        }
        None => {
            let _group = printer.group(format_args!("mcp push {}: build and push", settings.name));
            build::build_and_push(settings, printer, &clients, tag, &Default::default()).await?
        }
    };
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}
