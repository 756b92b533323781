//! `mcp rollback` during a progressive deployment or its bake: ECS's own
//! instant rollback (`StopServiceDeployment` ROLLBACK), followed to its end.

use anyhow::Result;
use aws_sdk_ecs::types::StopServiceDeploymentStopType;
use tokio::time::Instant;

use super::follow::{self, Phase, Tracker};
use super::seam::{self, DeployStatus, Report};
use super::{MAX_POLL, MIN_POLL, preflight, short_arn};
use crate::aws::{Clients, service_deployments as sds, taskdef};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;

/// `mcp rollback` while a blue/green, canary or linear deployment runs or
/// bakes: the old revision still runs, so `StopServiceDeployment` ROLLBACK
/// puts production back on it in seconds. `None` when there is no such
/// deployment (the caller then deploys an earlier revision).
pub async fn instant_rollback(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    cluster: &str,
    service_name: &str,
    started: std::time::Instant,
) -> Result<Option<Report>> {
    let service = crate::aws::ecs::describe_service(clients, cluster, service_name).await?;
    let Some(arn) = service.current_service_deployment() else {
        return Ok(None);
    };
    let sd = sds::describe(&clients.ecs, arn).await?;
    // Rolling deployments have no lifecycle stage and cannot be stopped this way.
    if sd.lifecycle_stage().is_none() {
        return Ok(None);
    }
    use aws_sdk_ecs::types::ServiceDeploymentStatus as S;
    let status = sd.status().cloned();
    if !matches!(
        status,
        Some(S::Pending | S::InProgress | S::RollbackRequested | S::RollbackInProgress)
    ) {
        return Ok(None);
    }
    let strategy = preflight::service_strategy(&service);
    let green = service.task_definition().unwrap_or_default().to_string();
    let blue = service
        .deployments()
        .iter()
        .find(|d| d.status() != Some("PRIMARY"))
        .and_then(|d| d.task_definition())
        .map(str::to_string);
    if matches!(status, Some(S::Pending | S::InProgress)) {
        printer.status(
            "Rolling back",
            format!(
                "{} deployment {} at {} (StopServiceDeployment ROLLBACK): the old revision still runs",
                strategy,
                short_arn(arn),
                sd.lifecycle_stage().map(|s| s.as_str()).unwrap_or("?")
            ),
        );
        sds::stop(&clients.ecs, arn, StopServiceDeploymentStopType::Rollback).await?;
    } else {
        printer.status(
            "Following",
            format!("the rollback of {} already under way", short_arn(arn)),
        );
    }
    let deadline = Instant::now() + settings.deploy.timeout;
    let mut tracker = Tracker::new(None, false);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let outcome = loop {
        let sd = match sds::describe(&clients.ecs, arn).await {
            Ok(sd) => sd,
            Err(err) if sds::is_transient(&err) => {
                tokio::time::sleep(MAX_POLL).await;
                continue;
            }
            Err(err) => return Err(err),
        };
        let (lines, phase) = tracker.observe(&sd, Instant::now());
        for l in lines {
            printer.status(l.verb, l.text);
        }
        match phase {
            Phase::RolledBack { .. } => break DeployStatus::Succeeded,
            Phase::RollbackFailed { reason } => {
                return Err(McpError::new(format!(
                    "ECS could not roll back {}: {reason}",
                    short_arn(arn)
                ))
                .with_status(ExitStatus::DeployNotRestored)
                .hint("see what runs with `mcp status`")
                .into());
            }
            Phase::Complete => {
                return Err(McpError::new(format!(
                    "the deployment {} completed before the rollback took effect",
                    short_arn(arn)
                ))
                .hint("run `mcp rollback` again: it deploys the earlier revision")
                .into());
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            break DeployStatus::Failed;
        }
        tokio::select! {
            _ = &mut interrupted => break DeployStatus::Interrupted,
            () = tokio::time::sleep(MIN_POLL) => {}
        }
    };
    let live = crate::aws::ecs::describe_service(clients, cluster, service_name)
        .await
        .ok()
        .and_then(|s| s.task_definition().map(str::to_string));
    let revision = blue.clone().or(live.clone()).unwrap_or_default();
    Ok(Some(Report {
        status: outcome,
        cluster: cluster.to_string(),
        service: service_name.to_string(),
        revision: taskdef::short_name(&revision).to_string(),
        previous_revision: Some(taskdef::short_name(&green).to_string()),
        live_revision: live.as_deref().map(|a| taskdef::short_name(a).to_string()),
        image: None,
        digest: None,
        deployment_id: None,
        duration_s: seam::seconds_since(started),
        reason: match outcome {
            DeployStatus::Failed => Some(format!(
                "the rollback did not finish within {} (deploy.timeout)",
                follow::human(settings.deploy.timeout)
            )),
            DeployStatus::Interrupted => Some("interrupted; ECS goes on with the rollback".into()),
            _ => None,
        },
        stopped_tasks: Vec::new(),
        next: None,
        check: None,
        failed_task_logs: Vec::new(),
        strategy: Some(strategy),
        stage: tracker.stage().map(str::to_string),
        gate: None,
        service_deployment: Some(arn.to_string()),
        client_url: None,
        preview_url: None,
    }))
}
