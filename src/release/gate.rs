//! What the MCP gate of a progressive deployment decided, as the report
//! carries it (`gate` in the JSON): part of the release model, so the report
//! needs nothing of the platform that ran the gate
//! (`platform::gate`).

use std::fmt;

use serde::Serialize;

use crate::probe::CheckReport;

/// What the gate decided, for the report (`gate` in the JSON).
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// The release passed: ECS was told to CONTINUE.
    pub passed: bool,
    /// The test listener URL checked.
    pub url: String,
    /// `health`, `initialize`, `tools/list` or `expect_tools`, when it failed.
    pub failed_step: Option<String>,
    /// Why it failed (never contains the token).
    pub reason: Option<String>,
    /// `deploy.expect_tools` names the release did not list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_tools: Vec<String>,
    /// How ECS's pause was answered: `continue` or `rollback` (none when
    /// `mcp` was interrupted before answering).
    pub action: Option<&'static str>,
    pub attempts: u32,
    /// The last check, step by step.
    pub check: CheckReport,
}

impl GateReport {
    /// One line: `passed: echo-server 0.1.0 answers MCP 2025-11-25 with 2 tools` or
    /// `failed at initialize: …`.
    pub fn summary(&self) -> String {
        if self.passed {
            let c = &self.check;
            format!(
                "passed: {} answers MCP {} with {} tool{}{}{}",
                c.server
                    .as_ref()
                    .map(|s| format!("{} {}", s.name, s.version))
                    .unwrap_or_else(|| "the new release".into()),
                c.protocol_version.as_deref().unwrap_or("?"),
                c.tools.len(),
                if c.tools.len() == 1 { "" } else { "s" },
                if c.tools.is_empty() { "" } else { ": " },
                c.tools.join(", ")
            )
        } else {
            format!(
                "failed at {}: {}",
                self.failed_step.as_deref().unwrap_or("?"),
                self.reason.as_deref().unwrap_or("?")
            )
        }
    }
}

impl fmt::Display for GateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}
