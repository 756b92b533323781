//! Small ECS helpers shared by doctor, deploy and logs.

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{ContainerDefinition, DesiredStatus};

use super::Clients;
use crate::error::McpError;

/// `DescribeTasks` takes at most this many tasks per call.
const DESCRIBE_TASKS_MAX: usize = 100;

/// The ids of the service's tasks, running or recently stopped (ECS keeps
/// stopped tasks for about an hour), that run `task_definition_arn`.
pub async fn tasks_of_revision(
    clients: &Clients,
    cluster: &str,
    service: &str,
    task_definition_arn: &str,
) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    for desired in [DesiredStatus::Running, DesiredStatus::Stopped] {
        let mut token = None;
        loop {
            let out = clients
                .ecs
                .list_tasks()
                .cluster(cluster)
                .service_name(service)
                .desired_status(desired.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(super::error)
                .with_context(|| format!("listing the tasks of service `{service}`"))?;
            arns.extend(out.task_arns().iter().cloned());
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    arns.sort();
    arns.dedup();
    let mut ids = Vec::new();
    for chunk in arns.chunks(DESCRIBE_TASKS_MAX) {
        let out = clients
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(super::error)
            .with_context(|| format!("describing the tasks of service `{service}`"))?;
        for task in out.tasks() {
            if task.task_definition_arn() == Some(task_definition_arn)
                && let Some(arn) = task.task_arn()
            {
                ids.push(arn.rsplit('/').next().unwrap_or(arn).to_string());
            }
        }
    }
    Ok(ids)
}

/// The container whose image a deploy replaces: the one named in `ecs.container`;
/// otherwise the only container; otherwise the first essential one.
pub fn pick_container<'a>(
    containers: &'a [ContainerDefinition],
    wanted: Option<&str>,
    family: &str,
) -> Result<&'a ContainerDefinition> {
    let names = || {
        containers
            .iter()
            .filter_map(|c| c.name())
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = wanted {
        return containers
            .iter()
            .find(|c| c.name() == Some(wanted))
            .ok_or_else(|| {
                McpError::usage(format!(
                    "task definition `{family}` has no container named `{wanted}`"
                ))
                .hint(format!(
                    "set `ecs.container` in mcp.toml to one of: {}",
                    names()
                ))
                .into()
            });
    }
    if let [only] = containers {
        return Ok(only);
    }
    containers
        .iter()
        .find(|c| c.essential().unwrap_or(true))
        .ok_or_else(|| {
            McpError::usage(format!(
                "task definition `{family}` has several containers and none is essential"
            ))
            .hint(format!(
                "set `ecs.container` in mcp.toml to one of: {}",
                names()
            ))
            .into()
        })
}

/// The service, which must exist and be ACTIVE.
pub async fn describe_service(
    clients: &super::Clients,
    cluster: &str,
    service: &str,
) -> Result<aws_sdk_ecs::types::Service> {
    use anyhow::Context;
    let out = clients
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("describing ECS service `{service}` in cluster `{cluster}`"))?;
    out.services().iter().find(|s| s.status() == Some("ACTIVE")).cloned().ok_or_else(|| {
        McpError::new(format!("ECS service `{service}` not found (or not ACTIVE) in cluster `{cluster}`"))
            .hint("check `ecs.cluster` and `ecs.service` in mcp.toml (`mcp doctor` checks both); mcp deploys to an existing service")
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, essential: bool) -> ContainerDefinition {
        ContainerDefinition::builder()
            .name(name)
            .essential(essential)
            .build()
    }

    #[test]
    fn named_only_and_first_essential() {
        let sidecar_first = [
            container("log-router", false),
            container("mcp", true),
            container("proxy", true),
        ];
        assert_eq!(
            pick_container(&sidecar_first, None, "f").unwrap().name(),
            Some("mcp")
        );
        assert_eq!(
            pick_container(&sidecar_first, Some("proxy"), "f")
                .unwrap()
                .name(),
            Some("proxy")
        );
        let only = [container("app", false)];
        assert_eq!(
            pick_container(&only, None, "f").unwrap().name(),
            Some("app")
        );
        let err = pick_container(&sidecar_first, Some("nope"), "f").unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert!(
            mcp.hint
                .as_ref()
                .unwrap()
                .contains("`log-router`, `mcp`, `proxy`")
        );
    }
}
