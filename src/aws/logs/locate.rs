//! Where a service's logs are: the `awslogs` options of the container a deploy
//! replaces, read from the service's *live* task definition, so `mcp logs`
//! needs no configuration of its own.
//!
//! ECS tasks that use the `awslogs` driver write each container's output to the
//! stream `<awslogs-stream-prefix>/<container>/<task-id>` of the group named in
//! the container's `logConfiguration`.

use anyhow::{Context, Result};
use aws_config::Region;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_ecs::types::{LogDriver, TaskDefinition};

use crate::aws::{Clients, taskdef};
use crate::error::McpError;

/// Where a service's container logs go, read from its task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLocation {
    /// `awslogs-group` (or `--log-group`).
    pub group: String,
    /// `awslogs-region`, when set; else the region `mcp` uses.
    pub region: Option<String>,
    /// `awslogs-stream-prefix`; without it stream names are not predictable.
    pub stream_prefix: Option<String>,
    /// The container whose logs these are.
    pub container: String,
    /// The task definition read (`family:revision`).
    pub task_definition: String,
}

impl LogLocation {
    /// The stream a task's container writes to: `<prefix>/<container>/<task-id>`.
    pub fn stream_for_task(&self, task_id: &str) -> Option<String> {
        let prefix = self.stream_prefix.as_ref()?;
        Some(format!(
            "{prefix}/{}/{}",
            self.container,
            task_id_of(task_id)
        ))
    }

    /// The prefix every stream of the container shares: `<prefix>/<container>/`.
    pub fn container_streams(&self) -> Option<String> {
        let prefix = self.stream_prefix.as_ref()?;
        Some(format!("{prefix}/{}/", self.container))
    }
}

/// A task id from an id or an ARN (`arn:…:task/cluster/abc` → `abc`).
pub fn task_id_of(task: &str) -> &str {
    task.rsplit('/').next().unwrap_or(task)
}

/// Where the chosen container of `definition` logs to; `group` overrides the
/// group and makes a missing `awslogs` configuration acceptable.
pub fn location_in(
    definition: &TaskDefinition,
    container: Option<&str>,
    group: Option<&str>,
) -> Result<LogLocation> {
    let family = definition.family().unwrap_or("?");
    let chosen =
        crate::aws::ecs::pick_container(definition.container_definitions(), container, family)?;
    let name = chosen.name().unwrap_or_default().to_string();
    let task_definition =
        taskdef::short_name(definition.task_definition_arn().unwrap_or(family)).to_string();
    let config = chosen.log_configuration();
    let options = config
        .filter(|c| c.log_driver() == &LogDriver::Awslogs)
        .and_then(|c| c.options());
    let option = |key: &str| options.and_then(|o| o.get(key)).cloned();
    let group = match (group, option("awslogs-group")) {
        (Some(group), _) => group.to_string(),
        (None, Some(group)) => group,
        (None, None) => {
            let how = match config {
                Some(c) => format!("uses the `{}` log driver", c.log_driver().as_str()),
                None => "has no logConfiguration".to_string(),
            };
            return Err(McpError::usage(format!(
                "container `{name}` of task definition `{task_definition}` {how}, not `awslogs`: \
                 its logs are not in CloudWatch Logs"
            ))
            .hint(
                "give the container a logConfiguration with logDriver `awslogs` \
                 (awslogs-group, awslogs-region, awslogs-stream-prefix), \
                 or name the group with `--log-group`",
            )
            .into());
        }
    };
    Ok(LogLocation {
        group,
        region: option("awslogs-region"),
        stream_prefix: option("awslogs-stream-prefix"),
        container: name,
        task_definition,
    })
}

/// Where the live task definition of `service` sends the chosen container's logs.
pub async fn locate(
    clients: &Clients,
    cluster: &str,
    service: &str,
    container: Option<&str>,
    group: Option<&str>,
) -> Result<(LogLocation, TaskDefinition)> {
    let live = crate::aws::ecs::describe_service(clients, cluster, service)
        .await?
        .task_definition()
        .context("the service has no task definition")?
        .to_string();
    let definition = clients
        .ecs
        .describe_task_definition()
        .task_definition(&live)
        .send()
        .await
        .map_err(crate::aws::error)
        .with_context(|| format!("reading task definition `{}`", taskdef::short_name(&live)))?
        .task_definition
        .context("DescribeTaskDefinition returned no task definition")?;
    Ok((location_in(&definition, container, group)?, definition))
}

/// A CloudWatch Logs client for `region` (the awslogs region may differ from ours).
pub fn client_for(clients: &Clients, region: Option<&str>) -> Client {
    match region {
        Some(region) if Some(region) != clients.region() => Client::from_conf(
            aws_sdk_cloudwatchlogs::config::Builder::from(&clients.config)
                .region(Region::new(region.to_string()))
                .build(),
        ),
        _ => clients.logs.clone(),
    }
}

/// The ARN Live Tail needs for a group name.
pub async fn group_arn(client: &Client, group: &str) -> Result<String> {
    let out = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(crate::aws::error)
        .with_context(|| format!("looking up log group `{group}`"))?;
    let found = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .ok_or_else(|| McpError::new(format!("log group `{group}` does not exist")))?;
    found
        .log_group_arn()
        .map(str::to_string)
        .or_else(|| found.arn().map(|a| a.trim_end_matches(":*").to_string()))
        .with_context(|| format!("log group `{group}` has no ARN"))
}

#[cfg(test)]
mod tests {

    use super::*;
    use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration};

    use super::super::reader::tests::GROUP;
    use super::super::task_of_stream;

    fn definition(log: Option<LogConfiguration>) -> TaskDefinition {
        TaskDefinition::builder()
            .family("weather")
            .task_definition_arn("arn:aws:ecs:us-east-1:1:task-definition/weather:7")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("mcp")
                    .set_log_configuration(log)
                    .build(),
            )
            .build()
    }

    #[test]
    fn the_location_comes_from_awslogs_options() {
        let awslogs = LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", GROUP)
            .options("awslogs-region", "eu-west-1")
            .options("awslogs-stream-prefix", "ecs")
            .build()
            .unwrap();
        let location = location_in(&definition(Some(awslogs)), None, None).unwrap();
        assert_eq!(
            location,
            LogLocation {
                group: GROUP.into(),
                region: Some("eu-west-1".into()),
                stream_prefix: Some("ecs".into()),
                container: "mcp".into(),
                task_definition: "weather:7".into(),
            }
        );
        assert_eq!(
            location
                .stream_for_task("arn:aws:ecs:us-east-1:1:task/c/0123")
                .as_deref(),
            Some("ecs/mcp/0123")
        );
        assert_eq!(task_of_stream("ecs/mcp/0123"), Some("0123"));
        assert_eq!(task_of_stream("a/b/c/mcp/0123"), Some("0123"));
        assert_eq!(task_of_stream("mcp/0123"), None);
    }

    #[test]
    fn no_awslogs_is_a_clear_error_unless_a_group_is_given() {
        let firelens = LogConfiguration::builder()
            .log_driver(LogDriver::Awsfirelens)
            .build()
            .unwrap();
        for (log, how) in [
            (None, "has no logConfiguration"),
            (Some(firelens), "uses the `awsfirelens` log driver"),
        ] {
            let err = location_in(&definition(log.clone()), None, None).unwrap_err();
            let mcp = err.downcast_ref::<McpError>().unwrap();
            assert!(mcp.message.contains(how), "{}", mcp.message);
            assert!(mcp.hint.as_ref().unwrap().contains("--log-group"));
            let given = location_in(&definition(log), None, Some("/custom")).unwrap();
            assert_eq!(given.group, "/custom");
            assert_eq!(given.stream_for_task("x"), None);
        }
    }
}
