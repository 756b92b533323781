//! Pushing an image to ECR through the engine, reading the engine's push stream
//! ourselves for the per-layer ids and the final digest.

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use super::engine::{Engine, RegistryAuth};
use crate::error::McpError;
use crate::ui::reporter::{LayerEvent, Reporter};

#[derive(Debug, Clone, Serialize)]
pub struct Pushed {
    pub digest: String,
    /// Manifest size, as the registry reported it.
    pub size: Option<u64>,
    /// Bytes of layers uploaded by this push (0 when every layer was there already).
    pub pushed_bytes: u64,
    pub layers_pushed: usize,
    pub layers_existing: usize,
}

/// Push `repository:tag` (already tagged locally) with `auth`.
pub async fn push(
    engine: &Engine,
    repository: &str,
    tag: &str,
    auth: &RegistryAuth,
    reporter: &dyn Reporter,
) -> Result<Pushed> {
    let result = run(engine, repository, tag, auth, reporter).await;
    reporter.finish();
    result
}

async fn run(
    engine: &Engine,
    repository: &str,
    tag: &str,
    auth: &RegistryAuth,
    reporter: &dyn Reporter,
) -> Result<Pushed> {
    let mut messages = engine.push(repository, tag, auth).await?;
    let mut totals: HashMap<String, u64> = HashMap::new();
    let mut pushed = Pushed {
        digest: String::new(),
        size: None,
        pushed_bytes: 0,
        layers_pushed: 0,
        layers_existing: 0,
    };
    let interrupted = crate::cancel::cancelled();
    tokio::pin!(interrupted);
    loop {
        let message = tokio::select! {
            _ = &mut interrupted => {
                return Err(McpError::new(format!("push of `{repository}:{tag}` interrupted"))
                    .with_status(crate::error::ExitStatus::Interrupted)
                    .hint("run the command again to resume: layers already in the registry are not sent again")
                    .into());
            }
            message = messages.next() => message?,
        };
        let Some(message) = message else { break };
        if let Some(error) = message["errorDetail"]["message"]
            .as_str()
            .or(message["error"].as_str())
        {
            return Err(push_error(repository, tag, error));
        }
        if let Some(digest) = message["aux"]["Digest"].as_str() {
            pushed.digest = digest.to_string();
            pushed.size = message["aux"]["Size"].as_u64();
            continue;
        }
        let (Some(id), Some(status)) = (message["id"].as_str(), message["status"].as_str()) else {
            continue;
        };
        if id == tag {
            // "The push refers to repository …" and the tag's own line.
            continue;
        }
        match status {
            "Preparing" | "Waiting" => reporter.layer(id, LayerEvent::Waiting),
            "Pushing" => {
                let current = message["progressDetail"]["current"].as_u64().unwrap_or(0);
                let total = message["progressDetail"]["total"].as_u64().unwrap_or(0);
                if total > 0 {
                    totals.insert(id.to_string(), total);
                }
                reporter.layer(id, LayerEvent::Pushing { current, total });
            }
            "Pushed" => {
                let total = totals.get(id).copied().unwrap_or(0);
                pushed.pushed_bytes += total;
                pushed.layers_pushed += 1;
                reporter.layer(id, LayerEvent::Pushed { total });
            }
            s if s == "Layer already exists" || s.starts_with("Mounted from") => {
                pushed.layers_existing += 1;
                reporter.layer(id, LayerEvent::Exists);
            }
            _ => {}
        }
    }
    if pushed.digest.is_empty() {
        anyhow::bail!(
            "the Docker engine finished pushing `{repository}:{tag}` without reporting a digest"
        );
    }
    Ok(pushed)
}

/// Errors a user can act on, told apart by what the registry said.
fn push_error(repository: &str, tag: &str, error: &str) -> anyhow::Error {
    let lower = error.to_ascii_lowercase();
    if lower.contains("unauthorized")
        || lower.contains("authentication required")
        || lower.contains("no basic auth")
        || lower.contains("denied")
    {
        return McpError::new(format!("the registry refused the push of `{repository}:{tag}`: {error}"))
            .hint("check that your AWS credentials allow ecr:InitiateLayerUpload/ecr:PutImage on this repository, and the region")
            .into();
    }
    if lower.contains("tag invalid") || lower.contains("immutable") {
        return McpError::new(format!("the repository already holds tag `{tag}` for another image: {error}"))
            .hint("ECR tags are immutable here: commit your changes (the tag follows the git sha) or set another `build.tag`")
            .into();
    }
    McpError::new(format!("pushing `{repository}:{tag}` failed: {error}"))
        .hint("run the command again: layers already in the registry are not sent again")
        .into()
}
