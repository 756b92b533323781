//! The new revision's tasks that stopped, told once each while a
//! progressive deployment is followed: a side read (DescribeTasks) whose
//! failure is a note, never the end of the follow.

use std::collections::HashSet;

use aws_sdk_ecs::types::DesiredStatus;
use tokio::time::Instant;

use super::TASKS_EVERY;
use crate::aws::Clients;
use crate::release::StoppedTask;
use crate::ui::Printer;

/// Tasks of the new revision that stopped, each told once.
pub(super) struct StoppedTasks {
    deployment_id: String,
    seen: HashSet<String>,
    found: Vec<StoppedTask>,
    next: Option<Instant>,
    /// Side reads whose failure was told (each once).
    told: HashSet<&'static str>,
}

impl StoppedTasks {
    pub(super) fn new(deployment_id: &str) -> Self {
        StoppedTasks {
            deployment_id: deployment_id.to_string(),
            seen: HashSet::new(),
            found: Vec::new(),
            next: None,
            told: HashSet::new(),
        }
    }

    /// A side read failed: say so once; the follow goes on without it.
    pub(super) fn failed(&mut self, printer: &Printer, what: &'static str, error: String) {
        if self.told.insert(what) {
            printer.note(format!(
                "        note {what} failed ({error}); following the deployment goes on without it"
            ));
        }
    }

    pub(super) fn take(&mut self) -> Vec<StoppedTask> {
        std::mem::take(&mut self.found)
    }

    /// List them again, at most every [`TASKS_EVERY`]; errors only cost a look.
    pub(super) async fn poll(&mut self, clients: &Clients, cluster: &str, printer: &Printer) {
        let now = Instant::now();
        if self.deployment_id.is_empty() || self.next.is_some_and(|t| now < t) {
            return;
        }
        self.next = Some(now + TASKS_EVERY);
        let listed = match clients
            .ecs
            .list_tasks()
            .cluster(cluster)
            .started_by(&self.deployment_id)
            .desired_status(DesiredStatus::Stopped)
            .send()
            .await
        {
            Ok(listed) => listed,
            Err(err) => {
                let error = crate::aws::describe(&err);
                return self.failed(printer, "listing stopped tasks (ListTasks)", error);
            }
        };
        let new: Vec<String> = listed
            .task_arns()
            .iter()
            .filter(|a| !self.seen.contains(*a))
            .take(100)
            .cloned()
            .collect();
        if new.is_empty() {
            return;
        }
        let described = match clients
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(new))
            .send()
            .await
        {
            Ok(described) => described,
            Err(err) => {
                let error = crate::aws::describe(&err);
                return self.failed(printer, "describing stopped tasks (DescribeTasks)", error);
            }
        };
        for task in described.tasks() {
            let Some(arn) = task.task_arn() else { continue };
            if task.last_status() != Some("STOPPED") {
                continue;
            }
            self.seen.insert(arn.to_string());
            let stopped = crate::platform::ecs::follow::stopped_task(task);
            printer.warn(format!("stopped {stopped}"));
            self.found.push(stopped);
        }
    }
}
