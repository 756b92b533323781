//! `mcp restart` on ECS: a new deployment of the revision that runs now
//! (UpdateService with `forceNewDeployment`), followed and reported like a
//! deploy. ECS reads secrets when a task starts, so this is how a rotated
//! secret reaches the service; it also replaces a wedged task.
//!
//! A restart that fails has no earlier release to go back to (it *is* the
//! live release): it ends `failed`, exit 4, with the stopped tasks and their
//! last log lines.

use std::time::Instant;

use anyhow::{Context, Result};

use super::follow;
use super::rollout::{self, Rollout};
use crate::aws::{self, Clients, taskdef};
use crate::cancel;
use crate::config::Settings;
use crate::platform::RestartRequest;
use crate::release::{DeployStatus, Report};
use crate::ui::Printer;

pub async fn restart(
    settings: &Settings,
    printer: &Printer,
    request: &RestartRequest,
) -> Result<Report> {
    let started = Instant::now();
    rollout::preflight_check(settings, true)?;
    let cluster = settings.cluster()?.to_string();
    let name = settings.ecs.service.clone();
    let clients = Clients::new(settings).await;
    let service = aws::ecs::describe_service(&clients, &cluster, &name).await?;
    rollout::ensure_ecs_controller(&service)?;
    rollout::ensure_idle(&service, request.force, printer)?;
    let live = service
        .task_definition()
        .context("the service has no task definition")?
        .to_string();

    cancel::check("before restarting the service")?;
    cancel::rolling_out(
        settings.service.as_deref(),
        &name,
        taskdef::short_name(&live),
    );
    let out = clients
        .ecs
        .update_service()
        .cluster(&cluster)
        .service(&name)
        .force_new_deployment(true)
        .send()
        .await
        .map_err(aws::error)
        .with_context(|| format!("starting a new deployment of ECS service `{name}`"))?;
    let deployment_id = out
        .service()
        .and_then(follow::deployment_id_from_update)
        .context("UpdateService started no PRIMARY deployment")?;
    printer.status(
        "Restarting",
        format!(
            "{} on {cluster}/{name} (deployment {deployment_id})",
            taskdef::short_name(&live)
        ),
    );
    let rollout = Rollout {
        settings,
        clients: &clients,
        printer,
        cluster,
        service: name.clone(),
        target_arn: live.clone(),
        // The same release: a failed restart has nothing earlier to go back to.
        previous_arn: Some(live),
        restoring: false,
        deployment_id,
        image: None,
        digest: None,
        started,
        seen: Default::default(),
        check: true,
        logs: false,
        // `mcp restart` is the rolling platform's only.
        restore: &rollout::UpdateService,
    };
    let report = rollout.see_through().await?;
    if report.status != DeployStatus::Interrupted {
        cancel::settled(settings.service.as_deref(), &name);
    }
    Ok(report)
}
