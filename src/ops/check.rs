//! `mcp check`: does the MCP server at `deploy.url` answer like one?
//!
//! Three steps, each depending on the one before: `health` (GET
//! `deploy.health_path` on the URL's origin expects a 2xx), `initialize` (the
//! MCP handshake over Streamable HTTP, with the official SDK `rmcp`), and
//! `tools/list`. The first failure ends the check and is named, so a person
//! knows whether the load balancer, the transport or the server is at fault.
//!
//! [`run_check`] is the reusable core: it never prints and returns a
//! [`CheckReport`] whether or not the server is healthy, so `mcp deploy` can call
//! it after a rollout. An optional bearer token (from the variable named by
//! `deploy.auth_token_env`) is sent with the MCP requests only, never with the
//! health check, and never appears in a report, an error or a detail line.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Result;
use reqwest::Url;
use rmcp::ServiceExt;
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::ClientInitializeError;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClientTransportConfig, StreamableHttpError,
};
use serde::Serialize;

use crate::config::{DeploySettings, FILE_NAME, Settings, schema};
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
    /// The URL the health check went to.
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
        });
    }

    fn fail(&mut self, step: Step, started: Instant, error: String, hint: Option<String>) {
        self.steps.push(StepReport {
            step,
            ok: false,
            latency_ms: ms(started.elapsed()),
            detail: error.clone(),
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

/// The health check's URL: `health_path` on the origin of `url`, or
/// `health_path` itself when it is a full URL.
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
    url.join(&path).map_err(|e| {
        McpError::usage(format!(
            "`deploy.health_path` `{health_path}` does not make a URL with {url}: {e}"
        ))
        .into()
    })
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
    let health = health_url(&parsed, health_path)?;
    let secret = Secret(token);
    let mut report = CheckReport::new(url, health.as_str(), secret.0.is_some());

    if check_health(&mut report, &health, timeout).await {
        check_mcp(&mut report, url, &secret, timeout).await;
    }
    report.healthy = report.failed_step.is_none();
    report.latency_ms = ms(started.elapsed());
    Ok(report)
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
    /// `text` with every occurrence of the token replaced.
    fn scrub(&self, text: &str) -> String {
        match &self.0 {
            Some(token) if !token.is_empty() => text.replace(token.as_str(), "<redacted>"),
            _ => text.to_string(),
        }
    }
}

/// An error and its sources as one line, each message once.
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
    let line = parts.join(": ");
    // A server's error page can be long; the first part says enough.
    if line.chars().count() > 300 {
        let cut: String = line.chars().take(300).collect();
        format!("{cut}…")
    } else {
        line
    }
}

async fn check_health(report: &mut CheckReport, health: &Url, timeout: Duration) -> bool {
    let started = Instant::now();
    let client = match reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            report.fail(Step::Health, started, chain(&e), None);
            return false;
        }
    };
    let hint_path = format!(
        "check that the server answers GET {} with a 2xx; set `deploy.health_path` in {FILE_NAME} if it checks health elsewhere",
        health.path()
    );
    match client.get(health.clone()).send().await {
        Ok(response) if response.status().is_success() => {
            report.pass(
                Step::Health,
                started,
                format!("GET {health} answered {}", response.status()),
            );
            true
        }
        Ok(response) => {
            report.fail(
                Step::Health,
                started,
                format!("GET {health} answered {}", response.status()),
                Some(hint_path),
            );
            false
        }
        Err(e) => {
            let hint = if e.is_timeout() {
                format!(
                    "no answer within {}s; is the server up and reachable from here?",
                    timeout.as_secs()
                )
            } else {
                "is the server running, and is the URL's host and port right? (`deploy.url` or --url)".to_string()
            };
            report.fail(
                Step::Health,
                started,
                format!("GET {health}: {}", chain(&e)),
                Some(hint),
            );
            false
        }
    }
}

async fn check_mcp(report: &mut CheckReport, url: &str, secret: &Secret, timeout: Duration) {
    let started = Instant::now();
    // No redirects: a POST redirected to another origin would carry the token there.
    let http = match reqwest::Client::builder()
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            report.fail(Step::Initialize, started, chain(&e), None);
            return;
        }
    };
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    if let Some(token) = &secret.0 {
        config = config.auth_header(token.clone());
    }
    let transport = StreamableHttpClientTransport::with_client(http, config);
    // The legacy `initialize` handshake, offering the newest version that has one;
    // the server answers with the version it speaks.
    let mut client_config = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("mcp", env!("CARGO_PKG_VERSION")),
    );
    client_config.protocol_version = ProtocolVersion::LATEST_WITH_INITIALIZE;

    let client = match tokio::time::timeout(timeout, client_config.serve(transport)).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => {
            let (error, refusal) = handshake_error(&e);
            let error = secret.scrub(&error);
            let hint = initialize_hint(refusal, secret, url);
            report.fail(Step::Initialize, started, error, Some(hint));
            return;
        }
        Err(_) => {
            report.fail(
                Step::Initialize,
                started,
                format!("no answer to `initialize` within {}s", timeout.as_secs()),
                Some(format!(
                    "is {url} the MCP endpoint, served with the Streamable HTTP transport?"
                )),
            );
            return;
        }
    };

    if let Some(info) = client.peer_info() {
        report.protocol_version = Some(info.protocol_version.to_string());
        report.server = info.server_info.as_ref().map(|s| ServerIdentity {
            name: s.name.clone(),
            version: s.version.clone(),
            title: s.title.clone(),
        });
        let caps = &info.capabilities;
        let announced = [
            ("tools", caps.tools.is_some()),
            ("resources", caps.resources.is_some()),
            ("prompts", caps.prompts.is_some()),
            ("logging", caps.logging.is_some()),
            ("completions", caps.completions.is_some()),
            ("experimental", caps.experimental.is_some()),
            ("extensions", caps.extensions.is_some()),
        ];
        report.capabilities = announced
            .iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| name.to_string())
            .collect();
    }
    let identity = report
        .server
        .as_ref()
        .map_or("a server that did not say its name".to_string(), |s| {
            format!("{} {}", s.name, s.version)
        });
    report.pass(
        Step::Initialize,
        started,
        format!(
            "{identity}, protocol {}, capabilities: {}",
            report.protocol_version.as_deref().unwrap_or("?"),
            if report.capabilities.is_empty() {
                "none".to_string()
            } else {
                report.capabilities.join(", ")
            }
        ),
    );

    let started = Instant::now();
    match tokio::time::timeout(timeout, client.list_all_tools()).await {
        Ok(Ok(tools)) => {
            report.tools = tools.iter().map(|t| t.name.to_string()).collect();
            let n = report.tools.len();
            report.pass(
                Step::ToolsList,
                started,
                format!(
                    "{n} tool{}{}{}",
                    if n == 1 { "" } else { "s" },
                    if n == 0 { "" } else { ": " },
                    report.tools.join(", ")
                ),
            );
        }
        Ok(Err(e)) => report.fail(
            Step::ToolsList,
            started,
            secret.scrub(&chain(&e)),
            Some(
                "the server completed the handshake but could not list its tools; see its logs"
                    .into(),
            ),
        ),
        Err(_) => report.fail(
            Step::ToolsList,
            started,
            format!("no answer to `tools/list` within {}s", timeout.as_secs()),
            Some(
                "the server completed the handshake but did not list its tools; see its logs"
                    .into(),
            ),
        ),
    }
    // End the session politely (a DELETE for servers that keep sessions); a
    // server that does not answer does not change the verdict.
    let _ = tokio::time::timeout(Duration::from_secs(2), client.cancel()).await;
}

/// Why a handshake was refused, as far as the hint is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// 401/403 with a challenge: no token, or one the server does not accept.
    Auth,
    /// rmcp's DNS-rebinding guard: the `Host` header is not in the allowed list.
    Host,
    Other,
}

/// A failed handshake in a person's words, and what kind of refusal it was.
/// The transport's own message names Rust types.
fn handshake_error(err: &ClientInitializeError) -> (String, Refusal) {
    let ClientInitializeError::TransportError { error, .. } = err else {
        return (chain(err), Refusal::Other);
    };
    let Some(http) = error
        .error
        .downcast_ref::<StreamableHttpError<reqwest::Error>>()
    else {
        return (chain(&*error.error), Refusal::Other);
    };
    match http {
        StreamableHttpError::AuthRequired(_) => (
            "the server answered HTTP 401: it requires authorization".into(),
            Refusal::Auth,
        ),
        StreamableHttpError::InsufficientScope(_) => (
            "the server answered HTTP 403: the token lacks a scope it requires".into(),
            Refusal::Auth,
        ),
        StreamableHttpError::HttpStatus(status) => (
            format!("the server answered HTTP {} to `initialize`", status.status),
            Refusal::Other,
        ),
        StreamableHttpError::UnexpectedServerResponse(text) => {
            let refusal = if text.starts_with("HTTP 401") {
                Refusal::Auth
            } else if text.starts_with("HTTP 403") && text.contains("Host header") {
                Refusal::Host
            } else {
                Refusal::Other
            };
            (
                format!("unexpected answer to `initialize`: {text}"),
                refusal,
            )
        }
        StreamableHttpError::UnexpectedContentType(content_type) => (
            format!(
                "the server answered `initialize` with content type {}, not JSON or an event stream",
                content_type.as_deref().unwrap_or("(none)")
            ),
            Refusal::Other,
        ),
        StreamableHttpError::Client(e) => (chain(e), Refusal::Other),
        other => (chain(other), Refusal::Other),
    }
}

/// What to try after a failed handshake.
fn initialize_hint(refusal: Refusal, secret: &Secret, url: &str) -> String {
    if refusal == Refusal::Host {
        let host = Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        return format!(
            "the server does not accept the Host header `{host}`: add it to the server's allowed hosts (rmcp: `StreamableHttpServerConfig::with_allowed_hosts`; examples/echo-server: ALLOWED_HOSTS)"
        );
    }
    if refusal == Refusal::Auth {
        return if secret.0.is_some() {
            "the server refused the bearer token from `deploy.auth_token_env`; check its value"
                .to_string()
        } else {
            format!(
                "the server wants a bearer token: set `deploy.auth_token_env` in {FILE_NAME} to the name of an environment variable holding it"
            )
        };
    }
    format!("is {url} the MCP endpoint (often `/mcp`), served with the Streamable HTTP transport?")
}

/// `mcp check`: run the check against `deploy.url` (`--url` arrives as a flag
/// setting) and print the report; exit 1 naming the failed step.
pub async fn check(
    settings: &Settings,
    printer: &Printer,
    timeout: Duration,
) -> Result<ExitStatus> {
    let Some(url) = settings.deploy.url.as_deref() else {
        return Err(McpError::usage("no MCP endpoint to check (`deploy.url`)")
            .hint(format!(
                "set `[deploy] url = \"https://…/mcp\"` in {FILE_NAME}, set {}, or pass --url",
                schema::env::URL
            ))
            .into());
    };
    let token = bearer_token(&settings.deploy)?;
    printer.status("Checking", url);
    if let Some(var) = &settings.deploy.auth_token_env {
        printer.detail(1, format!("sending a bearer token from {var} (not shown)"));
    }
    let report = run_check(url, &settings.deploy.health_path, token, timeout).await?;
    for step in &report.steps {
        printer.detail(
            1,
            format!(
                "{:>12} {} ({:.1} ms): {}",
                step.step.name(),
                if step.ok { "ok" } else { "failed" },
                step.latency_ms,
                step.detail
            ),
        );
    }
    printer.data(&report)?;
    match report.failed_step {
        None => {
            printer.status(
                "Healthy",
                format!(
                    "{url} ({} tool{})",
                    report.tools.len(),
                    if report.tools.len() == 1 { "" } else { "s" }
                ),
            );
            Ok(ExitStatus::Success)
        }
        Some(step) => {
            let mut err = McpError::new(format!(
                "{url} failed the `{step}` step: {}",
                report.error.as_deref().unwrap_or("unknown error")
            ));
            if let Some(hint) = &report.hint {
                err = err.hint(hint.clone());
            }
            Err(err.into())
        }
    }
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
