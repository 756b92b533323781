//! The steps of `mcp launch` that touch AWS, each safe to run again.
//!
//! Every step first looks, then makes only what is missing: a launch that
//! stopped half-way (roles made, service creation refused; or interrupted
//! while waiting) continues from where it stopped when run again. The look
//! that comes first ([`probe`]) is also the region check: Express answers
//! `UnsupportedFeatureException` there before anything is made.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_ecs::types::{EcsExpressGatewayService, Tag};
use serde::Serialize;

use super::{Location, TAG_LAUNCHED_BY};
use crate::aws::denied::sdk_error;
use crate::aws::iam::{self, RoleSpec, RoleState};
use crate::aws::{self, Clients, express};
use crate::config::{Settings, TargetKind};
use crate::error::{ExitStatus, McpError};
use crate::platform::ecs::follow::{FollowOptions, Outcome};
use crate::probe::CheckReport;
use crate::release::build::{self, BuildMemo};
use crate::release::report::seconds_since;
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

/// Each role and what IAM holds for it (refused when a role of that name is
/// another account's or trusts anyone but ECS; see `aws::iam`); the execution
/// role's read access to `[secrets]`, when the service has some.
pub async fn inspect_roles(
    clients: &Clients,
    settings: &Settings,
    location: &Location,
) -> Result<Vec<(RoleSpec, RoleState)>> {
    let mut out = Vec::new();
    for mut spec in super::roles(settings) {
        let state = iam::inspect(&clients.iam, &spec, &location.account).await?;
        if spec.principal == iam::TASKS_PRINCIPAL && !settings.secrets.is_empty() {
            let grant = iam::SecretsGrant::new(
                &spec.name,
                express::partition(&location.region),
                &location.account,
                &settings.secret_name_prefix(),
            );
            let arn = match &state {
                RoleState::Ready { arn } | RoleState::NeedsPolicy { arn } => Some(arn.as_str()),
                RoleState::Missing => None,
            };
            spec.secrets = Some(grant.read(&clients.iam, arn).await?);
        }
        out.push((spec, state));
    }
    Ok(out)
}

/// What making the roles would change, one line each (empty: nothing).
pub fn role_changes(roles: &[(RoleSpec, RoleState)]) -> Vec<String> {
    roles
        .iter()
        .flat_map(|(spec, state)| spec.changes(state))
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
        if let Some(grant) = spec.secrets.as_ref().filter(|g| !g.in_place) {
            grant.put(&clients.iam, &arn).await?;
            printer.status(
                "Allowed",
                format!(
                    "{} to read {} ({})",
                    spec.name, grant.resource, grant.policy_name
                ),
            );
        }
        arns.push(arn);
    }
    let infrastructure = arns.pop().unwrap_or_default();
    let execution = arns.pop().unwrap_or_default();
    Ok((execution, infrastructure, created))
}

/// The service's log group, created (with `tags`) when missing; true when created now.
pub async fn ensure_log_group(
    clients: &Clients,
    location: &Location,
    tags: &[Tag],
) -> Result<bool> {
    let group = location.log_group();
    let tags: std::collections::HashMap<String, String> = tags
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    match clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .set_tags((!tags.is_empty()).then_some(tags))
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
/// up to a minute, only for fresh roles. `tags` go on the service beside `mcp:launched-by`.
pub async fn create_service(
    clients: &Clients,
    printer: &Printer,
    settings: &Settings,
    location: &Location,
    image: &str,
    roles: &Roles,
    tags: &[Tag],
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
        let request = tags.iter().cloned().fold(request, |r, tag| r.tags(tag));
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchStatus {
    /// Made (or finished making) and checked.
    Launched,
    /// Was launched before; nothing changed.
    AlreadyLaunched,
    /// Launched, but the MCP check at the URL failed.
    CheckFailed,
}

/// What a launch did; printed as text (the URL) or JSON.
#[derive(Debug, Clone, Serialize)]
pub struct LaunchReport {
    pub status: LaunchStatus,
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    /// The MCP endpoint: `<service URL>/mcp`.
    pub url: String,
    pub image: Option<String>,
    /// What this run created.
    pub created: Vec<String>,
    pub config_file: PathBuf,
    pub duration_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
}

impl fmt::Display for LaunchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.url)
    }
}

/// Launch (or finish launching) the service of these settings. `config_file`
/// is where the command records it; `record(url)` writes it there once the
/// URL is known, before the report is made.
pub async fn launch(
    settings: &Settings,
    printer: &Printer,
    config_file: &Path,
    record: &(dyn Fn(&Location, &str) -> Result<()> + Sync),
) -> Result<LaunchReport> {
    let started = Instant::now();
    if settings.target == TargetKind::Local {
        return Err(McpError::usage("`mcp launch` makes an ECS Express service; this stage deploys to the local engine")
            .hint("run it without the local stage, or use `mcp deploy --stage local` for the local target")
            .into());
    }
    // Fail on a missing Dockerfile before any AWS call.
    crate::docker::build::preflight(&settings.build.context, &settings.build.dockerfile)?;
    let clients = Clients::new(settings).await;
    let location = Location::resolve(settings, &clients).await?;

    // 1. Look: the region (Express answers UnsupportedFeature there), the service.
    let existing = probe(&clients, &location).await?;
    if let Some(service) = &existing {
        let status = express::status(service);
        if status == "DRAINING" {
            return Err(McpError::new(format!(
                "Express service `{}` is being deleted",
                location.service
            ))
            .hint("wait until `mcp status` no longer finds it, then run `mcp launch` again")
            .into());
        }
        let url = express::endpoint(service).map(|e| express::mcp_url(&e));
        if settings.ecs.express && url.is_some() && settings.deploy.url == url {
            let url = url.unwrap_or_default();
            let report = LaunchReport {
                status: LaunchStatus::AlreadyLaunched,
                region: location.region.clone(),
                cluster: location.cluster.clone(),
                service: location.service.clone(),
                service_arn: location.arn.clone(),
                url,
                image: express::image(service).map(str::to_string),
                created: Vec::new(),
                config_file: config_file.to_path_buf(),
                duration_s: seconds_since(started),
                check: None,
            };
            return Ok(report);
        }
        printer.status(
            "Found",
            format!(
                "Express service {} from an earlier launch that did not finish; carrying on",
                location.arn
            ),
        );
    }

    // 2. The roles: look, ask, make.
    let roles = inspect_roles(&clients, settings, &location).await?;
    let changes = role_changes(&roles);
    if !changes.is_empty() {
        super::consent(
            printer,
            "mcp launch will create in your AWS account:",
            &changes,
            "mcp launch",
        )?;
    }
    let mut made: Vec<String> = Vec::new();
    let result = make_and_check(
        settings, printer, &clients, &location, &roles, existing, &mut made,
    )
    .await;
    let (url, image, check) = match result {
        Ok(done) => done,
        Err(err) => {
            if !made.is_empty() || err.downcast_ref::<Unfinished>().is_some() {
                let what = if made.is_empty() {
                    "nothing new".to_string()
                } else {
                    made.join(", ")
                };
                printer.warn(format!(
                    "launch stopped half-way; made by this run: {what}. Run `mcp launch` again to carry on from here (or `mcp destroy --all-resources` to remove the service, its log group and repository)"
                ));
            }
            return Err(err);
        }
    };
    record(&location, &url)?;

    let healthy = check.healthy;
    let report = LaunchReport {
        status: if healthy {
            LaunchStatus::Launched
        } else {
            LaunchStatus::CheckFailed
        },
        region: location.region.clone(),
        cluster: location.cluster.clone(),
        service: location.service.clone(),
        service_arn: location.arn.clone(),
        url: url.clone(),
        image: Some(image),
        created: made,
        config_file: config_file.to_path_buf(),
        duration_s: seconds_since(started),
        check: Some(check),
    };
    Ok(report)
}

/// Marks an error after which the service exists but the launch did not finish.
#[derive(Debug)]
struct Unfinished(String);

impl fmt::Display for Unfinished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unfinished {}

/// Roles, log group, repository, image, service; then wait and check.
/// `made` collects what was created, for the message when a step fails.
#[allow(clippy::too_many_arguments)]
async fn make_and_check(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    location: &Location,
    roles: &[(crate::aws::iam::RoleSpec, crate::aws::iam::RoleState)],
    existing: Option<aws_sdk_ecs::types::EcsExpressGatewayService>,
    made: &mut Vec<String>,
) -> Result<(String, String, CheckReport)> {
    let (execution, infrastructure, fresh) =
        make_roles(clients, printer, roles, &location.account, made).await?;
    if ensure_log_group(clients, location, &[]).await? {
        made.push(format!("log group {}", location.log_group()));
        printer.status("Created", format!("log group {}", location.log_group()));
    }
    let (repository, created) =
        aws::ecr::repository(&clients.ecr, &settings.ecr.repository, true).await?;
    if created {
        made.push(format!("ECR repository {}", settings.ecr.repository));
        printer.status("Created", format!("ECR repository {}", repository.uri));
    }
    let mut build_settings = settings.clone();
    build_settings.ecr.create = true;
    let pushed = build::build_and_push(
        &build_settings,
        printer,
        clients,
        None,
        &BuildMemo::default(),
    )
    .await?;

    let deployment = match &existing {
        None => {
            printer.status(
                "Creating",
                format!(
                    "Express service {} in cluster {} ({})",
                    location.service, location.cluster, location.region
                ),
            );
            let roles = Roles {
                execution,
                infrastructure,
                fresh,
            };
            create_service(
                clients,
                printer,
                settings,
                location,
                &pushed.image.to_string(),
                &roles,
                &[],
            )
            .await?;
            made.push(format!("Express service {}", location.arn));
            None
        }
        // An earlier launch made the service with another image: ship this one.
        Some(service) if express::image(service) != Some(pushed.image.to_string().as_str()) => {
            let container = super::deploy::container_for(
                settings,
                service,
                &pushed.image.to_string(),
                location,
            )?;
            let (id, _) = super::deploy::update(clients, settings, location, container).await?;
            printer.status(
                "Updating",
                format!("{} to {}", location.service, pushed.image),
            );
            Some(id)
        }
        Some(_) => None,
    };

    let timeout = settings.deploy.timeout;
    let (_, endpoint) = super::wait_for_url(clients, printer, location, timeout)
        .await
        .map_err(|e| e.context(Unfinished("waiting for the service's URL".into())))?;
    let deployment = match deployment {
        Some(id) => id,
        None => super::primary_deployment(clients, location).await?.0,
    };
    printer.status(
        "Deploying",
        format!("{} (deployment {deployment})", location.service),
    );
    let follow = FollowOptions::new(&location.cluster, &location.service, &deployment, timeout);
    let outcome =
        crate::platform::ecs::rollout::watch(clients, printer, &follow, &Default::default())
            .await?;
    match outcome {
        Outcome::Completed(_) => {}
        Outcome::Interrupted { .. } => {
            return Err(anyhow::Error::new(
                McpError::new("interrupted while the first deployment rolled out")
                    .with_status(ExitStatus::Interrupted)
                    .hint("ECS carries on; run `mcp launch` again to wait for it and finish"),
            )
            .context(Unfinished("interrupted".into())));
        }
        other => {
            let reason = match &other {
                Outcome::Failed { reason, .. } | Outcome::RolledBackByEcs { reason, .. } => {
                    reason.clone()
                }
                Outcome::TimedOut { .. } => format!(
                    "it did not complete within {}s (deploy.timeout)",
                    timeout.as_secs()
                ),
                _ => "another deployment replaced it".to_string(),
            };
            return Err(anyhow::Error::new(
                McpError::new(format!(
                    "the first deployment of {} failed: {reason}",
                    location.service
                ))
                .hint("see why with `mcp logs --since 30m`; fix the image, then run `mcp launch` again (it ships the new image to the same service)"),
            )
            .context(Unfinished("first deployment failed".into())));
        }
    }
    let url = express::mcp_url(&endpoint);
    let check =
        crate::platform::check::until_healthy(settings, printer, &url, Duration::from_secs(300))
            .await?;
    Ok((url, pushed.image.to_string(), check))
}
