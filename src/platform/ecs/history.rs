//! `mcp history` on ECS: the newest revisions of the live task definition's
//! family, with the tags `mcp` put on them.

use anyhow::{Context, Result};
use aws_sdk_ecs::types::TaskDefinition;

use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::release::ImageRef;
use crate::release::history::{Entry, History};
use crate::release::tags;

/// The newest `limit` revisions of the live task definition's family.
pub async fn releases(settings: &Settings, clients: &Clients, limit: usize) -> Result<History> {
    releases_until(settings, clients, limit, None::<fn(&Entry) -> bool>).await
}

/// Like [`releases`], but when `stop` is given the newest releases only down
/// to the first for which it holds (`mcp rollback`'s search).
pub async fn releases_until(
    settings: &Settings,
    clients: &Clients,
    limit: usize,
    stop: Option<impl FnMut(&Entry) -> bool>,
) -> Result<History> {
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
