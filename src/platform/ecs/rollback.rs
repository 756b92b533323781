//! A rollback on ECS: put an earlier revision live again, followed like a deploy.
//!
//! By default the target is the newest revision older than the live one whose
//! rollout completed (`mcp` tags those) and whose image is not the live one's
//! (after a rollback and a redeploy of the same image, the revision rolled
//! back from runs what is live again); `--to` takes a revision number or an
//! image tag. No new revision is registered: the earlier one is re-used as is.
//!
//! While a blue/green, canary or linear deployment runs or bakes, the old
//! revision still runs: without `--to`, `mcp rollback` stops that deployment
//! with ROLLBACK instead (seconds, not a new rollout). Afterwards it deploys
//! the earlier revision with the configured strategy, MCP gate included
//! (see [`crate::platform::ecs_progressive`]).

use std::time::Instant;

use anyhow::Result;

use super::history;
use super::rollout::{self, Restore, Rollout};
use crate::aws::{self, Clients, taskdef};
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::RollbackRequest;
use crate::platform::ecs_progressive as progressive;
use crate::release::Report;
use crate::release::history::Entry as Release;
use crate::ui::Printer;

/// How far back `mcp rollback` looks.
const LOOKBACK: usize = 50;

pub async fn rollback(
    settings: &Settings,
    printer: &Printer,
    request: &RollbackRequest,
    restore: &dyn Restore,
) -> Result<Report> {
    let RollbackRequest { to, force } = request;
    let (to, force) = (to.as_deref(), *force);
    let started = Instant::now();
    // The check runs after the rollback: a bad URL or a missing token must stop us before anything changes.
    rollout::preflight_check(settings, true)?;
    let clients = Clients::new(settings).await;
    if to.is_none()
        && let Some(report) = progressive::instant_rollback(
            settings,
            &clients,
            printer,
            settings.cluster()?,
            &settings.ecs.service,
            started,
        )
        .await?
    {
        return Ok(report);
    }
    // Describe revisions only down to the one `pick` will choose.
    let mut live_seen: Option<Release> = None;
    let wanted = |r: &Release| match to {
        Some(to) => match to.parse::<i32>() {
            Ok(n) => r.revision == n,
            Err(_) => r.tag.as_deref() == Some(to),
        },
        None => {
            let hit = live_seen
                .as_ref()
                .is_some_and(|live| r.completed_at.is_some() && !same_image(r, live));
            if r.live {
                live_seen = Some(r.clone());
            }
            hit
        }
    };
    let history = history::releases_until(settings, &clients, LOOKBACK, Some(wanted)).await?;
    let live = history.releases.iter().find(|r| r.live).cloned();
    let target = pick(&history.releases, live.as_ref(), to)?;

    let cluster = history.cluster.clone();
    let service = aws::ecs::describe_service(&clients, &cluster, &history.service).await?;
    rollout::ensure_ecs_controller(&service)?;
    rollout::ensure_idle(&service, force, printer)?;
    let previous = service.task_definition().map(str::to_string);
    crate::cancel::check("before rolling back")?;
    crate::cancel::rolling_out(
        settings.service.as_deref(),
        &history.service,
        taskdef::short_name(&target.task_definition),
    );
    let plan = progressive::preflight::plan(settings, &service, true)?;
    if plan.strategy.is_progressive() {
        printer.status(
            "Rolling back",
            format!(
                "to revision {} ({})",
                target.revision,
                target.tag.as_deref().unwrap_or("?")
            ),
        );
        return progressive::Deployment {
            settings,
            clients: &clients,
            printer,
            cluster,
            service: history.service.clone(),
            target_arn: target.task_definition.clone(),
            previous_arn: previous,
            image: target.image.clone(),
            digest: target.image.as_ref().and_then(|i| i.digest.clone()),
            started,
            plan,
            wait_until: Default::default(),
            no_wait: false,
            check: true,
        }
        .run()
        .await;
    }
    if let Some(configuration) = &plan.configuration {
        rollout::configure(&clients, &cluster, &history.service, configuration).await?;
    }

    let (deployment_id, target_arn) = restore
        .restore(
            settings,
            &clients,
            &cluster,
            &history.service,
            &target.task_definition,
        )
        .await?;
    printer.status(
        "Rolling back",
        format!(
            "to revision {} ({}) (deployment {deployment_id})",
            target.revision,
            target.tag.as_deref().unwrap_or("?")
        ),
    );
    let rollout = Rollout {
        settings,
        clients: &clients,
        printer,
        cluster,
        service: history.service.clone(),
        target_arn,
        previous_arn: previous,
        restoring: true,
        deployment_id,
        image: target.image.clone(),
        digest: target.image.as_ref().and_then(|i| i.digest.clone()),
        started,
        seen: Default::default(),
        check: true,
        logs: false,
        restore,
    };
    rollout.see_through().await
}

/// Both run the same image (by digest when both have one).
fn same_image(a: &Release, b: &Release) -> bool {
    match (&a.image, &b.image) {
        (Some(x), Some(y)) => match (&x.digest, &y.digest) {
            (Some(dx), Some(dy)) => dx == dy,
            _ => x.to_string() == y.to_string(),
        },
        _ => false,
    }
}

/// The release to go back to.
fn pick(releases: &[Release], live: Option<&Release>, to: Option<&str>) -> Result<Release> {
    let live_revision = live.map(|r| r.revision).unwrap_or(i32::MAX);
    if let Some(to) = to {
        let found = match to.parse::<i32>() {
            Ok(n) => releases.iter().find(|r| r.revision == n),
            Err(_) => releases.iter().find(|r| r.tag.as_deref() == Some(to)),
        };
        let release = found.ok_or_else(|| {
            McpError::usage(format!(
                "no release `{to}` among the last {LOOKBACK} revisions"
            ))
            .hint("`mcp history` lists revisions and their image tags")
        })?;
        if release.live {
            return Err(
                McpError::usage(format!("revision {} is already live", release.revision)).into(),
            );
        }
        return Ok(release.clone());
    }
    let older = || releases.iter().filter(|r| r.revision < live_revision);
    older()
        .find(|r| r.completed_at.is_some() && live.is_none_or(|l| !same_image(r, l)))
        .or_else(|| older().find(|r| r.completed_at.is_some()))
        .or_else(|| older().next())
        .cloned()
        .ok_or_else(|| {
            McpError::new("no earlier release to roll back to")
                .hint("`mcp history` lists the revisions this service has had")
                .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(revision: i32, completed: bool, live: bool, tag: &str) -> Release {
        Release {
            revision,
            task_definition: format!("arn:aws:ecs:r:1:task-definition/f:{revision}"),
            image: None,
            tag: Some(tag.into()),
            git_sha: None,
            registered_at: None,
            registered_by: None,
            completed_at: completed.then(|| "t".into()),
            live,
        }
    }

    #[test]
    fn default_is_the_newest_older_release_that_completed() {
        // 5 live, 4 failed to roll out, 3 completed.
        let releases = [
            release(5, true, true, "e"),
            release(4, false, false, "d"),
            release(3, true, false, "c"),
        ];
        assert_eq!(
            pick(&releases, Some(&releases[0]), None).unwrap().revision,
            3
        );
        assert_eq!(
            pick(&releases, Some(&releases[0]), Some("4"))
                .unwrap()
                .revision,
            4
        );
        assert_eq!(
            pick(&releases, Some(&releases[0]), Some("c"))
                .unwrap()
                .revision,
            3
        );
        assert!(
            pick(&releases, Some(&releases[0]), Some("5")).is_err(),
            "already live"
        );
        assert!(pick(&releases, Some(&releases[0]), Some("zz")).is_err());
    }

    // Guards the benchmark's find: 2 (a), 3 (b), rollback to 2, deploy b again as 4:
    // `mcp rollback` must go to 2, not to 3, which runs b like the live 4.
    #[test]
    fn default_skips_a_revision_running_the_live_image() {
        let with_image = |revision, live, image: &str| Release {
            image: Some(crate::release::ImageRef::parse(&format!(
                "r/x:{image}@sha256:{image}{image}"
            ))),
            ..release(revision, true, live, image)
        };
        let releases = [
            with_image(4, true, "b"),
            with_image(3, false, "b"),
            with_image(2, false, "a"),
        ];
        assert_eq!(
            pick(&releases, Some(&releases[0]), None).unwrap().revision,
            2
        );
        // Only the same image further back: the newest completed one, as before.
        let releases = [with_image(4, true, "b"), with_image(3, false, "b")];
        assert_eq!(
            pick(&releases, Some(&releases[0]), None).unwrap().revision,
            3
        );
    }

    #[test]
    fn without_completion_marks_the_previous_revision_is_used() {
        let releases = [release(7, false, true, "g"), release(6, false, false, "f")];
        assert_eq!(
            pick(&releases, Some(&releases[0]), None).unwrap().revision,
            6
        );
        assert!(pick(&releases[..1], Some(&releases[0]), None).is_err());
    }
}
