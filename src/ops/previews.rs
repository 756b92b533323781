//! Preview deployments: `mcp deploy --preview [NAME]`, `mcp destroy --preview
//! [NAME]`, `mcp previews [--check]` and `mcp previews prune`. The work is
//! [`crate::platform::preview`]'s (one place picks ECS or the local target);
//! this resolves the name, asks before deleting, prints the result, and in
//! GitHub Actions sets the step output `url`.

use std::fmt;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::platform::DeployRequest;
use crate::platform::ecs_express::consent;
use crate::platform::preview;
use crate::release::preview::{Preview, resolve_name, slug};
use crate::release::report::{self, DeployStatus};
use crate::ui::Printer;

/// `mcp deploy --preview [NAME]`.
pub async fn deploy(
    settings: &Settings,
    printer: &Printer,
    given: &str,
    request: &DeployRequest,
) -> Result<ExitStatus> {
    let name = resolve_name(given)?;
    let service = settings.service_or_name();
    let report = {
        let _group = printer.group(format_args!("mcp deploy {service} --preview {name}"));
        preview::deploy(settings, printer, &name, request).await?
    };
    if let Some(url) = &report.preview_url
        && printer.github()
        && let Err(err) = crate::ui::github::set_output("url", url)
    {
        printer.warn(err);
    }
    if report.status == DeployStatus::Succeeded
        && let Some(url) = &report.client_url
    {
        printer.note(format!(
            "\nPreview {name} of {service}; add it to an MCP client:\n{}\n",
            report::client_snippet(&format!("{service}-{name}"), url)
        ));
    }
    report::finish(printer, "deploy", &report)
}

/// `mcp previews [--check]`: exit 1 when a checked preview fails its check.
pub async fn list(settings: &Settings, printer: &Printer, check: bool) -> Result<ExitStatus> {
    let list = preview::list(settings, printer, check).await?;
    printer.data(&list)?;
    let failed = list
        .previews
        .iter()
        .any(|p| p.check.as_ref().is_some_and(|c| !c.healthy));
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// What `mcp destroy --preview` removed.
#[derive(Debug, Clone, Serialize)]
pub struct Destroyed {
    /// `destroyed`, or `nothing` when there was nothing to remove.
    pub status: &'static str,
    pub preview: String,
    pub removed: Vec<String>,
}

impl fmt::Display for Destroyed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.removed {
            writeln!(f, "removed {line}")?;
        }
        Ok(())
    }
}

/// `mcp destroy --preview [NAME] [--all-resources]`.
pub async fn destroy(
    settings: &Settings,
    printer: &Printer,
    given: &str,
    all_resources: bool,
) -> Result<ExitStatus> {
    let name = resolve_name(given)?;
    let lines = preview::plan_destroy(settings, &name, all_resources).await?;
    let mut report = Destroyed {
        status: "nothing",
        preview: name.clone(),
        removed: lines.clone(),
    };
    if lines.is_empty() {
        printer.status(
            "Nothing",
            format!("to remove: no preview `{name}` of {}", settings.name),
        );
        printer.data(&report)?;
        return Ok(ExitStatus::Success);
    }
    consent(
        printer,
        &format!("mcp destroy --preview {name} will delete:"),
        &lines,
        "mcp destroy --preview",
    )?;
    preview::destroy(settings, printer, &name, all_resources).await?;
    report.status = "destroyed";
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}

/// What `mcp previews prune` removed (or, with `--dry-run`, would remove).
#[derive(Debug, Clone, Serialize)]
pub struct Pruned {
    pub dry_run: bool,
    pub removed: Vec<Preview>,
    pub kept: Vec<String>,
}

impl fmt::Display for Pruned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would remove"
        } else {
            "removed"
        };
        if self.removed.is_empty() {
            return writeln!(f, "no preview to remove");
        }
        for p in &self.removed {
            writeln!(
                f,
                "{verb} {} (last deployed {})",
                p.name,
                p.deployed_at
                    .as_deref()
                    .or(p.created_at.as_deref())
                    .unwrap_or("?")
            )?;
        }
        Ok(())
    }
}

/// The previews prune removes: not kept, and (with `older_than`) last deployed
/// longer ago than that. A preview whose time is unknown is kept.
pub fn to_prune(
    previews: &[Preview],
    older_than: Option<Duration>,
    keep: &[String],
    now: jiff::Timestamp,
) -> Vec<Preview> {
    previews
        .iter()
        .filter(|p| !keep.contains(&p.name))
        .filter(|p| match older_than {
            None => true,
            Some(age) => p
                .last_deployed()
                .is_some_and(|t| now.duration_since(t).as_secs_f64() > age.as_secs_f64()),
        })
        .cloned()
        .collect()
}

/// `mcp previews prune [--older-than D] [--keep A,B] [--dry-run]`: previews,
/// their log groups with them.
pub async fn prune(
    settings: &Settings,
    printer: &Printer,
    older_than: Option<&str>,
    keep: &[String],
    dry_run: bool,
) -> Result<ExitStatus> {
    if older_than.is_none() && keep.is_empty() {
        return Err(McpError::usage("`mcp previews prune` needs --older-than or --keep")
            .hint("e.g. `mcp previews prune --older-than 7d`, or `--keep main,pr-7` to remove every other preview")
            .into());
    }
    let older_than = older_than
        .map(|t| {
            crate::config::duration::parse(t).map_err(|e| {
                McpError::usage(format!("--older-than: {e}"))
                    .hint(crate::config::duration::DURATION_HINT)
            })
        })
        .transpose()?;
    let keep: Vec<String> = keep
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| slug(k))
        .collect::<Result<_>>()?;
    let list = preview::list(settings, printer, false).await?;
    let removed = to_prune(&list.previews, older_than, &keep, jiff::Timestamp::now());
    let kept = list
        .previews
        .iter()
        .filter(|p| !removed.iter().any(|r| r.name == p.name))
        .map(|p| p.name.clone())
        .collect();
    let report = Pruned {
        dry_run,
        removed,
        kept,
    };
    if !dry_run && !report.removed.is_empty() {
        let lines: Vec<String> = report
            .removed
            .iter()
            .map(|p| format!("preview {} ({}) and its log group", p.name, p.service))
            .collect();
        consent(
            printer,
            "mcp previews prune will delete:",
            &lines,
            "mcp previews prune",
        )?;
        for p in &report.removed {
            preview::destroy(settings, printer, &p.name, true).await?;
        }
    }
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str, deployed: Option<&str>) -> Preview {
        Preview {
            name: name.into(),
            service: format!("echo-{name}"),
            url: None,
            revision: None,
            git_sha: None,
            created_at: Some("2026-01-01T00:00:00Z".into()),
            deployed_at: deployed.map(str::to_string),
            running: 1,
            check: None,
        }
    }

    #[test]
    fn prune_takes_the_old_ones_not_the_kept_ones() {
        let now: jiff::Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        let previews = [
            at("old", Some("2026-01-02T00:00:00Z")),
            at("new", Some("2026-01-31T00:00:00Z")),
            at("kept", Some("2026-01-02T00:00:00Z")),
        ];
        let week = Some(Duration::from_secs(7 * 86_400));
        let names = |v: Vec<Preview>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(
            names(to_prune(&previews, week, &["kept".into()], now)),
            ["old"]
        );
        assert_eq!(
            names(to_prune(&previews, None, &["kept".into()], now)),
            ["old", "new"]
        );
    }
}
