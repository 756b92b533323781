//! At home in GitHub Actions (`GITHUB_ACTIONS=true`): long phases fold into
//! collapsible groups (`::group::`), a failure becomes an `::error::`
//! annotation carrying its hint, and deploys append a job summary to
//! `$GITHUB_STEP_SUMMARY`. Everywhere else none of this is written.
//!
//! The runner reads workflow commands from stderr as well as stdout, so `mcp`
//! writes its own there (stdout stays data), and text from outside (build
//! output, server log lines, AWS error messages) is kept from being read as
//! one: see [`neutralize`].

use std::borrow::Cow;
use std::io::Write as _;
use std::path::PathBuf;

/// True when this process runs in a GitHub Actions job.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The job summary file, when there is one.
fn summary_path() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// A workflow command's message: `%`, CR and LF escaped as the runner expects.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (`title=…`): also `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text from outside, made unable to act as a workflow command: a line that
/// starts with `::` (after blanks), or holds the older `##[` form, gets a zero
/// width space between its two first characters. It reads the same in the log.
///
/// The runner ends a line at LF, CRLF and a bare CR alike (issue 26 item 1),
/// so each of them starts a line here; CRLF is written as LF and a bare CR as
/// the text `\r`, so no carriage return from outside reaches the log.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    let hostile = |line: &str| line.trim_start().starts_with("::") || line.contains("##[");
    if !text.contains('\r') && !text.split('\n').any(hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let line = &rest[..end];
        if hostile(line) {
            let blanks = line.len() - line.trim_start().len();
            let (lead, tail) = line.split_at(blanks);
            out.push_str(lead);
            let tail = tail.replace("##[", "#\u{200b}#[");
            match tail.strip_prefix("::") {
                Some(tail) => {
                    out.push_str(":\u{200b}:");
                    out.push_str(tail);
                }
                None => out.push_str(&tail),
            }
        } else {
            out.push_str(line);
        }
        rest = &rest[end..];
        if let Some(after) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            out.push('\n');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\r') {
            out.push_str("\\r");
            rest = after;
        } else {
            break;
        }
    }
    Cow::Owned(out)
}

/// `::group::title`.
pub fn group_start(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

pub const GROUP_END: &str = "::endgroup::";

/// `::error title=…::message` with the hint on the annotation's next line.
pub fn error_annotation(title: &str, message: &str, hint: Option<&str>) -> String {
    let mut text = message.to_string();
    if let Some(hint) = hint {
        text.push_str("\nhint: ");
        text.push_str(hint);
    }
    format!(
        "::error title={}::{}",
        escape_property(title),
        escape_data(&text)
    )
}

/// Set the step output `name` (`$GITHUB_OUTPUT`, when set), so a later step
/// reads it as `steps.<id>.outputs.<name>`. A value with a line break is
/// refused: it could set other outputs.
pub fn set_output(name: &str, value: &str) -> Result<(), String> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    if value.contains(['\r', '\n']) || name.contains(['\r', '\n', '=']) {
        return Err(format!(
            "step output `{name}` not set: its value has a line break"
        ));
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{name}={value}\n").as_bytes()))
        .map_err(|err| {
            format!(
                "could not set step output `{name}` in {} (GITHUB_OUTPUT): {err}",
                PathBuf::from(&path).display()
            )
        })
}

/// Append `markdown` to `$GITHUB_STEP_SUMMARY`, when set. A summary that
/// cannot be written is reported, never fatal: the deploy's outcome stands.
pub fn append_summary(markdown: &str) -> Result<(), String> {
    let Some(path) = summary_path() else {
        return Ok(());
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()))
        .map_err(|err| {
            format!(
                "could not append the job summary to {} (GITHUB_STEP_SUMMARY): {err}",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_expects() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("mcp deploy a:b,c"), "mcp deploy a%3Ab%2Cc");
        assert_eq!(
            error_annotation("mcp deploy", "it failed\nbadly", Some("run `mcp status`")),
            "::error title=mcp deploy::it failed%0Abadly%0Ahint: run `mcp status`"
        );
    }

    /// Remote text cannot add annotations, masks or stop the runner's parsing.
    #[test]
    fn workflow_commands_in_remote_text_are_neutralized() {
        assert_eq!(neutralize("plain text :: here"), "plain text :: here");
        let hostile = "ok\n  ::error::pwned\n::stop-commands::x\nsee ##[set-output name=a]b";
        let shown = neutralize(hostile);
        for line in shown.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line:?}");
            assert!(!line.contains("##["), "{line:?}");
        }
        assert_eq!(shown.lines().count(), 4);
        assert!(shown.contains("  :\u{200b}:error::pwned"));
    }

    /// Guards issue 26 item 1: the runner also ends a line at a bare CR, so a
    /// `::` after one is a workflow command too.
    #[test]
    fn workflow_commands_after_a_bare_cr_are_neutralized() {
        for hostile in [
            "x\r::error::pwned",
            "x\r\n::add-mask::y",
            "a\rb\r  ::stop-commands::t",
            "ok\r##[error]z",
        ] {
            let shown = neutralize(hostile);
            for line in shown.split(['\r', '\n']) {
                assert!(
                    !line.trim_start().starts_with("::"),
                    "{hostile:?}: {line:?}"
                );
                assert!(!line.contains("##["), "{hostile:?}: {line:?}");
            }
            assert!(!shown.contains('\r'), "a bare CR is kept: {shown:?}");
        }
        assert_eq!(
            neutralize("x\r::error::pwned"),
            "x\\r:\u{200b}:error::pwned"
        );
    }
}
