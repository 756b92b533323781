//! `mcp history`: the service's recent releases, newest first.

use std::fmt;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{SortOrder, TaskDefinition};
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

    let mut arns = Vec::new();
    let mut pages = clients
        .ecs
        .list_task_definitions()
        .family_prefix(&family)
        .sort(SortOrder::Desc)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(aws::error)
            .with_context(|| format!("listing revisions of `{family}`"))?;
        // familyPrefix matches `family-other` too: keep this family only.
        arns.extend(
            page.task_definition_arns()
                .iter()
                .filter(|a| {
                    taskdef::short_name(a).rsplit_once(':').map(|(f, _)| f) == Some(family.as_str())
                })
                .cloned(),
        );
        if arns.len() >= limit {
            break;
        }
    }
    // Newest first whatever order the pages came in (simulators may ignore `sort`).
    arns.sort_by_key(|a| std::cmp::Reverse(taskdef::revision_of(a).unwrap_or(0)));
    arns.truncate(limit);

    let mut releases = Vec::new();
    for arn in arns {
        let described = taskdef::describe(&clients.ecs, &arn).await?;
        let tag = |key: &str| described.tag(key);
        let def = &described.definition;
        releases.push(release(settings, def, &tag, arn == live_arn));
    }
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
