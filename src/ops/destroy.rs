//! `mcp destroy`: delete a launched Express service (and with
//! `--all-resources` its log group and ECR repository), after showing what
//! will go and asking on a terminal; outside one it needs `--yes`. On a
//! Lambda stage, what `mcp launch` made there (`platform::lambda::destroy`).

use std::fmt;

use anyhow::Result;
use serde::Serialize;

use crate::aws::Clients;
use crate::config::{Settings, TargetKind};
use crate::error::{ExitStatus, McpError};
use crate::platform::ecs_express::{self as platform, Location, destroy};
use crate::ui::Printer;

#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    /// `destroyed`, or `nothing` when there was nothing to remove.
    pub status: &'static str,
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub removed: destroy::Plan,
}

impl fmt::Display for DestroyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.removed.lines() {
            writeln!(f, "removed {line}")?;
        }
        Ok(())
    }
}

pub async fn destroy(
    settings: &Settings,
    printer: &Printer,
    all_resources: bool,
) -> Result<ExitStatus> {
    if settings.target == TargetKind::Lambda {
        let report =
            crate::platform::lambda::destroy::destroy(settings, printer, all_resources).await?;
        printer.data(&report)?;
        return Ok(ExitStatus::Success);
    }
    if !settings.ecs.express {
        return Err(McpError::usage(format!(
            "`mcp destroy` removes services made by `mcp launch`; `{}` is not marked `[ecs] express = true`",
            settings.ecs.service
        ))
        .hint("a service you made yourself is yours to remove (Terraform, CloudFormation, the console); `mcp scale 0` takes it offline")
        .into());
    }
    let clients = Clients::new(settings).await;
    let location = Location::resolve(settings, &clients).await?;
    let plan = destroy::plan(&clients, &location, &settings.ecr.repository, all_resources).await?;
    let report = DestroyReport {
        status: if plan.is_empty() {
            "nothing"
        } else {
            "destroyed"
        },
        region: location.region.clone(),
        cluster: location.cluster.clone(),
        service: location.service.clone(),
        removed: plan.clone(),
    };
    if plan.is_empty() {
        printer.status(
            "Nothing",
            format!(
                "to remove: no ACTIVE Express service `{}` in cluster `{}` ({})",
                location.service, location.cluster, location.region
            ),
        );
        printer.data(&report)?;
        return Ok(ExitStatus::Success);
    }
    platform::consent(
        printer,
        "mcp destroy will delete:",
        &plan.lines(),
        if all_resources {
            "mcp destroy --all-resources"
        } else {
            "mcp destroy"
        },
    )?;
    destroy::execute(&clients, printer, &location, &plan, settings.deploy.timeout).await?;
    if !all_resources {
        printer.note(format!(
            "kept: the log group, the ECR repository `{}` and the IAM roles (`--all-resources` removes the first two)",
            settings.ecr.repository
        ));
    }
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}
