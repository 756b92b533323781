//! ECS Express Mode: an MCP server from an image and two roles, with a public URL.
//!
//! Teams leaving AWS Copilot lose `copilot init`: the cluster, load balancer,
//! target group, security groups and service it made. Express Mode
//! (`CreateExpressGatewayService`) makes all of those from an image, a task
//! execution role and an infrastructure role, and answers with an HTTPS URL.
//! This platform is what `mcp launch`, `mcp destroy` and an Express deploy
//! share:
//!
//! * [`launch`]: look before changing anything (a region without Express Mode,
//!   a service already there, which roles are missing), then make what is
//!   missing, so a launch that stopped half-way is continued by running it
//!   again;
//! * [`destroy`]: the service, and on request its log group and repository
//!   (never the roles: other services may use them);
//! * [`deploy`]: a new image (by digest), `[env]`, `[secrets]`, cpu/memory
//!   and scaling through `UpdateExpressGatewayService`, whose deployment is an
//!   ordinary ECS deployment that the rolling follower sees through.
//!
//! Everything else (`status`, `history`, `logs`, `scale`, `check`, `secrets`)
//! works on an Express service unchanged: underneath it is an ECS service whose
//! task definition has one container, `Main`.

pub mod deploy;
pub mod destroy;
pub mod launch;
pub mod preview;

use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_ecs::types::{
    EcsExpressGatewayService, ExpressGatewayContainer, ExpressGatewayScalingTarget,
    ExpressGatewayServiceAwsLogsConfiguration, KeyValuePair, Secret,
};
use futures_util::future::BoxFuture;

use crate::aws::iam::{self, RoleSpec};
use crate::aws::{Clients, express, sts};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform::ecs::EcsRolling;
use crate::platform::{DeployRequest, LogsRequest, Platform, Prepared, RollbackRequest, Status};
use crate::release::Report;
use crate::release::build::BuildMemo;
use crate::ui::{Output, Printer};

/// An ECS Express Mode service (`[ecs] express = true`). Releases and
/// rollbacks go through `UpdateExpressGatewayService`; what runs underneath
/// is an ECS service, so status, history, logs and scale are the rolling
/// platform's.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcsExpress;

impl Platform for EcsExpress {
    fn name(&self) -> &'static str {
        "ECS Express"
    }

    fn prepare<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
        builds: &'a BuildMemo,
    ) -> BoxFuture<'a, Result<Prepared>> {
        Box::pin(deploy::prepare(settings, printer, request, builds))
    }

    fn rollback<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a RollbackRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        // The rolling rollback picks the release; Express puts it back.
        Box::pin(crate::platform::ecs::rollback::rollback(
            settings,
            printer,
            request,
            &deploy::ExpressRestore,
        ))
    }

    fn status<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        wait: bool,
    ) -> BoxFuture<'a, Result<Status>> {
        EcsRolling.status(settings, printer, wait)
    }

    fn history<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        limit: usize,
    ) -> BoxFuture<'a, Result<Output>> {
        EcsRolling.history(settings, printer, limit)
    }

    fn logs<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a LogsRequest,
    ) -> BoxFuture<'a, Result<ExitStatus>> {
        EcsRolling.logs(settings, printer, request)
    }

    fn scale<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        count: i32,
        wait: bool,
    ) -> BoxFuture<'a, Result<Output>> {
        EcsRolling.scale(settings, printer, count, wait)
    }

    fn down<'a>(
        &'a self,
        _settings: &'a Settings,
        _printer: &'a Printer,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(async {
            Err(McpError::usage(
                "`mcp down` removes local containers; this service runs on ECS Express",
            )
            .hint("`mcp destroy` deletes the Express service; `mcp scale 0` takes it offline")
            .into())
        })
    }
}

/// The cluster Express uses (and creates) when `ecs.cluster` is not set.
pub const DEFAULT_CLUSTER: &str = "default";
/// The execution role's name when `ecs.execution_role` is not set (the ECS console's name).
pub const EXECUTION_ROLE: &str = "ecsTaskExecutionRole";
/// The infrastructure role's name when `ecs.infrastructure_role` is not set.
pub const INFRASTRUCTURE_ROLE: &str = "ecsInfrastructureRoleForExpressServices";
/// The awslogs stream prefix of launched services.
pub const LOG_STREAM_PREFIX: &str = "ecs";
/// Set on a launched service: the `mcp` version that launched it.
pub const TAG_LAUNCHED_BY: &str = "mcp:launched-by";

/// Where a launched service is: cluster, name, ARN, region.
#[derive(Debug, Clone)]
pub struct Location {
    pub region: String,
    pub account: String,
    pub cluster: String,
    pub service: String,
    pub arn: String,
}

impl Location {
    /// From settings and the caller's account (`sts:GetCallerIdentity`).
    pub async fn resolve(settings: &Settings, clients: &Clients) -> Result<Location> {
        let (region, account) = sts::region_and_account(clients).await?;
        let cluster = settings
            .ecs
            .cluster
            .clone()
            .unwrap_or_else(|| DEFAULT_CLUSTER.to_string());
        let service = settings.ecs.service.clone();
        let arn = express::service_arn(&region, &account, &cluster, &service);
        Ok(Location {
            region,
            account,
            cluster,
            service,
            arn,
        })
    }

    /// The log group launched services write to.
    pub fn log_group(&self) -> String {
        format!("/aws/ecs/{}/{}", self.cluster, self.service)
    }
}

/// The two roles, from `ecs.execution_role` / `ecs.infrastructure_role` or the
/// default names; an ARN given there is kept (its account is checked).
pub fn roles(settings: &Settings) -> [RoleSpec; 2] {
    let s = &settings.ecs.express_settings;
    let arn = |given: Option<&str>| given.filter(|g| g.starts_with("arn:")).map(str::to_string);
    [
        RoleSpec {
            name: iam::role_name(s.execution_role.as_deref().unwrap_or(EXECUTION_ROLE)).to_string(),
            given_arn: arn(s.execution_role.as_deref()),
            key: "ecs.execution_role",
            principal: iam::TASKS_PRINCIPAL,
            policy_arn: iam::EXECUTION_POLICY,
            purpose: "ECS task execution role: pulls the image, writes logs, reads the service's secrets",
            secrets: None,
        },
        RoleSpec {
            name: iam::role_name(
                s.infrastructure_role
                    .as_deref()
                    .unwrap_or(INFRASTRUCTURE_ROLE),
            )
            .to_string(),
            given_arn: arn(s.infrastructure_role.as_deref()),
            key: "ecs.infrastructure_role",
            principal: iam::ECS_PRINCIPAL,
            policy_arn: iam::INFRASTRUCTURE_POLICY,
            purpose: "ECS Express infrastructure role: load balancer, security groups, scaling",
            secrets: None,
        },
    ]
}

/// The primary container: the whole of it, since an update replaces it whole.
pub fn container(
    settings: &Settings,
    image: &str,
    logs: Option<&ExpressGatewayServiceAwsLogsConfiguration>,
) -> Result<ExpressGatewayContainer> {
    let mut environment: Vec<KeyValuePair> = settings
        .env
        .iter()
        .map(|(name, value)| KeyValuePair::builder().name(name).value(value).build())
        .collect();
    // The local target sets PORT too: a server that reads it listens where the load balancer sends.
    if !settings.env.contains_key("PORT") {
        environment.push(
            KeyValuePair::builder()
                .name("PORT")
                .value(settings.deploy.port.to_string())
                .build(),
        );
    }
    let secrets = settings
        .secrets
        .iter()
        .map(|(name, reference)| {
            Secret::builder()
                .name(name)
                .value_from(reference)
                .build()
                .map_err(anyhow::Error::from)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut builder = ExpressGatewayContainer::builder()
        .image(image)
        .container_port(i32::from(settings.deploy.port))
        .set_environment(Some(environment))
        .set_secrets(Some(secrets));
    if let Some(logs) = logs {
        builder = builder.aws_logs_configuration(logs.clone());
    }
    Ok(builder.build()?)
}

/// awslogs to `group` with the stream prefix launched services use.
pub fn logs_configuration(group: &str) -> Result<ExpressGatewayServiceAwsLogsConfiguration> {
    Ok(ExpressGatewayServiceAwsLogsConfiguration::builder()
        .log_group(group)
        .log_stream_prefix(LOG_STREAM_PREFIX)
        .build()?)
}

/// `ecs.min_tasks` / `ecs.max_tasks`, when either is set.
pub fn scaling(settings: &Settings) -> Result<Option<ExpressGatewayScalingTarget>> {
    let s = &settings.ecs.express_settings;
    if let (Some(min), Some(max)) = (s.min_tasks, s.max_tasks)
        && max < min
    {
        return Err(McpError::usage(format!(
            "`ecs.max_tasks` ({max}) is less than `ecs.min_tasks` ({min})"
        ))
        .hint("raise ecs.max_tasks or lower ecs.min_tasks in mcp.toml")
        .into());
    }
    if s.min_tasks.is_none() && s.max_tasks.is_none() {
        return Ok(None);
    }
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(Some(
        ExpressGatewayScalingTarget::builder()
            .set_min_task_count(s.min_tasks.map(count))
            .set_max_task_count(s.max_tasks.map(count))
            .build(),
    ))
}

/// Wait until Express says ACTIVE and shows a URL; the service and its endpoint.
pub async fn wait_for_url(
    clients: &Clients,
    printer: &Printer,
    location: &Location,
    timeout: Duration,
) -> Result<(EcsExpressGatewayService, String)> {
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(500);
    let mut told = false;
    loop {
        let service = express::describe(&clients.ecs, &location.region, &location.arn)
            .await?
            .ok_or_else(|| {
                McpError::new(format!(
                    "Express service `{}` disappeared while mcp waited for it",
                    location.arn
                ))
                .hint("someone deleted it; run `mcp launch` again to make it anew")
            })?;
        let status = express::status(&service).to_string();
        if status == "ACTIVE"
            && let Some(endpoint) = express::endpoint(&service)
        {
            return Ok((service, endpoint));
        }
        if status == "DRAINING" || status == "INACTIVE" {
            return Err(McpError::new(format!(
                "Express service `{}` is {status}",
                location.service
            ))
            .hint("it is being deleted; wait a minute, then run `mcp launch` again")
            .into());
        }
        if !told {
            printer.status(
                "Waiting",
                format!("for {} to get its URL", location.service),
            );
            told = true;
        }
        if Instant::now() >= deadline {
            return Err(McpError::new(format!(
                "Express service `{}` had no URL after {}s (status {status})",
                location.service,
                timeout.as_secs()
            ))
            .hint("look at it with `mcp status`; `mcp launch` again carries on waiting")
            .into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// The service's PRIMARY ECS deployment (what a follower follows) and its task definition.
pub async fn primary_deployment(
    clients: &Clients,
    location: &Location,
) -> Result<(String, String)> {
    let service =
        crate::aws::ecs::describe_service(clients, &location.cluster, &location.service).await?;
    service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| Some((d.id()?.to_string(), d.task_definition()?.to_string())))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "ECS service `{}` has no PRIMARY deployment",
                location.service
            )
        })
}

/// Say what will change, then go ahead with `--yes`, ask on a terminal, or
/// refuse (exit 2) where nobody can answer.
pub fn consent(printer: &Printer, heading: &str, lines: &[String], command: &str) -> Result<()> {
    printer.note(heading);
    for line in lines {
        printer.note(format!("  {line}"));
    }
    if printer.yes {
        return Ok(());
    }
    if !printer.interactive() {
        return Err(
            McpError::usage(format!("`{command}` needs your go-ahead for this"))
                .hint(format!(
                    "nothing was changed; run `{command} --yes` to allow it (no terminal to ask on)"
                ))
                .into(),
        );
    }
    let term = console::Term::stderr();
    term.write_str("Go ahead? [y/N] ")
        .map_err(|e| anyhow::anyhow!(e).context("writing a prompt"))?;
    let answer = term
        .read_line()
        .map_err(|e| anyhow::anyhow!(e).context("reading an answer"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(McpError::usage("not confirmed; nothing was changed").into())
    }
}
