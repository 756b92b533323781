//! A small, real MCP server to try `mcp` with: two tools (`echo`, `add`) over
//! Streamable HTTP at `/mcp`, and `GET /healthz` answering `ok` for load
//! balancer health checks.
//!
//! Configured from the environment, as a container is:
//!
//! - `PORT`: port to listen on, on every interface (default 8000).
//! - `ALLOWED_HOSTS`: comma-separated `Host` header values the MCP endpoint
//!   accepts, e.g. `demo.example.com,localhost` (a bare name allows any port,
//!   `name:port` only that port; `.example.com`, with a leading dot, any host
//!   under that domain, e.g. `.on.aws` for the URL of an ECS Express Mode
//!   service; `*` allows any host). rmcp only accepts
//!   loopback names by default, as a guard against DNS rebinding; behind a load
//!   balancer the requests carry the public host name, so list it here.
//! - `AUTH_TOKEN`: when set, `/mcp` requires `Authorization: Bearer <AUTH_TOKEN>`
//!   and answers 401 otherwise. `/healthz` never does: a load balancer's health
//!   check carries no token.
//! - `CONFORMANCE=1`: for the official MCP conformance suite: also lists the
//!   diagnostic tools it calls (see `conformance.rs`) and declares the prompts
//!   and resources capabilities (with empty lists) whose caching hints it checks.
//!
//! - `MCP_PROTOCOLS`: comma-separated MCP revisions the server accepts, e.g.
//!   `2026-07-28` for a server that speaks only the stateless revision (default:
//!   every revision rmcp knows). It is rmcp's
//!   `ServerHandler::supported_protocol_versions`: `server/discover` lists these,
//!   `initialize` negotiates among those that still have the handshake (and is
//!   refused with -32022 when none does), and a request whose `_meta` names
//!   another revision is refused with -32022 listing these. When none of them
//!   has the handshake, every request must also carry the `MCP-Protocol-Version`
//!   header and the revision in its `_meta` (rmcp's
//!   `stateless_protocol_metadata_required`), as a server written for
//!   2026-07-28 alone would require.
//!
//! It speaks MCP 2026-07-28 (stateless: `server/discover`, `_meta` on every
//! request) and the 2025 revisions (the `initialize` handshake), as rmcp does.
//!
//! Each request is logged as one line on stdout: method, path, status, time.

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ProtocolVersion, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

mod conformance;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct EchoRequest {
    /// The text to send back.
    text: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct AddRequest {
    /// The first number.
    a: f64,
    /// The second number.
    b: f64,
}

#[derive(Debug, Clone)]
struct Echo {
    tool_router: ToolRouter<Self>,
    conformance: bool,
    /// `MCP_PROTOCOLS`, oldest first.
    protocols: Arc<[ProtocolVersion]>,
}

#[tool_router]
impl Echo {
    fn new(conformance: bool, protocols: Arc<[ProtocolVersion]>) -> Self {
        let mut tool_router = Self::tool_router();
        if conformance {
            tool_router += Self::conformance_tools();
        }
        Echo {
            tool_router,
            conformance,
            protocols,
        }
    }

    #[tool(description = "Return the text it is given")]
    fn echo(&self, Parameters(EchoRequest { text }): Parameters<EchoRequest>) -> String {
        text
    }

    #[tool(description = "Add two numbers")]
    fn add(&self, Parameters(AddRequest { a, b }): Parameters<AddRequest>) -> String {
        (a + b).to_string()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Echo {
    fn get_info(&self) -> ServerConfig {
        let capabilities = if self.conformance {
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build()
        } else {
            ServerCapabilities::builder().enable_tools().build()
        };
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions("`echo` returns its text; `add` adds two numbers.")
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Owned(self.protocols.to_vec())
    }
}

/// `MCP_PROTOCOLS` as revisions rmcp knows, oldest first; every one of them
/// when unset.
fn protocols(value: Option<&str>) -> Result<Vec<ProtocolVersion>, String> {
    let known = ProtocolVersion::KNOWN_VERSIONS;
    let Some(value) = value else {
        return Ok(known.to_vec());
    };
    let mut chosen = Vec::new();
    for revision in value.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        let Some(version) = known.iter().find(|v| v.as_str() == revision) else {
            let names: Vec<&str> = known.iter().map(ProtocolVersion::as_str).collect();
            return Err(format!(
                "MCP_PROTOCOLS: `{revision}` is not an MCP revision rmcp knows ({})",
                names.join(", ")
            ));
        };
        if !chosen.contains(version) {
            chosen.push(version.clone());
        }
    }
    if chosen.is_empty() {
        return Err("MCP_PROTOCOLS is set but names no revision".to_string());
    }
    chosen.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(chosen)
}

/// `ALLOWED_HOSTS` as a list; `None` for `*` (any host).
fn allowed_hosts(value: Option<&str>) -> Option<Vec<String>> {
    let Some(value) = value else {
        return Some(
            StreamableHttpServerConfig::default()
                .allowed_hosts
                .into_iter()
                .collect(),
        );
    };
    let hosts: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect();
    if hosts.iter().any(|h| h == "*") {
        None
    } else {
        Some(hosts)
    }
}

/// `ALLOWED_HOSTS` entries with a leading dot (`.on.aws`): any host under that
/// domain. rmcp matches whole names only, so when there are such entries the
/// server checks every listed entry itself ([`check_host`]) instead of rmcp.
#[derive(Debug, Clone)]
struct HostPolicy {
    /// `name` or `name:port`, as rmcp takes them.
    exact: Vec<(String, Option<u16>)>,
    /// `.domain`, lower case.
    suffixes: Vec<String>,
}

impl HostPolicy {
    /// `None` when no entry has a leading dot: rmcp's own check serves.
    fn from_list(hosts: &[String]) -> Option<HostPolicy> {
        if !hosts.iter().any(|h| h.starts_with('.')) {
            return None;
        }
        let mut policy = HostPolicy {
            exact: Vec::new(),
            suffixes: Vec::new(),
        };
        for entry in hosts {
            if entry.starts_with('.') {
                policy.suffixes.push(entry.to_ascii_lowercase());
            } else if let Some(authority) = authority(entry) {
                policy.exact.push(authority);
            }
        }
        Some(policy)
    }

    fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = authority(host) else {
            return false;
        };
        self.exact
            .iter()
            .any(|(n, p)| *n == name && p.is_none_or(|p| Some(p) == port))
            || self
                .suffixes
                .iter()
                .any(|suffix| name.ends_with(suffix.as_str()) && name.len() > suffix.len())
    }
}

/// `Host` as (lower-case name without brackets or a trailing dot, port).
fn authority(value: &str) -> Option<(String, Option<u16>)> {
    let authority = axum::http::uri::Authority::try_from(value.trim()).ok()?;
    let name = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    Some((name, authority.port_u16()))
}

/// 403 for a `Host` the policy does not allow, in rmcp's words.
async fn check_host(
    State(policy): State<Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| policy.allows(h)) {
        return next.run(request).await;
    }
    (
        StatusCode::FORBIDDEN,
        "Forbidden: Host header is not allowed",
    )
        .into_response()
}

/// One line per request on stdout. Headers (and so tokens) are never logged.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    println!(
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// 401 unless the request carries `Authorization: Bearer <token>`.
async fn require_bearer(
    State(token): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.as_bytes())) {
        return next.run(request).await;
    }
    let mut response = (StatusCode::UNAUTHORIZED, "a bearer token is required\n").into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"echo-server\""),
    );
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn shutdown_signal() {
    // As PID 1 in a `FROM scratch` image nothing else handles SIGTERM, which is
    // how ECS and `docker stop` ask a task to end.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT must be a port number, got `{p}`"))?,
        Err(_) => 8000,
    };
    let hosts = allowed_hosts(std::env::var("ALLOWED_HOSTS").ok().as_deref());
    let token = std::env::var("AUTH_TOKEN").ok().filter(|t| !t.is_empty());
    let conformance = std::env::var("CONFORMANCE").is_ok_and(|v| v == "1");
    let protocols: Arc<[ProtocolVersion]> =
        protocols(std::env::var("MCP_PROTOCOLS").ok().as_deref())?.into();
    let handshake = protocols.iter().any(ProtocolVersion::has_initialize);

    // Stateless, JSON responses: any task behind the load balancer can answer
    // any request, so no sticky sessions are needed. `STATEFUL=1` keeps
    // sessions in memory on the 2025 revisions instead (what a load balancer
    // check must flag with more than one task).
    let stateful = std::env::var("STATEFUL").is_ok_and(|v| v == "1");
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(stateful)
        .with_json_response(true)
        // Without a handshake revision, a request without the version header
        // and `_meta` is of no revision the server speaks.
        .with_stateless_protocol_metadata_required(!handshake);
    let policy = hosts.as_deref().and_then(HostPolicy::from_list);
    config = match (&hosts, &policy) {
        (Some(hosts), None) => config.with_allowed_hosts(hosts.clone()),
        // Any host, or checked by `check_host` below.
        _ => config.disable_allowed_hosts(),
    };
    let revisions: Vec<&str> = protocols.iter().map(ProtocolVersion::as_str).collect();
    let revisions = revisions.join(",");
    let mcp = StreamableHttpService::new(
        move || Ok(Echo::new(conformance, protocols.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );

    let mut mcp_routes = Router::new().nest_service("/mcp", mcp);
    if let Some(policy) = policy {
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(Arc::new(policy), check_host));
    }
    if let Some(token) = &token {
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            Arc::new(token.clone()),
            require_bearer,
        ));
    }
    let mut app = Router::new().route("/healthz", get(|| async { "ok\n" }));
    // `FAIL_PATH=/fail`: that path answers 500, as a broken release would, to
    // try what watches a release's errors (a Lambda canary's `Errors`).
    if let Ok(path) = std::env::var("FAIL_PATH")
        && path.starts_with('/')
    {
        app = app.route(
            &path,
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "failing on purpose (FAIL_PATH)\n") }),
        );
    }
    let app = app
        .merge(mcp_routes)
        .layer(middleware::from_fn(log_request));

    let addr = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("binding {addr}: {e}"))?;
    println!(
        "{} {} listening on {addr}: MCP ({revisions}) at /mcp, health at /healthz; allowed hosts: {}; bearer token {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        hosts.map_or_else(|| "any".to_string(), |h| h.join(",")),
        if token.is_some() {
            "required"
        } else {
            "not required"
        },
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
