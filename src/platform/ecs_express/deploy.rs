//! A new release of an Express service: `UpdateExpressGatewayService`.
//!
//! Express owns the service's task definition: a deploy that registered its
//! own revision and called UpdateService would be undone by Express's next
//! update. So a release goes through `UpdateExpressGatewayService`, which
//! replaces the primary container whole: the request carries all of it (image
//! by digest, `[env]`, `[secrets]`, port, the log configuration it had). The
//! deployment that call starts is an ordinary ECS deployment, followed by the
//! same code as a rolling deploy. Putting an earlier release back is the same
//! call with that release's container, read from its task definition.

use std::time::Instant;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::{
    EcsExpressGatewayService, ExpressGatewayContainer, ExpressGatewayServiceAwsLogsConfiguration,
};
use futures_util::future::BoxFuture;

use super::Location;
use crate::aws::denied::sdk_error;
use crate::aws::{Clients, express};
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::ecs::rollout::{self, Restore};
use crate::platform::{self, DeployRequest, Prepared};
use crate::probe;
use crate::release::build::{self, BuildMemo, PushReport};
use crate::release::{Report, tags};
use crate::ui::Printer;

/// A release ready to go out: the image is in ECR; Express registers the
/// revision when [`platform::Ready::roll_out`] updates the service.
pub struct Ready {
    clients: Clients,
    location: Location,
    current_arn: String,
    pushed: PushReport,
    started: Instant,
}

/// Everything before the service changes: the service is there and idle, the
/// image is built and pushed (or `--image` found). `--dry-run` shows the
/// rolling platform's plan: the container changes are the same.
pub async fn prepare(
    settings: &Settings,
    printer: &Printer,
    request: &DeployRequest,
    builds: &BuildMemo,
) -> Result<Prepared> {
    if request.dry_run {
        return crate::platform::ecs::deploy::prepare(settings, printer, request, builds).await;
    }
    let started = Instant::now();
    if settings.deploy.url.is_some() && !request.no_check {
        // The check runs after the rollout: a missing token must stop us before anything changes.
        probe::Options::from_settings(settings)?;
    }
    let clients = Clients::new(settings).await;
    let location = Location::resolve(settings, &clients).await?;
    current(&clients, &location).await?;
    let service =
        crate::aws::ecs::describe_service(&clients, &location.cluster, &location.service).await?;
    rollout::ensure_idle(&service, request.force, printer)?;
    let current_arn = service
        .task_definition()
        .context("the service has no task definition")?
        .to_string();
    // The monthly estimate and `[cost] monthly_limit`, before minutes go into a build.
    let described = crate::aws::taskdef::describe(&clients.ecs, &current_arn).await?;
    let live = crate::platform::ecs::cost::Live {
        cluster: &location.cluster,
        service: &service,
        definition: &described.definition,
    };
    let change = crate::platform::ecs::cost::revision_change(settings);
    crate::platform::ecs::cost::guard(
        settings,
        &clients,
        printer,
        live,
        change,
        request.allow_over_limit,
        "this deploy",
    )
    .await?;
    let pushed = match &request.image {
        Some(uri) => {
            let report = build::verify(&clients, uri).await?;
            printer.status("Found", &report.image);
            report
        }
        None => {
            build::build_and_push(settings, printer, &clients, request.tag.as_deref(), builds)
                .await?
        }
    };
    Ok(Prepared::Ready(Box::new(Ready {
        clients,
        location,
        current_arn,
        pushed,
        started,
    })))
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

/// UpdateExpressGatewayService with the new image and, unless `--no-wait`,
/// see the deployment through like a rolling one (same rollback policy).
async fn roll_out(
    settings: &Settings,
    printer: &Printer,
    ready: &Ready,
    request: &DeployRequest,
) -> Result<Report> {
    let location = &ready.location;
    rollout::look_again(
        &ready.clients,
        &location.cluster,
        &location.service,
        request.force,
        printer,
    )
    .await?;
    let mut ours = vec![
        (tags::VERSION, env!("CARGO_PKG_VERSION").to_string()),
        (tags::IMAGE_TAG, ready.pushed.tag.clone()),
    ];
    if let Some(sha) = &ready.pushed.git_sha {
        ours.push((tags::GIT_SHA, sha.clone()));
    }
    let (deployment_id, new_arn) = release(
        settings,
        &ready.clients,
        printer,
        &ready.pushed.image.to_string(),
        &ours,
    )
    .await?;
    rollout::follow_deploy(
        settings,
        &ready.clients,
        printer,
        request,
        rollout::Started {
            cluster: &location.cluster,
            service: &location.service,
            new_arn,
            current_arn: &ready.current_arn,
            deployment_id,
            pushed: &ready.pushed,
            started: ready.started,
        },
        &ExpressRestore,
    )
    .await
}

/// The Express service of these settings, which must exist and be ACTIVE.
pub async fn current(clients: &Clients, location: &Location) -> Result<EcsExpressGatewayService> {
    let service = express::describe(&clients.ecs, &location.region, &location.arn)
        .await?
        .filter(|s| express::status(s) == "ACTIVE");
    service.ok_or_else(|| {
        McpError::new(format!(
            "no ACTIVE Express service `{}` in cluster `{}` ({})",
            location.service, location.cluster, location.region
        ))
        .hint("`[ecs] express = true` in mcp.toml says it was launched: make it with `mcp launch`, or check `ecs.service`, `ecs.cluster` and `region`")
        .into()
    })
}

/// The log configuration the service has now (kept across updates).
pub fn current_logs(
    service: &EcsExpressGatewayService,
) -> Option<ExpressGatewayServiceAwsLogsConfiguration> {
    service
        .active_configurations()
        .first()
        .and_then(|c| c.primary_container())
        .and_then(|c| c.aws_logs_configuration())
        .cloned()
}

/// UpdateExpressGatewayService with this container (and the settings' cpu,
/// memory, scaling and health path); the PRIMARY deployment afterwards and
/// the task definition it runs (Express registers it).
pub async fn update(
    clients: &Clients,
    settings: &Settings,
    location: &Location,
    container: ExpressGatewayContainer,
) -> Result<(String, String)> {
    let express = &settings.ecs.express_settings;
    clients
        .ecs
        .update_express_gateway_service()
        .service_arn(&location.arn)
        .primary_container(container)
        .health_check_path(&settings.deploy.health_path)
        .set_cpu(express.cpu.map(|c| c.to_string()))
        .set_memory(express.memory.map(|m| m.to_string()))
        .set_scaling_target(super::scaling(settings)?)
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "ecs:UpdateExpressGatewayService",
                &location.arn,
                format!("updating Express service `{}`", location.service),
            )
        })?;
    super::primary_deployment(clients, location).await
}

/// Ship `pushed` (image by digest, with the settings' `[env]` and `[secrets]`):
/// the deployment it started and its task definition, tagged like the
/// revisions `mcp deploy` registers so `mcp history` and `mcp rollback` know it.
pub async fn release(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    image: &str,
    tags: &[(&str, String)],
) -> Result<(String, String)> {
    let location = Location::resolve(settings, clients).await?;
    let service = current(clients, &location).await?;
    let container = container_for(settings, &service, image, &location)?;
    let (deployment, task_definition) = update(clients, settings, &location, container).await?;
    printer.status(
        "Updated",
        format!(
            "Express service {} ({})",
            location.service,
            crate::aws::taskdef::short_name(&task_definition)
        ),
    );
    let tags: Vec<aws_sdk_ecs::types::Tag> = tags
        .iter()
        .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(*k).value(v).build())
        .collect();
    if let Err(err) = clients
        .ecs
        .tag_resource()
        .resource_arn(&task_definition)
        .set_tags(Some(tags))
        .send()
        .await
    {
        printer.detail(
            1,
            format!(
                "could not tag {task_definition}: {}",
                crate::aws::describe(&err)
            ),
        );
    }
    Ok((deployment, task_definition))
}

/// Put an earlier release's container back (`mcp rollback`, or a release that
/// failed its check): the deployment and the task definition Express made for it.
pub async fn restore(
    settings: &Settings,
    clients: &Clients,
    task_definition_arn: &str,
) -> Result<(String, String)> {
    let location = Location::resolve(settings, clients).await?;
    let service = current(clients, &location).await?;
    let container = container_of_revision(clients, &service, task_definition_arn).await?;
    update(clients, settings, &location, container).await
}

/// An Express service's way back, for a [`Rollout`]: [`restore`].
pub struct ExpressRestore;

impl Restore for ExpressRestore {
    fn restore<'a>(
        &'a self,
        settings: &'a Settings,
        clients: &'a Clients,
        _cluster: &'a str,
        _service: &'a str,
        task_definition: &'a str,
    ) -> BoxFuture<'a, Result<(String, String)>> {
        Box::pin(restore(settings, clients, task_definition))
    }
}

/// The container of these settings running `image`, keeping the service's logs.
pub fn container_for(
    settings: &Settings,
    service: &EcsExpressGatewayService,
    image: &str,
    location: &Location,
) -> Result<ExpressGatewayContainer> {
    let logs = match current_logs(service) {
        Some(logs) => logs,
        None => super::logs_configuration(&location.log_group())?,
    };
    super::container(settings, image, Some(&logs))
}

/// The container an earlier release ran, read from its task definition: its
/// image, environment, secrets and command, as they were.
pub async fn container_of_revision(
    clients: &Clients,
    service: &EcsExpressGatewayService,
    task_definition_arn: &str,
) -> Result<ExpressGatewayContainer> {
    let described = crate::aws::taskdef::describe(&clients.ecs, task_definition_arn).await?;
    let family = described.definition.family().unwrap_or("?").to_string();
    let main = crate::aws::ecs::pick_container(
        described.definition.container_definitions(),
        None,
        &family,
    )?;
    let image = main
        .image()
        .with_context(|| format!("container of `{task_definition_arn}` has no image"))?;
    let port = main
        .port_mappings()
        .first()
        .and_then(|p| p.container_port());
    let mut builder = ExpressGatewayContainer::builder()
        .image(image)
        .set_container_port(port)
        .set_environment(Some(main.environment().to_vec()))
        .set_secrets(Some(main.secrets().to_vec()))
        .set_command(Some(main.command().to_vec()).filter(|c| !c.is_empty()));
    if let Some(logs) = current_logs(service) {
        builder = builder.aws_logs_configuration(logs);
    }
    Ok(builder.build()?)
}
