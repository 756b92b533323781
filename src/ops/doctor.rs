//! `mcp doctor`: is everything a deploy needs there?
//!
//! One line per check, each with a hint when it fails. Checks that depend on an
//! earlier one (the service needs the cluster, the log group needs the task
//! definition) are skipped, not failed, so the first failure is the one to fix.

use std::fmt;

use anyhow::Result;
use aws_sdk_ecs::types::LogDriver;
use serde::Serialize;

use crate::aws::{self, Clients};
use crate::config::{Settings, TargetKind};
use crate::error::ExitStatus;
use crate::ui::Printer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub healthy: bool,
    pub checks: Vec<Check>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for check in &self.checks {
            let mark = match check.outcome {
                Outcome::Ok => "ok  ",
                Outcome::Failed => "FAIL",
                Outcome::Skipped => "skip",
            };
            writeln!(f, "{mark}  {:<width$}  {}", check.name, check.detail)?;
            if let Some(hint) = &check.hint {
                writeln!(f, "      {:<width$}  hint: {hint}", "")?;
            }
        }
        Ok(())
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn ok(&mut self, name: &'static str, detail: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Ok,
            detail: detail.into(),
            hint: None,
        });
    }
    fn fail(&mut self, name: &'static str, detail: impl Into<String>, hint: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Failed,
            detail: detail.into(),
            hint: Some(hint.into()),
        });
    }
    fn skip(&mut self, name: &'static str, why: &str) {
        self.0.push(Check {
            name,
            outcome: Outcome::Skipped,
            detail: format!("skipped: {why}"),
            hint: None,
        });
    }
}

pub async fn doctor(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let mut checks = Checks(Vec::new());
    match &settings.config_file {
        Some(path) => checks.ok("config", path.display().to_string()),
        None => checks.fail(
            "config",
            "no mcp.toml found",
            "run `mcp init` in your project, or pass --config FILE",
        ),
    }

    match crate::docker::connect().await {
        Ok((_, version)) => checks.ok(
            "docker engine",
            format!(
                "{} (API {}, {}/{})",
                version.version.as_deref().unwrap_or("?"),
                version.api_version.as_deref().unwrap_or("?"),
                version.os.as_deref().unwrap_or("?"),
                version.arch.as_deref().unwrap_or("?")
            ),
        ),
        Err(err) => {
            let detail = crate::error::one_line(&err);
            checks.fail("docker engine", detail, crate::docker::ENGINE_HINT);
        }
    }

    if settings.target == TargetKind::Ecs {
        aws_checks(settings, &mut checks).await;
    }

    let healthy = checks.0.iter().all(|c| c.outcome != Outcome::Failed);
    printer.data(&Report {
        healthy,
        checks: checks.0,
    })?;
    Ok(if healthy {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Blue/green, canary, linear: what `mcp deploy`'s pre-flight check would say.
fn strategy_check(settings: &Settings, service: &aws_sdk_ecs::types::Service, checks: &mut Checks) {
    use crate::platform::ecs_progressive::preflight;
    let p = &settings.deploy.progressive;
    let strategy = p
        .strategy
        .unwrap_or_else(|| preflight::service_strategy(service));
    if !strategy.is_progressive() && p.strategy.is_none() && p.test_url.is_none() {
        return;
    }
    match preflight::plan(settings, service, true) {
        Ok(plan) => checks.ok(
            "deploy strategy",
            match &plan.gate {
                Some(gate) => format!(
                    "{strategy}; the MCP gate checks {} before production traffic moves",
                    gate.test_url
                ),
                None if strategy.is_progressive() => {
                    format!("{strategy}; no MCP gate (set `deploy.test_url` for one)")
                }
                None => strategy.to_string(),
            },
        ),
        Err(err) => {
            let hint = err
                .downcast_ref::<crate::error::McpError>()
                .and_then(|e| e.hint.clone())
                .unwrap_or_default();
            checks.fail("deploy strategy", crate::error::one_line(&err), hint);
        }
    }
}

async fn aws_checks(settings: &Settings, checks: &mut Checks) {
    let clients = Clients::new(settings).await;
    let Some(region) = clients.region().map(str::to_string) else {
        checks.fail(
            "aws credentials",
            "no AWS region configured",
            "set `region` in mcp.toml, AWS_REGION, or a region in your AWS profile",
        );
        for name in [
            "ecr repository",
            "ecs cluster",
            "ecs service",
            "container",
            "log group",
        ] {
            checks.skip(name, "no AWS access");
        }
        return;
    };
    match clients.sts.get_caller_identity().send().await {
        Ok(identity) => checks.ok(
            "aws credentials",
            format!("{} in {region}", identity.arn().unwrap_or("?")),
        ),
        Err(err) => {
            checks.fail(
                "aws credentials",
                aws::describe(&err),
                "check AWS_PROFILE / `profile` in mcp.toml, or run `aws sts get-caller-identity`",
            );
            for name in [
                "ecr repository",
                "ecs cluster",
                "ecs service",
                "container",
                "log group",
            ] {
                checks.skip(name, "no AWS access");
            }
            return;
        }
    }

    let repository = &settings.ecr.repository;
    match clients
        .ecr
        .describe_repositories()
        .repository_names(repository)
        .send()
        .await
    {
        Ok(out) => {
            let uri = out
                .repositories()
                .first()
                .and_then(|r| r.repository_uri())
                .unwrap_or(repository);
            checks.ok("ecr repository", uri.to_string());
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_repository_not_found_exception()) =>
        {
            if settings.ecr.create {
                checks.ok(
                    "ecr repository",
                    format!("`{repository}` does not exist yet; `ecr.create = true` creates it"),
                );
            } else {
                checks.fail(
                    "ecr repository",
                    format!("`{repository}` does not exist in {region}"),
                    "set `ecr.create = true` in mcp.toml, or `aws ecr create-repository --repository-name` it",
                );
            }
        }
        Err(err) => checks.fail(
            "ecr repository",
            aws::describe(&err),
            "check the ECR permissions of your credentials",
        ),
    }

    let cluster = match settings.cluster() {
        Ok(cluster) => cluster.to_string(),
        Err(_) => {
            checks.fail(
                "ecs cluster",
                "no cluster configured",
                "add `[ecs] cluster = \"…\"` to mcp.toml or pass --cluster",
            );
            for name in ["ecs service", "container", "log group"] {
                checks.skip(name, "no cluster");
            }
            return;
        }
    };
    match clients
        .ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
    {
        Ok(out) => match out.clusters().first() {
            Some(c) if c.status() == Some("ACTIVE") => checks.ok(
                "ecs cluster",
                format!(
                    "{cluster} ({} services, {} running tasks)",
                    c.active_services_count(),
                    c.running_tasks_count()
                ),
            ),
            Some(c) => checks.fail(
                "ecs cluster",
                format!("{cluster} is {}", c.status().unwrap_or("?")),
                "use an ACTIVE cluster in `ecs.cluster`",
            ),
            None => checks.fail(
                "ecs cluster",
                format!("`{cluster}` not found in {region}"),
                "check `ecs.cluster` and the region (`aws ecs list-clusters`)",
            ),
        },
        Err(err) => checks.fail(
            "ecs cluster",
            aws::describe(&err),
            "check the ECS permissions of your credentials",
        ),
    }
    if checks.0.last().is_some_and(|c| c.outcome != Outcome::Ok) {
        for name in ["ecs service", "container", "log group"] {
            checks.skip(name, "no cluster");
        }
        return;
    }

    let service_name = &settings.ecs.service;
    let service = match clients
        .ecs
        .describe_services()
        .cluster(&cluster)
        .services(service_name)
        .send()
        .await
    {
        Ok(out) => out
            .services()
            .iter()
            .find(|s| s.status() == Some("ACTIVE"))
            .cloned(),
        Err(err) => {
            checks.fail(
                "ecs service",
                aws::describe(&err),
                "check the ECS permissions of your credentials",
            );
            None
        }
    };
    let Some(service) = service else {
        if checks.0.last().is_some_and(|c| c.name != "ecs service") {
            checks.fail(
                "ecs service",
                format!("`{service_name}` not found (or not ACTIVE) in cluster {cluster}"),
                "check `ecs.service` (`aws ecs list-services --cluster …`); mcp deploys to an existing service",
            );
        }
        checks.skip("container", "no service");
        checks.skip("log group", "no service");
        return;
    };
    let task_definition = service.task_definition().unwrap_or_default().to_string();
    checks.ok(
        "ecs service",
        format!(
            "{service_name}: {} of {} running, {}",
            service.running_count(),
            service.desired_count(),
            task_definition
                .rsplit('/')
                .next()
                .unwrap_or(&task_definition)
        ),
    );
    strategy_check(settings, &service, checks);

    let definition = match clients
        .ecs
        .describe_task_definition()
        .task_definition(&task_definition)
        .send()
        .await
    {
        Ok(out) => out.task_definition().cloned(),
        Err(err) => {
            checks.fail(
                "container",
                aws::describe(&err),
                "check the ECS permissions of your credentials",
            );
            checks.skip("log group", "no task definition");
            return;
        }
    };
    let Some(definition) = definition else {
        checks.fail(
            "container",
            "the service's task definition was not returned",
            "run `aws ecs describe-task-definition`",
        );
        checks.skip("log group", "no task definition");
        return;
    };
    let family = definition.family().unwrap_or("?");
    let container = match crate::aws::ecs::pick_container(
        definition.container_definitions(),
        settings.ecs.container.as_deref(),
        family,
    ) {
        Ok(container) => container,
        Err(err) => {
            let hint = err
                .downcast_ref::<crate::error::McpError>()
                .and_then(|e| e.hint.clone())
                .unwrap_or_default();
            checks.fail("container", err.to_string(), hint);
            checks.skip("log group", "no container");
            return;
        }
    };
    let container_name = container.name().unwrap_or("?").to_string();
    checks.ok(
        "container",
        format!("{container_name} ({})", container.image().unwrap_or("?")),
    );

    let log = container.log_configuration();
    let group = log
        .filter(|l| l.log_driver() == &LogDriver::Awslogs)
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-group"))
        .cloned();
    let Some(group) = group else {
        checks.fail(
            "log group",
            format!(
                "container `{container_name}` does not log to CloudWatch (no awslogs log driver)"
            ),
            "add an awslogs logConfiguration to the task definition so `mcp logs` can read it",
        );
        return;
    };
    match clients.logs.describe_log_groups().log_group_name_prefix(&group).send().await {
        Ok(out) if out.log_groups().iter().any(|g| g.log_group_name() == Some(group.as_str())) => {
            checks.ok("log group", group);
        }
        Ok(_) => checks.fail(
            "log group",
            format!("`{group}` does not exist"),
            "create it (`aws logs create-log-group`) or set awslogs-create-group in the task definition",
        ),
        Err(err) => checks.fail("log group", aws::describe(&err), "check the CloudWatch Logs permissions of your credentials"),
    }
}
