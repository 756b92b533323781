//! Preview deployments, the model both platforms share: every branch or pull
//! request gets its own checked MCP URL beside the main service, and nothing
//! is left behind.
//!
//! A preview is a separate service named after the project's service and the
//! preview's name ([`service_name`]): on ECS an Express service, on the local
//! target a container on its own port (`platform::ecs_express::preview`,
//! `platform::local::preview`; `platform::preview` picks one). What a preview
//! is, which project it belongs to and when it was made and last deployed is
//! written on the resource itself (ECS tags, container labels), never in a
//! local file, so `mcp previews` and `mcp previews prune` work the same from
//! any machine. Here: the names, the GitHub Actions default, the tags, the
//! listing and the cap.

use std::fmt;

use anyhow::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::error::McpError;
use crate::probe::CheckReport;
use crate::ui::table::Table;

/// Tag: the project (`name` in mcp.toml) a preview belongs to.
pub const TAG_PROJECT: &str = "mcp:project";
/// Tag: the preview's name (slugged).
pub const TAG_PREVIEW: &str = "mcp:preview";
/// Tag: when the preview was first made (RFC 3339, UTC).
pub const TAG_CREATED_AT: &str = "mcp:preview-created-at";
/// Tag: when a release last went to the preview (RFC 3339, UTC); `prune --older-than` reads it.
pub const TAG_DEPLOYED_AT: &str = "mcp:preview-deployed-at";
/// Tag: the git commit the preview's release was built from.
pub const TAG_GIT_SHA: &str = "mcp:git-sha";
/// Tag: the project's service (`ecs.service`) the preview is of.
pub const TAG_SERVICE: &str = "mcp:service";

/// The longest service name a preview gets: one DNS label, as Express makes
/// `<service>.ecs.<region>.on.aws` of it.
pub const MAX_SERVICE_NAME: usize = 63;

/// A preview's name as ECS, DNS, tags and Docker all accept it: lowercase
/// letters, digits and single hyphens (`Feature/Login_Page` → `feature-login-page`).
pub fn slug(name: &str) -> Result<String> {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        return Err(McpError::usage(format!(
            "`{name}` is no preview name: it has no letter or digit"
        ))
        .hint("name it after the branch or pull request, e.g. `--preview pr-42`")
        .into());
    }
    Ok(out)
}

/// The preview's service name: `<service>-<slug>`, cut to
/// [`MAX_SERVICE_NAME`] with a short hash of the whole name when longer, so
/// two long names that share a beginning stay apart.
pub fn service_name(service: &str, slug: &str) -> String {
    let base = self::slug(service).unwrap_or_else(|_| "mcp".to_string());
    let full = format!("{base}-{slug}");
    if full.len() <= MAX_SERVICE_NAME {
        return full;
    }
    let hash: String = Sha256::digest(full.as_bytes())[..3]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let keep = MAX_SERVICE_NAME - hash.len() - 1;
    format!("{}-{hash}", full[..keep].trim_end_matches('-'))
}

/// The preview name of `--preview` given without one: in GitHub Actions
/// `pr-<number>` for a pull request event and the branch's slug otherwise.
pub fn default_name(env: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let missing = || {
        McpError::usage("--preview needs a NAME here")
            .hint("name it, e.g. `--preview pr-42` or `--preview my-branch`; in GitHub Actions it defaults to pr-<number> or the branch")
    };
    if env("GITHUB_ACTIONS").as_deref() != Some("true") {
        return Err(missing().into());
    }
    let event = env("GITHUB_EVENT_NAME").unwrap_or_default();
    if event.starts_with("pull_request") {
        // refs/pull/<number>/merge (or /head)
        if let Some(number) = env("GITHUB_REF")
            .as_deref()
            .and_then(|r| r.strip_prefix("refs/pull/"))
            .and_then(|r| r.split('/').next())
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            return Ok(format!("pr-{number}"));
        }
        if let Some(number) = env("GITHUB_EVENT_PATH")
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v["number"]
                    .as_u64()
                    .or(v["pull_request"]["number"].as_u64())
            })
        {
            return Ok(format!("pr-{number}"));
        }
    }
    let branch = env("GITHUB_HEAD_REF")
        .filter(|b| !b.is_empty())
        .or_else(|| env("GITHUB_REF_NAME"))
        .filter(|b| !b.is_empty())
        .ok_or_else(missing)?;
    slug(&branch)
}

/// `--preview [NAME]`: the slug of NAME, or of the GitHub Actions default when empty.
pub fn resolve_name(given: &str) -> Result<String> {
    if given.is_empty() {
        default_name(&|k| std::env::var(k).ok())
    } else {
        slug(given)
    }
}

/// One preview, as `mcp previews` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub name: String,
    /// The service (ECS) or container (local) it runs as.
    pub service: String,
    pub url: Option<String>,
    pub revision: Option<String>,
    pub git_sha: Option<String>,
    pub created_at: Option<String>,
    pub deployed_at: Option<String>,
    pub running: i32,
    /// `--check`: the MCP check's verdict at its URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
}

impl Preview {
    /// When it was last deployed (else made); `None` when neither is known.
    pub fn last_deployed(&self) -> Option<jiff::Timestamp> {
        self.deployed_at
            .as_deref()
            .or(self.created_at.as_deref())
            .and_then(|t| t.parse().ok())
    }

    fn verdict(&self) -> String {
        match &self.check {
            None => "-".into(),
            Some(c) if c.healthy => "ok".into(),
            Some(c) => format!(
                "failed at {}",
                c.failed_step.map(|s| s.to_string()).unwrap_or_default()
            ),
        }
    }
}

/// `mcp previews`: a table for people, `{"previews": [...]}` for `--output json`.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewList {
    pub project: String,
    pub previews: Vec<Preview>,
}

impl fmt::Display for PreviewList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.previews.is_empty() {
            return writeln!(f, "no previews of {}", self.project);
        }
        let mut table = Table::new([
            ("NAME", 8),
            ("URL", 10),
            ("REVISION", 8),
            ("GIT SHA", 7),
            ("CREATED", 7),
            ("DEPLOYED", 8),
            ("RUNNING", 7),
            ("CHECK", 5),
        ])
        .gap(2);
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        for p in &self.previews {
            table.row([
                p.name.clone(),
                dash(&p.url),
                dash(&p.revision),
                p.git_sha
                    .as_deref()
                    .map_or("-".into(), |s| s.chars().take(7).collect()),
                dash(&p.created_at),
                dash(&p.deployed_at),
                p.running.to_string(),
                p.verdict(),
            ]);
        }
        write!(f, "{table}")
    }
}

/// Refuse a new preview past `preview.max`, naming the oldest.
pub fn within_cap(settings: &Settings, existing: &[Preview], name: &str) -> Result<()> {
    let max = settings.preview.max as usize;
    if existing.iter().any(|p| p.name == name) || existing.len() < max {
        return Ok(());
    }
    let oldest = existing
        .iter()
        .min_by_key(|p| (p.last_deployed(), p.name.clone()))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Err(McpError::usage(format!(
        "{} already has {} previews (preview.max = {max}); the oldest is `{oldest}`",
        settings.name,
        existing.len()
    ))
    .hint(format!(
        "remove one with `mcp destroy --preview {oldest} --yes` or old ones with `mcp previews prune --older-than 7d --yes`, or raise `preview.max` in mcp.toml"
    ))
    .into())
}

/// The time now as the tags write it: RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_slugged_and_long_ones_cut_with_a_hash() {
        assert_eq!(slug("Feature/Login_Page").unwrap(), "feature-login-page");
        assert_eq!(slug("--a..b--").unwrap(), "a-b");
        assert!(slug("/_/").is_err());
        assert_eq!(service_name("echo", "pr-1"), "echo-pr-1");
        let long = "x".repeat(80);
        let a = service_name("echo", &format!("{long}-a"));
        let b = service_name("echo", &format!("{long}-b"));
        assert_eq!(a.len(), MAX_SERVICE_NAME);
        assert_ne!(a, b, "the hash keeps them apart");
        assert!(a.starts_with("echo-xxx"));
    }

    #[test]
    fn in_github_actions_the_name_defaults_to_the_pull_request_or_branch() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let pr = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/42/merge"),
            ("GITHUB_HEAD_REF", "feature/x"),
        ]);
        assert_eq!(default_name(&pr).unwrap(), "pr-42");
        let push = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF_NAME", "Feature/Login"),
        ]);
        assert_eq!(default_name(&push).unwrap(), "feature-login");
        assert!(default_name(&env(&[])).is_err());
    }
}
