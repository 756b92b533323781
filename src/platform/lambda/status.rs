//! `mcp status` and `mcp history` on a Lambda stage: the function's state,
//! what `live` and `candidate` serve (and a canary's weight), the live URL and
//! its MCP check, how the configuration drifted from mcp.toml; the published
//! versions with the release tags their descriptions carry.

use std::fmt;

use anyhow::Result;
use serde::Serialize;

use super::release::went_live;
use super::{CANDIDATE, LIVE, revision};
use crate::aws::Clients;
use crate::aws::lambda::{self, ReleaseTags};
use crate::config::Settings;
use crate::platform::{Status, StatusLine};
use crate::probe::CheckReport;
use crate::release::cost::Cost;
use crate::ui::{Output, Printer};

/// What `mcp status` prints for a Lambda stage.
#[derive(Debug, Serialize)]
pub struct LambdaStatus {
    pub function: String,
    pub region: Option<String>,
    /// `Active`, `Pending`, `Failed`…
    pub state: Option<String>,
    pub last_update: Option<String>,
    /// Why the last update failed, if it did.
    pub last_update_reason: Option<String>,
    pub live: Option<String>,
    /// During a canary: the other version and its share of `live`.
    pub canary: Option<(String, f64)>,
    pub candidate: Option<String>,
    pub url: Option<String>,
    pub url_auth: String,
    pub image: Option<String>,
    pub tag: Option<String>,
    pub git_sha: Option<String>,
    pub deployed_by: Option<String>,
    pub deployed_at: Option<String>,
    /// How the function's configuration differs from mcp.toml's.
    pub drift: Vec<String>,
    pub check: Option<CheckReport>,
    pub cost: Option<Cost>,
}

impl fmt::Display for LambdaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        writeln!(
            f,
            "function  {} ({})",
            self.function,
            self.region.as_deref().unwrap_or("?")
        )?;
        writeln!(
            f,
            "state     {}{}",
            or(&self.state),
            match (&self.last_update, &self.last_update_reason) {
                (Some(u), Some(r)) => format!(", last update {u}: {r}"),
                (Some(u), None) => format!(", last update {u}"),
                _ => String::new(),
            }
        )?;
        writeln!(
            f,
            "live      {}{}",
            self.live
                .as_deref()
                .map(|v| format!("version {v}"))
                .unwrap_or_else(|| "none (nothing deployed yet)".into()),
            self.canary
                .as_ref()
                .map(|(v, w)| format!(" (canary: {:.0}% to version {v})", w * 100.0))
                .unwrap_or_default()
        )?;
        if let Some(candidate) = &self.candidate {
            writeln!(f, "candidate version {candidate}")?;
        }
        writeln!(f, "url       {} ({})", or(&self.url), self.url_auth)?;
        writeln!(f, "image     {}", or(&self.image))?;
        if self.tag.is_some() || self.git_sha.is_some() {
            writeln!(
                f,
                "release   tag {} git {} by {} at {}",
                or(&self.tag),
                or(&self.git_sha),
                or(&self.deployed_by),
                or(&self.deployed_at)
            )?;
        }
        if !self.drift.is_empty() {
            writeln!(
                f,
                "drift     {} (differs from mcp.toml; `mcp deploy` sets it again)",
                self.drift.join(", ")
            )?;
        }
        if let Some(check) = &self.check {
            writeln!(f, "check     {}", check.summary())?;
        }
        if let Some(cost) = &self.cost {
            writeln!(f, "cost      {cost}")?;
        }
        Ok(())
    }
}

pub async fn status(settings: &Settings, _printer: &Printer) -> Result<Status> {
    let clients = Clients::new(settings).await;
    let function = super::function(&clients, settings).await?;
    let name = &function.name;
    let live = lambda::get_alias(&clients.lambda, name, LIVE).await?;
    let candidate = lambda::get_alias(&clients.lambda, name, CANDIDATE).await?;
    let live_version = match &live {
        Some(alias) => lambda::get_function(&clients.lambda, name, Some(&alias.version)).await?,
        None => None,
    };
    let tags = live_version
        .as_ref()
        .and_then(|v| ReleaseTags::parse(&v.description))
        .unwrap_or_default();
    let url = super::live_url(&clients, settings).await?;
    let check = match &url {
        Some(url) => {
            let mut one = settings.clone();
            one.deploy.url = Some(url.clone());
            crate::platform::check::once(&one).await
        }
        None => None,
    };
    // What clients get: the configuration of the version `live` serves.
    let drift = if live.is_some() {
        super::deploy::differences(live_version.as_ref().unwrap_or(&function), settings)
    } else {
        Vec::new()
    };
    let cost = super::cost::estimate(&clients, settings).await;
    let status_url = url.clone();
    let status = LambdaStatus {
        function: name.clone(),
        region: clients.region().map(str::to_string),
        state: function.state.clone(),
        last_update: function.last_update_status.clone(),
        last_update_reason: function.last_update_reason.clone(),
        live: live.as_ref().map(|a| a.version.clone()),
        canary: live.as_ref().and_then(|a| a.weight.clone()),
        candidate: candidate.as_ref().map(|a| a.version.clone()),
        url,
        url_auth: settings.lambda.url_auth.name().to_string(),
        image: live_version.as_ref().and_then(|v| v.image.clone()),
        tag: tags.tag.clone(),
        git_sha: tags.git_sha.clone(),
        deployed_by: tags.deployed_by.clone(),
        deployed_at: tags.deployed_at.clone(),
        drift: drift.clone(),
        check: check.clone(),
        cost: Some(cost.clone()),
    };
    let serving = i32::from(live.is_some() && function.state.as_deref() == Some("Active"));
    let summary = StatusLine {
        revision: live
            .as_ref()
            .map(|a| revision(settings, &a.version))
            .unwrap_or_else(|| "-".into()),
        running: serving,
        desired: i32::from(live.is_some()),
        rollout: Some(match (&live, function.last_update_status.as_deref()) {
            (Some(a), _) if a.weight.is_some() => "canary".to_string(),
            (_, Some("InProgress")) => "in progress".to_string(),
            (_, Some("Failed")) => "update failed".to_string(),
            (None, _) => "not deployed".to_string(),
            _ => "completed".to_string(),
        }),
        last_event: function.last_modified.clone(),
        tag: tags.tag,
        git_sha: tags.git_sha,
        config_drift: drift,
        load_balancer_findings: None,
        cost: Some(cost),
        url: status_url,
        check,
    };
    Ok(Status {
        output: Output::new(status),
        exit: crate::error::ExitStatus::Success,
        summary,
    })
}

/// One line of `mcp history`.
#[derive(Debug, Serialize)]
pub struct Version {
    pub revision: String,
    pub version: String,
    /// `live`, `candidate`, `canary`, or empty.
    pub serving: Vec<&'static str>,
    /// It served `live` at some point (a version that failed its gate never did).
    pub went_live: bool,
    pub tag: Option<String>,
    pub git_sha: Option<String>,
    pub deployed_by: Option<String>,
    pub deployed_at: Option<String>,
    pub image_sha256: Option<String>,
}

/// What `mcp history` prints for a Lambda stage, newest first.
#[derive(Debug, Serialize)]
pub struct History {
    pub function: String,
    pub versions: Vec<Version>,
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.versions.is_empty() {
            return writeln!(f, "no published versions of {}", self.function);
        }
        for v in &self.versions {
            let serving = if v.serving.is_empty() {
                if v.went_live {
                    "was live"
                } else {
                    "never live"
                }
                .to_string()
            } else {
                v.serving.join(", ")
            };
            writeln!(
                f,
                "{:<24} {:<12} tag {:<14} git {:<10} {}",
                v.revision,
                serving,
                v.tag.as_deref().unwrap_or("-"),
                v.git_sha
                    .as_deref()
                    .map(|s| s.get(..8).unwrap_or(s))
                    .unwrap_or("-"),
                v.deployed_at.as_deref().unwrap_or("-"),
            )?;
        }
        Ok(())
    }
}

pub async fn history(settings: &Settings, limit: usize) -> Result<Output> {
    let clients = Clients::new(settings).await;
    let function = super::function(&clients, settings).await?;
    let name = &function.name;
    let live = lambda::get_alias(&clients.lambda, name, LIVE).await?;
    let candidate = lambda::get_alias(&clients.lambda, name, CANDIDATE).await?;
    let was_live = went_live(&clients, &function.arn).await?;
    let mut versions = lambda::versions(&clients.lambda, name).await?;
    versions.reverse();
    let versions = versions
        .into_iter()
        .take(limit)
        .map(|v| {
            let tags = ReleaseTags::parse(&v.description).unwrap_or_default();
            let mut serving = Vec::new();
            if live.as_ref().is_some_and(|a| a.version == v.version) {
                serving.push("live");
            }
            if live
                .as_ref()
                .and_then(|a| a.weight.as_ref())
                .is_some_and(|(w, _)| *w == v.version)
            {
                serving.push("canary");
            }
            if candidate.as_ref().is_some_and(|a| a.version == v.version) {
                serving.push("candidate");
            }
            Version {
                revision: revision(settings, &v.version),
                went_live: was_live.contains(&v.version),
                version: v.version,
                serving,
                tag: tags.tag,
                git_sha: tags.git_sha,
                deployed_by: tags.deployed_by,
                deployed_at: tags.deployed_at,
                image_sha256: v.code_sha256,
            }
        })
        .collect();
    Ok(Output::new(History {
        function: name.clone(),
        versions,
    }))
}
