//! The steps of `mcp launch` that touch AWS, each safe to run again.
//!
//! Every step first looks, then makes only what is missing: a launch that
//! stopped half-way (roles made, service creation refused; or interrupted
//! while waiting) continues from where it stopped when run again. The look
//! that comes first ([`probe`]) is also the region check: Express answers
//! `UnsupportedFeatureException` there before anything is made.

use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_ecs::types::{EcsExpressGatewayService, Tag};

use super::{Location, TAG_LAUNCHED_BY};
use crate::aws::denied::sdk_error;
use crate::aws::iam::{self, RoleSpec, RoleState};
use crate::aws::{Clients, express};
use crate::config::Settings;
use crate::error::McpError;
use crate::ui::Printer;

/// The Express service under this name, if there is one that is not gone.
/// Also refuses an ordinary ECS service of the same name.
pub async fn probe(
    clients: &Clients,
    location: &Location,
) -> Result<Option<EcsExpressGatewayService>> {
    let found = express::describe(&clients.ecs, &location.region, &location.arn).await?;
    match found {
        Some(service) if express::status(&service) != "INACTIVE" => Ok(Some(service)),
        _ => {
            // Not an Express service: is the name taken by a service someone made otherwise?
            let plain = clients
                .ecs
                .describe_services()
                .cluster(&location.cluster)
                .services(&location.service)
                .send()
                .await
                .ok()
                .is_some_and(|out| out.services().iter().any(|s| s.status() == Some("ACTIVE")));
            if plain {
                return Err(McpError::usage(format!(
                    "ECS service `{}` already exists in cluster `{}` and is not an Express service",
                    location.service, location.cluster
                ))
                .hint("deploy to it with `mcp deploy` (without `[ecs] express = true`), or launch under another name with `mcp launch --name NAME`")
                .into());
            }
            Ok(None)
        }
    }
}

/// Each role and what IAM holds for it.
pub async fn inspect_roles(
    clients: &Clients,
    settings: &Settings,
    account: &str,
) -> Result<Vec<(RoleSpec, RoleState)>> {
    let mut out = Vec::new();
    for spec in super::roles(settings) {
        let state = iam::inspect(&clients.iam, &spec, account).await?;
        out.push((spec, state));
    }
    Ok(out)
}

/// What making the roles would change, one line each (empty: nothing).
pub fn role_changes(roles: &[(RoleSpec, RoleState)]) -> Vec<String> {
    roles
        .iter()
        .filter_map(|(spec, state)| match state {
            RoleState::Ready { .. } => None,
            RoleState::NeedsPolicy { .. } => Some(format!(
                "attach {} to IAM role `{}`",
                spec.policy_arn, spec.name
            )),
            RoleState::Missing => Some(format!(
                "IAM role `{}` ({}), trusting {}, with {}",
                spec.name, spec.purpose, spec.principal, spec.policy_arn
            )),
        })
        .collect()
}

/// The roles made ready: `(execution role ARN, infrastructure role ARN)`, and
/// whether any was created now (IAM takes a moment before ECS can assume it).
pub async fn make_roles(
    clients: &Clients,
    printer: &Printer,
    roles: &[(RoleSpec, RoleState)],
    account: &str,
    made: &mut Vec<String>,
) -> Result<(String, String, bool)> {
    let mut arns = Vec::new();
    let mut created = false;
    for (spec, state) in roles {
        let arn = match state {
            RoleState::Ready { arn } => {
                printer.detail(1, format!("IAM role {arn} is ready"));
                arn.clone()
            }
            RoleState::NeedsPolicy { arn } => {
                iam::attach_policy(&clients.iam, spec, arn).await?;
                printer.status("Attached", format!("{} to {arn}", spec.policy_arn));
                arn.clone()
            }
            RoleState::Missing => {
                let arn = iam::create(&clients.iam, spec, account).await?;
                made.push(format!("IAM role {arn}"));
                printer.status(
                    "Created",
                    format!("IAM role {arn} (trusts {})", spec.principal),
                );
                iam::attach_policy(&clients.iam, spec, &arn).await?;
                printer.status("Attached", format!("{} to {}", spec.policy_arn, spec.name));
                created = true;
                arn
            }
        };
        arns.push(arn);
    }
    let infrastructure = arns.pop().unwrap_or_default();
    let execution = arns.pop().unwrap_or_default();
    Ok((execution, infrastructure, created))
}

/// The service's log group, created when missing; true when created now.
pub async fn ensure_log_group(clients: &Clients, location: &Location) -> Result<bool> {
    let group = location.log_group();
    match clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_already_exists_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(sdk_error(
            err,
            "logs:CreateLogGroup",
            &format!(
                "arn:aws:logs:{}:{}:log-group:{group}",
                location.region, location.account
            ),
            format!("creating CloudWatch log group `{group}`"),
        )),
    }
}

/// The roles a new service runs with.
pub struct Roles {
    pub execution: String,
    pub infrastructure: String,
    /// Created in this run: ECS may not be able to assume them for a few seconds.
    pub fresh: bool,
}

/// CreateExpressGatewayService. A role created moments ago may not be
/// assumable yet (IAM is eventually consistent): that refusal is retried for
/// up to a minute, only for fresh roles.
pub async fn create_service(
    clients: &Clients,
    printer: &Printer,
    settings: &Settings,
    location: &Location,
    image: &str,
    roles: &Roles,
) -> Result<()> {
    let logs = super::logs_configuration(&location.log_group())?;
    let container = super::container(settings, image, Some(&logs))?;
    let scaling = super::scaling(settings)?;
    let express = &settings.ecs.express_settings;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let request = clients
            .ecs
            .create_express_gateway_service()
            .service_name(&location.service)
            .cluster(&location.cluster)
            .execution_role_arn(&roles.execution)
            .infrastructure_role_arn(&roles.infrastructure)
            .primary_container(container.clone())
            .health_check_path(&settings.deploy.health_path)
            .set_cpu(express.cpu.map(|c| c.to_string()))
            .set_memory(express.memory.map(|m| m.to_string()))
            .set_scaling_target(scaling.clone())
            .tags(
                Tag::builder()
                    .key(TAG_LAUNCHED_BY)
                    .value(env!("CARGO_PKG_VERSION"))
                    .build(),
            );
        let err = match request.send().await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        let Some(service_err) = err.as_service_error() else {
            return Err(sdk_error(
                err,
                "ecs:CreateExpressGatewayService",
                &location.arn,
                format!("creating Express service `{}`", location.service),
            ));
        };
        if service_err.is_unsupported_feature_exception() {
            return Err(express::unsupported_region(
                &location.region,
                &crate::aws::describe(&err),
            ));
        }
        if service_err.is_cluster_not_found_exception() {
            return Err(anyhow::anyhow!(crate::aws::describe(&err)).context(
                McpError::usage(format!("ECS cluster `{}` does not exist", location.cluster))
                    .hint("create it, or drop `ecs.cluster` from mcp.toml to launch into Express's `default` cluster"),
            ));
        }
        if service_err.is_invalid_parameter_exception() {
            let text = crate::aws::describe(&err);
            if roles.fresh && text.contains("assume") && Instant::now() < deadline {
                printer.detail(
                    1,
                    format!("ECS cannot assume the new roles yet ({text}); retrying"),
                );
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            return Err(anyhow::anyhow!(text).context(
                McpError::new(format!(
                    "ECS refused to create Express service `{}`",
                    location.service
                ))
                .hint(format!(
                    "the roles are {} and {}: check that they exist and trust {} / {}",
                    roles.execution,
                    roles.infrastructure,
                    iam::TASKS_PRINCIPAL,
                    iam::ECS_PRINCIPAL
                )),
            ));
        }
        return Err(sdk_error(
            err,
            "ecs:CreateExpressGatewayService",
            &location.arn,
            format!("creating Express service `{}`", location.service),
        ));
    }
}
