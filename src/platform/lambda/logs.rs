//! `mcp logs` on a Lambda stage: the function's log group
//! (`/aws/lambda/NAME`, or `--log-group`), read, followed, or tailed with
//! CloudWatch Live Tail (`--live`). `--revision N` reads version N's streams
//! (Lambda names them `YYYY/MM/DD/[N]…`); `--task` has no meaning here.

use anyhow::Result;

use crate::aws::Clients;
use crate::aws::logs::{self, StreamSelect};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform::logs::{LogsRequest, read_group, window};
use crate::ui::Printer;

/// The log group Lambda writes the function's output to.
pub fn group(function: &str) -> String {
    format!("/aws/lambda/{function}")
}

pub async fn logs(
    settings: &Settings,
    printer: &Printer,
    options: &LogsRequest,
) -> Result<ExitStatus> {
    if options.task.is_some() {
        return Err(McpError::usage(
            "--task reads one ECS task's logs; a Lambda stage has no tasks",
        )
        .hint("`--revision N` reads version N's output")
        .into());
    }
    let (since, until) = window(options)?;
    let clients = Clients::new(settings).await;
    let group = options
        .log_group
        .clone()
        .unwrap_or_else(|| group(&settings.lambda.function));
    let streams = match options.revision {
        // Streams are `YYYY/MM/DD/[VERSION]<id>`: the date comes first, so a
        // version is picked out by each event's stream, not by a prefix.
        Some(version) => StreamSelect::Names(
            version_streams(&clients, &group, version, since.as_millisecond()).await?,
        ),
        None => StreamSelect::All,
    };
    let client = logs::client_for(&clients, None);
    read_group(client, printer, group, streams, options, (since, until)).await
}

/// The streams of `version` with events since `since_ms`.
async fn version_streams(
    clients: &Clients,
    group: &str,
    version: u32,
    since_ms: i64,
) -> Result<Vec<String>> {
    let marker = format!("[{version}]");
    let out = clients
        .logs
        .describe_log_streams()
        .log_group_name(group)
        .order_by(aws_sdk_cloudwatchlogs::types::OrderBy::LastEventTime)
        .descending(true)
        .limit(50)
        .send()
        .await
        .map_err(|e| {
            crate::aws::denied::sdk_error(
                e,
                "logs:DescribeLogStreams",
                group,
                format!("listing the streams of {group}"),
            )
        })?;
    let mut names: Vec<String> = out
        .log_streams()
        .iter()
        .filter(|s| s.last_event_timestamp().is_none_or(|t| t >= since_ms))
        .filter_map(|s| s.log_stream_name())
        .filter(|n| n.contains(&marker))
        .map(str::to_string)
        .collect();
    names.truncate(logs::MAX_STREAM_NAMES);
    if names.is_empty() {
        return Err(McpError::new(format!("no streams of version {version} in {group}"))
            .hint("a version writes logs once it has served a request; `mcp history` lists the versions")
            .into());
    }
    Ok(names)
}
