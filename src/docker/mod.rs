//! The Docker engine: connection, build context, build, tags (from git), push,
//! the registry logins `docker login` stored, and the BuildKit session that
//! hands logins to a build.

pub mod build;
pub mod buildkit;
pub mod context;
pub mod credentials;
pub mod engine;
pub mod git;
pub mod push;
pub mod session;
pub mod tag;

use std::time::Duration;

use anyhow::Result;
use bollard::Docker;

use crate::error::{McpError, ResultExt};

/// The hint for every "engine unreachable" error.
pub const ENGINE_HINT: &str = "start Docker (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at a running engine, then run `docker info`";

/// Where `mcp` looks for the engine, for messages.
pub fn engine_address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Connect to the engine on `DOCKER_HOST` or the default socket and check it answers.
pub async fn connect() -> Result<(Docker, bollard::models::SystemVersion)> {
    let unreachable = || {
        McpError::new(format!(
            "cannot reach the Docker engine at {}",
            engine_address()
        ))
        .hint(ENGINE_HINT)
    };
    let docker = Docker::connect_with_defaults().or_mcp(unreachable)?;
    let version = tokio::time::timeout(Duration::from_secs(10), docker.version())
        .await
        .map_err(|_| anyhow::anyhow!("no answer within 10 s"))
        .or_mcp(unreachable)?
        .or_mcp(unreachable)?;
    Ok((docker, version))
}
