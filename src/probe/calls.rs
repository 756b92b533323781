//! The smoke calls after the handshake (`[[check.calls]]`, `--call`): one
//! `tools/call` each on the session, judged against its `expect`, recorded
//! in the report with the server's own words, cut.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::session::{fail_session, session_lost};
use super::wire::{Failure, Wire};
use super::{CheckReport, Secret, Step};

/// One `tools/call`, recorded in `report.calls`. False when it failed
/// (reported: the tool, the step and the server's own words, cut).
pub(super) async fn call_tool(
    report: &mut CheckReport,
    wire: &mut Wire,
    call: &super::Call,
    timeout: Duration,
    secret: &Secret,
) -> bool {
    let started = Instant::now();
    let name = &call.tool;
    let timeout = call.timeout.unwrap_or(timeout);
    let outcome: Result<(), (String, String)> = 'call: {
        if !report.tools.iter().any(|t| t == name) {
            break 'call Err((
                format!(
                    "`{name}` is not listed (the server lists: {})",
                    if report.tools.is_empty() {
                        "no tools".to_string()
                    } else {
                        report.tools.join(", ")
                    }
                ),
                "call a tool the server lists; `[[check.calls]]` in mcp.toml or --call name it"
                    .into(),
            ));
        }
        let params = json!({"name": name, "arguments": call.arguments});
        let reply = match wire.request("tools/call", Some(params), timeout).await {
            Ok(reply) => reply,
            Err(Failure::Timeout) => {
                break 'call Err((
                    format!("`{name}` did not answer within {}s", timeout.as_secs()),
                    "see the server's logs; `timeout` in `[[check.calls]]` (or --timeout) gives a slow tool more time".into(),
                ));
            }
            Err(e) => break 'call Err((format!("`{name}`: {e}"), String::new())),
        };
        if wire.session.is_some() && session_lost(&reply) {
            fail_session(report, started, wire, "tools/call", &reply, secret);
            report.calls.push(super::CallReport {
                tool: name.clone(),
                ok: false,
                latency_ms: super::ms(started.elapsed()),
                error: report.error.clone(),
            });
            return false;
        }
        match reply.result() {
            Some(result) if reply.ok() => {
                if result.get("isError").and_then(Value::as_bool) == Some(true) {
                    break 'call Err((
                        format!("`{name}` failed: {}", content_text(result)),
                        "the tool answered with `isError: true`; see the server's logs".into(),
                    ));
                }
                if let Some(expect) = &call.expect {
                    let text = content_text(result);
                    let structured = result
                        .get("structuredContent")
                        .map(Value::to_string)
                        .unwrap_or_default();
                    if !text.contains(expect.as_str()) && !structured.contains(expect.as_str()) {
                        break 'call Err((
                            format!(
                                "`{name}` answered without `{expect}`: {}",
                                cut(&text, 200)
                            ),
                            "`expect` is a substring of the text content (or of structuredContent as JSON)".into(),
                        ));
                    }
                }
                Ok(())
            }
            _ => Err((
                format!("`{name}` answered {}", reply.describe()),
                "see the server's logs".into(),
            )),
        }
    };
    let latency_ms = super::ms(started.elapsed());
    match outcome {
        Ok(()) => {
            report.calls.push(super::CallReport {
                tool: name.clone(),
                ok: true,
                latency_ms,
                error: None,
            });
            report.pass(Step::ToolsCall, started, format!("`{name}` answered"));
            true
        }
        Err((error, hint)) => {
            let error = secret.scrub(&super::neutral(&error));
            report.calls.push(super::CallReport {
                tool: name.clone(),
                ok: false,
                latency_ms,
                error: Some(error.clone()),
            });
            let hint = (!hint.is_empty()).then_some(hint);
            report.fail(Step::ToolsCall, started, error, hint);
            false
        }
    }
}

/// `text` cut to `chars` characters.
pub(super) fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The text content of a tool result, joined.
pub(super) fn content_text(result: &Value) -> String {
    let text: Vec<&str> = result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    if text.is_empty() {
        "(no text content)".to_string()
    } else {
        text.join(" ")
    }
}
