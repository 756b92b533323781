//! `mcp status` on ECS: what runs now, and `--wait` to follow a rollout in flight.

use std::fmt;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::follow::{FollowOptions, Outcome};
use super::rollout;
use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::error::ExitStatus;
use crate::platform::StatusLine;
use crate::platform::ecs_progressive::status::ProgressiveStatus;
use crate::release::{DeployStatus, ImageRef, tags};
use crate::ui::Printer;

#[derive(Debug, Clone, Serialize)]
pub struct DeploymentInfo {
    pub id: String,
    pub status: String,
    pub revision: String,
    pub rollout_state: Option<String>,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventInfo {
    pub at: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub cluster: String,
    pub service: String,
    pub revision: String,
    pub image: Option<ImageRef>,
    pub tag: Option<String>,
    pub digest: Option<String>,
    pub git_sha: Option<String>,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub rollout_state: Option<String>,
    pub deployments: Vec<DeploymentInfo>,
    pub events: Vec<EventInfo>,
    pub url: Option<String>,
    /// Env and secrets of the live revision that differ from what mcp.toml
    /// would deploy (changed by hand since the last deploy).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config_drift: Vec<String>,
    /// The current blue/green, canary or linear deployment: stage, traffic split, bake left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progressive: Option<ProgressiveStatus>,
    /// The load balancer's targets and their health, and the findings count (see `alb`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<super::alb::Targets>,
    /// The monthly estimate of what runs (or why there is none).
    pub cost: crate::release::cost::Cost,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "service    {}/{}", self.cluster, self.service)?;
        writeln!(f, "revision   {}", self.revision)?;
        match &self.image {
            Some(image) => writeln!(f, "image      {image}")?,
            None => writeln!(f, "image      ?")?,
        }
        if let Some(sha) = &self.git_sha {
            writeln!(f, "git sha    {sha}")?;
        }
        writeln!(
            f,
            "tasks      {} running, {} pending, {} desired",
            self.running, self.pending, self.desired
        )?;
        writeln!(
            f,
            "rollout    {}",
            self.rollout_state.as_deref().unwrap_or("-")
        )?;
        if let Some(url) = &self.url {
            writeln!(f, "url        {url}")?;
        }
        writeln!(f, "cost       {}", self.cost)?;
        if !self.config_drift.is_empty() {
            writeln!(
                f,
                "drift      {} (differs from mcp.toml; `mcp deploy --dry-run` shows how)",
                self.config_drift.join(", ")
            )?;
        }
        if let Some(progressive) = &self.progressive {
            write!(f, "{progressive}")?;
        }
        if let Some(lb) = &self.load_balancer {
            write!(f, "{lb}")?;
        }
        if self.deployments.len() > 1 {
            writeln!(f, "deployments in flight:")?;
            for d in &self.deployments {
                writeln!(
                    f,
                    "  {} {} {} {}/{} running, {} failed, {}",
                    d.status,
                    d.id,
                    d.revision,
                    d.running,
                    d.desired,
                    d.failed,
                    d.rollout_state.as_deref().unwrap_or("-")
                )?;
            }
        }
        if !self.events.is_empty() {
            writeln!(f, "recent events:")?;
            for e in &self.events {
                writeln!(f, "  {}  {}", e.at.as_deref().unwrap_or(""), e.message)?;
            }
        }
        Ok(())
    }
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    let t = t?;
    jiff::Timestamp::from_second(t.secs())
        .ok()
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
}

/// What runs now.
pub async fn current(settings: &Settings, clients: &Clients) -> Result<Status> {
    let cluster = settings.cluster()?.to_string();
    let cluster_name = cluster.clone();
    let service = aws::ecs::describe_service(clients, &cluster, &settings.ecs.service).await?;
    let arn = service.task_definition().unwrap_or_default().to_string();
    let described = taskdef::describe(&clients.ecs, &arn).await?;
    let definition = &described.definition;
    let container = aws::ecs::pick_container(
        definition.container_definitions(),
        settings.ecs.container.as_deref(),
        definition.family().unwrap_or("?"),
    )?;
    let image = container.image().map(ImageRef::parse);
    // What a deploy of the same image would change is what was changed by hand.
    let (_, changes) = taskdef::updated_container(
        container,
        container.image().unwrap_or_default(),
        &settings.env,
        &settings.secrets,
        Some(&settings.secret_name_prefix()),
    );
    let config_drift = changes.iter().filter_map(drift_name).collect();
    let primary = service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"));
    Ok(Status {
        cluster,
        service: settings.ecs.service.clone(),
        revision: taskdef::short_name(&arn).to_string(),
        tag: described
            .tag(tags::IMAGE_TAG)
            .or_else(|| image.as_ref().and_then(|i| i.tag.clone())),
        digest: image.as_ref().and_then(|i| i.digest.clone()),
        git_sha: described.tag(tags::GIT_SHA),
        image,
        desired: service.desired_count(),
        running: service.running_count(),
        pending: service.pending_count(),
        rollout_state: primary
            .and_then(|d| d.rollout_state())
            .map(|s| s.as_str().to_string()),
        deployments: service
            .deployments()
            .iter()
            .map(|d| DeploymentInfo {
                id: d.id().unwrap_or_default().to_string(),
                status: d.status().unwrap_or_default().to_string(),
                revision: taskdef::short_name(d.task_definition().unwrap_or_default()).to_string(),
                rollout_state: d.rollout_state().map(|s| s.as_str().to_string()),
                desired: d.desired_count(),
                running: d.running_count(),
                pending: d.pending_count(),
                failed: d.failed_tasks(),
            })
            .collect(),
        events: service
            .events()
            .iter()
            .take(5)
            .map(|e| EventInfo {
                at: time(e.created_at()),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect(),
        url: settings.deploy.url.clone(),
        config_drift,
        // Best effort: without the newer ECS permissions the rest still shows.
        progressive: crate::platform::ecs_progressive::status::current(clients, &service)
            .await
            .ok()
            .flatten(),
        load_balancer: super::alb::targets(settings, clients, &service)
            .await
            .ok()
            .flatten(),
        cost: super::cost::current(clients, &cluster_name, &service, definition).await,
    })
}

/// `env FOO` / `secret BAR` for a change that is not the image.
fn drift_name(change: &taskdef::Change) -> Option<String> {
    match change {
        taskdef::Change::Image { .. } => None,
        other => Some(other.subject()),
    }
}

impl Status {
    /// The columns of `mcp status --all`.
    pub fn summary(&self) -> StatusLine {
        StatusLine {
            revision: self.revision.clone(),
            running: self.running,
            desired: self.desired,
            rollout: self.rollout_state.as_ref().map(|s| s.to_lowercase()),
            last_event: self.events.first().map(|e| e.message.clone()),
            tag: self.tag.clone(),
            git_sha: self.git_sha.clone(),
            config_drift: self.config_drift.clone(),
            load_balancer_findings: self.load_balancer.as_ref().map(|l| l.errors + l.warnings),
            cost: Some(self.cost.clone()),
            url: None,
            check: None,
        }
    }
}

/// What runs now; with `wait`, first follow the rollout in flight, and the
/// exit status says how it ended.
pub async fn status(
    settings: &Settings,
    printer: &Printer,
    wait: bool,
) -> Result<(Status, ExitStatus)> {
    let clients = Clients::new(settings).await;
    let mut exit = ExitStatus::Success;
    if wait
        && let Some(report) =
            crate::platform::ecs_progressive::resume(settings, &clients, printer).await?
    {
        printer.status(
            "Finished",
            format!(
                "{} after {:.0}s{}",
                report.status,
                report.duration_s,
                report
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        );
        exit = report.status.exit_status();
    } else if wait {
        let now = current(settings, &clients).await?;
        let primary = now.deployments.iter().find(|d| d.status == "PRIMARY");
        match primary {
            Some(d)
                if d.rollout_state.as_deref() == Some("IN_PROGRESS")
                    || now.deployments.len() > 1 =>
            {
                printer.status("Following", format!("deployment {} ({})", d.id, d.revision));
                let started = Instant::now();
                let options =
                    FollowOptions::new(&now.cluster, &now.service, &d.id, settings.deploy.timeout);
                let outcome =
                    rollout::watch(&clients, printer, &options, &Default::default()).await?;
                let state = match &outcome {
                    Outcome::Completed(_) => DeployStatus::Succeeded,
                    Outcome::Interrupted { .. } => DeployStatus::Interrupted,
                    // Restored only once ECS's own rollback has completed too.
                    Outcome::RolledBackByEcs {
                        rollback_deployment_id,
                        ..
                    } => {
                        printer.status(
                            "Following",
                            format!("ECS's rollback ({rollback_deployment_id})"),
                        );
                        let options = FollowOptions::new(
                            &now.cluster,
                            &now.service,
                            rollback_deployment_id,
                            settings.deploy.timeout,
                        );
                        match rollout::watch(&clients, printer, &options, &Default::default())
                            .await?
                        {
                            Outcome::Completed(_) => DeployStatus::RolledBack,
                            Outcome::Interrupted { .. } => DeployStatus::Interrupted,
                            _ => DeployStatus::Failed,
                        }
                    }
                    _ => DeployStatus::Failed,
                };
                printer.status(
                    "Finished",
                    format!("{state} after {:.0}s", started.elapsed().as_secs_f64()),
                );
                exit = state.exit_status();
            }
            _ => printer.status("Idle", "no deployment in progress"),
        }
    }
    let now = current(settings, &clients).await?;
    Ok((now, exit))
}
