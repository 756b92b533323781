//! The MCP steps after the health check, on [`super::wire`]:
//!
//! - **Revision.** Offer the newest revision (`server/discover`, stateless)
//!   and fall back to the `initialize` handshake of the 2025 revisions when
//!   the server answers that way; a server that refuses a revision with
//!   -32022 and the list it supports gets one more try with the best of that
//!   list, either way. `deploy.protocol` pins one revision.
//! - **Authorization.** A 401 is followed through the OAuth discovery chain
//!   ([`super::oauth`]); with `deploy.auth` client credentials the check gets
//!   a token and goes on, without them the discovery verdict is the result.
//! - **Tools.** `tools/list` read to the end (capped), then the calls asked
//!   for with `--call`.
//! - **Sessions.** A server that issues `Mcp-Session-Id` is asked several
//!   requests of that session: behind a load balancer with several tasks and
//!   sessions kept in memory, one of them reaches a task that does not know
//!   the session, and the check says so at once, with the fixes.
//!
//! Failures are put in a person's words with a hint that tells an auth
//! refusal, a Host-header guard and a wrong endpoint apart.

use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::{Value, json};

use super::calls::call_tool;
use super::compare::compare_contract;
use super::oauth::{self, Challenge};
use super::session::{fail_session, session_lost};
use super::wire::{Answer, Failure, Reply, Wire};
use super::{CheckReport, Options, Secret, ServerIdentity, Step, revision};

/// How many pages `tools/list` may take, and how many tools in all.
const MAX_PAGES: usize = 100;
const MAX_TOOLS: usize = 10_000;

/// How to reach the server: stateless with a revision, or the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Stateless(&'static str),
    Handshake(&'static str),
}

impl Path {
    fn step(self) -> Step {
        match self {
            Path::Stateless(_) => Step::Discover,
            Path::Handshake(_) => Step::Initialize,
        }
    }

    fn for_revision(revision: &'static str) -> Path {
        if revision::is_stateless(revision) {
            Path::Stateless(revision)
        } else {
            Path::Handshake(revision)
        }
    }
}

/// What one attempt to reach the server gave.
enum Outcome {
    Ready(Value),
    /// 401: authorization needed.
    Unauthorized(Option<Challenge>),
    /// The revision was refused; the server lists these.
    Unsupported(Vec<String>),
    /// Not this way (a stateless attempt at a server with a handshake).
    NotThisWay(String),
    Failed {
        error: String,
        refusal: Refusal,
    },
}

/// Why a request was refused, as far as the hint is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// 401/403: no token, or one the server does not accept.
    Auth,
    /// A DNS-rebinding guard: the `Host` header is not in the allowed list.
    Host,
    /// A redirect to another origin, not followed.
    Redirect,
    /// No answer in time.
    Timeout,
    Other,
}

pub(super) async fn check(
    report: &mut CheckReport,
    url: &Url,
    options: &Options,
    secret: &mut Secret,
) {
    let timeout = options.timeout;
    let started = Instant::now();
    let http = match super::wire::http_client(url, timeout) {
        Ok(http) => http,
        Err(e) => {
            report.fail(Step::Initialize, started, e, None);
            return;
        }
    };
    let mut wire = Wire::new(http.clone(), url.clone(), options.token.clone());
    if let Some(signer) = &options.signer {
        // Signed requests follow redirects by hand, each hop signed again.
        match super::wire::signed_client(url, timeout) {
            Ok(signed) => wire = Wire::new(signed, url.clone(), options.token.clone()),
            Err(e) => {
                report.fail(Step::Initialize, started, e, None);
                return;
            }
        }
        wire.signer = Some(signer.clone());
    }
    let pinned = options.protocol;
    let mut path = Path::for_revision(pinned.unwrap_or(revision::NEWEST));
    let mut tried: Vec<Path> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut authorized = false;
    let mut retried_same = false;
    let mut started = Instant::now();

    let ready = loop {
        tried.push(path);
        let outcome = match path {
            Path::Stateless(r) => discover(&mut wire, r, timeout).await,
            Path::Handshake(r) => initialize(&mut wire, r, timeout).await,
        };
        match outcome {
            Outcome::Ready(result) => break result,
            Outcome::Unauthorized(challenge) => {
                if wire.bearer.is_some() {
                    let (from, sent) = if authorized {
                        (
                            "the token from the client credentials grant",
                            Some(Sent::Granted),
                        )
                    } else {
                        ("the bearer token", Some(Sent::Static))
                    };
                    let error = format!("the server answered HTTP 401 to {from}");
                    let step = if authorized {
                        path.step()
                    } else {
                        Step::Initialize
                    };
                    report.fail(step, started, error, Some(hint(Refusal::Auth, sent, url)));
                    return;
                }
                let auth_started = Instant::now();
                match oauth::discover(&http, url, challenge.as_ref(), timeout).await {
                    Err(broken) if broken.no_metadata => {
                        // Not OAuth as MCP defines it: a server that wants a static token.
                        report.fail(
                            Step::Initialize,
                            started,
                            "the server answered HTTP 401: it requires authorization, and publishes no OAuth protected resource metadata".into(),
                            Some(format!(
                                "{}; for OAuth, the server must publish its protected resource metadata (RFC 9728)",
                                hint(Refusal::Auth, None, url)
                            )),
                        );
                        return;
                    }
                    Err(broken) => {
                        report.auth = Some(broken.report);
                        report.fail(
                            Step::Auth,
                            auth_started,
                            secret.scrub(&broken.error),
                            Some(broken.hint),
                        );
                        return;
                    }
                    Ok(found) => {
                        let issuer = found.report.authorization_servers[0].clone();
                        let Some(credentials) = &options.credentials else {
                            report.auth = Some(found.report);
                            report.pass(
                                Step::Auth,
                                auth_started,
                                format!(
                                    "protected by OAuth; discovery OK (authorization server {issuer}): MCP clients will find it and ask the user to sign in; not checked further without credentials (`deploy.auth`)"
                                ),
                            );
                            return;
                        };
                        match oauth::client_credentials(&http, &found, credentials, timeout).await {
                            Err(error) => {
                                let mut auth = found.report;
                                auth.credentials = None;
                                report.auth = Some(auth);
                                report.fail(
                                    Step::Auth,
                                    auth_started,
                                    secret.scrub(&error),
                                    Some("check `deploy.auth` in mcp.toml: the client id, the secret in `client_secret_env`, and that the authorization server allows this client the client_credentials grant".to_string()),
                                );
                                return;
                            }
                            Ok(token) => {
                                secret.add(token.clone());
                                wire.bearer = Some(token);
                                authorized = true;
                                let mut auth = found.report;
                                auth.credentials = Some("client_credentials");
                                report.auth = Some(auth);
                                report.authenticated = true;
                                report.pass(
                                    Step::Auth,
                                    auth_started,
                                    format!(
                                        "protected by OAuth; discovery OK; a token from {issuer} with the client credentials grant"
                                    ),
                                );
                                started = Instant::now();
                                tried.pop();
                                continue;
                            }
                        }
                    }
                }
            }
            Outcome::Unsupported(supported) => {
                let best = revision::best_of(supported.iter().map(String::as_str), |_| true);
                // A refusal that lists the very revision offered gets one
                // more try of it (SEP-2575: retry with a supported version);
                // another revision on the list, one try each unless pinned.
                let again = |next: Path| {
                    (next == path && !retried_same) || (pinned.is_none() && !tried.contains(&next))
                };
                match best.map(Path::for_revision) {
                    Some(next) if again(next) => {
                        retried_same |= next == path;
                        notes.push(format!(
                            "the server refused {} and supports {}",
                            revision_of(path),
                            supported.join(", ")
                        ));
                        path = next;
                    }
                    _ => {
                        let error = format!(
                            "the server does not support protocol {} (it supports {})",
                            revision_of(path),
                            if supported.is_empty() {
                                "none it named".to_string()
                            } else {
                                supported.join(", ")
                            }
                        );
                        let hint = match (pinned, best) {
                            (Some(pin), Some(_)) => format!(
                                "the check is pinned to {pin} (--protocol, {}, or `deploy.protocol`): drop the pin, or pin a revision the server supports",
                                crate::config::schema::env::PROTOCOL
                            ),
                            _ => format!(
                                "`mcp` speaks {}; update the server's MCP SDK",
                                revision::list()
                            ),
                        };
                        report.fail(path.step(), started, error, Some(hint));
                        return;
                    }
                }
            }
            Outcome::NotThisWay(why) => {
                let fallback = Path::Handshake(revision::newest_with_initialize());
                if pinned.is_none() && !tried.contains(&fallback) {
                    notes.push(format!("server/discover: {why}"));
                    path = fallback;
                } else {
                    let hint = hint(Refusal::Other, None, url);
                    report.fail(
                        Step::Initialize,
                        started,
                        secret.scrub(&format!("server/discover answered {why}")),
                        Some(hint),
                    );
                    return;
                }
            }
            Outcome::Failed { error, refusal } => {
                let sent = match (wire.bearer.is_some(), authorized) {
                    (false, _) => None,
                    (true, true) => Some(Sent::Granted),
                    (true, false) => Some(Sent::Static),
                };
                let hint = match &options.signer {
                    Some(signer) if refusal == Refusal::Auth => signer.refused_hint(),
                    _ => hint(refusal, sent, url),
                };
                report.fail(path.step(), started, secret.scrub(&error), Some(hint));
                return;
            }
        }
    };
    let revision = wire.revision.unwrap_or(revision::NEWEST);
    report.protocol = Some(revision.to_string());
    report.protocol_version = report.protocol.clone();
    report.session = Some(if wire.session.is_some() {
        "stateful"
    } else {
        "stateless"
    });
    describe_server(report, &ready);
    let identity = report
        .server
        .as_ref()
        .map_or("a server that did not say its name".to_string(), |s| {
            format!("{} {}", s.name, s.version)
        });
    let step = path.step();
    report.pass(
        step,
        started,
        format!(
            "{identity}, protocol {revision}{}, capabilities: {}",
            if wire.session.is_some() {
                ", with a session"
            } else {
                ""
            },
            if report.capabilities.is_empty() {
                "none".to_string()
            } else {
                report.capabilities.join(", ")
            }
        ),
    );
    report.negotiation = notes;

    // The handshake's own notification: the first request of the session.
    if matches!(path, Path::Handshake(_)) {
        let sent = Instant::now();
        match wire
            .notify("notifications/initialized", None, timeout)
            .await
        {
            Ok(reply) if reply.ok() => {}
            Ok(reply) if session_lost(&reply) => {
                fail_session(
                    report,
                    sent,
                    &wire,
                    "notifications/initialized",
                    &reply,
                    secret,
                );
                wire.end_session(Duration::from_secs(2)).await;
                return;
            }
            Ok(reply) => {
                report.fail(
                    Step::Initialize,
                    sent,
                    secret.scrub(&format!(
                        "the server refused `notifications/initialized`: {}",
                        reply.describe()
                    )),
                    Some(hint(Refusal::Other, None, url)),
                );
                return;
            }
            Err(e) => {
                report.fail(
                    Step::Initialize,
                    sent,
                    secret.scrub(&format!("`notifications/initialized`: {e}")),
                    None,
                );
                return;
            }
        }
    }

    if !list_tools(report, &mut wire, timeout, secret).await {
        wire.end_session(Duration::from_secs(2)).await;
        return;
    }
    if wire.session.is_some() && !keep_session(report, &mut wire, options, secret).await {
        wire.end_session(Duration::from_secs(2)).await;
        return;
    }
    for call in &options.calls {
        if !call_tool(report, &mut wire, call, timeout, secret).await {
            wire.end_session(Duration::from_secs(2)).await;
            return;
        }
    }
    if options.read_contract || options.baseline.is_some() {
        compare_contract(report, &mut wire, options, secret).await;
    }
    // End the session politely; a server that does not answer does not
    // change the verdict.
    wire.end_session(Duration::from_secs(2)).await;
}

fn revision_of(path: Path) -> &'static str {
    match path {
        Path::Stateless(r) | Path::Handshake(r) => r,
    }
}

/// `server/discover` with `revision`.
async fn discover(wire: &mut Wire, revision: &'static str, timeout: Duration) -> Outcome {
    wire.revision = Some(revision);
    wire.session = None;
    let reply = match wire.request("server/discover", None, timeout).await {
        Ok(reply) => reply,
        // No answer: the handshake is tried before judging (a server that
        // needs one may not answer an unknown request at all), and a server
        // that answers neither fails at `initialize`, as it did before the
        // stateless revision.
        Err(Failure::Timeout) => return Outcome::NotThisWay("nothing in time".into()),
        Err(e) => return Outcome::NotThisWay(e.to_string()),
    };
    if reply.status == 401 {
        return Outcome::Unauthorized(reply.challenge.as_deref().and_then(oauth::parse_challenge));
    }
    if let Some(supported) = unsupported(&reply) {
        return Outcome::Unsupported(supported);
    }
    match reply.result() {
        Some(result) if reply.ok() && result.get("supportedVersions").is_some() => {
            let offered: Vec<&str> = result["supportedVersions"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match revision::best_of(offered.iter().copied(), revision::is_stateless) {
                Some(best) if best == revision => Outcome::Ready(result.clone()),
                _ => Outcome::Unsupported(offered.iter().map(|s| s.to_string()).collect()),
            }
        }
        _ => Outcome::NotThisWay(reply.describe()),
    }
}

/// The `initialize` handshake offering `revision`.
async fn initialize(wire: &mut Wire, revision: &'static str, timeout: Duration) -> Outcome {
    wire.revision = None;
    wire.session = None;
    let params = json!({
        "protocolVersion": revision,
        "capabilities": {},
        "clientInfo": {"name": "mcp", "version": env!("CARGO_PKG_VERSION")},
    });
    let reply = match wire.request("initialize", Some(params), timeout).await {
        Ok(reply) => reply,
        Err(e) => return failed(e),
    };
    if reply.status == 401 {
        return Outcome::Unauthorized(reply.challenge.as_deref().and_then(oauth::parse_challenge));
    }
    if let Some(supported) = unsupported(&reply) {
        return Outcome::Unsupported(supported);
    }
    match (reply.ok(), &reply.answer) {
        (true, Some(Answer::Result(result))) => {
            let answered = result
                .get("protocolVersion")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(agreed) = revision::known(answered) else {
                return Outcome::Failed {
                    error: format!(
                        "the server answered `initialize` with protocol `{answered}`, which `mcp` does not speak (it speaks {})",
                        revision::list()
                    ),
                    refusal: Refusal::Other,
                };
            };
            wire.revision = Some(agreed);
            wire.session = reply.session_id.clone();
            wire.session_since = wire.sent;
            Outcome::Ready(result.clone())
        }
        _ => {
            let refusal = match reply.status {
                403 if reply.body.contains("Host") || reply.describe().contains("Host") => {
                    Refusal::Host
                }
                403 => Refusal::Auth,
                _ => Refusal::Other,
            };
            // The body of a refusal to a request that carried a token is not
            // shown: a server may echo the token in forms no scrubber knows.
            let error = if refusal == Refusal::Auth && wire.bearer.is_some() {
                format!("the server answered HTTP {} to `initialize`", reply.status)
            } else {
                format!("the server answered `initialize` with {}", reply.describe())
            };
            Outcome::Failed { error, refusal }
        }
    }
}

/// The versions a -32022 "Unsupported protocol version" error lists (or a
/// 400 that says as much with a `supported` list).
fn unsupported(reply: &Reply) -> Option<Vec<String>> {
    let error = reply.error()?;
    let supported = error
        .data
        .as_ref()
        .and_then(|d| d.get("supported"))
        .and_then(Value::as_array);
    if error.code == -32022 || supported.is_some() {
        let data = error.data.clone().unwrap_or_default();
        return Some(oauth::strings(&data, "supported"));
    }
    None
}

fn failed(failure: Failure) -> Outcome {
    let refusal = match &failure {
        Failure::Redirect(_) => Refusal::Redirect,
        Failure::Timeout => Refusal::Timeout,
        _ => Refusal::Other,
    };
    Outcome::Failed {
        error: failure.to_string(),
        refusal,
    }
}

/// Name, version and capabilities from an `initialize` or `server/discover` result.
fn describe_server(report: &mut CheckReport, result: &Value) {
    let info = result
        .get("serverInfo")
        .or_else(|| result.pointer("/_meta/io.modelcontextprotocol~1serverInfo"));
    report.server = info.map(|s| ServerIdentity {
        name: text(s, "name"),
        version: text(s, "version"),
        title: s.get("title").and_then(Value::as_str).map(str::to_string),
    });
    report.capabilities = result
        .get("capabilities")
        .and_then(Value::as_object)
        .map(|caps| caps.keys().cloned().collect())
        .unwrap_or_default();
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `tools/list`, every page. False when it failed (reported).
async fn list_tools(
    report: &mut CheckReport,
    wire: &mut Wire,
    timeout: Duration,
    secret: &Secret,
) -> bool {
    let started = Instant::now();
    let mut cursor: Option<String> = None;
    let mut tools = Vec::new();
    for page in 1..=MAX_PAGES {
        let params = cursor.as_ref().map(|c| json!({ "cursor": c }));
        let reply = match wire.request("tools/list", params, timeout).await {
            Ok(reply) => reply,
            Err(Failure::Timeout) => {
                report.fail(
                    Step::ToolsList,
                    started,
                    format!("no answer to `tools/list` within {}s", timeout.as_secs()),
                    Some(
                        "the server answered the handshake but did not list its tools; see its logs"
                            .into(),
                    ),
                );
                return false;
            }
            Err(e) => {
                report.fail(Step::ToolsList, started, secret.scrub(&e.to_string()), None);
                return false;
            }
        };
        if wire.session.is_some() && session_lost(&reply) {
            fail_session(report, started, wire, "tools/list", &reply, secret);
            return false;
        }
        let Some(result) = reply.result().filter(|_| reply.ok()) else {
            report.fail(
                Step::ToolsList,
                started,
                secret.scrub(&format!("`tools/list` answered {}", reply.describe())),
                Some(
                    "the server answered the handshake but could not list its tools; see its logs"
                        .into(),
                ),
            );
            return false;
        };
        for tool in result
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = text(tool, "name");
            if let Some(schema) = tool.get("inputSchema") {
                wire.schemas.insert(name.clone(), schema.clone());
            }
            wire.listed.push(tool.clone());
            tools.push(name);
        }
        if tools.len() > MAX_TOOLS {
            report.fail(
                Step::ToolsList,
                started,
                format!("the server listed more than {MAX_TOOLS} tools; the check stopped there"),
                Some("a server that lists without end is broken; see its pagination".into()),
            );
            return false;
        }
        cursor = result
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        if cursor.is_none() {
            break;
        }
        if page == MAX_PAGES {
            report.fail(
                Step::ToolsList,
                started,
                format!(
                    "`tools/list` still had more after {MAX_PAGES} pages; the check stopped there"
                ),
                Some("a server that pages without end is broken; see its `nextCursor`".into()),
            );
            return false;
        }
    }
    let n = tools.len();
    report.tools = tools;
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
    true
}

/// More requests of the session, up to `options.session_requests`: each
/// must reach a task that knows it. False when one did not (reported).
async fn keep_session(
    report: &mut CheckReport,
    wire: &mut Wire,
    options: &Options,
    secret: &Secret,
) -> bool {
    let started = Instant::now();
    // The handshake's notification and tools/list were requests of the session.
    let mut made = wire.sent - wire.session_since;
    while made < options.session_requests {
        made += 1;
        let reply = match wire.request("ping", None, options.timeout).await {
            Ok(reply) => reply,
            Err(e) => {
                report.fail(
                    Step::Session,
                    started,
                    secret.scrub(&format!("request {made} of the session (ping): {e}")),
                    None,
                );
                return false;
            }
        };
        if session_lost(&reply) {
            fail_session(report, started, wire, "ping", &reply, secret);
            return false;
        }
    }
    report.pass(
        Step::Session,
        started,
        format!("{made} requests of one session (Mcp-Session-Id) answered"),
    );
    true
}

/// Which credentials a refused request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// The bearer token from `deploy.auth_token_env`.
    Static,
    /// A token from the client credentials grant (`deploy.auth`).
    Granted,
}

/// What to try after a refused request.
fn hint(refusal: Refusal, sent: Option<Sent>, url: &Url) -> String {
    match refusal {
        Refusal::Host => format!(
            "the server does not accept the Host header `{}`: add it to the server's allowed hosts (rmcp: `StreamableHttpServerConfig::with_allowed_hosts`; examples/echo-server: ALLOWED_HOSTS)",
            url.host_str().unwrap_or_default()
        ),
        Refusal::Redirect => format!(
            "`mcp` follows redirects only on the origin of {url}, so the token never leaves it; set `deploy.url` (or --url) to the URL the server redirects to if that is where it lives"
        ),
        Refusal::Auth => match sent {
            Some(Sent::Static) => {
                "the server refused the bearer token from `deploy.auth_token_env`; check its value"
                    .to_string()
            }
            Some(Sent::Granted) => "the server refused the token its authorization server issued: check the scope in `deploy.auth` (mcp.toml) and the audience the server expects".to_string(),
            None => "the server wants a bearer token: set `deploy.auth_token_env` in mcp.toml to the name of an environment variable holding it".to_string(),
        },
        Refusal::Timeout => {
            format!("is {url} the MCP endpoint, served with the Streamable HTTP transport?")
        }
        Refusal::Other => format!(
            "is {url} the MCP endpoint (often `/mcp`), served with the Streamable HTTP transport?"
        ),
    }
}
