//! The local target: a stage with `target = "local"` deploys to the local
//! Docker engine with the same pipeline as ECS (build, run, health and MCP
//! checks, roll back on failure), so a release can be tried on a laptop
//! exactly as it will ship.
//!
//! Each release is a container labelled with its release number, git sha and
//! image, publishing `deploy.port` on 127.0.0.1 only. The previous release's
//! container is kept, stopped, so `mcp rollback` (or a failed check) brings it
//! back in a second; older ones are removed.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, ContainerSummary, ContainerSummaryStateEnum, HostConfig, PortBinding,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use futures_util::StreamExt;
use serde::Serialize;

use crate::config::Settings;
use crate::error::McpError;
use crate::ui::Printer;
use crate::ui::table::Table;

/// Labels on every container `mcp` runs locally.
pub const LABEL_PROJECT: &str = "dev.mcp.project";
pub const LABEL_RELEASE: &str = "dev.mcp.release";
pub const LABEL_GIT_SHA: &str = "dev.mcp.git-sha";
pub const LABEL_IMAGE: &str = "dev.mcp.image";
pub const LABEL_DIGEST: &str = "dev.mcp.digest";

/// How many stopped releases to keep besides the live one.
const KEEP_STOPPED: usize = 2;

/// One local release: a container.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub release: u32,
    pub container: String,
    pub image: String,
    pub digest: String,
    pub git_sha: Option<String>,
    pub state: String,
    pub created: Option<String>,
    pub live: bool,
}

/// The project key: the `[services.<name>]` name, else the project name.
pub fn project(settings: &Settings) -> String {
    let name = settings.service_or_name();
    // Container names allow [a-zA-Z0-9_.-].
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// This project's containers, newest release first.
pub async fn releases(docker: &Docker, settings: &Settings) -> Result<Vec<Release>> {
    let filters = HashMap::from([(
        "label",
        vec![format!("{LABEL_PROJECT}={}", project(settings))],
    )]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let containers = docker
        .list_containers(Some(options))
        .await
        .context("listing this project's containers")?;
    let mut releases: Vec<Release> = containers.iter().filter_map(release_of).collect();
    releases.sort_by_key(|r| std::cmp::Reverse(r.release));
    Ok(releases)
}

fn release_of(c: &ContainerSummary) -> Option<Release> {
    let labels = c.labels.as_ref()?;
    let release = labels.get(LABEL_RELEASE)?.parse().ok()?;
    let running = c.state == Some(ContainerSummaryStateEnum::RUNNING);
    Some(Release {
        release,
        container: c
            .names
            .as_ref()?
            .first()?
            .trim_start_matches('/')
            .to_string(),
        image: labels.get(LABEL_IMAGE).cloned().unwrap_or_default(),
        digest: labels.get(LABEL_DIGEST).cloned().unwrap_or_default(),
        git_sha: labels.get(LABEL_GIT_SHA).cloned(),
        state: c.status.clone().unwrap_or_default(),
        created: c
            .created
            .and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| t.to_string()),
        live: running,
    })
}

/// Values for `[secrets]` from the process environment, else a `.env` file
/// next to mcp.toml. Never printed: only the names appear in errors.
pub fn secret_values(settings: &Settings, root: &Path) -> Result<Vec<(String, String)>> {
    let dotenv = std::fs::read_to_string(root.join(".env")).unwrap_or_default();
    let from_file: HashMap<&str, &str> = dotenv
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.trim_start_matches("export ").split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches(|c| c == '"' || c == '\'')))
        .collect();
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for name in settings.secrets.keys() {
        match std::env::var(name)
            .ok()
            .or_else(|| from_file.get(name.as_str()).map(|v| v.to_string()))
        {
            Some(value) => values.push((name.clone(), value)),
            None => missing.push(name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(McpError::usage(format!(
            "no local value for secret(s) {}",
            missing.join(", ")
        ))
        .hint(format!(
            "the local target reads [secrets] from the environment or from {}: add `{}=…` there",
            root.join(".env").display(),
            missing[0]
        ))
        .into());
    }
    Ok(values)
}

/// Start a new container for `image` as release `release`, publishing the port on loopback.
#[allow(clippy::too_many_arguments)]
pub async fn start_release(
    docker: &Docker,
    settings: &Settings,
    image: &str,
    digest: &str,
    git_sha: Option<&str>,
    release: u32,
    secrets: &[(String, String)],
) -> Result<String> {
    let name = format!("mcp-{}-{release}", project(settings));
    let port = settings.deploy.port;
    let mut labels = HashMap::from([
        (LABEL_PROJECT.to_string(), project(settings)),
        (LABEL_RELEASE.to_string(), release.to_string()),
        (LABEL_IMAGE.to_string(), image.to_string()),
        (LABEL_DIGEST.to_string(), digest.to_string()),
    ]);
    if let Some(sha) = git_sha {
        labels.insert(LABEL_GIT_SHA.to_string(), sha.to_string());
    }
    let env = container_env(settings, secrets);
    create(docker, &name, image, env, labels, port, Some(port)).await?;
    start(docker, &name).await?;
    Ok(name)
}

/// What a release's container gets as its environment: `[env]`, `PORT` (the
/// port it is published on, unless `[env]` sets it), then the secrets.
pub fn container_env(settings: &Settings, secrets: &[(String, String)]) -> Vec<String> {
    let mut env: Vec<String> = settings
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    // Servers that read PORT (the echo example, FastMCP with FASTMCP_PORT unset…) listen where we publish.
    if !settings.env.contains_key("PORT") {
        env.push(format!("PORT={}", settings.deploy.port));
    }
    env.extend(secrets.iter().map(|(k, v)| format!("{k}={v}")));
    env
}

/// Create (not start) container `name` of `image`, its `container_port`
/// published on 127.0.0.1 at `host_port` (`None`: a free port the engine picks).
pub async fn create(
    docker: &Docker,
    name: &str,
    image: &str,
    env: Vec<String>,
    labels: HashMap<String, String>,
    container_port: u16,
    host_port: Option<u16>,
) -> Result<()> {
    let binding = PortBinding {
        host_ip: Some("127.0.0.1".into()),
        // Empty: the engine picks a free port.
        host_port: Some(host_port.map(|p| p.to_string()).unwrap_or_default()),
    };
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        env: Some(env),
        labels: Some(labels),
        exposed_ports: Some(vec![format!("{container_port}/tcp")]),
        host_config: Some(HostConfig {
            // An init process forwards SIGTERM, so servers that run as PID 1
            // without handling it (shell scripts) stop at once, not after 10 s.
            init: Some(true),
            port_bindings: Some(HashMap::from([(
                format!("{container_port}/tcp"),
                Some(vec![binding]),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::new().name(name).build();
    docker
        .create_container(Some(options), body)
        .await
        .with_context(|| format!("creating container `{name}`"))?;
    Ok(())
}

pub async fn start(docker: &Docker, name: &str) -> Result<()> {
    docker.start_container(name, None).await.map_err(|e| {
        let text = e.to_string();
        let mut err = McpError::new(format!("starting container `{name}`: {text}"));
        if text.contains("port is already allocated") || text.contains("address already in use") {
            err = err
                .hint("another process uses the port: stop it, or set `deploy.port` to a free one");
        }
        anyhow::Error::new(err)
    })
}

pub async fn stop(docker: &Docker, name: &str) -> Result<()> {
    let options = StopContainerOptionsBuilder::new().t(10).build();
    match docker.stop_container(name, Some(options)).await {
        Ok(()) => Ok(()),
        // 304: already stopped.
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 304, ..
        }) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("stopping container `{name}`")),
    }
}

pub async fn remove(docker: &Docker, name: &str) -> Result<()> {
    let options = RemoveContainerOptionsBuilder::new().force(true).build();
    docker
        .remove_container(name, Some(options))
        .await
        .with_context(|| format!("removing container `{name}`"))
}

/// Whether the container still runs, and its exit code when it does not.
pub async fn exit_code(docker: &Docker, name: &str) -> Result<Option<i64>> {
    let inspect = docker
        .inspect_container(name, None)
        .await
        .with_context(|| format!("inspecting `{name}`"))?;
    let state = inspect.state.unwrap_or_default();
    Ok(if state.running == Some(true) {
        None
    } else {
        Some(state.exit_code.unwrap_or(-1))
    })
}

/// The container's last `n` output lines.
pub async fn last_lines(docker: &Docker, name: &str, n: usize) -> Vec<String> {
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .tail(&n.to_string())
        .build();
    let mut stream = docker.logs(name, Some(options));
    let mut lines = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        lines.extend(chunk.to_string().lines().map(str::to_string));
    }
    let skip = lines.len().saturating_sub(n);
    lines.split_off(skip)
}

/// The local health URL: `health_path` joined onto `http://127.0.0.1:<port>/`
/// (never pasted after it, where `@host/` would change the host); `None` when
/// `health_path` is empty (the server has no health endpoint).
pub fn health_url(settings: &Settings) -> Result<Option<reqwest::Url>> {
    if settings.deploy.health_path.is_empty() {
        return Ok(None);
    }
    let origin = reqwest::Url::parse(&format!("http://127.0.0.1:{}/", settings.deploy.port))
        .context("the local URL")?;
    crate::probe::health_url(&origin, &settings.deploy.health_path).map(Some)
}

/// Wait until `GET http://127.0.0.1:<port><health_path>` answers 2xx (with an
/// empty `health_path`: until the port accepts connections), the container
/// exits, or the deadline passes.
pub async fn wait_healthy(
    docker: &Docker,
    name: &str,
    settings: &Settings,
    deadline: Duration,
) -> Result<()> {
    let health = health_url(settings)?;
    let url = health.as_ref().map_or_else(
        || format!("127.0.0.1:{}", settings.deploy.port),
        ToString::to_string,
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .context("an HTTP client")?;
    let started = Instant::now();
    let mut last_error;
    loop {
        if let Some(code) = exit_code(docker, name).await? {
            let lines = last_lines(docker, name, 15).await;
            let mut message = format!("the server exited with code {code} before answering {url}");
            if !lines.is_empty() {
                message.push_str("\n  last output:");
                for line in &lines {
                    message.push_str("\n  | ");
                    message.push_str(line);
                }
            }
            anyhow::bail!(message);
        }
        let Some(health) = &health else {
            match tokio::net::TcpStream::connect(("127.0.0.1", settings.deploy.port)).await {
                Ok(_) => return Ok(()),
                Err(e) => last_error = format!("{url}: {e}"),
            }
            if started.elapsed() >= deadline {
                anyhow::bail!(
                    "nothing listened on {url} within {}s ({last_error})",
                    deadline.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        match client.get(health.clone()).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => last_error = format!("{url} answered {}", response.status()),
            Err(e) => {
                // The innermost cause says what happened ("connection refused").
                let mut cause: &dyn std::error::Error = &e;
                while let Some(inner) = cause.source() {
                    cause = inner;
                }
                last_error = format!("{url}: {cause}");
            }
        }
        if started.elapsed() >= deadline {
            anyhow::bail!(
                "the health check did not pass within {}s ({last_error})",
                deadline.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Remove stopped releases beyond the ones kept for rollback.
pub async fn prune(docker: &Docker, settings: &Settings, printer: &Printer) -> Result<()> {
    let all = releases(docker, settings).await?;
    for old in all.iter().filter(|r| !r.live).skip(KEEP_STOPPED) {
        remove(docker, &old.container).await?;
        printer.detail(
            1,
            format!(
                "             removed old release {} ({})",
                old.release, old.container
            ),
        );
    }
    Ok(())
}

/// `mcp history` on the local target.
#[derive(Debug, Clone, Serialize)]
pub struct LocalHistory {
    pub target: &'static str,
    pub project: String,
    pub releases: Vec<Release>,
}

impl fmt::Display for LocalHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = Table::new([
            ("", 4),
            ("RELEASE", 8),
            ("IMAGE", 40),
            ("GIT SHA", 12),
            ("STATE", 0),
        ]);
        for r in &self.releases {
            table.row([
                if r.live { "live" } else { "" }.to_string(),
                r.release.to_string(),
                r.image.clone(),
                r.git_sha
                    .as_deref()
                    .map(|s| &s[..s.len().min(12)])
                    .unwrap_or("-")
                    .to_string(),
                r.state.clone(),
            ]);
        }
        write!(f, "{table}")
    }
}

/// `mcp status` on the local target.
#[derive(Debug, Clone, Serialize)]
pub struct LocalStatus {
    pub target: &'static str,
    pub project: String,
    pub live: Option<Release>,
    pub url: String,
}

impl fmt::Display for LocalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.live {
            Some(r) => {
                writeln!(f, "release    {} ({})", r.release, r.container)?;
                writeln!(f, "image      {}", r.image)?;
                if let Some(sha) = &r.git_sha {
                    writeln!(f, "git sha    {sha}")?;
                }
                writeln!(f, "state      {}", r.state)?;
            }
            None => writeln!(f, "nothing runs locally for {}", self.project)?,
        }
        writeln!(f, "url        {}", self.url)
    }
}

/// The URL a local release answers on.
pub fn url(settings: &Settings) -> String {
    format!("http://127.0.0.1:{}/mcp", settings.deploy.port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(deploy: &str) -> Settings {
        let path = std::path::Path::new("/p/mcp.toml");
        let file = crate::config::file::parse(path, &format!("name = \"x\"\n[deploy]\n{deploy}\n"))
            .unwrap();
        let inputs = crate::config::Inputs {
            cwd: "/p".into(),
            ..Default::default()
        };
        crate::config::resolve(Some(&file), &inputs).unwrap()
    }

    /// Guards issue 16 item 5: `http://127.0.0.1:8123` + `@evil.example/`
    /// pasted together would be a URL for evil.example; joined, it is a path.
    #[test]
    fn the_local_health_url_is_joined_on_loopback() {
        let url = health_url(&settings("port = 8123\nhealth_path = \"@evil.example/\""))
            .unwrap()
            .unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8123/@evil.example/");
        assert!(health_url(&settings("health_path = \"//evil.example/\"")).is_err());
        assert!(
            health_url(&settings("health_path = \"\""))
                .unwrap()
                .is_none()
        );
    }
}
