//! The MCP probe: does the server at a URL answer like an MCP server? Used by
//! `mcp check`, after every deploy (ECS and local), by the progressive gate,
//! `mcp launch` and `mcp status --all`.
//!
//! The steps, each depending on the one before: `health` (GET
//! `deploy.health_path` on the URL's origin expects a 2xx); `auth` when the
//! server answers 401 (its OAuth discovery chain, and a token with
//! `deploy.auth` client credentials); `server/discover` (the stateless
//! 2026-07-28 revision) or the `initialize` handshake of the 2025 revisions,
//! whichever the server speaks ([`revision`] lists them); `tools/list`;
//! `session`, when the server keeps one, several requests of it (a load
//! balancer may send them to a task that does not know it); and the
//! `tools/call`s asked for. The first failure ends the check and is named,
//! so a person knows whether the load balancer, the transport or the server
//! is at fault.
//!
//! [`run_check`] never prints and returns a [`CheckReport`] whether or not the
//! server is healthy; [`until_healthy`] retries it for a while after a rollout
//! (a load balancer takes some seconds to send traffic to new targets). The
//! wire protocol lives in [`wire`], the steps in [`health`], [`handshake`]
//! and [`oauth`]. Credentials (the bearer token from `deploy.auth_token_env`,
//! a client secret, a token from the client credentials grant) go with the
//! MCP requests only, never with the health check, and never appear in a
//! report, an error or a detail line.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Result;
use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

mod calls;
mod compare;
pub mod contract;
mod handshake;
mod health;
mod oauth;
pub mod revision;
mod session;
mod sign;
mod wire;

pub use oauth::AuthReport;
pub use oauth::ClientCredentials;
pub use session::SESSION_FIXES;
pub use sign::{Sign, Signer};

use crate::error::McpError;

/// How long each step may take unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many requests of a session the check makes at least: enough that a
/// load balancer spreading them over two or three tasks sends one elsewhere.
pub const SESSION_REQUESTS: usize = 6;

/// A step of the check, named as in the output and in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Step {
    #[serde(rename = "health")]
    Health,
    #[serde(rename = "auth")]
    Auth,
    #[serde(rename = "server/discover")]
    Discover,
    #[serde(rename = "initialize")]
    Initialize,
    #[serde(rename = "tools/list")]
    ToolsList,
    #[serde(rename = "session")]
    Session,
    #[serde(rename = "tools/call")]
    ToolsCall,
    #[serde(rename = "contract")]
    Contract,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Health => "health",
            Step::Auth => "auth",
            Step::Discover => "server/discover",
            Step::Initialize => "initialize",
            Step::ToolsList => "tools/list",
            Step::Session => "session",
            Step::ToolsCall => "tools/call",
            Step::Contract => "contract",
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

/// The server's own name for itself, from `initialize` or `server/discover`.
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
    /// Why it failed (never contains a credential).
    pub error: Option<String>,
    /// What to try, when `mcp` has an idea.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The MCP revision the check spoke with the server.
    pub protocol: Option<String>,
    /// The same, under its earlier name.
    pub protocol_version: Option<String>,
    /// `stateful` when the server issued a session (`Mcp-Session-Id`),
    /// `stateless` otherwise; none when the check did not get that far.
    pub session: Option<&'static str>,
    /// Revisions offered and refused on the way to `protocol`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub negotiation: Vec<String>,
    /// The server's OAuth set-up, when it asked for authorization.
    pub auth: Option<AuthReport>,
    pub server: Option<ServerIdentity>,
    /// Capabilities the server announced: `tools`, `resources`, `prompts`, …
    pub capabilities: Vec<String>,
    /// Tool names, in the server's order.
    pub tools: Vec<String>,
    /// The tool calls made (`[[check.calls]]`, `--call`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallReport>,
    /// The comparison with a baseline contract, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<contract::ContractReport>,
    /// The server's contract, when the check read it.
    #[serde(skip)]
    pub contract_read: Option<contract::Contract>,
    /// Whether credentials were sent (they themselves never are shown).
    pub authenticated: bool,
    /// Wall time of the whole check.
    pub latency_ms: f64,
    pub steps: Vec<StepReport>,
}

impl CheckReport {
    /// A report with nothing checked yet.
    pub fn new(url: &str, health_url: &str, authenticated: bool) -> Self {
        CheckReport {
            healthy: false,
            url: url.to_string(),
            health_url: health_url.to_string(),
            failed_step: None,
            error: None,
            hint: None,
            protocol: None,
            protocol_version: None,
            session: None,
            negotiation: Vec::new(),
            auth: None,
            server: None,
            capabilities: Vec::new(),
            tools: Vec::new(),
            calls: Vec::new(),
            contract: None,
            contract_read: None,
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

    /// The one-line summary `Checked` prints: who answers, on which
    /// revision, with which tools.
    pub fn summary(&self) -> String {
        if self.tools.is_empty() && self.auth.is_some() && self.protocol.is_none() {
            return format!(
                "{} is protected by OAuth; discovery OK (not checked further without `deploy.auth`)",
                self.url
            );
        }
        format!(
            "{} {} answers MCP {}{} with {} tool{}: {}",
            self.server.as_ref().map(|s| s.name.as_str()).unwrap_or("?"),
            self.server
                .as_ref()
                .map(|s| s.version.as_str())
                .unwrap_or(""),
            self.protocol.as_deref().unwrap_or("?"),
            match self.session {
                Some("stateful") => " (stateful)",
                _ => "",
            },
            self.tools.len(),
            if self.tools.len() == 1 { "" } else { "s" },
            self.tools.join(", ")
        )
    }
}

/// Remote text as a report keeps it: control characters shown, not obeyed.
fn neutral(text: &str) -> String {
    crate::ui::sanitize::escape(text, crate::ui::sanitize::Lines::One).into_owned()
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The steps taken, then the usual ones an earlier failure skipped.
        let mut lines: Vec<(&str, &str, String)> = Vec::new();
        for r in &self.steps {
            let (mark, detail) = if r.skipped {
                ("skip", r.detail.clone())
            } else if r.ok {
                ("ok  ", format!("{} ({:.0} ms)", r.detail, r.latency_ms))
            } else {
                ("FAIL", r.detail.clone())
            };
            lines.push((mark, r.step.name(), detail));
        }
        let handshake = self
            .steps
            .iter()
            .any(|r| matches!(r.step, Step::Discover | Step::Initialize));
        let stopped_at_auth = self.auth.is_some() && !handshake;
        let mut usual = vec![Step::Health];
        if !handshake {
            usual.push(Step::Initialize);
        }
        usual.push(Step::ToolsList);
        for step in usual {
            if !self.steps.iter().any(|r| r.step == step) {
                let why = if stopped_at_auth && self.failed_step.is_none() {
                    "skipped: authorization needed (`deploy.auth`)"
                } else {
                    "skipped: an earlier step failed"
                };
                lines.push(("skip", step.name(), why.to_string()));
            }
        }
        let width = lines.iter().map(|(_, n, _)| n.len()).max().unwrap_or(0);
        for (mark, name, detail) in lines {
            writeln!(f, "{mark}  {name:<width$}  {detail}")?;
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

/// One tool call the check made.
#[derive(Debug, Clone, Serialize)]
pub struct CallReport {
    pub tool: String,
    pub ok: bool,
    pub latency_ms: f64,
    pub error: Option<String>,
}

/// A `tools/call` the check makes after `tools/list` (`[[check.calls]]`, `--call`).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub tool: String,
    pub arguments: Value,
    /// A substring the text content (or structuredContent as JSON) must hold.
    pub expect: Option<String>,
    /// How long the call may take (default: the step time-out).
    pub timeout: Option<Duration>,
}

impl Call {
    /// `TOOL` (no arguments) or `TOOL={"id":1}`; the error names the
    /// position of bad JSON.
    pub fn parse(text: &str) -> std::result::Result<Call, String> {
        let (tool, arguments) = match text.split_once('=') {
            Some((tool, json)) => {
                let arguments: Value = serde_json::from_str(json).map_err(|e| {
                    let what = e.to_string();
                    let what = what.split(" at line ").next().unwrap_or_default();
                    format!(
                        "`{text}`: the arguments after `=` are not JSON (column {}: {what})",
                        e.column() + tool.len() + 1
                    )
                })?;
                if !arguments.is_object() {
                    return Err(format!(
                        "`{text}`: the arguments must be a JSON object, like `{tool}={{\"id\":1}}`"
                    ));
                }
                (tool, arguments)
            }
            None => (text, Value::Object(Default::default())),
        };
        let tool = tool.trim();
        if tool.is_empty() {
            return Err(format!("`{text}`: no tool name before `=`"));
        }
        Ok(Call {
            tool: tool.to_string(),
            arguments,
            expect: None,
            timeout: None,
        })
    }
}

/// What a check needs besides the URL, resolved once from the settings:
/// credentials read from their variables, the pinned revision checked.
#[derive(Debug, Clone)]
pub struct Options {
    pub health_path: String,
    pub(crate) token: Option<String>,
    pub(crate) credentials: Option<oauth::ClientCredentials>,
    /// `deploy.protocol`: the one revision to speak.
    pub protocol: Option<&'static str>,
    pub calls: Vec<Call>,
    /// Requests of a session the check makes at least.
    pub session_requests: usize,
    /// Read the server's contract (tools, prompts, resources).
    pub read_contract: bool,
    /// Compare the contract with this one (where it came from, the contract).
    pub baseline: Option<(String, contract::Contract)>,
    /// Breaking differences are listed, not failed.
    pub allow_breaking: bool,
    /// How long each step may take.
    pub timeout: Duration,
    /// Signs every request to the endpoint's origin (a function URL with
    /// `AuthType AWS_IAM`): see [`sign`].
    pub signer: Option<Signer>,
}

impl Options {
    /// No credentials, no pin: a check of `health_path` and MCP alone.
    pub fn plain(health_path: &str) -> Options {
        Options {
            health_path: health_path.to_string(),
            token: None,
            credentials: None,
            protocol: None,
            calls: Vec::new(),
            session_requests: SESSION_REQUESTS,
            read_contract: false,
            baseline: None,
            allow_breaking: false,
            timeout: DEFAULT_TIMEOUT,
            signer: None,
        }
    }

    /// Whether the check sends credentials it was given (a token, or a signature).
    pub fn authenticated(&self) -> bool {
        self.token.is_some() || self.signer.is_some()
    }

    /// Ask for at least twice `tasks` requests of a session (one load
    /// balancer round over every task, twice), never fewer than the default.
    pub fn for_tasks(mut self, tasks: Option<usize>) -> Self {
        if let Some(tasks) = tasks {
            self.session_requests = SESSION_REQUESTS.max(tasks * 2);
        }
        self
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

/// Check the MCP server at `url` as [`Options`] say.
///
/// Returns a report with `healthy: false` and the failed step when the server
/// does not pass; an error only when the check cannot start (a malformed URL).
pub async fn run_check(url: &str, options: &Options) -> Result<CheckReport> {
    let started = Instant::now();
    let parsed = Url::parse(url).map_err(|e| {
        McpError::usage(format!(
            "the MCP endpoint `{}` is not a URL: {e}",
            unparsable(url)
        ))
        .hint("write the MCP endpoint in full, e.g. `https://demo.example.com/mcp`")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(McpError::usage(format!(
            "`{}://…` is not an http:// or https:// URL",
            parsed.scheme()
        ))
        .hint("MCP's Streamable HTTP transport needs an http(s) URL, e.g. `https://demo.example.com/mcp`")
        .into());
    }
    // An empty `health_path`: the server has no health endpoint; the
    // handshake alone says whether it is up.
    let health = match options.health_path.as_str() {
        "" => None,
        path => Some(health_url(&parsed, path)?),
    };
    let mut secret = Secret::default();
    if let Some(token) = &options.token {
        secret.add(token.clone());
    }
    if let Some(credentials) = &options.credentials {
        secret.add(credentials.secret.clone());
    }
    for value in options.signer.iter().flat_map(|s| s.secrets()) {
        secret.add(value);
    }
    let mut report = CheckReport::new(
        url,
        health.as_ref().map_or("", Url::as_str),
        options.authenticated(),
    );

    let healthy = match &health {
        Some(health) => health::check(&mut report, health, &parsed, options, &secret).await,
        None => {
            report.skip(Step::Health, "skipped: `deploy.health_path` is empty");
            true
        }
    };
    if healthy {
        handshake::check(&mut report, &parsed, options, &mut secret).await;
    }
    report.healthy = report.failed_step.is_none();
    report.latency_ms = ms(started.elapsed());
    Ok(report)
}

/// A URL that does not parse, as an error shows it: its scheme at most.
/// Where its user information ends cannot be known, so nothing after the
/// scheme is echoed (a password with `/` or `@` in it would show).
fn unparsable(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _))
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            format!("{scheme}://…")
        }
        _ => "…".to_string(),
    }
}

/// The contract to compare with: a `--save-contract` file, or what the
/// server at an http(s) URL serves now (read with `options`' credentials).
pub async fn baseline(source: &str, options: &Options) -> Result<contract::Contract> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let mut read = options.clone();
        read.calls.clear();
        read.baseline = None;
        read.read_contract = true;
        let report = run_check(source, &read).await?;
        return report.contract_read.ok_or_else(|| {
            McpError::new(format!(
                "--baseline {}: its contract could not be read: {}",
                crate::ui::sanitize::redact_userinfo(source),
                report.error.as_deref().unwrap_or("the check stopped before it")
            ))
            .hint("the baseline server must answer `mcp check` itself; or save its contract with --save-contract and pass the file")
            .into()
        });
    }
    let text = std::fs::read_to_string(source).map_err(|e| {
        McpError::usage(format!("--baseline {source}: {e}"))
            .hint("pass a file written by `mcp check --save-contract`, or the http(s) URL of a running server")
    })?;
    contract::Contract::from_json(&text).map_err(|e| {
        McpError::usage(format!("--baseline {source} is not a contract file: {e}"))
            .hint("write one with `mcp check --save-contract FILE`")
            .into()
    })
}

/// The credentials of one check, kept out of `Debug` output and scrubbed
/// from error text.
#[derive(Default)]
pub(crate) struct Secret(Vec<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} redacted>)", self.0.len())
    }
}

impl Secret {
    fn add(&mut self, secret: String) {
        if !secret.is_empty() && !self.0.contains(&secret) {
            self.0.push(secret);
        }
    }

    /// Error text as a report shows it: see [`scrub_all`].
    fn scrub(&self, text: &str) -> String {
        scrub_all(text, &self.0)
    }
}

/// How much of an error a report keeps: a server's error page can be long,
/// and the first part says enough.
const ERROR_CHARS: usize = 300;

/// The shortest run of a credential's characters that is redacted wherever
/// it stands (a prefix, a line of a wrapped echo).
const MIN_SECRET_RUN: usize = 8;

/// Error text as a report shows it with one credential: see [`scrub_all`].
fn scrub(text: &str, token: Option<&str>) -> String {
    scrub_all(
        text,
        token
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
            .as_slice(),
    )
}

/// Error text as a report shows it: each credential redacted in the forms a
/// server may echo it (as is, JSON-escaped, percent-encoded, and any run of
/// [`MIN_SECRET_RUN`] or more of its characters: a prefix, a wrapped line),
/// whatever follows `Bearer ` redacted, and only then cut to
/// [`ERROR_CHARS`], so that no part of a credential gets past the redaction
/// by having it cut.
fn scrub_all(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let escaped = secret.replace('/', "\\/");
        let encoded: String = secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        for form in [secret.as_str(), escaped.as_str(), encoded.as_str()] {
            text = text.replace(form, "<redacted>");
            text = text.replace(&form.to_ascii_lowercase(), "<redacted>");
        }
        text = redact_runs(&text, secret);
    }
    let text = redact_bearer(&text);
    if text.chars().count() > ERROR_CHARS {
        let cut: String = text.chars().take(ERROR_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Every run of [`MIN_SECRET_RUN`] or more characters of `text` that also
/// stands in `secret`, redacted.
fn redact_runs(text: &str, secret: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if secret.chars().count() < MIN_SECRET_RUN {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // The longest run starting at i that stands in the secret.
        let mut best = 0;
        let mut len = MIN_SECRET_RUN;
        while i + len <= chars.len() {
            let run: String = chars[i..i + len].iter().collect();
            if secret.contains(&run) {
                best = len;
                len += 1;
            } else {
                break;
            }
        }
        if best >= MIN_SECRET_RUN {
            out.push_str("<redacted>");
            i += best;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
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

    /// Guards issue 26 item 4: a server may echo a token JSON-escaped,
    /// percent-encoded, cut to a prefix or wrapped across lines.
    #[test]
    fn echoed_tokens_are_scrubbed_in_every_form() {
        let token = "tok/3b1f+9c0e-never-print-me";
        let encoded = "tok%2F3b1f%2B9c0e-never-print-me";
        for echoed in [
            token.to_string(),
            token.replace('/', "\\/"),
            encoded.to_string(),
            token[..16].to_string(),
            format!("{}\n{}", &token[..10], &token[10..]),
        ] {
            let shown = scrub(&format!("refused: {echoed} end"), Some(token));
            assert!(!shown.contains("3b1f"), "{echoed}: {shown}");
            assert!(!shown.contains("never-print"), "{echoed}: {shown}");
            assert!(shown.ends_with(" end"), "{shown}");
        }
        assert_eq!(scrub("short tok/ words", Some(token)), "short tok/ words");
    }

    /// Guards issue 26 item 7: an unparsable URL is never echoed past its scheme.
    #[test]
    fn an_unparsable_url_shows_its_scheme_only() {
        assert_eq!(unparsable("http://admin:hun/ter2@[bad/mcp"), "http://…");
        assert_eq!(unparsable("admin:s3cret@host"), "…");
        assert_eq!(unparsable("ht tp://x:pw@h"), "…");
    }

    #[test]
    fn calls_parse_with_and_without_arguments() {
        assert_eq!(
            Call::parse("lookup").unwrap(),
            Call {
                tool: "lookup".into(),
                arguments: serde_json::json!({}),
                expect: None,
                timeout: None,
            }
        );
        assert_eq!(
            Call::parse(r#"lookup={"id":1}"#).unwrap().arguments,
            serde_json::json!({"id": 1})
        );
        let err = Call::parse(r#"lookup={"id":}"#).unwrap_err();
        assert!(err.contains("column 14"), "{err}");
        assert!(
            Call::parse("lookup=[1]")
                .unwrap_err()
                .contains("JSON object")
        );
        assert!(Call::parse("={}").is_err());
    }

    #[test]
    fn secrets_are_scrubbed_and_not_debug_printed() {
        let mut secret = Secret::default();
        secret.add("s3cr3t-token".into());
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
