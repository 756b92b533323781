//! A BuildKit session that answers the engine's questions for registry logins.
//!
//! BuildKit never reads a login from the build request: when a `FROM` (or
//! `COPY --from=`) names an image the engine does not hold, BuildKit asks the
//! client that started the build, over a *session*, for the registry's
//! credentials. Without a session dockerd cannot even resolve such an image
//! ("failed to create LLB definition: no active sessions"). The `docker` CLI
//! opens one for every build; `mcp` does the same, with only what it needs:
//!
//! 1. `POST /session` with `Upgrade: h2c` and the `X-Docker-Expose-Session-*`
//!    headers (its id, name, and the gRPC methods it serves); the engine
//!    answers `101 Switching Protocols` and from then on the connection is
//!    HTTP/2 with the engine as the gRPC *client* and `mcp` as the server.
//! 2. `POST /build?session=<id>`: the build may now call back.
//!
//! Two methods are served: `grpc.health.v1.Health/Check` (the engine drops a
//! session whose health check fails) and `moby.filesync.v1.Auth/Credentials`
//! (host in, user and secret out, from the [`Logins`] the caller gives: ECR's
//! token or `docker login`'s, empty for anonymous). Anything else answers
//! `UNIMPLEMENTED`, which BuildKit takes as "no such help" (token fetching for
//! Bearer registries is then done by the engine itself with the credentials).
//! The h2 crate (already under reqwest) does HTTP/2; the gRPC framing (a
//! 5-byte prefix, `grpc-status` trailers) and the two small messages (prost
//! derives) are written here: tonic would bring a code generator and a
//! second HTTP stack for four fields. The session ends when [`Session`] is
//! dropped.

use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::{Buf, Bytes, BytesMut};
use futures_util::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::engine::RegistryAuth;

/// The login for a registry host, asked for when BuildKit needs it; `Ok(None)`
/// is anonymous, `Err` a message for the build's error (never a secret).
pub type Logins = Arc<
    dyn Fn(String) -> BoxFuture<'static, std::result::Result<Option<RegistryAuth>, String>>
        + Send
        + Sync,
>;

const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";
const CREDENTIALS: &str = "/moby.filesync.v1.Auth/Credentials";

/// An open session; the engine's connection closes when this is dropped.
pub struct Session {
    pub id: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Open a session on the engine at `address` (`unix://…` or `tcp://…`),
/// API path `api` (`/v1.41`), answering login questions with `logins`.
pub async fn start(address: &str, api: &str, logins: Logins) -> Result<Session> {
    let id = session_id();
    let request = format!(
        "POST {api}/session HTTP/1.1\r\nHost: docker\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\
         X-Docker-Expose-Session-Uuid: {id}\r\nX-Docker-Expose-Session-Name: mcp\r\n\
         X-Docker-Expose-Session-Sharedkey: mcp\r\n\
         X-Docker-Expose-Session-Grpc-Method: {HEALTH_CHECK}\r\n\
         X-Docker-Expose-Session-Grpc-Method: {CREDENTIALS}\r\n\r\n"
    );
    let context = || format!("opening a BuildKit session with the Docker engine at {address}");
    let task = if let Some(path) = address.strip_prefix("unix://") {
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .with_context(context)?;
        spawn(
            upgrade(stream, &request).await.with_context(context)?,
            logins,
        )
    } else if let Some(rest) = address.strip_prefix("tcp://") {
        let stream = tokio::net::TcpStream::connect(rest)
            .await
            .with_context(context)?;
        spawn(
            upgrade(stream, &request).await.with_context(context)?,
            logins,
        )
    } else {
        anyhow::bail!("unsupported DOCKER_HOST `{address}`");
    };
    Ok(Session { id, task })
}

/// A session id no other build of this engine uses (not a secret: the
/// engine only tells sessions apart by it).
fn session_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("mcp-{nanos:x}-{:x}-{n}", std::process::id())
}

/// Send the upgrade request and read the answer's head, byte by byte: the
/// engine starts HTTP/2 right after it, and those bytes belong to h2.
async fn upgrade<S>(mut stream: S, request: &str) -> Result<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 << 10 {
            anyhow::bail!("the engine's answer to POST /session has an endless head");
        }
        let byte = stream
            .read_u8()
            .await
            .context("the engine closed the connection before answering POST /session")?;
        head.push(byte);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head.lines().next().unwrap_or_default();
    if !status.contains(" 101 ") {
        anyhow::bail!(
            "the engine answered POST /session with `{}` instead of switching to HTTP/2",
            status.trim()
        );
    }
    Ok(stream)
}

fn spawn<S>(stream: S, logins: Logins) -> tokio::task::JoinHandle<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let Ok(mut connection) = h2::server::handshake(stream).await else {
            return;
        };
        while let Some(Ok((request, respond))) = connection.accept().await {
            let logins = logins.clone();
            tokio::spawn(async move {
                let _ = answer(request, respond, logins).await;
            });
        }
    })
}

#[derive(Clone, PartialEq, prost::Message)]
struct CredentialsRequest {
    #[prost(string, tag = "1")]
    host: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CredentialsResponse {
    #[prost(string, tag = "1")]
    username: String,
    #[prost(string, tag = "2")]
    secret: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct HealthCheckResponse {
    /// 1 = SERVING.
    #[prost(int32, tag = "1")]
    status: i32,
}

/// gRPC status codes used here.
const UNKNOWN: u32 = 2;
const UNIMPLEMENTED: u32 = 12;

async fn answer(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    logins: Logins,
) -> Result<()> {
    let path = request.uri().path().to_string();
    if path != HEALTH_CHECK && path != CREDENTIALS {
        // A streaming call may never end its request: answer before reading it.
        let head = http::Response::builder()
            .status(200)
            .header("content-type", "application/grpc")
            .header("grpc-status", UNIMPLEMENTED.to_string())
            .header("grpc-message", format!("mcp does not serve {path}"))
            .body(())?;
        respond.send_response(head, true)?;
        return Ok(());
    }
    let mut body = request.into_body();
    let mut received = BytesMut::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        received.extend_from_slice(&chunk);
    }
    let message = unframe(&received);
    let reply: std::result::Result<Vec<u8>, (u32, String)> = match path.as_str() {
        HEALTH_CHECK => Ok(prost::Message::encode_to_vec(&HealthCheckResponse {
            status: 1,
        })),
        CREDENTIALS => {
            let host = <CredentialsRequest as prost::Message>::decode(message)
                .map(|r| r.host)
                .unwrap_or_default();
            match logins(host).await {
                Ok(auth) => {
                    let (username, secret) =
                        auth.map_or_else(Default::default, |a| (a.username, a.password));
                    Ok(prost::Message::encode_to_vec(&CredentialsResponse {
                        username,
                        secret,
                    }))
                }
                Err(message) => Err((UNKNOWN, message)),
            }
        }
        _ => Err((UNIMPLEMENTED, format!("mcp does not serve {path}"))),
    };
    let head = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc");
    match reply {
        Ok(bytes) => {
            let mut stream = respond.send_response(head.body(())?, false)?;
            stream.send_data(frame(&bytes), false)?;
            let mut trailers = http::HeaderMap::new();
            trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
            stream.send_trailers(trailers)?;
        }
        Err((code, message)) => {
            // A trailers-only answer: the status rides in the headers.
            let message: String = message
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() || c == ' ' {
                        c
                    } else {
                        '?'
                    }
                })
                .collect();
            let head = head
                .header("grpc-status", code.to_string())
                .header("grpc-message", message)
                .body(())?;
            respond.send_response(head, true)?;
        }
    }
    Ok(())
}

/// The message of a gRPC frame (1 byte "compressed", 4 bytes length, the
/// message); an empty or short body is an empty message.
fn unframe(body: &[u8]) -> &[u8] {
    if body.len() < 5 {
        return &[];
    }
    let mut len = &body[1..5];
    let len = len.get_u32() as usize;
    &body[5..(5 + len).min(body.len())]
}

fn frame(message: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + message.len());
    out.extend_from_slice(&[0]);
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_short_bodies_are_empty() {
        let message = prost::Message::encode_to_vec(&CredentialsRequest {
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
        });
        let framed = frame(&message);
        assert_eq!(framed[0], 0);
        let decoded = <CredentialsRequest as prost::Message>::decode(unframe(&framed)).unwrap();
        assert_eq!(decoded.host, "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assert!(unframe(&[0, 0]).is_empty());
    }

    #[test]
    fn session_ids_differ() {
        assert_ne!(session_id(), session_id());
    }
}
