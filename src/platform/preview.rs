//! Preview deployments (`mcp deploy --preview`, `mcp previews`, `mcp destroy
//! --preview`): the one `match` on the target. Commands call [`deploy`],
//! [`list`], [`plan_destroy`] and [`destroy`] here, never a platform's preview
//! module directly; what both platforms share (names, tags, the listing, the
//! cap) is the release model's ([`crate::release::preview`]).

use anyhow::Result;

use super::DeployRequest;
use crate::config::{Settings, TargetKind};
use crate::error::McpError;
use crate::release::Report;
use crate::release::preview::PreviewList;
use crate::ui::Printer;

/// Deploy (create or update) the preview `name` (a slug) of these settings.
pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    name: &str,
    request: &DeployRequest,
) -> Result<Report> {
    match settings.target {
        TargetKind::Local => super::local::preview::deploy(settings, printer, name, request).await,
        TargetKind::Ecs => {
            super::ecs_express::preview::deploy(settings, printer, name, request).await
        }
        TargetKind::Lambda => Err(no_lambda_previews()),
    }
}

/// The project's previews, oldest deploy first; `check` runs the MCP check on each.
pub async fn list(settings: &Settings, printer: &Printer, check: bool) -> Result<PreviewList> {
    let mut previews = match settings.target {
        TargetKind::Local => super::local::preview::list(settings).await?,
        TargetKind::Ecs => super::ecs_express::preview::list(settings).await?,
        TargetKind::Lambda => return Err(no_lambda_previews()),
    };
    previews.sort_by_key(|p| (p.last_deployed(), p.name.clone()));
    if check {
        for preview in &mut previews {
            if let Some(url) = &preview.url {
                printer.status("Checking", format!("{} at {url}", preview.name));
                let mut one = settings.clone();
                one.deploy.url = Some(url.clone());
                preview.check = super::check::once(&one).await;
            }
        }
    }
    Ok(PreviewList {
        project: settings.name.clone(),
        previews,
    })
}

/// What removing a preview takes away, one line each (empty: nothing there).
pub async fn plan_destroy(
    settings: &Settings,
    name: &str,
    all_resources: bool,
) -> Result<Vec<String>> {
    match settings.target {
        TargetKind::Local => super::local::preview::plan_destroy(settings, name).await,
        TargetKind::Ecs => {
            super::ecs_express::preview::plan_destroy(settings, name, all_resources).await
        }
        TargetKind::Lambda => Err(no_lambda_previews()),
    }
}

/// Remove the preview `name` (and with `all_resources` its log group).
pub async fn destroy(
    settings: &Settings,
    printer: &Printer,
    name: &str,
    all_resources: bool,
) -> Result<()> {
    match settings.target {
        TargetKind::Local => super::local::preview::destroy(settings, printer, name).await,
        TargetKind::Ecs => {
            super::ecs_express::preview::destroy(settings, printer, name, all_resources).await
        }
        TargetKind::Lambda => Err(no_lambda_previews()),
    }
}

/// Previews are Express services or local containers; a Lambda stage has none.
fn no_lambda_previews() -> anyhow::Error {
    McpError::usage("previews are ECS Express services or local containers; this stage deploys to Lambda")
        .hint("run `mcp deploy --preview` with a stage that deploys to ECS or the local engine (`--stage …`)")
        .into()
}
