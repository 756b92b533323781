//! The local target (`target = "local"`, [`Local`]): a release is a
//! container on the local Docker engine, run with the same pipeline as ECS
//! (build, run, health and MCP checks, roll back on failure). The containers
//! themselves (labels, ports, health wait, pruning) are in [`engine`].

pub mod engine;
pub mod preview;

use std::time::Instant;

use anyhow::Result;
use futures_util::future::BoxFuture;

use self::engine::{self as local, LocalHistory, LocalStatus};
use super::{DeployRequest, LogsRequest, Platform, Prepared, RollbackRequest, Status, StatusLine};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::release::build::{self, BuildMemo, BuildReport};
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, ImageRef, Report};
use crate::ui::{Output, Printer};

/// Containers on the local Docker engine, one per release.
#[derive(Debug, Clone, Copy, Default)]
pub struct Local;

impl Platform for Local {
    fn name(&self) -> &'static str {
        "the local target"
    }

    /// Each local release publishes `deploy.port`: one service at a time.
    fn joins_fleet(&self) -> bool {
        false
    }

    fn prepare<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
        _builds: &'a BuildMemo,
    ) -> BoxFuture<'a, Result<Prepared>> {
        Box::pin(prepare(settings, printer, request))
    }

    fn rollback<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a RollbackRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(rollback(settings, printer, request.to.as_deref()))
    }

    fn status<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        _wait: bool,
    ) -> BoxFuture<'a, Result<Status>> {
        Box::pin(status(settings, printer))
    }

    fn history<'a>(
        &'a self,
        settings: &'a Settings,
        _printer: &'a Printer,
        _limit: usize,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(history(settings))
    }

    fn logs<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a LogsRequest,
    ) -> BoxFuture<'a, Result<ExitStatus>> {
        Box::pin(logs(settings, printer, request))
    }

    fn scale<'a>(
        &'a self,
        _settings: &'a Settings,
        _printer: &'a Printer,
        _count: i32,
        _wait: bool,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(async {
            Err(McpError::usage(
                "`mcp scale` scales ECS services; this stage deploys to the local engine",
            )
            .hint("`mcp down` stops the local release; `mcp deploy` starts one")
            .into())
        })
    }

    fn down<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(down(settings, printer))
    }
}

fn report(
    settings: &Settings,
    status: DeployStatus,
    release: u32,
    previous: Option<u32>,
    started: Instant,
) -> Report {
    let mut report = Report::new(
        status,
        "local".into(),
        local::project(settings),
        format!("release {release}"),
    );
    report.previous_revision = previous.map(|p| format!("release {p}"));
    report.deployment_id = Some(format!("mcp-{}-{release}", local::project(settings)));
    report.duration_s = seconds_since(started);
    report
}

/// Bring `previous` back after `failed` did not pass its checks; the report's status says whether that worked.
async fn restore(
    docker: &bollard::Docker,
    settings: &Settings,
    printer: &Printer,
    failed: &str,
    previous: Option<&local::Release>,
    report: &mut Report,
) -> Result<()> {
    local::stop(docker, failed).await?;
    let Some(previous) = previous else {
        printer.warn("there was no earlier local release to bring back");
        report.status = DeployStatus::Failed;
        report.live_revision = Some("none (no earlier release)".into());
        return Ok(());
    };
    printer.status(
        "Rollback",
        format!("to release {} ({})", previous.release, previous.container),
    );
    local::start(docker, &previous.container).await?;
    match local::wait_healthy(
        docker,
        &previous.container,
        settings,
        settings.deploy.timeout,
    )
    .await
    {
        Ok(()) => {
            report.status = DeployStatus::RolledBack;
            report.live_revision = Some(format!("release {}", previous.release));
        }
        Err(err) => {
            printer.warn(format!(
                "release {} did not come back: {err}",
                previous.release
            ));
            report.status = DeployStatus::Failed;
        }
    }
    Ok(())
}

/// Refuse the ECS-only flags, then build the image (secrets are looked up
/// first, so a missing one fails before the build).
async fn prepare(
    settings: &Settings,
    printer: &Printer,
    request: &DeployRequest,
) -> Result<Prepared> {
    let DeployRequest {
        image,
        tag,
        dry_run,
        no_wait,
        force,
        no_check: _,
        allow_breaking: _,
        logs,
        allow_over_limit: _,
        wait_until: _,
    } = request;
    if image.is_some() || *dry_run || *no_wait || *force || *logs {
        return Err(McpError::usage(
            "--image, --dry-run, --no-wait, --force and --logs are for ECS deploys",
        )
        .hint("the local target builds and runs the image on this machine")
        .into());
    }
    let started = Instant::now();
    let (docker, _) = crate::docker::connect().await?;
    let root = settings
        .config_file
        .as_ref()
        .and_then(|f| f.parent())
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let secrets = local::secret_values(settings, &root)?;
    let built = build::build_only(settings, printer, tag.as_deref()).await?;
    Ok(Prepared::Ready(Box::new(Ready {
        docker,
        secrets,
        built,
        started,
    })))
}

/// A built image, ready to run as the next release.
struct Ready {
    docker: bollard::Docker,
    secrets: Vec<(String, String)>,
    built: BuildReport,
    started: Instant,
}

impl super::Ready for Ready {
    fn roll_out<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(roll_out(settings, printer, self, request))
    }
}

/// Stop the live release, start the new one, check it; bring the previous one
/// back when the checks fail.
async fn roll_out(
    settings: &Settings,
    printer: &Printer,
    ready: &Ready,
    request: &DeployRequest,
) -> Result<Report> {
    let Ready {
        docker,
        secrets,
        built,
        started,
    } = ready;
    let (started, check, tag) = (*started, !request.no_check, request.tag.as_deref());
    let all = local::releases(docker, settings).await?;
    let previous = all.iter().find(|r| r.live).cloned();
    let release = all.first().map_or(1, |r| r.release + 1);
    if let Some(previous) = &previous {
        // The new release needs the port: stop the old one, keep it for a rollback.
        local::stop(docker, &previous.container).await?;
    }
    let git_sha = build::plan(settings, tag)
        .ok()
        .and_then(|p| p.git.map(|g| g.sha));
    let mut report = report(
        settings,
        DeployStatus::Succeeded,
        release,
        previous.as_ref().map(|p| p.release),
        started,
    );
    report.image = Some(built.image.clone());
    report.digest = Some(built.built.image_id.clone());
    let name = match local::start_release(
        docker,
        settings,
        &built.image.to_string(),
        &built.built.image_id,
        git_sha.as_deref(),
        release,
        secrets,
    )
    .await
    {
        Ok(name) => name,
        Err(err) => {
            if let Some(previous) = &previous {
                let _ = local::start(docker, &previous.container).await;
            }
            return Err(err);
        }
    };
    printer.status(
        "Started",
        format!(
            "release {release} ({name}) on http://127.0.0.1:{}",
            settings.deploy.port
        ),
    );
    let mut report_check = None;

    let mut checked = local::wait_healthy(docker, &name, settings, settings.deploy.timeout).await;
    if checked.is_ok() {
        printer.status(
            "Healthy",
            match local::health_url(settings)? {
                Some(url) => url.to_string(),
                None => format!(
                    "127.0.0.1:{} accepts connections (no health path)",
                    settings.deploy.port
                ),
            },
        );
    }
    if checked.is_ok() && check {
        // The same MCP check as after an ECS rollout, against the local port.
        let url = local::url(settings);
        match crate::platform::check::until_healthy(
            settings,
            printer,
            &url,
            std::time::Duration::from_secs(10),
        )
        .await
        {
            Ok(report) if report.healthy => report_check = Some(report),
            Ok(report) => {
                checked = Err(anyhow::anyhow!(
                    "the MCP check failed at {}: {}",
                    report
                        .failed_step
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    report.error.as_deref().unwrap_or("?")
                ));
                report_check = Some(report);
            }
            Err(err) => checked = Err(err),
        }
    }
    match checked {
        Ok(()) => {
            report.live_revision = Some(report.revision.clone());
            // Old stopped releases are housekeeping: failing to remove one is no failed deploy.
            if let Err(err) = local::prune(docker, settings, printer).await {
                printer.warn(format!(
                    "could not remove old releases: {}",
                    crate::error::one_line(&err)
                ));
            }
        }
        Err(err) => {
            report.reason = Some(err.to_string());
            report.next = Some(format!("see its output with `docker logs {name}`"));
            restore(
                docker,
                settings,
                printer,
                &name,
                previous.as_ref(),
                &mut report,
            )
            .await?;
        }
    }
    report.check = report_check;
    report.duration_s = seconds_since(started);
    if report.check.is_some() {
        report.client_url = Some(local::url(settings));
    }
    Ok(report)
}

async fn rollback(settings: &Settings, printer: &Printer, to: Option<&str>) -> Result<Report> {
    let started = Instant::now();
    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    let live = all.iter().find(|r| r.live).cloned();
    let target = match to {
        Some(to) => {
            let n: u32 = to.parse().map_err(|_| {
                McpError::usage(format!("`{to}` is not a local release number"))
                    .hint("`mcp history` lists them")
            })?;
            all.iter()
                .find(|r| r.release == n)
                .cloned()
                .ok_or_else(|| {
                    McpError::usage(format!("no local release {n}"))
                        .hint("`mcp history` lists the releases kept")
                })?
        }
        None if all.is_empty() => {
            return Err(McpError::new(format!(
                "no local release of {} to roll back to",
                local::project(settings)
            ))
            .hint(none_left(settings))
            .into());
        }
        None => all
            .iter()
            .find(|r| !r.live && live.as_ref().is_none_or(|l| r.release < l.release))
            .cloned()
            .ok_or_else(|| {
                McpError::new("no earlier local release to roll back to")
                    .hint("`mcp history` lists them")
            })?,
    };
    if target.live {
        return Err(McpError::usage(format!("release {} is already live", target.release)).into());
    }
    if let Some(live) = &live {
        local::stop(&docker, &live.container).await?;
    }
    printer.status(
        "Rolling back",
        format!("to release {} ({})", target.release, target.container),
    );
    let mut report = report(
        settings,
        DeployStatus::Succeeded,
        target.release,
        live.as_ref().map(|l| l.release),
        started,
    );
    report.image = Some(ImageRef::parse(&target.image));
    report.digest = Some(target.digest.clone());
    local::start(&docker, &target.container).await?;
    match local::wait_healthy(
        &docker,
        &target.container,
        settings,
        settings.deploy.timeout,
    )
    .await
    {
        Ok(()) => report.live_revision = Some(report.revision.clone()),
        Err(err) => {
            report.reason = Some(err.to_string());
            restore(
                &docker,
                settings,
                printer,
                &target.container,
                live.as_ref(),
                &mut report,
            )
            .await?;
        }
    }
    Ok(report)
}

async fn status(settings: &Settings, printer: &Printer) -> Result<Status> {
    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    if all.is_empty() {
        printer.note(format!("hint: {}", none_left(settings)));
    }
    let status = LocalStatus {
        target: "local",
        project: local::project(settings),
        live: all.into_iter().find(|r| r.live),
        url: local::url(settings),
    };
    let summary = StatusLine {
        revision: status
            .live
            .as_ref()
            .map_or_else(|| "-".to_string(), |r| format!("release {}", r.release)),
        running: i32::from(status.live.is_some()),
        desired: i32::from(status.live.is_some()),
        rollout: None,
        last_event: status.live.as_ref().map(|r| r.state.clone()),
        tag: status
            .live
            .as_ref()
            .and_then(|r| ImageRef::parse(&r.image).tag),
        git_sha: status.live.as_ref().and_then(|r| r.git_sha.clone()),
        config_drift: Vec::new(),
        load_balancer_findings: None,
        url: None,
        check: None,
        cost: None,
    };
    Ok(Status {
        output: Output::new(status),
        exit: ExitStatus::Success,
        summary,
    })
}

async fn history(settings: &Settings) -> Result<Output> {
    let (docker, _) = crate::docker::connect().await?;
    let releases = local::releases(&docker, settings).await?;
    Ok(Output::new(LocalHistory {
        target: "local",
        project: local::project(settings),
        releases,
    }))
}

/// `mcp down`: remove every local container of the project.
async fn down(settings: &Settings, printer: &Printer) -> Result<Output> {
    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    for release in &all {
        local::remove(&docker, &release.container).await?;
        printer.status(
            "Removed",
            format!("release {} ({})", release.release, release.container),
        );
    }
    if all.is_empty() {
        printer.status("Idle", "no local containers for this project");
    }
    Ok(Output::new(Removed {
        removed: all.into_iter().map(|r| r.container).collect(),
    }))
}

/// What `mcp down` removed: a sentence for people, `{"removed": [...]}` for `--output json`.
#[derive(Debug, serde::Serialize)]
pub struct Removed {
    /// The containers removed, newest release first.
    pub removed: Vec<String>,
}

impl std::fmt::Display for Removed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.removed.as_slice() {
            [] => writeln!(f, "nothing to remove: no local releases for this project"),
            [one] => writeln!(f, "removed 1 local release ({one})"),
            many => writeln!(
                f,
                "removed {} local releases ({})",
                many.len(),
                many.join(", ")
            ),
        }
    }
}

/// When no local release is left: why (`mcp down`, or none yet) and the command that starts one.
fn none_left(settings: &Settings) -> String {
    let mut command = String::from("mcp deploy");
    if let Some(service) = &settings.service {
        command.push_str(&format!(" {service}"));
    }
    if let Some(stage) = &settings.stage {
        command.push_str(&format!(" --stage {stage}"));
    }
    format!(
        "`mcp down` removed the local releases (or none was deployed yet); `{command}` starts again from a new release"
    )
}

/// `mcp logs [-f]` on the local target: the live release's output, as
/// `mcp logs` shows CloudWatch events (time, release, message).
async fn logs(settings: &Settings, printer: &Printer, request: &LogsRequest) -> Result<ExitStatus> {
    use bollard::query_parameters::LogsOptionsBuilder;
    use futures_util::StreamExt;

    let LogsRequest {
        since,
        until,
        filter,
        task,
        revision,
        follow,
        live,
        log_group,
    } = request;
    let unsupported = [
        ("--until", until.is_some()),
        ("--filter", filter.is_some()),
        ("--task", task.is_some()),
        ("--revision", revision.is_some()),
        ("--live", *live),
        ("--log-group", log_group.is_some()),
    ];
    if let Some((flag, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(McpError::usage(format!(
            "{flag} reads CloudWatch Logs; this stage runs on the local engine"
        ))
        .hint("on the local target `mcp logs` takes --since and -f")
        .into());
    }
    let (since, follow) = (since.as_deref(), *follow);

    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    let Some(release) = all.iter().find(|r| r.live).or(all.first()).cloned() else {
        return Err(McpError::new(format!(
            "no local release of {} to show logs of",
            local::project(settings)
        ))
        .hint(none_left(settings))
        .into());
    };
    let since = since.unwrap_or("10m");
    let start = super::logs::parse_time(since, jiff::Timestamp::now())
        .map_err(|e| McpError::usage(format!("--since: {e}")))?;
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .follow(follow)
        .since(i32::try_from(start.as_second()).unwrap_or(0))
        .build();
    let stream_name = format!("local/{}/{}", local::project(settings), release.release);
    let mut output = docker.logs(&release.container, Some(options));
    let mut partial = String::new();
    let interrupted = crate::cancel::cancelled();
    tokio::pin!(interrupted);
    loop {
        let chunk = tokio::select! {
            _ = &mut interrupted => break,
            chunk = output.next() => chunk,
        };
        let Some(chunk) = chunk else { break };
        let chunk = chunk.map_err(|e| {
            anyhow::anyhow!(e).context(format!("reading the output of `{}`", release.container))
        })?;
        partial.push_str(&chunk.to_string());
        while let Some(newline) = partial.find('\n') {
            let line: String = partial.drain(..=newline).collect();
            // With timestamps, the engine writes `RFC3339Nano message`.
            let (time, message) = line
                .trim_end()
                .split_once(' ')
                .unwrap_or(("", line.trim_end()));
            let ms = time
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_millisecond())
                .unwrap_or_default();
            let entry = crate::aws::logs::LogLine::new(ms, stream_name.clone(), message);
            printer.line(super::logs::render(
                &entry,
                printer.json(),
                printer.color(),
                printer.escapes(),
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}
