//! The MCP steps: the `initialize` handshake over Streamable HTTP with the
//! official SDK (rmcp), then `tools/list`. Failures are put in a person's words
//! (the transport's own messages name Rust types) with a hint that tells an
//! auth refusal, a Host-header guard and a wrong endpoint apart.
//!
//! Redirects are followed on the endpoint's own origin (scheme, host and
//! port), token included: the Python SDK 1.x answers `POST /mcp` with a 307
//! to `/mcp/`. A redirect to any other origin is not followed, and the report
//! says where it pointed: the token goes nowhere the configuration did not name.

use std::time::{Duration, Instant};

use reqwest::Url;
use rmcp::ServiceExt;
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::ClientInitializeError;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClientTransportConfig, StreamableHttpError,
};

use super::{CheckReport, Secret, ServerIdentity, Step, chain};
use crate::config::FILE_NAME;

pub(super) async fn check(report: &mut CheckReport, url: &str, secret: &Secret, timeout: Duration) {
    let started = Instant::now();
    let http = match reqwest::Client::builder()
        .connect_timeout(timeout)
        .redirect(same_origin_only(url))
        .pool_max_idle_per_host(0)
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            report.fail(Step::Initialize, started, secret.scrub(&chain(&e)), None);
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

/// How many same-origin redirects one request may follow.
const MAX_REDIRECTS: usize = 5;

/// A redirect the probe did not follow: it pointed at another origin.
#[derive(Debug)]
pub(super) struct CrossOrigin {
    /// Where the server pointed (its user information, if any, left out).
    to: String,
}

impl std::fmt::Display for CrossOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server redirected to {}, another origin: not followed",
            self.to
        )
    }
}

impl std::error::Error for CrossOrigin {}

/// Scheme, host and port, as browsers compare origins.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Follow a redirect only when it stays on the origin of `endpoint` (where
/// the token may go); stop with a [`CrossOrigin`] error otherwise.
fn same_origin_only(endpoint: &str) -> reqwest::redirect::Policy {
    let Ok(origin) = Url::parse(endpoint) else {
        return reqwest::redirect::Policy::none();
    };
    reqwest::redirect::Policy::custom(move |attempt| {
        if !same_origin(attempt.url(), &origin) {
            let mut to = attempt.url().clone();
            let _ = to.set_username("");
            let _ = to.set_password(None);
            let to = to.to_string();
            attempt.error(CrossOrigin { to })
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// The [`CrossOrigin`] somewhere in `err`'s sources.
fn cross_origin<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a CrossOrigin> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<CrossOrigin>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// Why a handshake was refused, as far as the hint is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// 401/403 with a challenge: no token, or one the server does not accept.
    Auth,
    /// rmcp's DNS-rebinding guard: the `Host` header is not in the allowed list.
    Host,
    /// A redirect to another origin, not followed.
    Redirect,
    Other,
}

/// A failed handshake in a person's words, and what kind of refusal it was.
/// The transport's own message names Rust types.
fn handshake_error(err: &ClientInitializeError) -> (String, Refusal) {
    if let Some(redirect) = cross_origin(err) {
        return (redirect.to_string(), Refusal::Redirect);
    }
    let ClientInitializeError::TransportError { error, .. } = err else {
        return (chain(err), Refusal::Other);
    };
    if let Some(redirect) = cross_origin(&*error.error) {
        return (redirect.to_string(), Refusal::Redirect);
    }
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
        // rmcp's error does not name the client's error as its source: look inside.
        StreamableHttpError::Client(e) => match cross_origin(e) {
            Some(redirect) => (redirect.to_string(), Refusal::Redirect),
            None => (chain(e), Refusal::Other),
        },
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
    if refusal == Refusal::Redirect {
        return format!(
            "`mcp` follows redirects only on the origin of {url}, so the token never leaves it; set `deploy.url` (or --url) to the URL the server redirects to if that is where it lives"
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
