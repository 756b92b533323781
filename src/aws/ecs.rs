//! Small ECS helpers shared by doctor, deploy and logs.

use anyhow::{Context, Result};
use aws_sdk_ecs::error::SdkError;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksError;
use aws_sdk_ecs::operation::list_tasks::ListTasksError;
use aws_sdk_ecs::types::{ContainerDefinition, DesiredStatus, Task};

use super::Clients;
use crate::error::McpError;

/// `DescribeTasks` takes at most this many tasks per call.
pub const DESCRIBE_TASKS_MAX: usize = 100;

/// Which tasks [`list_task_arns`] lists.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter<'a> {
    pub service: Option<&'a str>,
    /// ECS sets a service task's `startedBy` to the id of its deployment.
    pub started_by: Option<&'a str>,
    pub desired: Option<DesiredStatus>,
}

/// `ListTasks`, every page (100 tasks a page): the ARNs of the tasks `filter` selects.
pub async fn list_task_arns(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    filter: TaskFilter<'_>,
) -> Result<Vec<String>, SdkError<ListTasksError>> {
    let mut arns = Vec::new();
    let mut pages = ecs
        .list_tasks()
        .cluster(cluster)
        .set_service_name(filter.service.map(str::to_string))
        .set_started_by(filter.started_by.map(str::to_string))
        .set_desired_status(filter.desired)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        arns.extend(page?.task_arns().iter().cloned());
    }
    Ok(arns)
}

/// `DescribeTasks` for any number of tasks, [`DESCRIBE_TASKS_MAX`] a call.
pub async fn describe_tasks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<Task>, SdkError<DescribeTasksError>> {
    let mut tasks = Vec::with_capacity(arns.len());
    for chunk in arns.chunks(DESCRIBE_TASKS_MAX) {
        let out = ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(chunk.to_vec()))
            .send()
            .await?;
        tasks.extend(out.tasks().iter().cloned());
    }
    Ok(tasks)
}

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
        let filter = TaskFilter {
            service: Some(service),
            desired: Some(desired),
            ..TaskFilter::default()
        };
        arns.extend(
            list_task_arns(&clients.ecs, cluster, filter)
                .await
                .map_err(super::error)
                .with_context(|| format!("listing the tasks of service `{service}`"))?,
        );
    }
    arns.sort();
    arns.dedup();
    let tasks = describe_tasks(&clients.ecs, cluster, &arns)
        .await
        .map_err(super::error)
        .with_context(|| format!("describing the tasks of service `{service}`"))?;
    Ok(tasks
        .iter()
        .filter(|task| task.task_definition_arn() == Some(task_definition_arn))
        .filter_map(|task| task.task_arn())
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_string())
        .collect())
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
    use std::sync::{Arc, Mutex};

    use aws_sdk_ecs::Client;
    use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
    use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
    use aws_smithy_mocks::{RuleMode, mock};

    use crate::aws::mock_client;

    fn task_arn(i: usize) -> String {
        format!("arn:aws:ecs:us-east-1:1:task/c/{i:032x}")
    }

    /// Guards issue 11 item 8: a service with hundreds of tasks is listed to
    /// the last page and described 100 tasks a call.
    #[tokio::test]
    async fn hundreds_of_tasks_are_paged_and_described_in_batches() {
        // ListTasks answers 100 a page: 250 tasks are three pages.
        let list = mock!(Client::list_tasks).then_compute_output(|req| {
            let start: usize = req.next_token().map_or(0, |t| t.parse().unwrap());
            let end = (start + 100).min(250);
            ListTasksOutput::builder()
                .set_task_arns(Some((start..end).map(task_arn).collect()))
                .set_next_token((end < 250).then(|| end.to_string()))
                .build()
        });
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let describe = mock!(Client::describe_tasks).then_compute_output(move |req| {
            seen.lock().unwrap().push(req.tasks().len());
            DescribeTasksOutput::builder()
                .set_tasks(Some(
                    req.tasks()
                        .iter()
                        .map(|arn| Task::builder().task_arn(arn).build())
                        .collect(),
                ))
                .build()
        });
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&list, &describe]);
        let arns = list_task_arns(&ecs, "c", TaskFilter::default())
            .await
            .unwrap();
        assert_eq!(arns.len(), 250);
        assert_eq!(list.num_calls(), 3);
        let tasks = describe_tasks(&ecs, "c", &arns).await.unwrap();
        assert_eq!(tasks.len(), 250);
        assert_eq!(*batches.lock().unwrap(), [100, 100, 50]);
        assert_eq!(tasks[249].task_arn(), Some(task_arn(249).as_str()));
    }

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
