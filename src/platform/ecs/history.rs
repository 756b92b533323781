//! `mcp history` on ECS: the newest revisions of the live task definition's
//! family, with the tags `mcp` put on them.

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{SortOrder, TaskDefinition};

use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::release::ImageRef;
use crate::release::history::{Entry, History};
use crate::release::tags;

/// The newest `limit` revisions of the live task definition's family.
pub async fn releases(settings: &Settings, clients: &Clients, limit: usize) -> Result<History> {
    let cluster = settings.cluster()?.to_string();
    let service = aws::ecs::describe_service(clients, &cluster, &settings.ecs.service).await?;
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
) -> Entry {
    let image = aws::ecs::pick_container(
        def.container_definitions(),
        settings.ecs.container.as_deref(),
        def.family().unwrap_or("?"),
    )
    .ok()
    .and_then(|c| c.image())
    .map(ImageRef::parse);
    Entry {
        revision: def.revision(),
        task_definition: def.task_definition_arn().unwrap_or_default().to_string(),
        tag: tag(tags::IMAGE_TAG).or_else(|| image.as_ref().and_then(|i| i.tag.clone())),
        git_sha: tag(tags::GIT_SHA),
        image,
        registered_at: def
            .registered_at()
            .and_then(|t| jiff::Timestamp::from_second(t.secs()).ok())
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()),
        registered_by: tag(tags::DEPLOYED_BY).or_else(|| def.registered_by().map(str::to_string)),
        completed_at: tag(tags::COMPLETED_AT),
        live,
    }
}
