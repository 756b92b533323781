//! `mcp scale` on ECS: take a service offline (0) and back, waiting for ECS
//! to start or stop the tasks like a deploy waits for a rollout.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::aws::{self, Clients};
use crate::config::Settings;
use crate::error::McpError;
use crate::release::report::seconds_since;
use crate::ui::Printer;

#[derive(Debug, Clone, Serialize)]
pub struct Scaled {
    pub cluster: String,
    pub service: String,
    pub previous_desired: i32,
    pub desired: i32,
    pub running: i32,
    pub duration_s: f64,
}

impl fmt::Display for Scaled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} runs {} of {} tasks (was {})",
            self.service, self.running, self.desired, self.previous_desired
        )
    }
}

pub async fn scale(
    settings: &Settings,
    printer: &Printer,
    count: i32,
    wait: bool,
) -> Result<Scaled> {
    let started = Instant::now();
    let cluster = settings.cluster()?.to_string();
    let name = settings.ecs.service.clone();
    let clients = Clients::new(settings).await;
    let before = aws::ecs::describe_service(&clients, &cluster, &name).await?;
    let previous_desired = before.desired_count();
    // `[cost] monthly_limit` holds for a scale as for a deploy.
    let arn = before.task_definition().unwrap_or_default();
    let described = aws::taskdef::describe(&clients.ecs, arn).await?;
    let live = super::cost::Live {
        cluster: &cluster,
        service: &before,
        definition: &described.definition,
    };
    let doing = format!("scaling to {count} tasks");
    super::cost::guard(
        settings,
        &clients,
        printer,
        live,
        |i| i.tasks = count,
        false,
        &doing,
    )
    .await?;
    clients
        .ecs
        .update_service()
        .cluster(&cluster)
        .service(&name)
        .desired_count(count)
        .send()
        .await
        .map_err(aws::error)
        .with_context(|| format!("scaling `{name}` to {count}"))?;
    printer.status(
        "Scaling",
        format!("{cluster}/{name} from {previous_desired} to {count} tasks"),
    );

    let deadline = started + settings.deploy.timeout;
    let mut running = before.running_count();
    let mut last = String::new();
    let mut interval = Duration::from_millis(500);
    if wait {
        loop {
            let service = aws::ecs::describe_service(&clients, &cluster, &name).await?;
            running = service.running_count();
            let pending = service.pending_count();
            let line = format!("{running}/{count} running, {pending} pending");
            if line != last {
                printer.status("Tasks", &line);
                last = line;
                interval = Duration::from_millis(500);
            } else {
                interval = (interval * 3 / 2).min(Duration::from_secs(2));
            }
            if running == count && pending == 0 && service.deployments().len() <= 1 {
                break;
            }
            if Instant::now() >= deadline {
                return Err(McpError::new(format!(
                    "`{name}` did not reach {count} running tasks within {}s ({running} running)",
                    settings.deploy.timeout.as_secs()
                ))
                .hint(format!(
                    "see why with `mcp status{}`; tasks that stop show their reasons there",
                    service_flag(settings)
                ))
                .into());
            }
            tokio::time::sleep(interval).await;
        }
    }
    let scaled = Scaled {
        cluster,
        service: name,
        previous_desired,
        desired: count,
        running,
        duration_s: seconds_since(started),
    };
    if wait {
        printer.status(
            "Scaled",
            format!("{} to {count} in {:.0}s", scaled.service, scaled.duration_s),
        );
    }
    Ok(scaled)
}

fn service_flag(settings: &Settings) -> String {
    settings
        .service
        .as_ref()
        .map(|s| format!(" {s}"))
        .unwrap_or_default()
}
