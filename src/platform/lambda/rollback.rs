//! `mcp rollback` on a Lambda stage: move `live` back to a version that went
//! live before (the `mcp:live` tag), dropping any canary weights. Nothing is
//! built, published or updated: the version's code and configuration are as
//! they were, so it takes one `UpdateAlias` (and the check after it).

use std::time::{Duration, Instant};

use anyhow::Result;

use super::release::{record_live, went_live};
use super::{LIVE, revision};
use crate::aws::Clients;
use crate::aws::lambda::{self, ReleaseTags};
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::RollbackRequest;
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, Report};
use crate::ui::Printer;

/// Which version `to` names: a version number, an image tag or a git sha
/// (prefix) in a version's description; none: the version live before this one.
fn choose(
    to: Option<&str>,
    live: &str,
    went_live: &[String],
    versions: &[lambda::Function],
) -> std::result::Result<String, McpError> {
    let Some(to) = to else {
        let position = went_live.iter().rposition(|v| v == live);
        let before = match position {
            Some(i) => went_live[..i].iter().rev().find(|v| *v != live),
            None => went_live.iter().rev().find(|v| *v != live),
        };
        return before.cloned().ok_or_else(|| {
            McpError::new(format!("no version went live before version {live}"))
                .hint("`mcp history` lists the versions; `mcp rollback --to N` picks one")
        });
    };
    let wanted = to.trim_start_matches('v');
    if let Some(found) = versions.iter().find(|v| v.version == wanted) {
        return Ok(found.version.clone());
    }
    let matches: Vec<&lambda::Function> = versions
        .iter()
        .filter(|v| {
            ReleaseTags::parse(&v.description).is_some_and(|t| {
                t.tag.as_deref() == Some(to)
                    || t.git_sha
                        .as_deref()
                        .is_some_and(|sha| to.len() >= 7 && sha.starts_with(to))
            })
        })
        .collect();
    // A version that served clients before wins over one that failed its gate.
    let best = matches
        .iter()
        .rev()
        .find(|v| went_live.contains(&v.version))
        .or(matches.last());
    match best {
        Some(v) => Ok(v.version.clone()),
        None => Err(McpError::usage(format!(
            "no version of the function is `{to}` (a version number, image tag or git sha)"
        ))
        .hint("`mcp history` lists the versions")),
    }
}

pub async fn rollback(
    settings: &Settings,
    printer: &Printer,
    request: &RollbackRequest,
) -> Result<Report> {
    let started = Instant::now();
    let clients = Clients::new(settings).await;
    let function = super::function(&clients, settings).await?;
    let name = &function.name;
    let live = lambda::get_alias(&clients.lambda, name, LIVE)
        .await?
        .ok_or_else(|| {
            McpError::new(format!(
                "`{name}` has no `live` alias: nothing was deployed to roll back"
            ))
            .hint("`mcp deploy` makes the first release")
        })?;
    let versions = lambda::versions(&clients.lambda, name).await?;
    let history = went_live(&clients, &function.arn).await?;
    // A canary's weight still on `live` (an interrupted deploy): rolling back
    // takes it off, the version `live` points at keeps all traffic.
    let target = match (&request.to, &live.weight) {
        (None, Some(_)) => live.version.clone(),
        _ => choose(request.to.as_deref(), &live.version, &history, &versions)?,
    };
    if !history.contains(&target) {
        printer.warn(format!(
            "version {target} never served `live` before (its gate failed, or it was published by hand)"
        ));
    }
    if target == live.version && live.weight.is_none() {
        return Err(McpError::usage(format!("version {target} is live already")).into());
    }
    if !versions.iter().any(|v| v.version == target) {
        return Err(
            McpError::new(format!("version {target} of `{name}` no longer exists"))
                .hint("`mcp history` lists the versions kept")
                .into(),
        );
    }
    printer.status(
        "Rolling back",
        format!(
            "`live` of {name} from version {}{} to version {target}",
            live.version,
            live.weight
                .as_ref()
                .map(|(v, w)| format!(" ({:.0}% on version {v})", w * 100.0))
                .unwrap_or_default()
        ),
    );
    lambda::set_alias(&clients.lambda, name, LIVE, &target, None, false).await?;
    record_live(&clients, settings, &target).await?;
    let mut report = super::deploy::report(settings, &target, started);
    report.previous_revision = Some(revision(settings, &live.version));
    report.live_revision = Some(revision(settings, &target));
    let url = super::live_url(&clients, settings).await?;
    report.client_url = url.clone();
    printer.status("Live", format!("version {target} of {name}"));
    if let Some(url) = url {
        let check =
            crate::platform::check::until_healthy(settings, printer, &url, Duration::from_secs(20))
                .await?;
        if !check.healthy {
            report.status = DeployStatus::Failed;
            report.reason = Some(format!(
                "version {target} is live but the MCP check failed at {}: {}",
                check.failed_step.map(|s| s.to_string()).unwrap_or_default(),
                check.error.as_deref().unwrap_or("?")
            ));
        }
        report.check = Some(check);
    }
    report.duration_s = seconds_since(started);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(n: &str, description: &str) -> lambda::Function {
        lambda::Function {
            version: n.into(),
            description: description.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_default_is_the_version_live_before_not_one_that_failed_its_gate() {
        let versions = [
            version("1", "mcp tag=a1 git=aaaaaaa1"),
            version("2", "mcp tag=b2 git=bbbbbbb2"),
            version("3", "mcp tag=c3 git=ccccccc3"),
        ];
        // Version 2 failed its gate: it never went live.
        let live = ["1".to_string(), "3".to_string()];
        assert_eq!(choose(None, "3", &live, &versions).unwrap(), "1");
        assert_eq!(choose(Some("2"), "3", &live, &versions).unwrap(), "2");
        assert_eq!(choose(Some("b2"), "3", &live, &versions).unwrap(), "2");
        assert_eq!(choose(Some("ccccccc"), "1", &live, &versions).unwrap(), "3");
        assert!(choose(Some("zz"), "3", &live, &versions).is_err());
        assert!(choose(None, "1", &["1".to_string()], &versions).is_err());
        // After a rollback to 1 the tag reads `3,1`: rolling back again returns to 3.
        let live = ["3".to_string(), "1".to_string()];
        assert_eq!(choose(None, "1", &live, &versions).unwrap(), "3");
    }
}
