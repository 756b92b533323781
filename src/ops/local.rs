//! Commands on the local target (`target = "local"`): deploy, rollback,
//! status, history and down, on the local Docker engine.

use std::time::Instant;

use anyhow::Result;

use super::deploy::finish;
use super::rollout::{DeployStatus, Report};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::target::local::{self, LocalHistory, LocalStatus};
use crate::ui::Printer;

fn report(
    settings: &Settings,
    status: DeployStatus,
    release: u32,
    previous: Option<u32>,
    started: Instant,
) -> Report {
    Report {
        status,
        cluster: "local".into(),
        service: local::project(settings),
        revision: format!("release {release}"),
        previous_revision: previous.map(|p| format!("release {p}")),
        live_revision: None,
        image: None,
        digest: None,
        deployment_id: Some(format!("mcp-{}-{release}", local::project(settings))),
        duration_s: super::rollout::seconds_since(started),
        reason: None,
        stopped_tasks: Vec::new(),
        next: None,
        check: None,
        failed_task_logs: Vec::new(),
        strategy: None,
        stage: None,
        gate: None,
        service_deployment: None,
    }
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

pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    tag: Option<&str>,
    check: bool,
) -> Result<ExitStatus> {
    let started = Instant::now();
    let (docker, _) = crate::docker::connect().await?;
    let root = settings
        .config_file
        .as_ref()
        .and_then(|f| f.parent())
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let secrets = local::secret_values(settings, &root)?;
    let built = super::image::build_only(settings, printer, tag).await?;

    let all = local::releases(&docker, settings).await?;
    let previous = all.iter().find(|r| r.live).cloned();
    let release = all.first().map_or(1, |r| r.release + 1);
    if let Some(previous) = &previous {
        // The new release needs the port: stop the old one, keep it for a rollback.
        local::stop(&docker, &previous.container).await?;
    }
    let git_sha = super::image::plan(settings, tag)
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
        &docker,
        settings,
        &built.image,
        &built.built.image_id,
        git_sha.as_deref(),
        release,
        &secrets,
    )
    .await
    {
        Ok(name) => name,
        Err(err) => {
            if let Some(previous) = &previous {
                let _ = local::start(&docker, &previous.container).await;
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

    let mut checked = local::wait_healthy(&docker, &name, settings, settings.deploy.timeout).await;
    if checked.is_ok() {
        printer.status(
            "Healthy",
            format!(
                "http://127.0.0.1:{}{}",
                settings.deploy.port, settings.deploy.health_path
            ),
        );
    }
    if checked.is_ok() && check {
        // The same MCP check as after an ECS rollout, against the local port.
        let url = local::url(settings);
        match super::rollout::check_until_healthy(
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
            if let Err(err) = local::prune(&docker, settings, printer).await {
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
                &docker,
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
    report.duration_s = super::rollout::seconds_since(started);
    if report.status == DeployStatus::Succeeded && report.check.is_some() {
        let name = settings.service.as_deref().unwrap_or(&settings.name);
        printer.note(format!(
            "\nAdd it to an MCP client:\n{}\n",
            super::rollout::client_snippet(name, &local::url(settings))
        ));
    }
    finish(printer, &report)
}

pub async fn rollback(
    settings: &Settings,
    printer: &Printer,
    to: Option<&str>,
) -> Result<ExitStatus> {
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
    report.image = Some(target.image.clone());
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
    finish(printer, &report)
}

pub async fn status(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    let status = LocalStatus {
        target: "local",
        project: local::project(settings),
        live: all.into_iter().find(|r| r.live),
        url: local::url(settings),
    };
    printer.data(&status)?;
    Ok(ExitStatus::Success)
}

pub async fn history(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let (docker, _) = crate::docker::connect().await?;
    let releases = local::releases(&docker, settings).await?;
    printer.data(&LocalHistory {
        target: "local",
        project: local::project(settings),
        releases,
    })?;
    Ok(ExitStatus::Success)
}

/// `mcp down`: remove every local container of the project.
pub async fn down(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
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
    printer.data(
        &serde_json::json!({ "removed": all.iter().map(|r| &r.container).collect::<Vec<_>>() }),
    )?;
    Ok(ExitStatus::Success)
}

/// `mcp logs [-f]` on the local target: the live release's output, as
/// `mcp logs` shows CloudWatch events (time, release, message).
pub async fn logs(
    settings: &Settings,
    printer: &Printer,
    since: Option<&str>,
    follow: bool,
) -> Result<ExitStatus> {
    use bollard::query_parameters::LogsOptionsBuilder;
    use futures_util::StreamExt;

    let (docker, _) = crate::docker::connect().await?;
    let all = local::releases(&docker, settings).await?;
    let Some(release) = all.iter().find(|r| r.live).or(all.first()).cloned() else {
        return Err(McpError::new(format!(
            "no local release of {} to show logs of",
            local::project(settings)
        ))
        .hint("deploy one first: `mcp deploy --stage local`")
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
    let interrupted = tokio::signal::ctrl_c();
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
            printer.line(super::logs::render(&entry, printer.json(), printer.color()))?;
        }
    }
    Ok(ExitStatus::Success)
}
