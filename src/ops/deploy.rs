//! `mcp deploy`: build and push the image (or take `--image`), register a new
//! task-definition revision, update the service, follow the rollout to its end,
//! and roll back when it fails.

use std::fmt;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;

use super::image::{self, BuildMemo, PushReport};
use super::rollout::{self, DeployStatus, Rollout};
use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::error::ExitStatus;
use crate::ui::Printer;

#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// An image already in ECR, instead of building.
    pub image: Option<String>,
    /// Tag template overriding `build.tag`.
    pub tag: Option<String>,
    /// Print the plan and the task-definition diff; change nothing.
    pub dry_run: bool,
    /// Return after UpdateService.
    pub no_wait: bool,
    /// Start even when another deployment is in flight.
    pub force: bool,
    /// Skip the MCP check after the rollout.
    pub no_check: bool,
    /// Stream the new tasks' logs while waiting.
    pub logs: bool,
}

/// `--dry-run`'s output: what a deploy would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub status: &'static str,
    pub cluster: String,
    pub service: String,
    pub container: String,
    pub current_revision: String,
    pub image: String,
    pub changes: Vec<taskdef::Change>,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "would register a new revision of {} (container `{}`) and roll it out to {}/{}",
            self.current_revision, self.container, self.cluster, self.service
        )?;
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
}

/// What [`prepare`] ends with.
pub enum Prepared {
    DryRun(Plan),
    Ready(Box<Ready>),
}

/// Everything up to UpdateService: image, new revision (or the plan, with `--dry-run`).
pub async fn prepare(
    settings: &Settings,
    printer: &Printer,
    options: &DeployOptions,
    builds: &BuildMemo,
) -> Result<Prepared> {
    let started = Instant::now();
    let cluster = settings.cluster()?.to_string();
    let service_name = settings.ecs.service.clone();
    if settings.deploy.url.is_some() && !options.no_check {
        // The check runs after the rollout: a missing token must stop us before anything changes.
        super::check::bearer_token(&settings.deploy)?;
    }
    let clients = Clients::new(settings).await;

    let service = rollout::describe_service(&clients, &cluster, &service_name).await?;
    if !options.dry_run {
        rollout::ensure_idle(&service, options.force, printer)?;
    }
    let current_arn = service
        .task_definition()
        .context("the service has no task definition")?
        .to_string();

    // The image: verified when given, built and pushed otherwise (or found already pushed).
    let pushed: PushReport = match &options.image {
        Some(uri) => {
            let report = image::verify(&clients, uri).await?;
            printer.status("Found", &report.image);
            report
        }
        None if options.dry_run => {
            let plan = image::plan(settings, options.tag.as_deref())?;
            // A dry run changes nothing: a missing repository is reported, not created.
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
            let uri = format!("{}:{}", repository.uri, plan.tag);
            PushReport {
                image: format!("{uri}@sha256:<digest after push>"),
                repository: repository.uri,
                tag: plan.tag,
                digest: String::new(),
                pushed_bytes: 0,
                layers_pushed: 0,
                layers_existing: 0,
                skipped: false,
                build: None,
                git_sha: plan.git.map(|g| g.sha),
            }
        }
        None => {
            image::build_and_push(settings, printer, &clients, options.tag.as_deref(), builds)
                .await?
        }
    };

    let described = taskdef::describe(&clients.ecs, &current_arn).await?;
    let current = &described.definition;
    let family = current.family().unwrap_or("?").to_string();
    let container = aws::ecs::pick_container(
        current.container_definitions(),
        settings.ecs.container.as_deref(),
        &family,
    )?;
    let container_name = container.name().unwrap_or_default().to_string();
    let (updated, changes) = taskdef::updated_container(
        container,
        &pushed.image,
        &settings.env,
        &settings.secrets,
        Some(&super::secrets::prefix(settings)),
    );

    if options.dry_run {
        return Ok(Prepared::DryRun(Plan {
            status: "dry_run",
            cluster,
            service: service_name,
            container: container_name,
            current_revision: taskdef::short_name(&current_arn).to_string(),
            image: pushed.image,
            changes,
        }));
    }

    if settings.ecs.express {
        // Express registers the revision itself when `roll_out` updates the service.
        return Ok(Prepared::Ready(Box::new(Ready {
            clients,
            cluster,
            service: service_name,
            current_arn,
            new_arn: String::new(),
            pushed,
            started,
        })));
    }
    let containers = current
        .container_definitions()
        .iter()
        .map(|c| {
            if c.name() == Some(container_name.as_str()) {
                updated.clone()
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
        (taskdef::TAG_VERSION, env!("CARGO_PKG_VERSION").to_string()),
        (taskdef::TAG_IMAGE_TAG, pushed.tag.clone()),
    ];
    if let Some(sha) = &pushed.git_sha {
        ours.push((taskdef::TAG_GIT_SHA, sha.clone()));
    }
    if let Some(caller) = caller {
        ours.push((taskdef::TAG_DEPLOYED_BY, caller));
    }
    let tags = taskdef::merged_tags(&described.tags, &ours);
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
    printer.status(
        "Registered",
        format!(
            "{} ({} change{})",
            taskdef::short_name(&new_arn),
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        ),
    );
    for change in &changes {
        printer.detail(
            1,
            format!("             {}", change.to_string().replace('\n', " ")),
        );
    }
    Ok(Prepared::Ready(Box::new(Ready {
        clients,
        cluster,
        service: service_name,
        current_arn,
        new_arn,
        pushed,
        started,
    })))
}

/// UpdateService to the new revision and, unless `--no-wait`, see the rollout through.
pub async fn roll_out(
    settings: &Settings,
    printer: &Printer,
    ready: &Ready,
    options: &DeployOptions,
) -> Result<rollout::Report> {
    // The build may have taken minutes: look again before replacing anything.
    let service = rollout::describe_service(&ready.clients, &ready.cluster, &ready.service).await?;
    rollout::ensure_idle(&service, options.force, printer)?;
    let (deployment_id, new_arn) = if settings.ecs.express {
        let mut tags = vec![
            (taskdef::TAG_VERSION, env!("CARGO_PKG_VERSION").to_string()),
            (taskdef::TAG_IMAGE_TAG, ready.pushed.tag.clone()),
        ];
        if let Some(sha) = &ready.pushed.git_sha {
            tags.push((taskdef::TAG_GIT_SHA, sha.clone()));
        }
        crate::platform::ecs_express::deploy::release(
            settings,
            &ready.clients,
            printer,
            &ready.pushed.image,
            &tags,
        )
        .await?
    } else {
        let id = rollout::start(
            &ready.clients,
            &ready.cluster,
            &ready.service,
            &ready.new_arn,
        )
        .await?;
        (id, ready.new_arn.clone())
    };
    printer.status(
        "Deploying",
        format!(
            "{} to {}/{} (deployment {deployment_id})",
            taskdef::short_name(&new_arn),
            ready.cluster,
            ready.service
        ),
    );
    let rollout = Rollout {
        settings,
        clients: &ready.clients,
        printer,
        cluster: ready.cluster.clone(),
        service: ready.service.clone(),
        target_arn: new_arn.clone(),
        previous_arn: Some(ready.current_arn.clone()),
        deployment_id,
        image: Some(ready.pushed.image.clone()),
        digest: (!ready.pushed.digest.is_empty()).then(|| ready.pushed.digest.clone()),
        started: ready.started,
        seen: Default::default(),
        check: !options.no_check,
        logs: options.logs,
    };
    if options.no_wait {
        let mut report = rollout.report(DeployStatus::Started);
        report.next = Some(format!(
            "follow it with `mcp status --wait{}`",
            settings
                .service
                .as_ref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default()
        ));
        return Ok(report);
    }
    rollout.see_through().await
}

/// `mcp deploy` of one service.
pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    options: &DeployOptions,
) -> Result<ExitStatus> {
    match prepare(settings, printer, options, &BuildMemo::default()).await? {
        Prepared::DryRun(plan) => {
            printer.data(&plan)?;
            Ok(ExitStatus::Success)
        }
        Prepared::Ready(ready) => {
            let report = roll_out(settings, printer, &ready, options).await?;
            if report.status == DeployStatus::Succeeded
                && let Some(url) = &settings.deploy.url
            {
                let name = settings.service.as_deref().unwrap_or(&settings.name);
                printer.note(format!(
                    "\nAdd it to an MCP client:\n{}\n",
                    rollout::client_snippet(name, url)
                ));
            }
            finish(printer, &report)
        }
    }
}

/// Print the final status line and the report; map it to the exit code.
pub fn finish(printer: &Printer, report: &rollout::Report) -> Result<ExitStatus> {
    match report.status {
        DeployStatus::Succeeded => printer.status(
            "Deployed",
            format!("{} in {:.0}s", report.revision, report.duration_s),
        ),
        DeployStatus::Started => {
            printer.status("Started", format!("{} (not waiting)", report.revision))
        }
        DeployStatus::RolledBack => printer.warn(format!(
            "deploy of {} failed; {} runs again",
            report.revision,
            report
                .live_revision
                .as_deref()
                .unwrap_or("the previous release")
        )),
        DeployStatus::Failed => printer.warn(format!(
            "deploy of {} failed and the previous release was not restored",
            report.revision
        )),
        DeployStatus::Interrupted => {
            printer.warn("interrupted; ECS carries on with the deployment")
        }
    }
    // `mcp deploy -o json | head -1`: the exit code still tells what happened.
    if let Err(err) = printer.data(report) {
        let err = anyhow::Error::new(err);
        if !crate::ui::printer::is_stdout_closed(&err) {
            return Err(err);
        }
    }
    Ok(report.status.exit_status())
}
