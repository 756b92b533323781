//! An MCP server that answers 401: follow its OAuth discovery chain the way
//! MCP clients do (the 2025-06-18 and later authorization specification),
//! and, with client credentials configured (`deploy.auth`), get a token.
//!
//! 1. The challenge: `WWW-Authenticate: Bearer resource_metadata="…"`, or,
//!    without it, the protected resource metadata (RFC 9728) at the
//!    path-aware `/.well-known/oauth-protected-resource/<path>`, then the root.
//! 2. Its `resource` must name the URL being checked (a proxy that reports
//!    the task's private address breaks every client), and it must list
//!    `authorization_servers`.
//! 3. The first authorization server's metadata: RFC 8414, then OpenID
//!    Connect discovery, path-inserted and path-appended as the MCP
//!    specification orders them.
//! 4. With credentials: the client credentials grant at its token endpoint,
//!    `client_secret_basic` unless the server supports only
//!    `client_secret_post`, with the RFC 8707 `resource` exactly as the
//!    metadata published it. The token is never shown (the caller scrubs it).

use std::time::Duration;

use base64::Engine;
use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use super::wire::{self, Failure};

/// Client credentials from `deploy.auth` (the secret read from its variable).
#[derive(Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: String,
    pub scope: Option<String>,
    /// `deploy.allow_insecure_http`: the secret may go over plain http.
    pub allow_insecure_http: bool,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// What the check found of the server's authorization, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct AuthReport {
    pub scheme: &'static str,
    /// `ok` or `broken`.
    pub discovery: &'static str,
    pub resource_metadata: Option<String>,
    pub resource: Option<String>,
    pub authorization_servers: Vec<String>,
    pub authorization_server_metadata: Option<String>,
    pub token_endpoint: Option<String>,
    /// `client_credentials` when the check got a token with them.
    pub credentials: Option<&'static str>,
}

/// Discovery that found what a client needs.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub report: AuthReport,
    resource: String,
    token_endpoint: Option<String>,
    auth_methods: Vec<String>,
    scopes_supported: Vec<String>,
    challenge_scope: Option<String>,
}

/// A broken link of the chain: which, why, and what clients will do.
#[derive(Debug, Clone)]
pub struct Broken {
    pub report: AuthReport,
    pub error: String,
    pub hint: String,
    /// No protected resource metadata anywhere, and the challenge named
    /// none: the server may want a static token rather than OAuth.
    pub no_metadata: bool,
}

/// The parameters of a `Bearer` challenge.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub resource_metadata: Option<String>,
    pub scope: Option<String>,
}

/// Parse `WWW-Authenticate`; `None` when it has no `Bearer` challenge.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let lower = header.to_ascii_lowercase();
    let start = lower.find("bearer")?;
    let mut rest = &header[start + "bearer".len()..];
    let mut challenge = Challenge::default();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().to_ascii_lowercase();
        if name.contains(' ') {
            break; // the next scheme
        }
        rest = &rest[eq + 1..];
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            out.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            value = out;
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find([',', ' ']).unwrap_or(rest.len());
            value = rest[..end].to_string();
            rest = &rest[end..];
        }
        match name.as_str() {
            "resource_metadata" => challenge.resource_metadata = Some(value),
            "scope" => challenge.scope = Some(value),
            _ => {}
        }
    }
    Some(challenge)
}

/// Follow the discovery chain for `url`.
pub async fn discover(
    http: &reqwest::Client,
    url: &Url,
    challenge: Option<&Challenge>,
    timeout: Duration,
) -> Result<Discovery, Broken> {
    let mut report = AuthReport {
        scheme: "oauth",
        discovery: "broken",
        resource_metadata: None,
        resource: None,
        authorization_servers: Vec::new(),
        authorization_server_metadata: None,
        token_endpoint: None,
        credentials: None,
    };
    let broken = |report: &AuthReport, error: String, hint: String| Broken {
        report: report.clone(),
        error,
        hint,
        no_metadata: false,
    };

    // 1. The protected resource metadata.
    let candidates: Vec<String> = match challenge.and_then(|c| c.resource_metadata.clone()) {
        Some(declared) => vec![declared],
        None => {
            let mut origin = url.clone();
            origin.set_query(None);
            origin.set_fragment(None);
            let path = url.path().trim_end_matches('/');
            let mut list = Vec::new();
            if !path.is_empty() {
                list.push(format!(
                    "{}/.well-known/oauth-protected-resource{path}",
                    origin_of(url)
                ));
            }
            list.push(format!(
                "{}/.well-known/oauth-protected-resource",
                origin_of(url)
            ));
            list
        }
    };
    let mut tried = Vec::new();
    let mut prm = None;
    for candidate in &candidates {
        match get_json(http, candidate, timeout).await {
            Ok(json) => {
                prm = Some((candidate.clone(), json));
                break;
            }
            Err(why) => tried.push(format!("{candidate}: {why}")),
        }
    }
    let Some((prm_url, prm)) = prm else {
        let declared = challenge.is_some_and(|c| c.resource_metadata.is_some());
        return Err(Broken {
            no_metadata: !declared,
            ..broken(
            &report,
            format!(
                "the server answered 401 but its protected resource metadata could not be read ({})",
                tried.join("; ")
            ),
            "MCP clients find the authorization server through that document (RFC 9728): serve it at the URL of `resource_metadata` in the WWW-Authenticate header, or at /.well-known/oauth-protected-resource<path of the MCP endpoint>; behind a load balancer, route /.well-known/* to the server".into(),
        )
        });
    };
    report.resource_metadata = Some(prm_url.clone());

    // 2. It names this server and its authorization servers.
    let resource = prm
        .get("resource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    report.resource = Some(resource.to_string()).filter(|r| !r.is_empty());
    if !resource_matches(resource, url) {
        return Err(broken(
            &report,
            format!(
                "the protected resource metadata at {prm_url} names the resource `{resource}`, not {url}"
            ),
            "MCP clients refuse to authorize when `resource` is not the URL they connect to (RFC 9728 section 3.3): set it to the public URL of the MCP endpoint (behind a proxy or load balancer, not the task's own address)".into(),
        ));
    }
    report.authorization_servers = strings(&prm, "authorization_servers");
    let Some(issuer) = report.authorization_servers.first().cloned() else {
        return Err(broken(
            &report,
            format!("the protected resource metadata at {prm_url} lists no `authorization_servers`"),
            "MCP clients cannot find where to get a token: list the authorization server's issuer URL in `authorization_servers`".into(),
        ));
    };

    // 3. The authorization server's metadata.
    let Ok(issuer_url) = Url::parse(&issuer) else {
        return Err(broken(
            &report,
            format!("`authorization_servers` names `{issuer}`, which is not a URL"),
            "write the authorization server's issuer URL, e.g. https://auth.example.com".into(),
        ));
    };
    let mut tried = Vec::new();
    let mut metadata = None;
    for candidate in authorization_server_metadata_urls(&issuer_url) {
        match get_json(http, &candidate, timeout).await {
            Ok(json) if json.get("issuer").is_some() || json.get("token_endpoint").is_some() => {
                metadata = Some((candidate, json));
                break;
            }
            Ok(_) => tried.push(format!("{candidate}: no `issuer` in it")),
            Err(why) => tried.push(format!("{candidate}: {why}")),
        }
    }
    let Some((metadata_url, metadata)) = metadata else {
        return Err(broken(
            &report,
            format!(
                "the authorization server {issuer} has no metadata where MCP clients look ({})",
                tried.join("; ")
            ),
            "serve RFC 8414 metadata at /.well-known/oauth-authorization-server (or OpenID Connect discovery at /.well-known/openid-configuration), path-inserted for an issuer with a path".into(),
        ));
    };
    report.authorization_server_metadata = Some(metadata_url.clone());
    report.token_endpoint = metadata
        .get("token_endpoint")
        .and_then(Value::as_str)
        .map(str::to_string);
    if report.token_endpoint.is_none() {
        return Err(broken(
            &report,
            format!(
                "the authorization server's metadata at {metadata_url} has no `token_endpoint`"
            ),
            "MCP clients exchange their grant for a token there: the metadata must name it".into(),
        ));
    }
    report.discovery = "ok";
    Ok(Discovery {
        resource: resource.to_string(),
        token_endpoint: report.token_endpoint.clone(),
        auth_methods: strings(&metadata, "token_endpoint_auth_methods_supported"),
        scopes_supported: strings(&metadata, "scopes_supported"),
        challenge_scope: challenge.and_then(|c| c.scope.clone()),
        report,
    })
}

/// Get a token with the client credentials grant. The error never holds
/// the secret (the caller scrubs the token from whatever it shows).
pub async fn client_credentials(
    http: &reqwest::Client,
    discovery: &Discovery,
    credentials: &ClientCredentials,
    timeout: Duration,
) -> Result<String, String> {
    let endpoint = discovery
        .token_endpoint
        .as_deref()
        .ok_or("no token endpoint")?;
    let endpoint_url =
        Url::parse(endpoint).map_err(|e| format!("the token endpoint `{endpoint}`: {e}"))?;
    if endpoint_url.scheme() != "https"
        && !wire::is_loopback(&endpoint_url)
        && !credentials.allow_insecure_http
    {
        return Err(format!(
            "the token endpoint {endpoint} is plain http to another host: the client secret would cross the network unencrypted (use https, or `deploy.allow_insecure_http = true` on a trusted network)"
        ));
    }
    let scope = credentials
        .scope
        .clone()
        .or_else(|| discovery.challenge_scope.clone())
        .or_else(|| {
            (!discovery.scopes_supported.is_empty()).then(|| discovery.scopes_supported.join(" "))
        });
    let mut form: Vec<(&str, String)> = vec![
        ("grant_type", "client_credentials".into()),
        ("resource", discovery.resource.clone()),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let methods = &discovery.auth_methods;
    let basic = methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic");
    let mut request = http.post(endpoint_url.clone());
    if basic {
        // As the MCP SDKs send it: the id and secret as they are (RFC 6749
        // asks for form-encoding, which servers that do not decode refuse
        // for secrets with `+`, `/` or `=`).
        let pair = format!("{}:{}", credentials.client_id, credentials.secret);
        let mut value = reqwest::header::HeaderValue::from_str(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ))
        .map_err(|_| "the client id or secret cannot be sent in a header".to_string())?;
        value.set_sensitive(true);
        request = request.header(reqwest::header::AUTHORIZATION, value);
    } else {
        form.push(("client_id", credentials.client_id.clone()));
        form.push(("client_secret", credentials.secret.clone()));
    }
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sent = request
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
        .send();
    let response = match tokio::time::timeout(timeout, sent).await {
        Err(_) => {
            return Err(format!(
                "the token endpoint {endpoint} did not answer in time"
            ));
        }
        Ok(Err(e)) => {
            return Err(format!(
                "the token endpoint {endpoint}: {}",
                wire::sent_error(e)
            ));
        }
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    let body = wire::read_capped(response)
        .await
        .map_err(|e| format!("the token endpoint {endpoint}: {e}"))?;
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        // RFC 6749 section 5.2: `error` and `error_description`, nothing else shown.
        let code = json.get("error").and_then(Value::as_str).unwrap_or("?");
        let description = json
            .get("error_description")
            .and_then(Value::as_str)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return Err(format!(
            "the token endpoint {endpoint} refused the client credentials (HTTP {}, {code}{description})",
            status.as_u16()
        ));
    }
    json.get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| format!("the token endpoint {endpoint} answered without an `access_token`"))
}

/// The strings of the array `key` of a JSON object (none when it is not one).
pub fn strings(object: &Value, key: &str) -> Vec<String> {
    object
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `scheme://host[:port]` of `url`.
fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Where an issuer's metadata may be, in the order MCP clients try.
fn authorization_server_metadata_urls(issuer: &Url) -> Vec<String> {
    let origin = origin_of(issuer);
    let path = issuer.path().trim_end_matches('/');
    if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    }
}

/// Whether the metadata's `resource` names the endpoint: the same origin,
/// and a path that is the endpoint's or one of its parents.
fn resource_matches(resource: &str, url: &Url) -> bool {
    let Ok(resource) = Url::parse(resource) else {
        return false;
    };
    if !wire::same_origin(&resource, url) {
        return false;
    }
    let want = resource.path().trim_end_matches('/');
    let have = url.path().trim_end_matches('/');
    want.is_empty() || have == want || have.starts_with(&format!("{want}/"))
}

/// GET a JSON document: the JSON, or why not.
async fn get_json(http: &reqwest::Client, url: &str, timeout: Duration) -> Result<Value, String> {
    let sent = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send();
    let response = match tokio::time::timeout(timeout, sent).await {
        Err(_) => return Err("no answer in time".into()),
        Ok(Err(e)) => return Err(wire::sent_error(e).to_string()),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}"));
    }
    let body = wire::read_capped(response)
        .await
        .map_err(|e: Failure| e.to_string())?;
    serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| "not a JSON object".into())
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_parsed_with_quotes_escapes_and_other_schemes() {
        assert_eq!(
            parse_challenge(
                r#"Bearer error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", scope="read write""#
            ),
            Some(Challenge {
                resource_metadata: Some(
                    "https://a.example/.well-known/oauth-protected-resource/mcp".into()
                ),
                scope: Some("read write".into()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="x", Bearer scope=files\"x"#).unwrap(),
            Challenge {
                resource_metadata: None,
                scope: Some(r#"files\"x"#.into())
            }
        );
        assert_eq!(parse_challenge("Bearer").unwrap(), Challenge::default());
        assert_eq!(parse_challenge(r#"Basic realm="x""#), None);
    }

    #[test]
    fn metadata_urls_follow_the_mcp_order() {
        let plain = Url::parse("https://as.example").unwrap();
        assert_eq!(
            authorization_server_metadata_urls(&plain),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration"
            ]
        );
        let tenant = Url::parse("https://as.example/tenant1/").unwrap();
        assert_eq!(
            authorization_server_metadata_urls(&tenant),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration"
            ]
        );
    }

    #[test]
    fn the_resource_must_be_the_endpoint_or_a_parent_on_its_origin() {
        let url = Url::parse("https://mcp.example.com/mcp").unwrap();
        assert!(resource_matches("https://mcp.example.com/mcp", &url));
        assert!(resource_matches("https://mcp.example.com/mcp/", &url));
        assert!(resource_matches("https://mcp.example.com", &url));
        assert!(!resource_matches("http://10.0.1.5:8000/mcp", &url));
        assert!(!resource_matches("https://mcp.example.com/mcpx", &url));
        assert!(!resource_matches("https://evil.example.com/mcp", &url));
        assert!(!resource_matches("", &url));
    }

    #[test]
    fn form_values_are_encoded_and_the_secret_is_not_debug_printed() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        let creds = ClientCredentials {
            client_id: "id".into(),
            secret: "s3cr3t".into(),
            scope: None,
            allow_insecure_http: false,
        };
        assert!(!format!("{creds:?}").contains("s3cr3t"));
    }
}
