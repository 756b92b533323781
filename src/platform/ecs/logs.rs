//! `mcp logs` on ECS: the service's container logs from CloudWatch Logs.
//!
//! The group, region and stream prefix come from the `awslogs` options of the
//! live task definition (`crate::aws::logs::locate`), so there is nothing to
//! configure. `--follow` keeps polling until Ctrl-C (exit 0); `--live` uses
//! CloudWatch Live Tail instead.

use anyhow::Result;

use crate::aws::logs::{self, StreamSelect};
use crate::aws::{Clients, taskdef};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform::logs::{LogsRequest, read_group, window};
use crate::ui::Printer;

/// The streams `--task` or `--revision` narrow to.
async fn select_streams(
    settings: &Settings,
    clients: &Clients,
    location: &logs::LogLocation,
    live_arn: &str,
    options: &LogsRequest,
    printer: &Printer,
) -> Result<StreamSelect> {
    let needs_prefix = || {
        McpError::usage(format!(
            "container `{}` has no `awslogs-stream-prefix`: its streams cannot be told apart by task",
            location.container
        ))
        .hint("set `awslogs-stream-prefix` in the task definition, or leave out `--task`/`--revision`")
    };
    if let Some(task) = &options.task {
        let stream = location.stream_for_task(task).ok_or_else(needs_prefix)?;
        return Ok(StreamSelect::Names(vec![stream]));
    }
    let Some(revision) = options.revision else {
        return Ok(StreamSelect::All);
    };
    let cluster = settings.cluster()?;
    let base = live_arn.rsplit_once(':').map_or(live_arn, |(base, _)| base);
    let arn = format!("{base}:{revision}");
    let ids =
        crate::aws::ecs::tasks_of_revision(clients, cluster, &settings.ecs.service, &arn).await?;
    if ids.is_empty() {
        return Err(McpError::new(format!(
            "no tasks of `{}` found in service `{}`",
            taskdef::short_name(&arn),
            settings.ecs.service
        ))
        .hint("ECS keeps stopped tasks for about an hour; `mcp history` lists the revisions, `--task ID` reads one task")
        .into());
    }
    let mut streams: Vec<String> = ids
        .iter()
        .filter_map(|id| location.stream_for_task(id))
        .collect();
    if streams.is_empty() {
        return Err(needs_prefix().into());
    }
    if streams.len() > logs::MAX_STREAM_NAMES {
        printer.warn(format!(
            "revision {revision} ran {} tasks; reading the first {}",
            streams.len(),
            logs::MAX_STREAM_NAMES
        ));
        streams.truncate(logs::MAX_STREAM_NAMES);
    }
    printer.detail(1, format!("streams: {}", streams.join(", ")));
    Ok(StreamSelect::Names(streams))
}

pub async fn logs(
    settings: &Settings,
    printer: &Printer,
    options: &LogsRequest,
) -> Result<ExitStatus> {
    let (since, until) = window(options)?;
    let clients = Clients::new(settings).await;
    let cluster = settings.cluster()?;
    let (location, definition) = logs::locate(
        &clients,
        cluster,
        &settings.ecs.service,
        settings.ecs.container.as_deref(),
        options.log_group.as_deref(),
    )
    .await?;
    let live_arn = definition.task_definition_arn().unwrap_or_default();
    let streams = select_streams(settings, &clients, &location, live_arn, options, printer).await?;
    let client = logs::client_for(&clients, location.region.as_deref());
    read_group(
        client,
        printer,
        location.group,
        streams,
        options,
        (since, until),
    )
    .await
}
