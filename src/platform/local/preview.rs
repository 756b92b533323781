//! A preview on the local target: the release as its own container on its own
//! loopback port, beside the main release (which keeps `deploy.port`).
//!
//! The container is labelled like the ECS preview is tagged (project,
//! preview name, created and deployed times, git sha), so `mcp previews`
//! finds it with a label filter and `mcp down` (which works on numbered
//! releases) leaves it alone. The server inside listens on `deploy.port` as
//! usual (`PORT` is set); the engine publishes it on a free port of
//! 127.0.0.1, kept across updates of the same preview.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::models::{ContainerSummary, ContainerSummaryStateEnum};
use bollard::query_parameters::ListContainersOptionsBuilder;

use super::engine as local;
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::DeployRequest;
use crate::release::build;
use crate::release::preview::{self as shared, Preview};
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, Report};
use crate::ui::Printer;

/// Labels of a preview container.
pub const LABEL_PREVIEW_OF: &str = "dev.mcp.preview-of";
pub const LABEL_PREVIEW: &str = "dev.mcp.preview";
pub const LABEL_CREATED_AT: &str = "dev.mcp.preview-created-at";
pub const LABEL_DEPLOYED_AT: &str = "dev.mcp.preview-deployed-at";

/// One preview container as the engine lists it.
struct Found {
    container: String,
    preview: Preview,
    port: Option<u16>,
}

fn container_name(settings: &Settings, name: &str) -> String {
    shared::service_name(&format!("mcp-{}-preview", local::project(settings)), name)
}

async fn containers(docker: &Docker, settings: &Settings) -> Result<Vec<Found>> {
    let filters = HashMap::from([(
        "label",
        vec![format!("{LABEL_PREVIEW_OF}={}", local::project(settings))],
    )]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let listed = docker
        .list_containers(Some(options))
        .await
        .context("listing this project's preview containers")?;
    Ok(listed.iter().filter_map(found).collect())
}

fn found(c: &ContainerSummary) -> Option<Found> {
    let labels = c.labels.as_ref()?;
    let container = c
        .names
        .as_ref()?
        .first()?
        .trim_start_matches('/')
        .to_string();
    let port = c
        .ports
        .iter()
        .flatten()
        .find(|p| p.ip.as_deref() == Some("127.0.0.1") || p.public_port.is_some())
        .and_then(|p| p.public_port);
    let running = c.state == Some(ContainerSummaryStateEnum::RUNNING);
    let image = labels.get(local::LABEL_IMAGE).cloned().unwrap_or_default();
    Some(Found {
        preview: Preview {
            name: labels.get(LABEL_PREVIEW)?.clone(),
            service: container.clone(),
            url: port
                .filter(|_| running)
                .map(|p| format!("http://127.0.0.1:{p}/mcp")),
            revision: crate::release::ImageRef::parse(&image).tag,
            git_sha: labels.get(local::LABEL_GIT_SHA).cloned(),
            created_at: labels.get(LABEL_CREATED_AT).cloned(),
            deployed_at: labels.get(LABEL_DEPLOYED_AT).cloned(),
            running: i32::from(running),
            check: None,
        },
        container,
        port,
    })
}

/// The project's preview containers.
pub async fn list(settings: &Settings) -> Result<Vec<Preview>> {
    let (docker, _) = crate::docker::connect().await?;
    Ok(containers(&docker, settings)
        .await?
        .into_iter()
        .map(|f| f.preview)
        .collect())
}

/// Build, then run the release as the preview's container (replacing the
/// previous one, on the same port) and check it.
pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    name: &str,
    request: &DeployRequest,
) -> Result<Report> {
    if request.image.is_some()
        || request.dry_run
        || request.no_wait
        || request.force
        || request.logs
    {
        return Err(McpError::usage(
            "--image, --dry-run, --no-wait, --force and --logs are for ECS deploys",
        )
        .hint("the local target builds and runs the image on this machine")
        .into());
    }
    let started = Instant::now();
    let (docker, _) = crate::docker::connect().await?;
    let all = containers(&docker, settings).await?;
    let existing = all.iter().find(|f| f.preview.name == name);
    if existing.is_none() {
        let previews: Vec<Preview> = all.iter().map(|f| f.preview.clone()).collect();
        shared::within_cap(settings, &previews, name)?;
    }
    let root = settings
        .config_file
        .as_ref()
        .and_then(|f| f.parent())
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let secrets = local::secret_values(settings, &root)?;
    let built = build::build_only(settings, printer, request.tag.as_deref()).await?;
    let git_sha = build::plan(settings, request.tag.as_deref())
        .ok()
        .and_then(|p| p.git.map(|g| g.sha));
    let now = shared::now();
    let created_at = existing
        .and_then(|f| f.preview.created_at.clone())
        .unwrap_or_else(|| now.clone());
    let port = existing.and_then(|f| f.port);
    if let Some(old) = existing {
        local::remove(&docker, &old.container).await?;
    }
    let container = container_name(settings, name);
    let mut labels = HashMap::from([
        (LABEL_PREVIEW_OF.to_string(), local::project(settings)),
        (LABEL_PREVIEW.to_string(), name.to_string()),
        (LABEL_CREATED_AT.to_string(), created_at),
        (LABEL_DEPLOYED_AT.to_string(), now),
        (local::LABEL_IMAGE.to_string(), built.image.to_string()),
        (
            local::LABEL_DIGEST.to_string(),
            built.built.image_id.clone(),
        ),
    ]);
    if let Some(sha) = &git_sha {
        labels.insert(local::LABEL_GIT_SHA.to_string(), sha.clone());
    }
    let env = local::container_env(settings, &secrets);
    local::create(
        &docker,
        &container,
        &built.image.to_string(),
        env,
        labels,
        settings.deploy.port,
        port,
    )
    .await?;
    local::start(&docker, &container).await?;
    let published = containers(&docker, settings)
        .await?
        .into_iter()
        .find(|f| f.container == container)
        .and_then(|f| f.port)
        .with_context(|| format!("the engine published no port for `{container}`"))?;
    // Health and MCP checks go to the published port.
    let mut here = settings.clone();
    here.deploy.port = published;
    let url = local::url(&here);
    here.deploy.url = Some(url.clone());
    printer.status("Started", format!("preview {name} ({container}) on {url}"));

    let mut report = Report::new(
        DeployStatus::Succeeded,
        "local".into(),
        container.clone(),
        format!("preview {name}"),
    );
    report.image = Some(built.image.clone());
    report.digest = Some(built.built.image_id.clone());
    report.preview_url = Some(url.clone());
    let mut checked =
        local::wait_healthy(&docker, &container, &here, settings.deploy.timeout).await;
    if checked.is_ok() && !request.no_check {
        match crate::platform::check::until_healthy(&here, printer, &url, Duration::from_secs(10))
            .await
        {
            Ok(check) => {
                if !check.healthy {
                    checked = Err(anyhow::anyhow!(
                        "the MCP check failed at {}: {}",
                        check.failed_step.map(|s| s.to_string()).unwrap_or_default(),
                        check.error.as_deref().unwrap_or("?")
                    ));
                }
                report.check = Some(check);
            }
            Err(err) => checked = Err(err),
        }
    }
    match checked {
        Ok(()) => {
            report.live_revision = Some(report.revision.clone());
            report.client_url = Some(url);
        }
        Err(err) => {
            report.status = DeployStatus::Failed;
            report.reason = Some(err.to_string());
            report.next = Some(format!("see its output with `docker logs {container}`"));
        }
    }
    report.duration_s = seconds_since(started);
    Ok(report)
}

/// What removing the preview takes away (empty: nothing there).
pub async fn plan_destroy(settings: &Settings, name: &str) -> Result<Vec<String>> {
    let (docker, _) = crate::docker::connect().await?;
    Ok(containers(&docker, settings)
        .await?
        .into_iter()
        .filter(|f| f.preview.name == name)
        .map(|f| format!("container {}", f.container))
        .collect())
}

/// Remove the preview's container.
pub async fn destroy(settings: &Settings, printer: &Printer, name: &str) -> Result<()> {
    let (docker, _) = crate::docker::connect().await?;
    for f in containers(&docker, settings).await? {
        if f.preview.name == name {
            local::remove(&docker, &f.container).await?;
            printer.status("Removed", format!("preview {name} ({})", f.container));
        }
    }
    Ok(())
}
