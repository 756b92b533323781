//! Errors a user can act on, and the exit codes they map to.
//!
//! Most failures travel as `anyhow::Error` with context added at every fallible
//! call. Where `mcp` knows what the user should do, it puts an [`McpError`] in
//! the chain: it carries the exit code and an optional hint. `main` renders the
//! chain as `error:` / `caused by:` / `hint:` lines and takes the exit code of
//! the outermost `McpError` (1 when there is none); `ui::render` writes those
//! lines. This module sits at the bottom: it imports nothing of the crate.

use std::fmt;
use std::process::ExitCode;

/// The documented exit codes (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitStatus {
    /// 0: the command did what it was asked.
    Success,
    /// 1: an error.
    Failure,
    /// 2: bad usage or configuration.
    Usage,
    /// 3: the deployment failed and the service was restored to its previous release.
    DeployRestored,
    /// 4: the deployment failed and the service was not restored.
    DeployNotRestored,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
    /// A command of the project's that `mcp` ran failed (`build.before`): its exit code.
    Command(u8),
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::DeployRestored => 3,
            ExitStatus::DeployNotRestored => 4,
            ExitStatus::Interrupted => 130,
            ExitStatus::Command(code) => code,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// An error `mcp` itself raises, with the exit code it implies and what to do.
#[derive(Debug)]
pub struct McpError {
    pub status: ExitStatus,
    pub message: String,
    pub hint: Option<String>,
}

impl McpError {
    /// A general failure (exit 1).
    pub fn new(message: impl Into<String>) -> Self {
        McpError {
            status: ExitStatus::Failure,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        McpError {
            status: ExitStatus::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_status(mut self, status: ExitStatus) -> Self {
        self.status = status;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for McpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for McpError {}

/// Attach an [`McpError`] (message, hint, exit code) to a foreign error.
pub trait ResultExt<T> {
    /// Wrap the error with `err` as its outermost context.
    fn or_mcp(self, err: impl FnOnce() -> McpError) -> anyhow::Result<T>;
}

impl<T, E> ResultExt<T> for Result<T, E>
where
    E: Into<anyhow::Error>,
{
    fn or_mcp(self, err: impl FnOnce() -> McpError) -> anyhow::Result<T> {
        self.map_err(|e| e.into().context(err()))
    }
}

/// The full account of a cause (an SDK error's `Debug`), put in the chain
/// beside its short message and shown with `-vv` only (`ui::render`).
#[derive(Debug)]
pub struct Detail {
    /// The short message.
    pub summary: String,
    /// The full account.
    pub debug: String,
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)
    }
}

impl std::error::Error for Detail {}

/// The exit code an error chain implies: the outermost [`McpError`]'s, or 1.
pub fn status(err: &anyhow::Error) -> ExitStatus {
    // anyhow finds a context type anywhere in the chain: the outermost wins.
    err.downcast_ref::<McpError>()
        .map_or(ExitStatus::Failure, |m| m.status)
}

/// An error chain on one line (`what: why: cause`), without hints: for
/// tables and report fields that show several errors side by side.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !text.is_empty() && parts.last() != Some(&text) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
