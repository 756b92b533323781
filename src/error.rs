//! Errors a user can act on, and the exit codes they map to.
//!
//! Most failures travel as `anyhow::Error` with context added at every fallible
//! call. Where `mcp` knows what the user should do, it puts an [`McpError`] in
//! the chain: it carries the exit code and an optional hint. `main` renders the
//! chain as `error:` / `caused by:` / `hint:` lines and takes the exit code of
//! the outermost `McpError` (1 when there is none).

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

/// What `main` prints and returns for an error chain.
pub struct Rendered {
    pub status: ExitStatus,
    pub lines: Vec<String>,
    /// The error came from writing to a closed pipe: success, say nothing.
    pub broken_pipe: bool,
}

/// Turn an error chain into `error:` / `caused by:` / `hint:` lines.
pub fn render(err: &anyhow::Error) -> Rendered {
    render_verbose(err, 0)
}

/// [`render`], and with `-vv` (`verbose >= 2`) the SDK's full account of an
/// AWS error as a `detail:` line after its short one.
pub fn render_verbose(err: &anyhow::Error, verbose: u8) -> Rendered {
    // Only a closed stdout is success: a broken pipe to the engine is not.
    let broken_pipe = crate::ui::printer::is_stdout_closed(err);
    // anyhow finds a context type anywhere in the chain: the outermost `McpError` wins.
    let mcp = err.downcast_ref::<McpError>();
    let mut lines = Vec::new();
    let mut previous = String::new();
    for (i, cause) in err.chain().enumerate() {
        let text = cause.to_string();
        // SDK errors often repeat their source's text: show each message once.
        if !text.is_empty() && text != previous {
            let label = if i == 0 { "error" } else { "caused by" };
            lines.push(format!("{label}: {text}"));
            previous = text;
        }
        if verbose >= 2
            && let Some(detail) = cause.downcast_ref::<crate::aws::error::Detail>()
        {
            lines.push(format!("detail: {}", detail.debug));
        }
    }
    if let Some(hint) = mcp.and_then(|m| m.hint.as_ref()) {
        lines.push(format!("hint: {hint}"));
    }
    let status = mcp.map(|m| m.status);
    Rendered {
        status: status.unwrap_or(ExitStatus::Failure),
        lines,
        broken_pipe,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn outermost_mcp_error_sets_code_and_hints_come_last() {
        let err = Err::<(), _>(std::io::Error::other("connection refused"))
            .context("connecting to the Docker engine")
            .or_mcp(|| McpError::usage("engine unreachable").hint("start Docker"))
            .unwrap_err();
        let r = render(&err);
        assert_eq!(r.status, ExitStatus::Usage);
        assert_eq!(
            r.lines,
            [
                "error: engine unreachable",
                "caused by: connecting to the Docker engine",
                "caused by: connection refused",
                "hint: start Docker"
            ]
        );
        assert!(!r.broken_pipe);
    }

    #[test]
    fn a_closed_stdout_is_recognised_anywhere_in_the_chain() {
        let closed = std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            crate::ui::printer::StdoutClosed,
        );
        let err = anyhow::Error::new(closed).context("writing a log line");
        assert!(render(&err).broken_pipe);
    }

    /// Guards against a failed build exiting 0: the context writer's broken
    /// pipe to the engine is an error, not a closed stdout.
    #[test]
    fn a_broken_pipe_to_the_engine_is_a_failure() {
        let err = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("sending the build context");
        let rendered = render(&err);
        assert!(!rendered.broken_pipe);
        assert_eq!(rendered.status, ExitStatus::Failure);
    }
}
