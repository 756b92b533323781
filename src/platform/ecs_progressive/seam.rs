//! Every place this platform reaches into code that is moving (issue 10:
//! `src/release/` takes the report, `src/probe/` the MCP check, `src/platform/`
//! the seam), in one file: when the move lands, only these lines change.
//!
//! CALL POINTS (temporary):
//! - the deploy report and its status: `crate::ops::rollout::{Report, DeployStatus}`
//!   → `crate::release`;
//! - marking a revision completed: `crate::ops::rollout::mark_completed` → `crate::release`;
//! - the MCP check: `crate::ops::check::run_check` / `CheckReport` and
//!   `crate::ops::rollout::check_until_healthy` → `crate::probe`.

use std::time::Duration;

pub use crate::ops::check::{CheckReport, Step};
pub use crate::ops::rollout::{DeployStatus, Report, mark_completed, seconds_since};

/// How long each step of the gate's check may take.
pub const CHECK_STEP_TIMEOUT: Duration = crate::ops::check::DEFAULT_TIMEOUT;

/// `mcp check`'s core against `url`.
pub async fn run_check(
    url: &str,
    health_path: &str,
    token: Option<String>,
) -> anyhow::Result<CheckReport> {
    crate::ops::check::run_check(url, health_path, token, CHECK_STEP_TIMEOUT).await
}

/// The check of `deploy.url` after a rollout, retried for a minute while a
/// load balancer starts sending traffic to new targets.
pub async fn check_until_healthy(
    settings: &crate::config::Settings,
    printer: &crate::ui::Printer,
    url: &str,
) -> anyhow::Result<CheckReport> {
    crate::ops::rollout::check_until_healthy(settings, printer, url, Duration::from_secs(60)).await
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
