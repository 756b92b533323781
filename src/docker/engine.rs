//! A raw Docker Engine API client for the two streaming calls bollard cannot
//! give us whole: `POST /build` (bollard panics on BuildKit without its gRPC
//! feature, and drops BuildKit's trace) and `POST /images/{name}/push`
//! (bollard's `PushImageInfo` drops the layer `id` and the final `aux` digest).
//!
//! Both answer with a stream of JSON messages. [`JsonMessages`] splits that
//! stream into `serde_json::Value`s as bytes arrive, without waiting for the end.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use anyhow::{Context, Result};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::Serialize;

use crate::error::{McpError, ResultExt};

/// How to reach the engine.
#[derive(Debug, Clone)]
pub struct Engine {
    client: reqwest::Client,
    /// `http://docker/v1.41` (over a unix socket) or `http://host:port/v1.41`.
    base: String,
    /// Where it is, for messages.
    pub address: String,
    /// The API's path prefix (`/v1.41`), for the BuildKit session's raw request.
    pub api_path: String,
}

/// Credentials for one push, sent in the `X-Registry-Auth` header and never
/// written to disk or printed.
#[derive(Clone, Serialize)]
pub struct RegistryAuth {
    pub username: String,
    pub password: String,
    pub serveraddress: String,
}

impl std::fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Guards against a password in `{:?}` output at any verbosity.
        f.debug_struct("RegistryAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Engine {
    /// The engine on `DOCKER_HOST`, or the default socket, speaking `api_version`.
    pub fn from_env(api_version: &str) -> Result<Self> {
        let address = super::engine_address();
        let unreachable = || {
            McpError::new(format!("cannot use the Docker engine at {address}"))
                .hint(super::ENGINE_HINT)
        };
        let builder = reqwest::Client::builder();
        let (client, origin) = if let Some(path) = address.strip_prefix("unix://") {
            (
                builder.unix_socket(PathBuf::from(path)).build(),
                "http://docker".to_string(),
            )
        } else if let Some(rest) = address.strip_prefix("tcp://") {
            (builder.build(), format!("http://{rest}"))
        } else {
            return Err(
                McpError::usage(format!("unsupported DOCKER_HOST `{address}`"))
                    .hint("use unix:///path/to/docker.sock or tcp://host:port")
                    .into(),
            );
        };
        let client = client.or_mcp(unreachable)?;
        Ok(Engine {
            client,
            base: format!("{origin}/v{api_version}"),
            address,
            api_path: format!("/v{api_version}"),
        })
    }

    /// `POST /build` with the context streamed as the body; `logins` (the
    /// classic builder's `X-Registry-Config`, by registry host) for the images
    /// it pulls.
    pub async fn build<S>(
        &self,
        query: &[(&str, String)],
        logins: &BTreeMap<String, RegistryAuth>,
        context: S,
    ) -> Result<JsonMessages>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        let mut request = self
            .client
            .post(format!("{}/build", self.base))
            .query(query)
            .header("Content-Type", "application/x-tar");
        if !logins.is_empty() {
            self.may_send_logins()?;
            use base64::Engine as _;
            let header =
                base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_vec(logins)?);
            request = request.header("X-Registry-Config", header);
        }
        let response = request
            .body(reqwest::Body::wrap_stream(context))
            .send()
            .await
            .with_context(|| {
                format!(
                    "sending the build context to the Docker engine at {}",
                    self.address
                )
            })?;
        Self::messages(response, "build").await
    }

    /// Whether registry logins may go to this engine: they travel in headers
    /// (or the BuildKit session), never over plain TCP to another machine.
    pub fn may_send_logins(&self) -> Result<()> {
        if let Some(rest) = self.address.strip_prefix("tcp://") {
            let host = rest
                .rsplit_once(':')
                .map_or(rest, |(h, _)| h)
                .trim_matches(['[', ']']);
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(McpError::new(format!(
                    "refusing to send the registry login to the Docker engine at {} over plain TCP",
                    self.address
                ))
                .hint(
                    "use the engine's unix socket, an SSH tunnel to it, or a loopback DOCKER_HOST",
                )
                .into());
            }
        }
        Ok(())
    }

    /// `POST /images/{name}/push?tag=…` with credentials for this push only.
    pub async fn push(
        &self,
        repository: &str,
        tag: &str,
        auth: &RegistryAuth,
    ) -> Result<JsonMessages> {
        self.may_send_logins()?;
        use base64::Engine as _;
        let header = base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_vec(auth)?);
        let response = self
            .client
            .post(format!("{}/images/{repository}/push", self.base))
            .query(&[("tag", tag)])
            .header("X-Registry-Auth", header)
            .send()
            .await
            .with_context(|| format!("asking the Docker engine at {} to push", self.address))?;
        Self::messages(response, "push").await
    }

    /// `POST /images/{id}/tag`: give image `id` the full name `repo:tag`.
    pub async fn tag(&self, id: &str, reference: &str) -> Result<()> {
        let (repo, tag) = reference
            .rsplit_once(':')
            .context("an image reference needs a tag")?;
        let response = self
            .client
            .post(format!("{}/images/{id}/tag", self.base))
            .query(&[("repo", repo), ("tag", tag)])
            .send()
            .await
            .with_context(|| format!("tagging {id} as {reference}"))?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            anyhow::bail!(
                "the Docker engine refused to tag {id} as {reference} ({status}): {}",
                body.trim()
            );
        }
        Ok(())
    }

    async fn messages(response: reqwest::Response, what: &str) -> Result<JsonMessages> {
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or(body);
            anyhow::bail!(
                "the Docker engine refused the {what} ({status}): {}",
                message.trim()
            );
        }
        Ok(JsonMessages::new(response.bytes_stream().boxed()))
    }
}

type ByteStream = futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>;

/// The engine's JSON message stream, one value at a time as bytes arrive.
pub struct JsonMessages {
    body: ByteStream,
    buffer: BytesMut,
    ready: VecDeque<serde_json::Value>,
    done: bool,
}

impl JsonMessages {
    fn new(body: ByteStream) -> Self {
        JsonMessages {
            body,
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            done: false,
        }
    }

    /// The next message; `Ok(None)` at the end of the stream.
    pub async fn next(&mut self) -> Result<Option<serde_json::Value>> {
        loop {
            if let Some(value) = self.ready.pop_front() {
                return Ok(Some(value));
            }
            if self.done {
                return Ok(None);
            }
            match self.body.next().await {
                Some(chunk) => {
                    self.buffer
                        .extend_from_slice(&chunk.context("reading the Docker engine's answer")?);
                    self.split()?;
                }
                None => {
                    self.done = true;
                    self.split()?;
                    if !self.buffer.iter().all(u8::is_ascii_whitespace) {
                        anyhow::bail!(
                            "the Docker engine's answer ended in the middle of a message"
                        );
                    }
                }
            }
        }
    }

    /// Move every complete JSON value from the buffer to `ready`.
    fn split(&mut self) -> Result<()> {
        let mut consumed = 0;
        {
            let mut values =
                serde_json::Deserializer::from_slice(&self.buffer).into_iter::<serde_json::Value>();
            loop {
                match values.next() {
                    Some(Ok(value)) => {
                        self.ready.push_back(value);
                        consumed = values.byte_offset();
                    }
                    Some(Err(e)) if e.is_eof() => break,
                    Some(Err(e)) => {
                        return Err(e).context("the Docker engine sent a message that is not JSON");
                    }
                    None => {
                        consumed = values.byte_offset();
                        break;
                    }
                }
            }
        }
        let _ = self.buffer.split_to(consumed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(chunks: &[&'static str]) -> JsonMessages {
        let chunks: Vec<reqwest::Result<Bytes>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        JsonMessages::new(futures_util::stream::iter(chunks).boxed())
    }

    #[tokio::test]
    async fn values_split_across_chunks_and_glued_together() {
        let mut m = messages(&[
            "{\"status\":\"Pre",
            "paring\",\"id\":\"a\"}\r\n{\"status\":\"Pushed\"}{\"aux\":",
            "{\"Digest\":\"sha256:1\"}}\r\n",
        ]);
        assert_eq!(m.next().await.unwrap().unwrap()["status"], "Preparing");
        assert_eq!(m.next().await.unwrap().unwrap()["status"], "Pushed");
        assert_eq!(
            m.next().await.unwrap().unwrap()["aux"]["Digest"],
            "sha256:1"
        );
        assert!(m.next().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_truncated_stream_is_an_error() {
        let mut m = messages(&["{\"status\":\"Pushing\"}{\"stat"]);
        assert!(m.next().await.unwrap().is_some());
        assert!(m.next().await.is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let auth = RegistryAuth {
            username: "AWS".into(),
            password: "hunter2".into(),
            serveraddress: "r".into(),
        };
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
