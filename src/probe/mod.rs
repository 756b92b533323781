//! The MCP probe: does the server at a URL answer like an MCP server? Used by
//! `mcp check`, after every deploy (ECS and local) and by `mcp status --all`.
//!
//! Three steps, each depending on the one before: `health` (GET
//! `deploy.health_path` on the URL's origin expects a 2xx), `initialize` (the
//! MCP handshake over Streamable HTTP, with the official SDK `rmcp`), and
//! `tools/list`. The first failure ends the check and is named, so a person
//! knows whether the load balancer, the transport or the server is at fault.
//!
//! [`run_check`] never prints and returns a [`CheckReport`] whether or not the
//! server is healthy; [`until_healthy`] retries it for a while after a rollout
//! (a load balancer takes some seconds to send traffic to new targets). The
//! steps live in [`health`] and [`handshake`]. An optional bearer token (from the variable named by
//! `deploy.auth_token_env`) is sent with the MCP requests only, never with the
//! health check, and never appears in a report, an error or a detail line.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Result;
use reqwest::Url;
use serde::Serialize;

mod handshake;
mod health;

use crate::config::{DeploySettings, FILE_NAME, Settings};
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;

/// How long each step may take unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A step of the check, named as in the output and in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Step {
    #[serde(rename = "health")]
    Health,
    #[serde(rename = "initialize")]
    Initialize,
    #[serde(rename = "tools/list")]
    ToolsList,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Health => "health",
            Step::Initialize => "initialize",
            Step::ToolsList => "tools/list",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened at one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: Step,
    pub ok: bool,
    pub latency_ms: f64,
    pub detail: String,
    /// Not run, by configuration (an empty `deploy.health_path`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// The server's own name for itself, from `initialize`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerIdentity {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The outcome of a check: printed as text or JSON, and returned to `deploy`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Every step passed.
    pub healthy: bool,
    /// The MCP endpoint checked.
    pub url: String,
    /// The URL the health check went to (empty when it was skipped).
    pub health_url: String,
    /// The step that failed, when one did.
    pub failed_step: Option<Step>,
    /// Why it failed (never contains the token).
    pub error: Option<String>,
    /// What to try, when `mcp` has an idea.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The protocol version the server agreed to.
    pub protocol_version: Option<String>,
    pub server: Option<ServerIdentity>,
    /// Capabilities the server announced: `tools`, `resources`, `prompts`, …
    pub capabilities: Vec<String>,
    /// Tool names, in the server's order.
    pub tools: Vec<String>,
    /// Whether a bearer token was sent (the token itself never is shown).
    pub authenticated: bool,
    /// Wall time of the whole check.
    pub latency_ms: f64,
    pub steps: Vec<StepReport>,
}

impl CheckReport {
    fn new(url: &str, health_url: &str, authenticated: bool) -> Self {
        CheckReport {
            healthy: false,
            url: url.to_string(),
            health_url: health_url.to_string(),
            failed_step: None,
            error: None,
            hint: None,
            protocol_version: None,
            server: None,
            capabilities: Vec::new(),
            tools: Vec::new(),
            authenticated,
            latency_ms: 0.0,
            steps: Vec::new(),
        }
    }

    fn pass(&mut self, step: Step, started: Instant, detail: impl Into<String>) {
        self.steps.push(StepReport {
            step,
            ok: true,
            latency_ms: ms(started.elapsed()),
            detail: detail.into(),
            skipped: false,
        });
    }

    fn skip(&mut self, step: Step, why: impl Into<String>) {
        self.steps.push(StepReport {
            step,
            ok: true,
            latency_ms: 0.0,
            detail: why.into(),
            skipped: true,
        });
    }

    fn fail(&mut self, step: Step, started: Instant, error: String, hint: Option<String>) {
        self.steps.push(StepReport {
            step,
            ok: false,
            latency_ms: ms(started.elapsed()),
            detail: error.clone(),
            skipped: false,
        });
        self.failed_step = Some(step);
        self.error = Some(error);
        self.hint = hint;
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps = [Step::Health, Step::Initialize, Step::ToolsList];
        let width = steps.iter().map(|s| s.name().len()).max().unwrap_or(0);
        for step in steps {
            let (mark, detail) = match self.steps.iter().find(|r| r.step == step) {
                Some(r) if r.skipped => ("skip", r.detail.clone()),
                Some(r) if r.ok => ("ok  ", format!("{} ({:.0} ms)", r.detail, r.latency_ms)),
                Some(r) => ("FAIL", r.detail.clone()),
                None => ("skip", "skipped: an earlier step failed".to_string()),
            };
            writeln!(f, "{mark}  {:<width$}  {detail}", step.name())?;
        }
        if self.healthy {
            writeln!(f, "healthy: {} in {:.0} ms", self.url, self.latency_ms)
        } else {
            writeln!(
                f,
                "unhealthy: {} failed at {}",
                self.url,
                self.failed_step.map_or("?", Step::name)
            )
        }
    }
}

/// The bearer token from the variable named by `deploy.auth_token_env`, if any.
///
/// A named variable that is unset or empty is an error that names it: checking
/// without the token would fail at `initialize` with a less useful message.
pub fn bearer_token(deploy: &DeploySettings) -> Result<Option<String>> {
    let Some(var) = deploy.auth_token_env.as_deref() else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_string())),
        _ => Err(McpError::new(format!(
            "`deploy.auth_token_env` names the environment variable {var}, but it is not set"
        ))
        .hint(format!(
            "export {var} with the server's bearer token, or remove `deploy.auth_token_env` from {FILE_NAME}"
        ))
        .into()),
    }
}

/// The health check's URL: `health_path` joined onto the origin of `url`, or
/// `health_path` itself when it is written as a full `http(s)://` URL (a
/// deliberate choice, and the health check sends no token).
///
/// A path is joined as a URL, never pasted into one, and must stay on the
/// endpoint's origin: `@otherhost/`, `//otherhost/` or `/\otherhost` would
/// otherwise change the host, and are refused.
pub fn health_url(url: &Url, health_path: &str) -> Result<Url> {
    if health_path.starts_with("http://") || health_path.starts_with("https://") {
        return Url::parse(health_path).map_err(|e| {
            McpError::usage(format!(
                "`deploy.health_path` `{health_path}` is not a URL: {e}"
            ))
            .into()
        });
    }
    let path = if health_path.starts_with('/') {
        health_path.to_string()
    } else {
        format!("/{health_path}")
    };
    let joined = url.join(&path).map_err(|e| {
        McpError::usage(format!(
            "`deploy.health_path` `{health_path}` does not make a URL with {url}: {e}"
        ))
    })?;
    let same_origin = joined.scheme() == url.scheme()
        && joined.host_str() == url.host_str()
        && joined.port_or_known_default() == url.port_or_known_default();
    if !same_origin {
        return Err(McpError::usage(format!(
            "`deploy.health_path` `{health_path}` leaves the origin of the endpoint (it would go to {})",
            joined.host_str().unwrap_or("?")
        ))
        .hint("write a path on the endpoint's host (e.g. `/healthz`), or a full https:// URL if health is checked elsewhere")
        .into());
    }
    Ok(joined)
}

/// Check the MCP server at `url`: health, `initialize`, `tools/list`.
///
/// Returns a report with `healthy: false` and the failed step when the server
/// does not pass; an error only when the check cannot start (a malformed URL).
/// `timeout` bounds each step.
pub async fn run_check(
    url: &str,
    health_path: &str,
    token: Option<String>,
    timeout: Duration,
) -> Result<CheckReport> {
    let started = Instant::now();
    let parsed = Url::parse(url).map_err(|e| {
        McpError::usage(format!("`{url}` is not a URL: {e}"))
            .hint("write the MCP endpoint in full, e.g. `https://demo.example.com/mcp`")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(McpError::usage(format!(
            "`{url}` is not an http:// or https:// URL"
        ))
        .hint("MCP's Streamable HTTP transport needs an http(s) URL, e.g. `https://demo.example.com/mcp`")
        .into());
    }
    // An empty `health_path`: the server has no health endpoint; the
    // handshake alone says whether it is up.
    let health = match health_path {
        "" => None,
        path => Some(health_url(&parsed, path)?),
    };
    let secret = Secret(token);
    let mut report = CheckReport::new(
        url,
        health.as_ref().map_or("", Url::as_str),
        secret.0.is_some(),
    );

    let healthy = match &health {
        Some(health) => health::check(&mut report, health, timeout).await,
        None => {
            report.skip(Step::Health, "skipped: `deploy.health_path` is empty");
            true
        }
    };
    if healthy {
        handshake::check(&mut report, url, &secret, timeout).await;
    }
    report.healthy = report.failed_step.is_none();
    report.latency_ms = ms(started.elapsed());
    Ok(report)
}

/// Run the check until it passes or `patience` goes by (bounded by
/// `deploy.timeout`): a new target takes a few health-check intervals to
/// receive traffic behind a load balancer. Prints `Checking` and, on success,
/// `Checked` with the server's name and tools. Ctrl-C ends the wait with 130.
pub async fn until_healthy(
    settings: &Settings,
    printer: &Printer,
    url: &str,
    patience: Duration,
) -> Result<CheckReport> {
    let token = bearer_token(&settings.deploy)?;
    let deadline = Instant::now() + patience.min(settings.deploy.timeout);
    printer.status("Checking", url);
    // Ctrl-C here ends the command (130): after a follow, SIGINT no longer kills the process by itself.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let stop = || {
        anyhow::Error::new(
            McpError::new(format!("interrupted while checking {url}"))
                .with_status(ExitStatus::Interrupted)
                .hint("the rollout itself completed; run `mcp check` to check again"),
        )
    };
    loop {
        let report = tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            report = run_check(
                url,
                &settings.deploy.health_path,
                token.clone(),
                DEFAULT_TIMEOUT,
            ) => report?,
        };
        if report.healthy || Instant::now() >= deadline {
            if report.healthy {
                printer.status(
                    "Checked",
                    format!(
                        "{} {} answers MCP {} with {} tool{}: {}",
                        report
                            .server
                            .as_ref()
                            .map(|s| s.name.as_str())
                            .unwrap_or("?"),
                        report
                            .server
                            .as_ref()
                            .map(|s| s.version.as_str())
                            .unwrap_or(""),
                        report.protocol_version.as_deref().unwrap_or("?"),
                        report.tools.len(),
                        if report.tools.len() == 1 { "" } else { "s" },
                        report.tools.join(", ")
                    ),
                );
            }
            return Ok(report);
        }
        tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// One check of `deploy.url` for a health report (no retries); `None` without
/// a URL, or when the check cannot start.
pub async fn once(settings: &Settings) -> Option<CheckReport> {
    let url = settings.deploy.url.as_deref()?;
    let token = bearer_token(&settings.deploy).ok()?;
    run_check(url, &settings.deploy.health_path, token, DEFAULT_TIMEOUT)
        .await
        .ok()
}

/// The token, kept out of `Debug` output and scrubbed from error text.
struct Secret(Option<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(<redacted>)"
        } else {
            "None"
        })
    }
}

impl Secret {
    /// Error text as a report shows it: see [`scrub`].
    fn scrub(&self, text: &str) -> String {
        scrub(text, self.0.as_deref())
    }
}

/// How much of an error a report keeps: a server's error page can be long,
/// and the first part says enough.
const ERROR_CHARS: usize = 300;

/// Error text as a report shows it: every occurrence of `token` and whatever
/// follows `Bearer ` redacted, and only then cut to [`ERROR_CHARS`], so that a
/// server echoing the Authorization header cannot get part of the token past
/// the redaction by having it cut.
fn scrub(text: &str, token: Option<&str>) -> String {
    let text = match token {
        Some(token) if !token.is_empty() => text.replace(token, "<redacted>"),
        _ => text.to_string(),
    };
    let text = redact_bearer(&text);
    if text.chars().count() > ERROR_CHARS {
        let cut: String = text.chars().take(ERROR_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Whatever follows `Bearer ` (any case, any run of spaces), up to the next
/// space or quote, replaced: the credentials of whatever header was echoed,
/// ours or not.
fn redact_bearer(text: &str) -> String {
    const SCHEME: &str = "bearer";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(SCHEME) {
        let scheme_end = from + found + SCHEME.len();
        let value_start = scheme_end + text[scheme_end..].len()
            - text[scheme_end..].trim_start_matches([' ', '\t']).len();
        let value_end = text[value_start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '\\' | ',' | ';' | '<' | '>')
            })
            .map_or(text.len(), |i| value_start + i);
        if value_start > scheme_end
            && value_end > value_start
            && !text[value_start..value_end].starts_with("<redacted>")
        {
            out.push_str(&text[copied..value_start]);
            out.push_str("<redacted>");
            copied = value_end;
        }
        from = value_end.max(scheme_end);
    }
    out.push_str(&text[copied..]);
    out
}

/// An error and its sources as one line, each message once (uncut: [`scrub`]
/// cuts it after redacting).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_url_is_on_the_origin_of_the_endpoint() {
        let url = Url::parse("https://demo.example.com/mcp/").unwrap();
        assert_eq!(
            health_url(&url, "/healthz").unwrap().as_str(),
            "https://demo.example.com/healthz"
        );
        assert_eq!(
            health_url(&url, "healthz").unwrap().as_str(),
            "https://demo.example.com/healthz"
        );
        assert_eq!(
            health_url(&url, "https://other.example.com/ready")
                .unwrap()
                .as_str(),
            "https://other.example.com/ready"
        );
    }

    /// Guards issue 16 item 5: a path never changes the host the health
    /// check goes to.
    #[test]
    fn a_health_path_cannot_leave_the_origin() {
        let url = Url::parse("https://demo.example.com:8443/mcp").unwrap();
        assert_eq!(
            health_url(&url, "@otherhost/").unwrap().as_str(),
            "https://demo.example.com:8443/@otherhost/"
        );
        for path in ["//otherhost/x", "/\\otherhost/x", "\\\\otherhost/x"] {
            let err = health_url(&url, path).unwrap_err();
            assert!(
                err.to_string().contains("leaves the origin"),
                "{path}: {err}"
            );
        }
    }

    /// Guards issue 16 item 2: redaction comes before the cut, so an echoed
    /// token straddling the cut leaves no part of itself behind.
    #[test]
    fn the_token_is_redacted_before_the_error_is_cut() {
        let token = "tok-0123456789abcdefghijklmnopqrstuvwxyz";
        for offset in 250..300 {
            let text = format!("{}{token} and more", "x".repeat(offset));
            let shown = scrub(&text, Some(token));
            assert!(!shown.contains("tok-0123"), "{offset}: {shown}");
            assert!(shown.chars().count() <= ERROR_CHARS + 1);
        }
    }

    /// Guards issue 16 item 2: whatever follows `Bearer ` goes, ours or not.
    #[test]
    fn whatever_follows_bearer_is_redacted() {
        assert_eq!(
            scrub(
                "headers: {'authorization': 'Bearer some-other.jwt~value=', 'x': 1} BEARER  abc",
                None
            ),
            "headers: {'authorization': 'Bearer <redacted>', 'x': 1} BEARER  <redacted>"
        );
        assert_eq!(scrub("Bearers of news", None), "Bearers of news");
        let cut = format!(
            "{}Authorization: Bearer {}",
            "y".repeat(280),
            "z".repeat(60)
        );
        assert!(!scrub(&cut, None).contains("zzzz"));
    }

    #[test]
    fn secrets_are_scrubbed_and_not_debug_printed() {
        let secret = Secret(Some("s3cr3t-token".into()));
        assert_eq!(
            secret.scrub("Bearer s3cr3t-token refused"),
            "Bearer <redacted> refused"
        );
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }

    #[test]
    fn steps_serialize_with_their_protocol_names() {
        assert_eq!(
            serde_json::to_string(&Step::ToolsList).unwrap(),
            "\"tools/list\""
        );
    }
}
