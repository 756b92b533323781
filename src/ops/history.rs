//! `mcp history`: the service's recent releases, newest first.

use std::fmt;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::TaskDefinition;
use serde::Serialize;

use super::rollout::{self, TAG_COMPLETED};
use super::status::split_image;
use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::error::ExitStatus;
use crate::ui::Printer;

#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub revision: i32,
    pub task_definition: String,
    pub image: Option<String>,
    pub tag: Option<String>,
    pub git_sha: Option<String>,
    pub registered_at: Option<String>,
    pub registered_by: Option<String>,
    /// When a rollout of this revision completed (set by `mcp`).
    pub completed_at: Option<String>,
    pub live: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub cluster: String,
    pub service: String,
    pub family: String,
    pub releases: Vec<Release>,
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<4} {:<10} {:<28} {:<12} {:<20} BY",
            "", "REVISION", "TAG", "GIT SHA", "REGISTERED"
        )?;
        for r in &self.releases {
            writeln!(
                f,
                "{:<4} {:<10} {:<28} {:<12} {:<20} {}",
                if r.live {
                    "live"
                } else if r.completed_at.is_some() {
                    "ok"
                } else {
                    ""
                },
                r.revision,
                r.tag.as_deref().unwrap_or("-"),
                r.git_sha
                    .as_deref()
                    .map(|s| &s[..s.len().min(12)])
                    .unwrap_or("-"),
                r.registered_at.as_deref().unwrap_or("-"),
                r.registered_by
                    .as_deref()
                    .map(|b| b.rsplit('/').next().unwrap_or(b))
                    .unwrap_or("-")
            )?;
        }
        Ok(())
    }
}

/// The newest `limit` revisions of the live task definition's family.
pub async fn releases(settings: &Settings, clients: &Clients, limit: usize) -> Result<History> {
    releases_until(settings, clients, limit, None::<fn(&Release) -> bool>).await
}

/// Like [`releases`], but when `stop` is given the newest releases only down
/// to the first for which it holds (`mcp rollback`'s search).
pub async fn releases_until(
    settings: &Settings,
    clients: &Clients,
    limit: usize,
    stop: Option<impl FnMut(&Release) -> bool>,
) -> Result<History> {
    let cluster = settings.cluster()?.to_string();
    let service = rollout::describe_service(clients, &cluster, &settings.ecs.service).await?;
    let live_arn = service
        .task_definition()
        .context("the service has no task definition")?
        .to_string();
    let family = taskdef::short_name(&live_arn)
        .rsplit_once(':')
        .map(|(f, _)| f.to_string())
        .unwrap_or_default();

    let arns = aws::revisions::list(&clients.ecs, &family, limit).await?;
    let of = |arn: &str, described: &taskdef::Described| {
        release(
            settings,
            &described.definition,
            &|key| described.tag(key),
            arn == live_arn,
        )
    };
    let releases = match stop {
        // Described in parallel (bounded), in order.
        None => aws::revisions::describe_all(&clients.ecs, &arns)
            .await?
            .iter()
            .zip(&arns)
            .map(|(described, arn)| of(arn, described))
            .collect(),
        Some(mut stop) => {
            aws::revisions::describe_until(&clients.ecs, &arns, |arn, d| stop(&of(arn, d)))
                .await?
                .iter()
                .map(|(arn, described)| of(arn, described))
                .collect()
        }
    };
    Ok(History {
        cluster,
        service: settings.ecs.service.clone(),
        family,
        releases,
    })
}

fn release(
    settings: &Settings,
    def: &TaskDefinition,
    tag: &dyn Fn(&str) -> Option<String>,
    live: bool,
) -> Release {
    let image = aws::ecs::pick_container(
        def.container_definitions(),
        settings.ecs.container.as_deref(),
        def.family().unwrap_or("?"),
    )
    .ok()
    .and_then(|c| c.image())
    .map(str::to_string);
    let (image_tag, _) = split_image(image.as_deref());
    Release {
        revision: def.revision(),
        task_definition: def.task_definition_arn().unwrap_or_default().to_string(),
        tag: tag(taskdef::TAG_IMAGE_TAG).or(image_tag),
        git_sha: tag(taskdef::TAG_GIT_SHA),
        image,
        registered_at: def
            .registered_at()
            .and_then(|t| jiff::Timestamp::from_second(t.secs()).ok())
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()),
        registered_by: tag(taskdef::TAG_DEPLOYED_BY)
            .or_else(|| def.registered_by().map(str::to_string)),
        completed_at: tag(TAG_COMPLETED),
        live,
    }
}

pub async fn history(settings: &Settings, printer: &Printer, limit: usize) -> Result<ExitStatus> {
    let clients = Clients::new(settings).await;
    let history = releases(settings, &clients, limit).await?;
    printer.data(&history)?;
    Ok(ExitStatus::Success)
}
