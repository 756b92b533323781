//! The logs side of an ECS rollout: with `--logs`, the new tasks' output
//! streamed while the rollout is followed; after a failure, the last lines of
//! the first failed tasks, printed and kept in the report.

use std::time::Duration;

use anyhow::Result;

use super::follow::Outcome;
use super::rollout::{Rollout, watch};
use crate::aws::logs::{self, LogLine, LogLocation, Query, Reader, StreamSelect, Tail};
use crate::release::{StoppedTask, TaskLog};

impl Rollout<'_> {
    /// Follow a deployment; with `--logs`, print its tasks' log lines meanwhile.
    pub(super) async fn watch_with_logs(
        &self,
        deployment_id: &str,
        timeout: Duration,
    ) -> Result<Outcome> {
        let options = self.options(deployment_id, timeout);
        let watching = watch(self.clients, self.printer, &options, &self.seen);
        if !self.logs {
            return watching.await;
        }
        tokio::pin!(watching);
        let location = self.target_log_location().await;
        let Some(location) = location else {
            return watching.await;
        };
        let client = logs::client_for(self.clients, location.region.as_deref());
        let start_ms = jiff::Timestamp::now().as_millisecond() - 5_000;
        let mut tail: Option<Tail> = None;
        let mut known: Vec<String> = Vec::new();
        let mut refresh = tokio::time::interval(Duration::from_secs(2));
        loop {
            tokio::select! {
                outcome = &mut watching => {
                    // Give the last lines a moment to arrive.
                    if let Some(tail) = tail.as_mut() {
                        while let Ok(Some(Ok(batch))) = tokio::time::timeout(Duration::from_millis(1500), tail.recv()).await {
                            self.print_log_lines(&batch.lines);
                        }
                    }
                    return outcome;
                }
                Some(Ok(batch)) = async { match tail.as_mut() { Some(t) => t.recv().await, None => std::future::pending().await } } => {
                    self.print_log_lines(&batch.lines);
                }
                _ = refresh.tick() => {
                    let streams: Vec<String> = self
                        .deployment_tasks(deployment_id)
                        .await
                        .iter()
                        .filter_map(|task| location.stream_for_task(task))
                        .collect();
                    if !streams.is_empty() && streams != known {
                        known = streams.clone();
                        let select = StreamSelect::Names(streams);
                        match &tail {
                            Some(t) => t.set_streams(select),
                            None => {
                                let query = Query { group: location.group.clone(), streams: select, filter_pattern: None };
                                let reader = Reader::new(client.clone(), query, start_ms, None, true, Default::default());
                                tail = Some(Tail::spawn(reader));
                            }
                        }
                    }
                }
            }
        }
    }

    fn print_log_lines(&self, lines: &[LogLine]) {
        for line in lines {
            let task = line
                .task
                .as_deref()
                .map(|t| &t[..t.len().min(8)])
                .unwrap_or("-");
            self.printer
                .note(format!("{:>12} {task} {}", "Log", line.message));
        }
    }

    /// Ids of the tasks a deployment started (running and stopped).
    async fn deployment_tasks(&self, deployment_id: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for status in [
            aws_sdk_ecs::types::DesiredStatus::Running,
            aws_sdk_ecs::types::DesiredStatus::Stopped,
        ] {
            let filter = crate::aws::ecs::TaskFilter {
                started_by: Some(deployment_id),
                desired: Some(status),
                ..Default::default()
            };
            if let Ok(arns) =
                crate::aws::ecs::list_task_arns(&self.clients.ecs, &self.cluster, filter).await
            {
                ids.extend(arns.iter().map(|a| logs::task_id_of(a).to_string()));
            }
        }
        ids
    }

    /// Where the revision being deployed sends its logs, if it uses awslogs.
    async fn target_log_location(&self) -> Option<LogLocation> {
        let out = self
            .clients
            .ecs
            .describe_task_definition()
            .task_definition(&self.target_arn)
            .send()
            .await
            .ok()?;
        let definition = out.task_definition()?;
        logs::location_in(definition, self.settings.ecs.container.as_deref(), None).ok()
    }

    /// The last lines of the first failed tasks' logs, printed as they are fetched.
    /// Ctrl-C ends the fetching with what was gathered so far.
    pub(super) async fn failed_task_logs(&self, stopped: &[StoppedTask]) -> Vec<TaskLog> {
        let mut logs = Vec::new();
        tokio::select! {
            biased;
            () = crate::cancel::cancelled() => {}
            () = self.gather_failed_task_logs(stopped, &mut logs) => {}
        }
        logs
    }

    async fn gather_failed_task_logs(&self, stopped: &[StoppedTask], logs: &mut Vec<TaskLog>) {
        let Some(location) = self.target_log_location().await else {
            return;
        };
        let client = logs::client_for(self.clients, location.region.as_deref());
        let mut told = false;
        for task in stopped.iter().take(2) {
            let Some(stream) = location.stream_for_task(&task.task_id) else {
                continue;
            };
            // A side read: its failure is a note (once), never the report's end.
            let lines = match logs::last_lines(&client, &location.group, &stream, 10).await {
                Ok(lines) => lines,
                Err(err) => {
                    if !std::mem::replace(&mut told, true) {
                        self.printer.note(format!(
                            "        note reading the failed tasks' log lines (GetLogEvents) failed ({err:#}); the report goes on without them"
                        ));
                    }
                    continue;
                }
            };
            if lines.is_empty() {
                continue;
            }
            self.printer.note(format!(
                "{:>12} last lines of task {}:",
                "Logs", task.task_id
            ));
            for line in &lines {
                self.printer
                    .note(format!("             | {}", line.message));
            }
            logs.push(TaskLog {
                task_id: task.task_id.clone(),
                stream,
                lines: lines.into_iter().map(|l| l.message).collect(),
            });
        }
    }
}
