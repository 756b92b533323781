//! An error chain rendered for a person: the `error:` / `caused by:` /
//! `hint:` lines `main` prints on stderr, the exit code of the outermost
//! [`McpError`], and the JSON object `--output json` prints for a failure.
//! It lives with the printer: `crate::error` is the error type only and sits
//! below everything.

use crate::error::{Detail, ExitStatus, McpError, one_line, status};

/// What `main` prints and returns for an error chain.
pub struct Rendered {
    pub status: ExitStatus,
    pub lines: Vec<String>,
    /// The error chain on one line, without hints (the JSON `error`).
    pub message: String,
    /// What to do about it, when known (the JSON `hint`).
    pub hint: Option<String>,
    /// The error came from writing to a closed pipe: success, say nothing.
    pub broken_pipe: bool,
}

impl Rendered {
    /// The object `--output json` prints on stdout for a failure, so a CI step
    /// can always parse stdout: `status`, `error`, `hint`, `exit_code`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "status": "error",
            "error": self.message,
            "hint": self.hint,
            "exit_code": self.status.code(),
        })
    }
}

/// Turn an error chain into `error:` / `caused by:` / `hint:` lines.
pub fn render(err: &anyhow::Error) -> Rendered {
    render_verbose(err, 0)
}

/// [`render`], and with `-vv` (`verbose >= 2`) the SDK's full account of an
/// AWS error as a `detail:` line after its short one.
pub fn render_verbose(err: &anyhow::Error, verbose: u8) -> Rendered {
    // Only a closed stdout is success: a broken pipe to the engine is not.
    let broken_pipe = super::printer::is_stdout_closed(err);
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
            && let Some(detail) = cause.downcast_ref::<Detail>()
        {
            lines.push(format!("detail: {}", detail.debug));
        }
    }
    if let Some(hint) = mcp.and_then(|m| m.hint.as_ref()) {
        lines.push(format!("hint: {hint}"));
    }
    Rendered {
        status: status(err),
        lines,
        message: one_line(err),
        hint: mcp.and_then(|m| m.hint.clone()),
        broken_pipe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ResultExt as _;
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
        // Guards issue 11 item 6: with --output json a failure is one object on stdout.
        assert_eq!(
            r.json(),
            serde_json::json!({
                "status": "error",
                "error": "engine unreachable: connecting to the Docker engine: connection refused",
                "hint": "start Docker",
                "exit_code": 2,
            })
        );
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
