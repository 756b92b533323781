//! Every place this platform reaches into the code it shares with the others,
//! in one file: the release model (`crate::release`: the report, its status),
//! the MCP probe (`crate::probe`) and the rolling ECS platform's tagging of a
//! completed revision (`crate::platform::ecs::rollout::mark_completed`).

use std::time::Duration;

pub use crate::platform::ecs::rollout::mark_completed;
pub use crate::probe::{CheckReport, Step};
pub use crate::release::report::seconds_since;
pub use crate::release::{DeployStatus, Report};

/// How long each step of the gate's check may take.
pub const CHECK_STEP_TIMEOUT: Duration = crate::probe::DEFAULT_TIMEOUT;

/// The MCP check (`mcp check`'s core) against `url`.
pub async fn run_check(
    url: &str,
    health_path: &str,
    token: Option<String>,
) -> anyhow::Result<CheckReport> {
    crate::probe::run_check(url, health_path, token, CHECK_STEP_TIMEOUT).await
}

/// The check of `deploy.url` after a rollout, retried for a minute while a
/// load balancer starts sending traffic to new targets.
pub async fn check_until_healthy(
    settings: &crate::config::Settings,
    printer: &crate::ui::Printer,
    url: &str,
) -> anyhow::Result<CheckReport> {
    crate::probe::until_healthy(settings, printer, url, Duration::from_secs(60)).await
}

/// A check report with nothing checked yet (for tests and for a gate that
/// never ran).
pub fn empty_check(url: &str) -> CheckReport {
    CheckReport {
        healthy: false,
        url: url.to_string(),
        health_url: String::new(),
        failed_step: None,
        error: None,
        hint: None,
        protocol_version: None,
        server: None,
        capabilities: Vec::new(),
        tools: Vec::new(),
        authenticated: false,
        latency_ms: 0.0,
        steps: Vec::new(),
    }
}
