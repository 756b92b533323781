//! A deploy on ECS: build and push the image (or take `--image`), register a
//! new task-definition revision ([`prepare`]), then update the service and
//! follow the rollout to its end, rolling back when it fails
//! ([`Ready::roll_out`](crate::platform::Ready::roll_out), see [`super::rollout`]).

use std::fmt;
use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::future::BoxFuture;
use serde::Serialize;

use super::rollout;
use crate::aws::{self, Clients, taskdef};
use crate::cancel;
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::ecs_progressive as progressive;
use crate::platform::{self, DeployRequest, Prepared};
use crate::probe;
use crate::release::build::{self, BuildMemo, PushReport};
use crate::release::{DeployStatus, ImageRef, Report, tags};
use crate::ui::{Output, Printer};

/// `--dry-run`'s output: what a deploy would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub status: &'static str,
    pub cluster: String,
    pub service: String,
    pub container: String,
    pub current_revision: String,
    pub image: ImageRef,
    pub changes: Vec<taskdef::Change>,
    /// How ECS would move traffic: `rolling`, `blue_green`, `canary`, `linear`.
    pub strategy: crate::config::Strategy,
    /// The test listener URL the MCP gate would check.
    pub gate: Option<String>,
    /// The monthly estimate before and after (`[cost]`).
    pub cost: crate::release::cost::Change,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "would register a new revision of {} (container `{}`) and roll it out to {}/{}",
            self.current_revision, self.container, self.cluster, self.service
        )?;
        if self.strategy.is_progressive() {
            match &self.gate {
                Some(url) => writeln!(
                    f,
                    "  with {}; the MCP gate checks {url} before production traffic moves",
                    self.strategy
                )?,
                None => writeln!(
                    f,
                    "  with {} (no MCP gate: `deploy.test_url` is not set)",
                    self.strategy
                )?,
            }
        }
        if self.changes.is_empty() {
            writeln!(
                f,
                "  no changes to the task definition (the rollout would restart the tasks)"
            )?;
        }
        for change in &self.changes {
            for (i, line) in change.to_string().lines().enumerate() {
                writeln!(f, "  {}{line}", if i == 0 { "~ " } else { "  " })?;
            }
        }
        writeln!(f, "  {}", self.cost.line())?;
        Ok(())
    }
}

/// A deploy ready to roll out: the image is in ECR and the revision registered.
pub struct Ready {
    pub clients: Clients,
    pub cluster: String,
    pub service: String,
    pub current_arn: String,
    pub new_arn: String,
    pub pushed: PushReport,
    pub started: Instant,
    /// The strategy and deployment configuration (see `platform::ecs_progressive::preflight`).
    pub plan: progressive::Plan,
}

/// Everything up to UpdateService, step by step: the pre-flight checks, the
/// image, the new revision (or the plan, with `--dry-run`).
pub async fn prepare(
    settings: &Settings,
    printer: &Printer,
    options: &DeployRequest,
    builds: &BuildMemo,
) -> Result<Prepared> {
    let started = Instant::now();
    let cluster = settings.cluster()?.to_string();
    let service_name = settings.ecs.service.clone();
    // The check runs after the rollout: a bad URL or a missing token must stop us before anything changes.
    rollout::preflight_check(settings, !options.no_check)?;
    let clients = Clients::new(settings).await;
    let checked = preflight(
        settings,
        printer,
        options,
        &clients,
        &cluster,
        &service_name,
    )
    .await?;
    let pushed = image(settings, printer, options, &clients, builds).await?;

    let update = updated_container(settings, &checked, &pushed)?;

    if options.dry_run {
        return Ok(Prepared::DryRun(Output::new(Plan {
            status: "dry_run",
            cluster,
            service: service_name,
            container: update.container_name,
            current_revision: taskdef::short_name(&checked.current_arn).to_string(),
            image: pushed.image,
            changes: update.changes,
            strategy: checked.plan.strategy,
            gate: checked.plan.gate.as_ref().map(|g| g.test_url.clone()),
            cost: checked.cost,
        })));
    }

    let new_arn = register(settings, printer, &clients, &checked, &update, &pushed).await?;
    Ok(Prepared::Ready(Box::new(Ready {
        clients,
        cluster,
        service: service_name,
        current_arn: checked.current_arn,
        new_arn,
        pushed,
        started,
        plan: checked.plan,
    })))
}

/// What the pre-flight checks found: the live service's revision, its task
/// definition, the strategy plan and the cost estimate.
struct Preflight {
    plan: progressive::Plan,
    current_arn: String,
    described: taskdef::Described,
    family: String,
    cost: crate::release::cost::Change,
}

/// Before any build: the service exists, ECS deploys it, nothing else is
/// rolling out, it can run the strategy mcp.toml asks for (and its gate), the
/// container to update exists, and the cost is within `[cost] monthly_limit`.
async fn preflight(
    settings: &Settings,
    printer: &Printer,
    options: &DeployRequest,
    clients: &Clients,
    cluster: &str,
    service_name: &str,
) -> Result<Preflight> {
    let service = aws::ecs::describe_service(clients, cluster, service_name).await?;
    rollout::ensure_ecs_controller(&service)?;
    if !options.dry_run {
        rollout::ensure_idle(&service, options.force, printer)?;
    }
    // Before any build: can the service run the strategy mcp.toml asks for?
    let plan = progressive::preflight::plan(settings, &service, !options.no_check)?;
    super::alb::preflight(settings, clients, &service, printer, options.force).await?;
    if plan.gate.is_some() {
        probe::Options::from_settings(settings)?;
        if options.no_wait {
            return Err(McpError::usage(
                "--no-wait cannot answer the MCP gate: ECS would wait at its pause and then roll back",
            )
            .hint("drop --no-wait, or skip the gate with --no-check")
            .into());
        }
    }
    let current_arn = service
        .task_definition()
        .context("the service has no task definition")?
        .to_string();
    // The container to update must exist before minutes go into a build.
    let described = taskdef::describe(&clients.ecs, &current_arn).await?;
    let family = described.definition.family().unwrap_or("?").to_string();
    aws::ecs::pick_container(
        described.definition.container_definitions(),
        settings.ecs.container.as_deref(),
        &family,
    )?;
    // The monthly estimate and `[cost] monthly_limit`, before minutes go into a build.
    let live = super::cost::Live {
        cluster,
        service: &service,
        definition: &described.definition,
    };
    let cost = super::cost::guard(
        settings,
        clients,
        printer,
        live,
        super::cost::revision_change(settings),
        options.allow_over_limit,
        "this deploy",
    )
    .await?;
    if !options.dry_run {
        super::cost::ensure_tags(settings, clients, printer, cluster, &service).await;
    }
    Ok(Preflight {
        plan,
        current_arn,
        described,
        family,
        cost,
    })
}

/// The image: verified when given (`--image`), planned with `--dry-run`,
/// built and pushed otherwise (or found already pushed).
async fn image(
    settings: &Settings,
    printer: &Printer,
    options: &DeployRequest,
    clients: &Clients,
    builds: &BuildMemo,
) -> Result<PushReport> {
    match &options.image {
        Some(uri) => {
            let report = build::verify(clients, uri).await?;
            printer.status("Found", &report.image);
            Ok(report)
        }
        None if options.dry_run => planned_image(settings, printer, clients, options).await,
        None => {
            cancel::check("before building the image")?;
            build::build_and_push(settings, printer, clients, options.tag.as_deref(), builds).await
        }
    }
}

/// `--dry-run`'s image: the tag it would get in the repository it would go
/// to. A dry run changes nothing: a missing repository is reported, not created.
async fn planned_image(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    options: &DeployRequest,
) -> Result<PushReport> {
    let plan = build::plan(settings, options.tag.as_deref())?;
    let (repository, _) =
        match aws::ecr::repository(&clients.ecr, &settings.ecr.repository, false).await {
            Ok(found) => found,
            Err(_) if settings.ecr.create => {
                printer.status(
                    "Would create",
                    format!("ECR repository `{}`", settings.ecr.repository),
                );
                let account = clients
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .ok()
                    .and_then(|o| o.account().map(str::to_string))
                    .unwrap_or_else(|| "ACCOUNT".into());
                let region = clients.region().unwrap_or("REGION").to_string();
                let name = settings.ecr.repository.clone();
                (
                    aws::ecr::Repository {
                        uri: format!("{account}.dkr.ecr.{region}.amazonaws.com/{name}"),
                        name,
                    },
                    false,
                )
            }
            Err(err) => return Err(err),
        };
    Ok(PushReport {
        image: ImageRef::tagged(&repository.uri, &plan.tag)
            .with_digest("sha256:<digest after push>"),
        repository: repository.uri,
        tag: plan.tag,
        digest: String::new(),
        pushed_bytes: 0,
        layers_pushed: 0,
        layers_existing: 0,
        skipped: false,
        build: None,
        git_sha: plan.git.map(|g| g.sha),
    })
}

/// The container to deploy: the live one with the new image, environment
/// and secrets, and what changed.
struct Update {
    container_name: String,
    container: aws_sdk_ecs::types::ContainerDefinition,
    changes: Vec<taskdef::Change>,
}

fn updated_container(
    settings: &Settings,
    checked: &Preflight,
    pushed: &PushReport,
) -> Result<Update> {
    let container = aws::ecs::pick_container(
        checked.described.definition.container_definitions(),
        settings.ecs.container.as_deref(),
        &checked.family,
    )?;
    let container_name = container.name().unwrap_or_default().to_string();
    let (container, changes) = taskdef::updated_container(
        container,
        &pushed.image.to_string(),
        &settings.env,
        &settings.secrets,
        Some(&settings.secret_name_prefix()),
    );
    Ok(Update {
        container_name,
        container,
        changes,
    })
}

/// Register the new revision: the live task definition with the container
/// updated, and mcp's tags (version, image tag, git sha, who deployed).
async fn register(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    checked: &Preflight,
    update: &Update,
    pushed: &PushReport,
) -> Result<String> {
    let current = &checked.described.definition;
    let family = &checked.family;
    let changes = &update.changes;
    let containers = current
        .container_definitions()
        .iter()
        .map(|c| {
            if c.name() == Some(update.container_name.as_str()) {
                update.container.clone()
            } else {
                c.clone()
            }
        })
        .collect();
    let caller = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .ok()
        .and_then(|o| o.arn().map(str::to_string));
    let mut ours = vec![
        (tags::VERSION, env!("CARGO_PKG_VERSION").to_string()),
        (tags::IMAGE_TAG, pushed.tag.clone()),
    ];
    if let Some(sha) = &pushed.git_sha {
        ours.push((tags::GIT_SHA, sha.clone()));
    }
    if let Some(caller) = caller {
        ours.push((tags::DEPLOYED_BY, caller));
    }
    let tags = taskdef::merged_tags(&checked.described.tags, &ours);
    cancel::check("before registering a new revision")?;
    let request = taskdef::register_request(
        clients.ecs.register_task_definition(),
        current,
        containers,
        tags,
    )?;
    let registered = request
        .send()
        .await
        .map_err(aws::error)
        .with_context(|| format!("registering a new revision of task definition `{family}`"))?;
    let new_arn = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .context("RegisterTaskDefinition returned no ARN")?
        .to_string();
    cancel::registered(
        settings.service.as_deref(),
        &settings.ecs.service,
        taskdef::short_name(&new_arn),
    );
    printer.status(
        "Registered",
        format!(
            "{} ({} change{})",
            taskdef::short_name(&new_arn),
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        ),
    );
    for change in changes {
        printer.detail(
            1,
            format!("             {}", change.to_string().replace('\n', " ")),
        );
    }
    Ok(new_arn)
}

impl platform::Ready for Ready {
    fn roll_out<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(roll_out(settings, printer, self, request))
    }
}

/// UpdateService to the new revision and, unless `--no-wait`, see the rollout through.
async fn roll_out(
    settings: &Settings,
    printer: &Printer,
    ready: &Ready,
    options: &DeployRequest,
) -> Result<Report> {
    rollout::look_again(
        &ready.clients,
        &ready.cluster,
        &ready.service,
        options.force,
        printer,
    )
    .await?;
    cancel::rolling_out(
        settings.service.as_deref(),
        &ready.service,
        taskdef::short_name(&ready.new_arn),
    );
    if ready.plan.strategy.is_progressive() {
        let mut report = progressive::Deployment {
            settings,
            clients: &ready.clients,
            printer,
            cluster: ready.cluster.clone(),
            service: ready.service.clone(),
            target_arn: ready.new_arn.clone(),
            previous_arn: Some(ready.current_arn.clone()),
            image: Some(ready.pushed.image.clone()),
            digest: (!ready.pushed.digest.is_empty()).then(|| ready.pushed.digest.clone()),
            started: ready.started,
            plan: ready.plan.clone(),
            wait_until: options.wait_until,
            no_wait: options.no_wait,
            check: !options.no_check,
        }
        .run()
        .await?;
        report.client_url = settings.deploy.url.clone();
        return Ok(report);
    }
    if let Some(configuration) = &ready.plan.configuration {
        // `deploy.strategy = "rolling"` on a service set up for another strategy.
        rollout::configure(
            &ready.clients,
            &ready.cluster,
            &ready.service,
            configuration,
        )
        .await?;
    }
    let deployment_id = rollout::start(
        &ready.clients,
        &ready.cluster,
        &ready.service,
        &ready.new_arn,
    )
    .await?;
    let report = rollout::follow_deploy(
        settings,
        &ready.clients,
        printer,
        options,
        rollout::Started {
            cluster: &ready.cluster,
            service: &ready.service,
            new_arn: ready.new_arn.clone(),
            current_arn: &ready.current_arn,
            deployment_id,
            pushed: &ready.pushed,
            started: ready.started,
        },
        &rollout::UpdateService,
    )
    .await?;
    if !options.no_wait && report.status != DeployStatus::Interrupted {
        cancel::settled(settings.service.as_deref(), &ready.service);
    }
    Ok(report)
}
