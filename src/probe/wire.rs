//! MCP's Streamable HTTP transport, client side, as the check needs it: one
//! JSON-RPC message POSTed per call, the answer read from a JSON body or an
//! event stream, a stream that ends early resumed with GET and
//! `Last-Event-ID` after the server's `retry` delay (SEP-1699), the headers
//! each revision asks for (`MCP-Protocol-Version`, `Mcp-Session-Id`,
//! `Authorization`) and, on the stateless revision, `_meta` on every request.
//!
//! Written on reqwest rather than with an SDK client: the check must see what
//! an SDK hides (the HTTP status of each request of a session, a
//! `WWW-Authenticate` challenge, the error body of a refused revision) to say
//! *why* a server fails, and it must offer a revision and fall back, which no
//! SDK client exposes. What is parsed stays small: JSON-RPC envelopes and the
//! four SSE fields.
//!
//! Redirects are followed on the endpoint's own origin (scheme, host and
//! port), token included: the Python SDK 1.x answers `POST /mcp` with a 307
//! to `/mcp/`. A redirect to any other origin is not followed, and the report
//! says where it pointed: the token goes nowhere the configuration did not name.
//! Every answer is capped ([`MAX_BODY`]): a server cannot grow the check's memory.
//! When the check signs ([`super::sign`]), [`send`] signs each request and
//! follows same-origin redirects itself, each hop signed again.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};

use super::{chain, revision};

/// The most one answer (a JSON body, or all of an event stream) may hold.
pub const MAX_BODY: usize = 4 << 20;

/// How often one request's event stream is resumed before giving up.
const MAX_RESUMES: usize = 5;

/// How many same-origin redirects one request may follow.
const MAX_REDIRECTS: usize = 5;

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

/// A JSON-RPC error object.
#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

/// A JSON-RPC answer: a result or an error.
#[derive(Debug, Clone)]
pub enum Answer {
    Result(Value),
    Error(RpcError),
}

/// What the server answered one HTTP request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// The JSON-RPC answer, when the body held one (also on 4xx answers).
    pub answer: Option<Answer>,
    /// `Mcp-Session-Id` of the answer.
    pub session_id: Option<String>,
    /// `WWW-Authenticate` of the answer.
    pub challenge: Option<String>,
    /// The body as text when it held no JSON-RPC answer (for error messages).
    pub body: String,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn error(&self) -> Option<&RpcError> {
        match &self.answer {
            Some(Answer::Error(e)) => Some(e),
            _ => None,
        }
    }

    pub fn result(&self) -> Option<&Value> {
        match &self.answer {
            Some(Answer::Result(r)) => Some(r),
            _ => None,
        }
    }

    /// The answer in a few words: `HTTP 400: -32022 Unsupported protocol version`.
    pub fn describe(&self) -> String {
        let what = match (&self.answer, self.body.trim()) {
            (Some(Answer::Error(e)), _) => format!("JSON-RPC error {}: {}", e.code, e.message),
            (Some(Answer::Result(_)), _) => "a result".to_string(),
            (None, "") => "an empty body".to_string(),
            (None, body) => format!("`{body}`"),
        };
        format!("HTTP {}: {what}", self.status)
    }
}

/// No HTTP answer to a request.
#[derive(Debug, Clone)]
pub enum Failure {
    /// No connection, or it broke.
    Unreachable(String),
    /// No answer within the step's time.
    Timeout,
    /// A redirect to another origin, not followed.
    Redirect(String),
    /// An answer that is not MCP (an event stream that ended without the
    /// answer, a body over [`MAX_BODY`], content that is not JSON).
    Protocol(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(e) | Failure::Protocol(e) => f.write_str(e),
            Failure::Timeout => f.write_str("no answer in time"),
            Failure::Redirect(to) => {
                write!(
                    f,
                    "the server redirected to {to}, another origin: not followed"
                )
            }
        }
    }
}

/// One client of one MCP endpoint: the revision and session in force, and
/// the credentials it sends.
pub struct Wire {
    http: reqwest::Client,
    pub url: Url,
    /// The bearer token sent with every MCP request.
    pub bearer: Option<String>,
    /// Signs every request (see [`super::sign`]); `http` then follows no
    /// redirect by itself.
    pub signer: Option<super::sign::Signer>,
    /// The session the server issued (`Mcp-Session-Id`).
    pub session: Option<String>,
    /// The revision in force: its header and, when stateless, `_meta`.
    pub revision: Option<&'static str>,
    next_id: i64,
    /// Requests sent, resumptions included.
    pub sent: usize,
    /// [`Wire::sent`] when the session began.
    pub session_since: usize,
    /// Tools' input schemas, from `tools/list`: which arguments of a call
    /// go in `Mcp-Param-*` headers (SEP-2243).
    pub schemas: std::collections::HashMap<String, Value>,
    /// The tools as `tools/list` gave them, for the contract.
    pub listed: Vec<Value>,
}

/// The reqwest client every probe request goes through: same-origin
/// redirects only, no connection reuse (each request may reach another
/// task behind a load balancer, as it would for a client), and no proxy for
/// a loopback endpoint.
pub fn http_client(url: &Url, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeout)
        .redirect(same_origin_only(url))
        .pool_max_idle_per_host(0);
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| chain(&e))
}

/// Whether `url`'s host is this machine.
pub fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

impl Wire {
    pub fn new(http: reqwest::Client, url: Url, bearer: Option<String>) -> Self {
        Wire {
            http,
            url,
            bearer,
            signer: None,
            session: None,
            revision: None,
            next_id: 0,
            sent: 0,
            session_since: 0,
            schemas: Default::default(),
            listed: Vec::new(),
        }
    }

    /// `_meta` of a stateless request (SEP-2575).
    fn meta(revision: &str) -> Value {
        json!({
            "io.modelcontextprotocol/protocolVersion": revision,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {
                "name": "mcp",
                "version": env!("CARGO_PKG_VERSION"),
            },
        })
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(revision) = self.revision.filter(|r| revision::sends_version_header(r))
            && let Ok(value) = revision.parse()
        {
            headers.insert(VERSION_HEADER, value);
        }
        if let Some(session) = &self.session
            && let Ok(value) = session.parse()
        {
            headers.insert(SESSION_HEADER, value);
        }
        if let Some(token) = &self.bearer
            && let Ok(mut value) =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
        {
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    /// A request: its answer, read to the end, within `timeout`.
    pub async fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        timeout: Duration,
    ) -> Result<Reply, Failure> {
        self.next_id += 1;
        let id = self.next_id;
        let message = self.message(Some(id), method, params);
        match tokio::time::timeout(timeout, self.exchange(message, Some(id))).await {
            Ok(reply) => reply,
            Err(_) => Err(Failure::Timeout),
        }
    }

    /// A notification (no answer expected but the HTTP status).
    pub async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        timeout: Duration,
    ) -> Result<Reply, Failure> {
        let message = self.message(None, method, params);
        match tokio::time::timeout(timeout, self.exchange(message, None)).await {
            Ok(reply) => reply,
            Err(_) => Err(Failure::Timeout),
        }
    }

    fn message(&self, id: Option<i64>, method: &str, params: Option<Value>) -> Value {
        let mut params = params.unwrap_or_else(|| json!({}));
        if let Some(revision) = self.revision.filter(|r| revision::is_stateless(r))
            && let Some(object) = params.as_object_mut()
        {
            object.insert("_meta".into(), Self::meta(revision));
        }
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        if let Some(id) = id {
            message["id"] = json!(id);
        }
        if params.as_object().is_some_and(|p| !p.is_empty()) {
            message["params"] = params;
        }
        message
    }

    /// End a session the server keeps (DELETE); the answer does not matter.
    pub async fn end_session(&mut self, timeout: Duration) {
        if self.session.is_none() {
            return;
        }
        let Ok(request) = self
            .http
            .delete(self.url.clone())
            .headers(self.headers())
            .build()
        else {
            return;
        };
        let _ = tokio::time::timeout(timeout, self.send(request)).await;
    }

    /// One request to the endpoint, signed when the check signs.
    async fn send(&self, request: reqwest::Request) -> Result<reqwest::Response, Failure> {
        send(&self.http, request, self.signer.as_deref(), &self.url).await
    }

    async fn exchange(&mut self, message: Value, id: Option<i64>) -> Result<Reply, Failure> {
        self.sent += 1;
        let mut headers = self.headers();
        if self.revision.is_some_and(revision::is_stateless) {
            standard_headers(&message, &self.schemas, &mut headers);
        }
        let request = self
            .http
            .post(self.url.clone())
            .headers(headers)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json, text/event-stream")
            .body(message.to_string())
            .build()
            .map_err(sent_error)?;
        let response = self.send(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let session_id = header(&headers, SESSION_HEADER);
        let challenge = header(&headers, WWW_AUTHENTICATE.as_str());
        let content_type = header(&headers, CONTENT_TYPE.as_str()).unwrap_or_default();
        let mut reply = Reply {
            status,
            answer: None,
            session_id,
            challenge,
            body: String::new(),
        };
        if content_type.starts_with("text/event-stream") {
            let Some(id) = id else {
                return Ok(reply);
            };
            reply.answer = Some(self.read_stream(response, id).await?);
            return Ok(reply);
        }
        let body = read_capped(response).await?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) => match answer_of(&value, id) {
                Some(answer) => reply.answer = Some(answer),
                None => reply.body = excerpt(&body),
            },
            Err(_) => reply.body = excerpt(&body),
        }
        Ok(reply)
    }

    /// Read an event stream until the answer to request `id`, resuming it
    /// with GET and `Last-Event-ID` when it ends first.
    async fn read_stream(
        &mut self,
        mut response: reqwest::Response,
        id: i64,
    ) -> Result<Answer, Failure> {
        let mut events = Events::default();
        for resume in 0..=MAX_RESUMES {
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| Failure::Unreachable(chain(&e)))?;
                for data in events.push(&chunk)? {
                    let Ok(value) = serde_json::from_str::<Value>(&data) else {
                        continue;
                    };
                    if let Some(answer) = answer_of(&value, Some(id)) {
                        return Ok(answer);
                    }
                }
            }
            let Some(last) = events.last_id.clone() else {
                return Err(Failure::Protocol(
                    "the server's event stream ended before it answered, and gave no event id to resume from".into(),
                ));
            };
            if resume == MAX_RESUMES {
                break;
            }
            // SEP-1699: wait as long as the server's `retry` asked.
            tokio::time::sleep(events.retry.unwrap_or(Duration::from_secs(1))).await;
            self.sent += 1;
            let request = self
                .http
                .get(self.url.clone())
                .headers(self.headers())
                .header(ACCEPT, "text/event-stream")
                .header("last-event-id", last)
                .build()
                .map_err(sent_error)?;
            response = self.send(request).await?;
            let resumed_type =
                header(response.headers(), CONTENT_TYPE.as_str()).unwrap_or_default();
            if !response.status().is_success() || !resumed_type.starts_with("text/event-stream") {
                return Err(Failure::Protocol(format!(
                    "the server's event stream ended before it answered, and resuming it (GET with Last-Event-ID) answered HTTP {}",
                    response.status().as_u16()
                )));
            }
        }
        Err(Failure::Protocol(format!(
            "the server's event stream ended {} times before it answered",
            MAX_RESUMES + 1
        )))
    }
}

/// SEP-2243's headers, which the stateless revision requires so that a
/// load balancer can route without reading the body: `Mcp-Method`,
/// `Mcp-Name` (the tool or prompt name, the resource URI) and, for a tool
/// call, `Mcp-Param-<name>` for each argument the tool's input schema marks
/// with `x-mcp-header`. Values that cannot stand in a header as they are go
/// Base64-wrapped (`=?base64?…?=`).
fn standard_headers(
    message: &Value,
    schemas: &std::collections::HashMap<String, Value>,
    headers: &mut HeaderMap,
) {
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        return;
    };
    let params = message.get("params");
    let mut push = |name: &str, value: &str| {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(&header_value(value)),
        ) {
            headers.insert(name, value);
        }
    };
    push("mcp-method", method);
    let name_key = match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => Some("uri"),
        _ => None,
    };
    if let Some(name) = name_key
        .and_then(|key| params?.get(key))
        .and_then(Value::as_str)
    {
        push("mcp-name", name);
    }
    if method != "tools/call" {
        return;
    }
    let Some(schema) = params
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .and_then(|tool| schemas.get(tool))
    else {
        return;
    };
    let arguments = params.and_then(|p| p.get("arguments"));
    let mut annotated = Vec::new();
    annotations(schema.get("properties"), &mut Vec::new(), &mut annotated);
    for (path, header) in annotated {
        let value = arguments.and_then(|a| path.iter().try_fold(a, |v, key| v.get(key.as_str())));
        let text = match value {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        push(&format!("mcp-param-{header}"), &text);
    }
}

/// The `x-mcp-header` annotations along `properties` chains: (path, header).
fn annotations(
    properties: Option<&Value>,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let Some(Value::Object(properties)) = properties else {
        return;
    };
    for (name, schema) in properties {
        path.push(name.clone());
        if let Some(Value::String(header)) = schema.get("x-mcp-header")
            && !header.is_empty()
        {
            out.push((path.clone(), header.clone()));
        }
        annotations(schema.get("properties"), path, out);
        path.pop();
    }
}

/// A value as SEP-2243 puts it in a header: as it is when it can stand
/// there, else Base64 between `=?base64?` and `?=`.
fn header_value(value: &str) -> String {
    use base64::Engine;
    let bytes = value.as_bytes();
    let edge_blank =
        matches!(bytes.first(), Some(b' ' | b'\t')) || matches!(bytes.last(), Some(b' ' | b'\t'));
    let unsafe_char = value
        .chars()
        .any(|c| (c as u32) < 0x20 || (c as u32) > 0x7E);
    let looks_wrapped = value.starts_with("=?base64?") && value.ends_with("?=");
    if edge_blank || unsafe_char || looks_wrapped {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    } else {
        value.to_string()
    }
}

/// The JSON-RPC answer to `id` in `value` (any answer when `id` is `None`
/// and the message is an error without an id, as a server's refusal is).
fn answer_of(value: &Value, id: Option<i64>) -> Option<Answer> {
    let object = value.as_object()?;
    if object.contains_key("method") {
        return None; // a request or notification from the server
    }
    let same_id = match (object.get("id"), id) {
        (Some(Value::Number(n)), Some(id)) => n.as_i64() == Some(id),
        (Some(Value::String(s)), Some(id)) => s == &id.to_string(),
        (None | Some(Value::Null), _) => object.contains_key("error"),
        _ => false,
    };
    if !same_id {
        return None;
    }
    if let Some(error) = object.get("error") {
        return Some(Answer::Error(RpcError {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            data: error.get("data").cloned(),
        }));
    }
    object.get("result").cloned().map(Answer::Result)
}

/// Server-sent events, as far as MCP uses them: `id`, `retry` and `data`.
#[derive(Default)]
struct Events {
    pending: Vec<u8>,
    data: Vec<String>,
    last_id: Option<String>,
    retry: Option<Duration>,
    read: usize,
}

impl Events {
    /// Feed bytes; the data of each event they complete.
    fn push(&mut self, chunk: &[u8]) -> Result<Vec<String>, Failure> {
        self.read += chunk.len();
        if self.read > MAX_BODY {
            return Err(Failure::Protocol(format!(
                "the server's event stream passed {} MiB without the answer",
                MAX_BODY >> 20
            )));
        }
        self.pending.extend_from_slice(chunk);
        let mut complete = Vec::new();
        // CR, LF and CRLF all end a line (the SSE specification).
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n' || *b == b'\r') {
            let line = String::from_utf8_lossy(&self.pending[..end]).into_owned();
            let mut next = end + 1;
            if self.pending[end] == b'\r' {
                if next >= self.pending.len() {
                    break; // a CR at the end: its LF may follow in the next chunk
                }
                if self.pending[next] == b'\n' {
                    next += 1;
                }
            }
            self.pending.drain(..next);
            if line.is_empty() {
                if !self.data.is_empty() {
                    complete.push(self.data.join("\n"));
                    self.data.clear();
                }
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line.as_str(), ""),
            };
            match field {
                "data" => self.data.push(value.to_string()),
                "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
                "retry" => {
                    if let Ok(ms) = value.trim().parse::<u64>() {
                        self.retry = Some(Duration::from_millis(ms.min(30_000)));
                    }
                }
                _ => {}
            }
        }
        Ok(complete)
    }
}

/// A header's value as text.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Read a body, refusing one over [`MAX_BODY`].
pub async fn read_capped(response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Failure::Unreachable(chain(&e)))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::Protocol(format!(
                "the server's answer passed {} MiB",
                MAX_BODY >> 20
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A body's first few hundred characters, for an error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A request that got no answer, in a person's words.
pub fn sent_error(err: reqwest::Error) -> Failure {
    if let Some(redirect) = cross_origin(&err) {
        return Failure::Redirect(redirect.to.clone());
    }
    if err.is_timeout() {
        return Failure::Timeout;
    }
    Failure::Unreachable(chain(&err))
}

/// A redirect the probe did not follow: it pointed at another origin.
#[derive(Debug)]
pub struct CrossOrigin {
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
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Follow a redirect only when it stays on the origin of `endpoint` (where
/// the token may go); stop with a [`CrossOrigin`] error otherwise.
fn same_origin_only(endpoint: &Url) -> reqwest::redirect::Policy {
    let origin = endpoint.clone();
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

/// The client a signed request goes through: like [`http_client`], but it
/// follows no redirect itself ([`send`] does, see [`super::sign`]).
pub fn signed_client(url: &Url, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0);
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| chain(&e))
}

/// Send `request` through `http`: signed by `signer` when it goes to the
/// origin of `endpoint`, and then with same-origin redirects followed here,
/// each hop signed again (`http` must then be a [`signed_client`]). Without a
/// signer it is sent as it is, and `http`'s own redirect policy applies.
pub async fn send(
    http: &reqwest::Client,
    mut request: reqwest::Request,
    signer: Option<&dyn super::sign::Sign>,
    endpoint: &Url,
) -> Result<reqwest::Response, Failure> {
    let Some(signer) = signer.filter(|_| same_origin(request.url(), endpoint)) else {
        return http.execute(request).await.map_err(sent_error);
    };
    for _ in 0..=MAX_REDIRECTS {
        // The body is bytes (every probe request's is), so the request
        // can be sent again after a redirect.
        let next = request.try_clone();
        signer.sign(&mut request).map_err(Failure::Unreachable)?;
        let response = http.execute(request).await.map_err(sent_error)?;
        let Some(location) = redirect_location(&response) else {
            return Ok(response);
        };
        let Some(mut next) = next else {
            return Ok(response);
        };
        let to = location?;
        if !same_origin(&to, endpoint) {
            let mut shown = to.clone();
            let _ = shown.set_username("");
            let _ = shown.set_password(None);
            return Err(Failure::Redirect(shown.to_string()));
        }
        follow(&mut next, response.status(), to);
        request = next;
    }
    Err(Failure::Unreachable(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// Where a redirect points, when `response` is one: `None` for any other
/// answer, an error for a `Location` that is not a URL.
fn redirect_location(response: &reqwest::Response) -> Option<Result<Url, Failure>> {
    if !response.status().is_redirection() || response.status() == StatusCode::NOT_MODIFIED {
        return None;
    }
    let location = response.headers().get(LOCATION)?;
    Some(
        location
            .to_str()
            .ok()
            .and_then(|l| response.url().join(l).ok())
            .ok_or_else(|| {
                Failure::Protocol(format!(
                    "the server answered HTTP {} with a `Location` that is not a URL",
                    response.status().as_u16()
                ))
            }),
    )
}

/// The request a redirect asks for, as browsers and reqwest make it: 307 and
/// 308 repeat the method and body; 303, and 301 / 302 after a POST, become a
/// GET without a body.
fn follow(request: &mut reqwest::Request, status: StatusCode, to: Url) {
    let to_get = status == StatusCode::SEE_OTHER
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && request.method() == Method::POST);
    if to_get {
        *request.method_mut() = Method::GET;
        *request.body_mut() = None;
        for header in ["content-type", "content-length", "content-encoding"] {
            request.headers_mut().remove(header);
        }
    }
    *request.url_mut() = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirected_post_is_repeated_on_307_and_becomes_a_get_on_303() {
        let url = Url::parse("http://127.0.0.1:9/mcp").unwrap();
        let to = Url::parse("http://127.0.0.1:9/mcp/").unwrap();
        let http = reqwest::Client::new();
        let post = || {
            http.post(url.clone())
                .header("content-type", "application/json")
                .body("{}")
                .build()
                .unwrap()
        };
        let mut again = post();
        follow(&mut again, StatusCode::TEMPORARY_REDIRECT, to.clone());
        assert_eq!(again.method(), Method::POST);
        assert_eq!(again.url(), &to);
        assert!(again.body().and_then(|b| b.as_bytes()).is_some());
        let mut other = post();
        follow(&mut other, StatusCode::SEE_OTHER, to.clone());
        assert_eq!(other.method(), Method::GET);
        assert!(other.body().is_none());
        assert!(other.headers().get("content-type").is_none());
    }

    #[test]
    fn events_split_on_cr_lf_and_crlf_and_keep_id_and_retry() {
        let mut events = Events::default();
        let mut all = events
            .push(b"id: e-1\r\nretry: 500\r\ndata: \r\n\r\nevent: message\nid: e-2\ndata: {\"a\"")
            .unwrap();
        assert_eq!(events.last_id.as_deref(), Some("e-2"));
        assert_eq!(events.retry, Some(Duration::from_millis(500)));
        all.extend(events.push(b":1}\r").unwrap());
        all.extend(events.push(b"\n\rdata: x\r\r").unwrap());
        // The priming event's empty data is an event too; `x` waits for what
        // follows its last CR (an LF would make it one line end).
        assert_eq!(all, ["", "{\"a\":1}"]);
        assert_eq!(events.push(b"\n").unwrap(), ["x"]);
    }

    #[test]
    fn answers_are_matched_by_id_and_server_requests_are_not_answers() {
        let ok = json!({"jsonrpc":"2.0","id":3,"result":{"tools":[]}});
        assert!(matches!(answer_of(&ok, Some(3)), Some(Answer::Result(_))));
        assert!(answer_of(&ok, Some(4)).is_none());
        let refusal =
            json!({"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request"}});
        assert!(matches!(answer_of(&refusal, Some(1)), Some(Answer::Error(e)) if e.code == -32000));
        let ping = json!({"jsonrpc":"2.0","id":3,"method":"ping"});
        assert!(answer_of(&ping, Some(3)).is_none());
    }

    #[test]
    fn a_stream_cannot_grow_past_the_cap() {
        let mut events = Events::default();
        let chunk = vec![b'x'; 1 << 20];
        let mut failed = false;
        for _ in 0..5 {
            if events.push(&chunk).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed);
    }

    #[test]
    fn standard_headers_name_the_method_the_tool_and_annotated_arguments() {
        let mut schemas = std::collections::HashMap::new();
        schemas.insert(
            "lookup".to_string(),
            json!({"type":"object","properties":{
                "region": {"type":"string","x-mcp-header":"Region"},
                "id": {"type":"integer"}
            }}),
        );
        let message = json!({"jsonrpc":"2.0","id":1,"method":"tools/call",
            "params":{"name":"lookup","arguments":{"region":"eu west ü","id":7}}});
        let mut headers = HeaderMap::new();
        standard_headers(&message, &schemas, &mut headers);
        assert_eq!(headers["mcp-method"], "tools/call");
        assert_eq!(headers["mcp-name"], "lookup");
        assert_eq!(headers["mcp-param-region"], "=?base64?ZXUgd2VzdCDDvA==?=");
        assert_eq!(headers.len(), 3);
    }

    #[test]
    fn stateless_requests_carry_meta_and_legacy_ones_do_not() {
        let http = reqwest::Client::new();
        let url = Url::parse("http://127.0.0.1:1/mcp").unwrap();
        let mut wire = Wire::new(http, url, None);
        wire.revision = Some("2026-07-28");
        let m = wire.message(Some(1), "tools/list", None);
        assert_eq!(
            m["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        wire.revision = Some("2025-11-25");
        let m = wire.message(Some(2), "tools/list", None);
        assert!(m.get("params").is_none(), "{m}");
    }
}
