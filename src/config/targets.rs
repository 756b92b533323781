//! Keys that belong to one target: `[ecs]` (and the ECS-only `deploy` keys)
//! beside `target = "lambda"`, or `[lambda]` beside `ecs` or `local`, set as
//! specifically as that target, are configuration errors naming the key.

use std::collections::BTreeMap;

use anyhow::Result;

use super::Source;
use super::schema::{Layer, TargetKind};
use crate::error::McpError;

/// Every key (its path), its value and where it came from, after merging.
type Merged = BTreeMap<Vec<String>, (toml::Value, Source)>;

/// How specific a layer is: a key set at least as specifically as `target`
/// belongs to that target.
fn rank(source: &Source) -> u8 {
    match source {
        Source::Default => 0,
        Source::File(_) => 1,
        Source::Service { .. } => 2,
        Source::Stage { .. } => 3,
        Source::StageService { .. } => 4,
        Source::Env(_) => 5,
        Source::Flag(_) => 6,
    }
}

/// Keys only ECS reads (and `[lambda]`, only Lambda): one set beside a
/// `target` it does not apply to, as specifically as that target (the same
/// stage, or the file that says `target = "lambda"`), is a mistake. Keys
/// inherited from a less specific layer (the file's `[ecs]` under a
/// `[stages.prod]` that says `target = "lambda"`) are shared and ignored.
pub(super) fn check_target_keys(layer: &Layer, merged: &Merged) -> Result<()> {
    let target = layer.target.unwrap_or_default();
    let target_source = merged
        .get(&vec!["target".to_string()])
        .map_or(Source::Default, |(_, s)| s.clone());
    let lambda_target = target == TargetKind::Lambda;
    for (path, (value, source)) in merged {
        let key = path.join(".");
        let foreign = if lambda_target {
            path[0] == "ecs"
                || matches!(
                    key.as_str(),
                    "deploy.test_url"
                        | "deploy.gate_timeout"
                        | "deploy.linear_step_percent"
                        | "deploy.linear_step_bake"
                        | "deploy.bake"
                )
                || (key == "deploy.strategy"
                    && !matches!(value.as_str(), Some("rolling" | "canary")))
        } else {
            path[0] == "lambda"
        };
        // A variable set for a whole CI job (`MCP_LAMBDA_ADAPTER_IMAGE`) applies where it can.
        if !foreign || matches!(source, Source::Default | Source::Env(_)) {
            continue;
        }
        let shared = target_source == Source::Default
            && matches!(source, Source::File(_) | Source::Service { .. });
        if rank(source) < rank(&target_source) || shared {
            continue;
        }
        let error = if lambda_target {
            McpError::usage(format!(
                "`{key}` ({source}) is for ECS, but this stage deploys to Lambda (`target = \"lambda\"`, {target_source})"
            ))
            .hint(if key == "deploy.strategy" {
                "a Lambda stage moves its `live` alias at once (`rolling`, the default) or by `canary` weights; remove the key or set `strategy = \"canary\"`".to_string()
            } else {
                format!("remove `{key}` from this stage, or put it in the stage that deploys to ECS; the function is set in `[lambda]`")
            })
        } else {
            McpError::usage(format!(
                "`{key}` ({source}) is for Lambda, but this {} deploys to {} (`target = \"{}\"`, {target_source})",
                if matches!(target_source, Source::Stage { .. } | Source::StageService { .. }) { "stage" } else { "configuration" },
                if target == TargetKind::Local { "the local engine" } else { "ECS" },
                if target == TargetKind::Local { "local" } else { "ecs" },
            ))
            .hint(format!(
                "move `[lambda]` into the stage that says `target = \"lambda\"` (or set `target = \"lambda\"` beside it); `{key}` is not read here"
            ))
        };
        return Err(error.into());
    }
    if lambda_target {
        check_lambda_values(layer, merged)?;
    }
    Ok(())
}

/// `lambda.memory`, `lambda.timeout` within Lambda's limits, and a
/// `build.platform` set as specifically as `lambda.architecture` that agrees with it.
fn check_lambda_values(layer: &Layer, merged: &Merged) -> Result<()> {
    let source = |path: &[&str]| {
        let key: Vec<String> = path.iter().map(|p| (*p).to_string()).collect();
        merged.get(&key).map(|(_, s)| s.clone())
    };
    let lambda = layer.lambda.as_ref();
    if let Some(memory) = lambda.and_then(|l| l.memory)
        && !(128..=10240).contains(&memory)
    {
        return Err(McpError::usage(format!(
            "`lambda.memory` ({}) is {memory} MB; Lambda takes 128 to 10240",
            source(&["lambda", "memory"]).unwrap_or(Source::Default)
        ))
        .hint("e.g. `memory = 512`")
        .into());
    }
    if let Some(timeout) = lambda.and_then(|l| l.timeout.as_ref())
        && !(1..=900).contains(&timeout.duration.as_secs())
    {
        return Err(McpError::usage(format!(
            "`lambda.timeout` ({}) is {timeout}; a Lambda request runs 1s to 15m",
            source(&["lambda", "timeout"]).unwrap_or(Source::Default)
        ))
        .hint("e.g. `timeout = \"60s\"`")
        .into());
    }
    let (Some(arch), Some((platform, platform_source))) = (
        lambda.and_then(|l| l.architecture),
        merged.get(&vec!["build".to_string(), "platform".to_string()]),
    ) else {
        return Ok(());
    };
    let arch_source = source(&["lambda", "architecture"]).unwrap_or(Source::Default);
    if *platform_source == Source::Default
        || rank(platform_source) < rank(&arch_source)
        || platform.as_str() == Some(arch.platform())
    {
        return Ok(());
    }
    Err(McpError::usage(format!(
        "`build.platform` ({platform_source}) builds for {}, but `lambda.architecture` ({arch_source}) is `{}`",
        platform.as_str().unwrap_or("?"),
        arch.name()
    ))
    .hint(format!(
        "remove `build.platform` (a Lambda stage builds for its architecture) or set it to `{}`",
        arch.platform()
    ))
    .into())
}
