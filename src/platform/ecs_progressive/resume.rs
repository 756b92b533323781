//! Picking up a progressive deployment that is already under way
//! (`mcp status --wait`): find it, follow it by ARN to its end, run the gate
//! if it waits at the gate's pause.

use anyhow::Result;

use super::follow::WaitUntil;
use super::seam::Report;
use super::{Deployment, preflight, short_arn};
use crate::aws::{Clients, service_deployments as sds, taskdef};
use crate::config::Settings;
use crate::ui::Printer;

/// `mcp status --wait` while a blue/green, canary or linear deployment is in
/// progress: follow it by ARN to its end, running the MCP gate if it waits at
/// the gate's pause (so a deploy interrupted there can be resumed). `None`
/// when the current service deployment is not such a one in progress.
pub async fn resume(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
) -> Result<Option<Report>> {
    use aws_sdk_ecs::types::ServiceDeploymentStatus as S;
    let started = std::time::Instant::now();
    let cluster = settings.cluster()?;
    let service =
        crate::aws::ecs::describe_service(clients, cluster, &settings.ecs.service).await?;
    let Some(arn) = service.current_service_deployment() else {
        return Ok(None);
    };
    let sd = sds::describe(&clients.ecs, arn).await?;
    let in_progress = matches!(
        sd.status(),
        Some(S::Pending | S::InProgress | S::RollbackRequested | S::RollbackInProgress)
    );
    if sd.lifecycle_stage().is_none() || !in_progress {
        return Ok(None);
    }
    // What mcp.toml says of the gate; a configuration that no longer fits the
    // service must not stop anyone from watching the deployment.
    let plan = match preflight::plan(settings, &service, true) {
        Ok(plan) => plan,
        Err(err) => {
            printer.warn(format!(
                "following without the MCP gate: {}",
                crate::error::one_line(&err)
            ));
            preflight::Plan {
                strategy: preflight::service_strategy(&service),
                configuration: None,
                gate: None,
                bake: None,
            }
        }
    };
    let target = match sd.target_service_revision().and_then(|r| r.arn()) {
        Some(revision) => sds::revision_task_definition(&clients.ecs, revision).await?,
        None => None,
    }
    .or_else(|| service.task_definition().map(str::to_string))
    .unwrap_or_default();
    let previous = service
        .deployments()
        .iter()
        .filter_map(|d| d.task_definition())
        .find(|td| *td != target)
        .map(str::to_string);
    let deployment_id = service
        .deployments()
        .iter()
        .find(|d| d.task_definition() == Some(target.as_str()))
        .and_then(|d| d.id())
        .unwrap_or_default()
        .to_string();
    printer.status(
        "Following",
        format!(
            "{} deployment {} of {} (at {})",
            plan.strategy,
            short_arn(arn),
            taskdef::short_name(&target),
            sd.lifecycle_stage().map(|s| s.as_str()).unwrap_or("?")
        ),
    );
    let deployment = Deployment {
        settings,
        clients,
        printer,
        cluster: cluster.to_string(),
        service: settings.ecs.service.clone(),
        target_arn: target,
        previous_arn: previous,
        image: None,
        digest: None,
        started,
        plan,
        wait_until: WaitUntil::Complete,
        no_wait: false,
        check: true,
    };
    deployment
        .follow_existing(arn, &deployment_id)
        .await
        .map(Some)
}
