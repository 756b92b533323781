//! Every place this platform reaches into the code it shares with the others,
//! in one file: the release model (`crate::release`: the report, its status),
//! the MCP probe (`crate::probe`), the MCP gate (`crate::platform::gate`) and the rolling ECS platform's tagging of a
//! completed revision (`crate::platform::ecs::rollout::mark_completed`).

use std::time::Duration;

pub use crate::platform::ecs::rollout::mark_completed;
pub use crate::platform::gate;
pub use crate::probe::{CheckReport, Options as CheckOptions, Step};
pub use crate::release::report::seconds_since;
pub use crate::release::{DeployStatus, Report};

/// How long each step of the gate's check may take.
pub const CHECK_STEP_TIMEOUT: Duration = crate::probe::DEFAULT_TIMEOUT;

/// The MCP check (`mcp check`'s core) against `url`.
pub async fn run_check(url: &str, options: &CheckOptions) -> anyhow::Result<CheckReport> {
    crate::probe::run_check(url, options).await
}

/// What the gate's check needs (credentials, the pinned revision), read
/// from the settings before anything changes.
pub fn check_options(settings: &crate::config::Settings) -> anyhow::Result<CheckOptions> {
    let mut options = CheckOptions::from_settings(settings)?;
    options.timeout = CHECK_STEP_TIMEOUT;
    Ok(options)
}

/// The check of `deploy.url` after a rollout, retried for a minute while a
/// load balancer starts sending traffic to new targets.
pub async fn check_until_healthy(
    settings: &crate::config::Settings,
    printer: &crate::ui::Printer,
    url: &str,
) -> anyhow::Result<CheckReport> {
    crate::platform::check::until_healthy(settings, printer, url, Duration::from_secs(60)).await
}

/// A check report with nothing checked yet (for tests and for a gate that
/// never ran).
pub fn empty_check(url: &str) -> CheckReport {
    CheckReport::new(url, "", false)
}
