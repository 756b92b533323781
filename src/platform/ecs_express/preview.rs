//! A preview on ECS: its own Express service in the project's cluster, with
//! its own URL, beside the main service.
//!
//! The first deploy makes what `mcp launch` makes (the roles, with the same
//! consent; a log group; the repository when missing) and creates the service;
//! later deploys update it through `UpdateExpressGatewayService`. Like a
//! launch, a deploy that stopped half-way (interrupted while the first
//! deployment rolled out) is carried on by running it again: the service
//! found, the image already pushed, the deployment followed to its end.
//!
//! Everything it makes carries the [`crate::platform::preview`] tags, so the
//! list is read back from ECS (`ListServices`, then `DescribeServices` with
//! `include=TAGS`: Express has no List call of its own) and needs no local
//! state. A project on a classic ECS service gets an Express preview too,
//! built from that service's task definition: its container's port,
//! environment and secret references, its execution role, cpu and memory.

use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_ecs::types::{ServiceField, Tag};

use super::launch::{self, Roles};
use super::{DEFAULT_CLUSTER, Location};
use crate::aws::denied::sdk_error;
use crate::aws::{Clients, express, taskdef};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform::DeployRequest;
use crate::platform::ecs::follow::{FollowOptions, Outcome};
use crate::release::build::{self, BuildMemo};
use crate::release::preview::{self as shared, Preview};
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, Report, tags};
use crate::ui::Printer;

fn cluster_of(settings: &Settings) -> String {
    settings
        .ecs
        .cluster
        .clone()
        .unwrap_or_else(|| DEFAULT_CLUSTER.to_string())
}

/// The preview's settings: the service renamed, an Express service in the
/// project's cluster, one task unless `[stages.preview]` says otherwise,
/// no `deploy.url` (the service's own URL is checked).
fn preview_settings(settings: &Settings, name: &str) -> Settings {
    let mut s = settings.clone();
    s.ecs.service = shared::service_name(&settings.ecs.service, name);
    s.ecs.cluster = Some(cluster_of(settings));
    s.ecs.express = true;
    s.deploy.url = None;
    let scaling = &mut s.ecs.express_settings;
    scaling.min_tasks = Some(scaling.min_tasks.unwrap_or(1));
    scaling.max_tasks = Some(
        scaling
            .max_tasks
            .unwrap_or(1)
            .max(scaling.min_tasks.unwrap_or(1)),
    );
    s
}

/// For a project on a classic ECS service: the container its task definition
/// runs (port, environment, secret references, execution role, cpu, memory)
/// goes into the preview's settings, with `[env]` and `[secrets]` on top.
async fn from_classic_service(
    clients: &Clients,
    settings: &Settings,
    s: &mut Settings,
) -> Result<bool> {
    if settings.ecs.express {
        return Ok(false);
    }
    let found = clients
        .ecs
        .describe_services()
        .cluster(cluster_of(settings))
        .services(&settings.ecs.service)
        .send()
        .await
        .ok()
        .and_then(|out| {
            out.services()
                .iter()
                .find(|svc| svc.status() == Some("ACTIVE"))
                .and_then(|svc| svc.task_definition().map(str::to_string))
        });
    let Some(arn) = found else {
        return Ok(false);
    };
    let described = taskdef::describe(&clients.ecs, &arn).await?;
    let definition = &described.definition;
    let family = definition.family().unwrap_or("?").to_string();
    let main = crate::aws::ecs::pick_container(
        definition.container_definitions(),
        settings.ecs.container.as_deref(),
        &family,
    )?;
    let mut env: std::collections::BTreeMap<String, String> = main
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?.to_string(), kv.value()?.to_string())))
        .collect();
    env.extend(settings.env.clone());
    s.env = env;
    let mut secrets: std::collections::BTreeMap<String, String> = main
        .secrets()
        .iter()
        .map(|sec| (sec.name().to_string(), sec.value_from().to_string()))
        .collect();
    secrets.extend(settings.secrets.clone());
    s.secrets = secrets;
    if let Some(port) = main
        .port_mappings()
        .first()
        .and_then(|p| p.container_port())
        .and_then(|p| u16::try_from(p).ok())
    {
        s.deploy.port = port;
    }
    let express = &mut s.ecs.express_settings;
    if express.execution_role.is_none() {
        express.execution_role = definition.execution_role_arn().map(str::to_string);
    }
    if express.cpu.is_none() {
        express.cpu = definition.cpu().and_then(|c| c.parse().ok());
    }
    if express.memory.is_none() {
        express.memory = definition.memory().and_then(|m| m.parse().ok());
    }
    Ok(true)
}

fn tag(key: &str, value: impl Into<String>) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// The tags of an ECS resource (a service), `None` when ECS does not know it.
async fn service_tags(clients: &Clients, cluster: &str, arn: &str) -> Result<Option<Vec<Tag>>> {
    let out = clients
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(arn)
        .include(ServiceField::Tags)
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "ecs:DescribeServices",
                arn,
                format!("looking up `{arn}`"),
            )
        })?;
    Ok(out.services().first().map(|s| s.tags().to_vec()))
}

fn value<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
}

/// Refuse to touch a service that is not a preview of this project.
fn ensure_ours(settings: &Settings, service: &str, tags: &[Tag]) -> Result<()> {
    if value(tags, shared::TAG_PROJECT) == Some(settings.name.as_str())
        && value(tags, shared::TAG_PREVIEW).is_some()
    {
        return Ok(());
    }
    Err(McpError::usage(format!(
        "ECS service `{service}` exists but is not a preview of `{}` (its tags `{}` / `{}` say otherwise)",
        settings.name,
        shared::TAG_PROJECT,
        shared::TAG_PREVIEW
    ))
    .hint("pick another preview name; `mcp previews` lists this project's previews")
    .into())
}

/// Deploy the preview `name`: create it (first run) or update it, follow the
/// deployment, check the MCP URL.
pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    name: &str,
    request: &DeployRequest,
) -> Result<Report> {
    let started = Instant::now();
    if request.dry_run || request.no_wait {
        return Err(
            McpError::usage("--dry-run and --no-wait are not for previews")
                .hint("a preview deploy creates or updates its service and ends with the MCP check")
                .into(),
        );
    }
    if request.image.is_none() {
        crate::docker::build::preflight(&settings.build.context, &settings.build.dockerfile)?;
    }
    let clients = Clients::new(settings).await;
    let mut s = preview_settings(settings, name);
    if from_classic_service(&clients, settings, &mut s).await? {
        printer.note(format!(
            "the preview is an Express service built from the task definition of ECS service `{}`",
            settings.ecs.service
        ));
    }
    let location = Location::resolve(&s, &clients).await?;
    let existing = launch::probe(&clients, &location).await?;
    match &existing {
        Some(service) if express::status(service) == "DRAINING" => {
            return Err(McpError::new(format!(
                "preview `{name}` ({}) is being deleted",
                location.service
            ))
            .hint("wait until `mcp previews` no longer lists it, then deploy it again")
            .into());
        }
        Some(_) => {
            let tags = service_tags(&clients, &location.cluster, &location.arn)
                .await?
                .unwrap_or_default();
            ensure_ours(settings, &location.service, &tags)?;
        }
        None => {
            let all = list_in(&clients, settings).await?;
            shared::within_cap(settings, &all, name)?;
        }
    }

    let roles = launch::inspect_roles(&clients, &s, &location).await?;
    let changes = launch::role_changes(&roles);
    if !changes.is_empty() {
        super::consent(
            printer,
            "mcp deploy --preview will create in your AWS account:",
            &changes,
            "mcp deploy --preview",
        )?;
    }
    let mut made = Vec::new();
    let (execution, infrastructure, fresh) =
        launch::make_roles(&clients, printer, &roles, &location.account, &mut made).await?;
    let now = shared::now();
    let ours = |extra: &[(&str, &str)]| -> Vec<Tag> {
        let mut all = vec![
            tag(shared::TAG_PROJECT, &settings.name),
            tag(shared::TAG_PREVIEW, name),
            tag(shared::TAG_SERVICE, &settings.ecs.service),
        ];
        all.extend(extra.iter().map(|(k, v)| tag(k, *v)));
        all
    };
    if launch::ensure_log_group(
        &clients,
        &location,
        &ours(&[(shared::TAG_CREATED_AT, &now)]),
    )
    .await?
    {
        made.push(format!("log group {}", location.log_group()));
        printer.status("Created", format!("log group {}", location.log_group()));
    }
    let pushed = match &request.image {
        Some(uri) => {
            let report = build::verify(&clients, uri).await?;
            printer.status("Found", &report.image);
            report
        }
        None => {
            let (_, created) =
                crate::aws::ecr::repository(&clients.ecr, &settings.ecr.repository, true).await?;
            if created {
                made.push(format!("ECR repository {}", settings.ecr.repository));
            }
            let mut build_settings = settings.clone();
            build_settings.ecr.create = true;
            build::build_and_push(
                &build_settings,
                printer,
                &clients,
                request.tag.as_deref(),
                &BuildMemo::default(),
            )
            .await?
        }
    };
    let image = pushed.image.to_string();
    let sha = pushed.git_sha.clone().unwrap_or_default();
    let deployed = [
        (shared::TAG_DEPLOYED_AT, now.as_str()),
        (shared::TAG_GIT_SHA, sha.as_str()),
    ];
    crate::cancel::check("before changing the preview's service")?;
    let deployment = match &existing {
        None => {
            printer.status(
                "Creating",
                format!(
                    "preview {name}: Express service {} in cluster {}",
                    location.service, location.cluster
                ),
            );
            let mut tags = ours(&deployed);
            tags.push(tag(shared::TAG_CREATED_AT, &now));
            let roles = Roles {
                execution,
                infrastructure,
                fresh,
            };
            launch::create_service(&clients, printer, &s, &location, &image, &roles, &tags).await?;
            made.push(format!("Express service {}", location.arn));
            None
        }
        // The tag names the commit: the same tag is the same release, whatever
        // digest a rebuild of it got (an interrupted deploy run again).
        Some(service)
            if express::image(service).map(without_digest) != Some(without_digest(&image)) =>
        {
            let container = super::deploy::container_for(&s, service, &image, &location)?;
            let (id, _) = super::deploy::update(&clients, &s, &location, container).await?;
            printer.status("Updating", format!("preview {name} to {}", pushed.image));
            tag_service(&clients, &location, ours(&deployed)).await?;
            Some(id)
        }
        Some(_) => {
            printer.status(
                "Found",
                format!(
                    "preview {name} ({}) already runs this image; carrying on",
                    location.service
                ),
            );
            None
        }
    };

    let timeout = settings.deploy.timeout;
    let (_, endpoint) = super::wait_for_url(&clients, printer, &location, timeout)
        .await
        .map_err(|e| e.context(again(name)))?;
    let (deployment, task_definition) = match deployment {
        Some(id) => (id, super::primary_deployment(&clients, &location).await?.1),
        None => super::primary_deployment(&clients, &location).await?,
    };
    printer.status(
        "Deploying",
        format!("preview {name} (deployment {deployment})"),
    );
    let follow = FollowOptions::new(&location.cluster, &location.service, &deployment, timeout);
    let outcome =
        crate::platform::ecs::rollout::watch(&clients, printer, &follow, &Default::default())
            .await?;
    let url = express::mcp_url(&endpoint);
    let mut report = Report::new(
        DeployStatus::Succeeded,
        location.cluster.clone(),
        location.service.clone(),
        taskdef::short_name(&task_definition).to_string(),
    );
    report.image = Some(pushed.image.clone());
    report.digest = (!pushed.digest.is_empty()).then(|| pushed.digest.clone());
    report.deployment_id = Some(deployment.clone());
    report.preview_url = Some(url.clone());
    match outcome {
        Outcome::Completed(_) => {
            report.live_revision = Some(report.revision.clone());
        }
        Outcome::Interrupted { .. } => {
            return Err(anyhow::Error::new(
                McpError::new("interrupted while the preview's deployment rolled out")
                    .with_status(ExitStatus::Interrupted)
                    .hint(format!("ECS carries on; {}", again(name))),
            ));
        }
        Outcome::RolledBackByEcs {
            reason,
            rollback_task_definition,
            ..
        } => {
            report.status = DeployStatus::RolledBack;
            report.reason = Some(reason);
            report.live_revision = Some(taskdef::short_name(&rollback_task_definition).to_string());
        }
        Outcome::Failed { reason, .. } => {
            report.status = DeployStatus::Failed;
            report.reason = Some(reason);
        }
        Outcome::TimedOut { .. } => {
            report.status = DeployStatus::Failed;
            report.reason = Some(format!(
                "it did not complete within {}s (deploy.timeout)",
                timeout.as_secs()
            ));
        }
        _ => {
            report.status = DeployStatus::Failed;
            report.reason = Some("another deployment replaced it".into());
        }
    }
    tag_task_definition(&clients, printer, &task_definition, settings, name, &pushed).await;
    if report.status == DeployStatus::Succeeded && !request.no_check {
        let mut checked = s.clone();
        checked.deploy.url = Some(url.clone());
        let check = crate::platform::check::until_healthy(
            &checked,
            printer,
            &url,
            Duration::from_secs(300),
        )
        .await?;
        if !check.healthy {
            report.status = DeployStatus::Failed;
            report.reason = Some(format!(
                "the MCP check failed at {}: {}",
                check.failed_step.map(|s| s.to_string()).unwrap_or_default(),
                check.error.as_deref().unwrap_or("?")
            ));
            report.next = Some(format!(
                "see why with `mcp logs` on {}; fix it and deploy the preview again",
                location.service
            ));
        }
        report.check = Some(check);
    }
    if report.status == DeployStatus::Succeeded {
        report.client_url = Some(url);
    }
    report.duration_s = seconds_since(started);
    Ok(report)
}

/// `repo:tag@sha256:…` without `@sha256:…`.
fn without_digest(image: &str) -> &str {
    image.split_once('@').map_or(image, |(named, _)| named)
}

fn again(name: &str) -> String {
    format!("run `mcp deploy --preview {name}` again to carry on from here")
}

async fn tag_service(clients: &Clients, location: &Location, tags: Vec<Tag>) -> Result<()> {
    clients
        .ecs
        .tag_resource()
        .resource_arn(&location.arn)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "ecs:TagResource",
                &location.arn,
                format!("tagging Express service `{}`", location.service),
            )
        })?;
    Ok(())
}

/// Tag the revision Express registered like `mcp deploy` tags its own, plus
/// the preview's project and name. A revision that cannot be tagged is a detail.
async fn tag_task_definition(
    clients: &Clients,
    printer: &Printer,
    arn: &str,
    settings: &Settings,
    name: &str,
    pushed: &build::PushReport,
) {
    let mut all = vec![
        tag(tags::VERSION, env!("CARGO_PKG_VERSION")),
        tag(tags::IMAGE_TAG, &pushed.tag),
        tag(shared::TAG_PROJECT, &settings.name),
        tag(shared::TAG_PREVIEW, name),
    ];
    if let Some(sha) = &pushed.git_sha {
        all.push(tag(tags::GIT_SHA, sha));
    }
    if let Err(err) = clients
        .ecs
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(all))
        .send()
        .await
    {
        printer.detail(
            1,
            format!("could not tag {arn}: {}", crate::aws::describe(&err)),
        );
    }
}

/// The project's previews in its cluster, read from the services' tags.
pub async fn list(settings: &Settings) -> Result<Vec<Preview>> {
    let clients = Clients::new(settings).await;
    list_in(&clients, settings).await
}

async fn list_in(clients: &Clients, settings: &Settings) -> Result<Vec<Preview>> {
    let cluster = cluster_of(settings);
    let region = clients.region().unwrap_or_default().to_string();
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = match clients
            .ecs
            .list_services()
            .cluster(&cluster)
            .set_next_token(token)
            .max_results(100)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_cluster_not_found_exception()) =>
            {
                return Ok(Vec::new());
            }
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "ecs:ListServices",
                    &cluster,
                    format!("listing the services of cluster `{cluster}`"),
                ));
            }
        };
        arns.extend(out.service_arns().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut previews = Vec::new();
    for chunk in arns.chunks(10) {
        let out = clients
            .ecs
            .describe_services()
            .cluster(&cluster)
            .set_services(Some(chunk.to_vec()))
            .include(ServiceField::Tags)
            .send()
            .await
            .map_err(|err| {
                sdk_error(
                    err,
                    "ecs:DescribeServices",
                    &cluster,
                    format!("describing the services of cluster `{cluster}`"),
                )
            })?;
        for service in out.services() {
            let tags = service.tags();
            let (Some(project), Some(name)) = (
                value(tags, shared::TAG_PROJECT),
                value(tags, shared::TAG_PREVIEW),
            ) else {
                continue;
            };
            if project != settings.name || service.status() != Some("ACTIVE") {
                continue;
            }
            let arn = service.service_arn().unwrap_or_default();
            let url = express::describe(&clients.ecs, &region, arn)
                .await?
                .filter(|s| express::status(s) == "ACTIVE")
                .and_then(|s| express::endpoint(&s))
                .map(|e| express::mcp_url(&e));
            previews.push(Preview {
                name: name.to_string(),
                service: service.service_name().unwrap_or_default().to_string(),
                url,
                revision: service
                    .task_definition()
                    .map(|t| taskdef::short_name(t).to_string()),
                git_sha: value(tags, shared::TAG_GIT_SHA).map(str::to_string),
                created_at: value(tags, shared::TAG_CREATED_AT).map(str::to_string),
                deployed_at: value(tags, shared::TAG_DEPLOYED_AT).map(str::to_string),
                running: service.running_count(),
                check: None,
            });
        }
    }
    Ok(previews)
}

/// The preview's location and what deleting it would remove.
async fn plan(
    settings: &Settings,
    name: &str,
    all_resources: bool,
) -> Result<(Clients, Location, super::destroy::Plan)> {
    let clients = Clients::new(settings).await;
    let s = preview_settings(settings, name);
    let location = Location::resolve(&s, &clients).await?;
    let mut plan =
        super::destroy::plan(&clients, &location, &s.ecr.repository, all_resources).await?;
    // Images and the repository stay: the project's other releases live there.
    plan.all.repository = None;
    if plan.service.is_some() {
        let tags = service_tags(&clients, &location.cluster, &location.arn)
            .await?
            .unwrap_or_default();
        ensure_ours(settings, &location.service, &tags)?;
    }
    Ok((clients, location, plan))
}

/// One line per thing deleting the preview removes (empty: nothing there).
pub async fn plan_destroy(
    settings: &Settings,
    name: &str,
    all_resources: bool,
) -> Result<Vec<String>> {
    Ok(plan(settings, name, all_resources).await?.2.lines())
}

/// Delete the preview's service (and with `all_resources` its log group).
pub async fn destroy(
    settings: &Settings,
    printer: &Printer,
    name: &str,
    all_resources: bool,
) -> Result<()> {
    let (clients, location, plan) = plan(settings, name, all_resources).await?;
    super::destroy::execute(&clients, printer, &location, &plan, settings.deploy.timeout).await
}
