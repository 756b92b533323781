//! `docker build` through the Engine API: the context streamed from disk,
//! BuildKit where the engine has it, the classic builder otherwise, the current
//! step shown as it runs and the failing step with its last lines on failure.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use super::buildkit;
use super::context::{self, ContextStats, DockerIgnore};
use super::engine::Engine;
use super::session::{self, Logins};
use crate::error::McpError;
use crate::ui::reporter::Reporter;

/// Which builder ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    Buildkit,
    Classic,
}

#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Absolute path of the context directory.
    pub context: PathBuf,
    /// Dockerfile, relative to the context.
    pub dockerfile: PathBuf,
    pub platform: String,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// Full references to tag the result with (`repo:tag`).
    pub tags: Vec<String>,
    pub builder: Builder,
}

#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub image_id: String,
    pub builder: Builder,
    pub context_files: u64,
    pub context_bytes: u64,
    /// A Lambda stage's image: the Lambda Web Adapter in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda_adapter: Option<LambdaAdapter>,
}

/// The AWS Lambda Web Adapter in a Lambda stage's image.
#[derive(Debug, Clone, Serialize)]
pub struct LambdaAdapter {
    /// Where it is (`/opt/extensions/lambda-adapter`).
    pub path: String,
    /// The adapter image it was copied from; `null` when the image brought its own.
    pub added_from: Option<String>,
    /// Its `AWS_LWA_*` settings in the image, as mcp.toml says.
    pub env: BTreeMap<String, String>,
}

/// How many lines of output a failure report shows.
const FAILURE_LINES: usize = 15;

/// Check what a build needs before anything is sent.
pub fn preflight(context_dir: &std::path::Path, dockerfile: &std::path::Path) -> Result<()> {
    if !context_dir.is_dir() {
        return Err(McpError::usage(format!(
            "build context `{}` is not a directory",
            context_dir.display()
        ))
        .hint("set `build.context` in mcp.toml (relative to the file)")
        .into());
    }
    if !context_dir.join(dockerfile).is_file() {
        return Err(McpError::usage(format!(
            "Dockerfile `{}` not found in build context `{}`",
            dockerfile.display(),
            context_dir.display()
        ))
        .hint(
            "set `build.dockerfile` (relative to `build.context`) in mcp.toml, or add a Dockerfile",
        )
        .into());
    }
    Ok(())
}

pub async fn build(
    engine: &Engine,
    request: &BuildRequest,
    reporter: &dyn Reporter,
) -> Result<Built> {
    build_with_logins(engine, request, None, reporter).await
}

/// [`build`], with `logins` answering BuildKit's questions for the
/// credentials of the registries it pulls from (a [`session`](super::session)
/// open for the build).
pub async fn build_with_logins(
    engine: &Engine,
    request: &BuildRequest,
    logins: Option<Logins>,
    reporter: &dyn Reporter,
) -> Result<Built> {
    let result = run(engine, request, logins, reporter).await;
    reporter.finish();
    result
}

async fn run(
    engine: &Engine,
    request: &BuildRequest,
    logins: Option<Logins>,
    reporter: &dyn Reporter,
) -> Result<Built> {
    preflight(&request.context, &request.dockerfile)?;
    // BuildKit asks for logins over a session, open before the build starts
    // and kept until its stream ends; the classic builder takes them with the
    // request, for the registries the Dockerfile names.
    let mut classic_logins = BTreeMap::new();
    let session = match (request.builder, logins) {
        // An engine without sessions (an API look-alike) still builds what
        // needs no pull, as before: the session is help, not a requirement.
        (Builder::Buildkit, Some(logins)) => {
            let logins = guarded(engine, logins);
            let start = session::start(&engine.address, &engine.api_path, logins);
            tokio::time::timeout(std::time::Duration::from_secs(10), start)
                .await
                .ok()
                .and_then(Result::ok)
        }
        // A login is help, not a requirement, as with BuildKit: none for an
        // engine that may not have one, and a failed lookup sends none (an
        // image the engine holds needs no login; a pull that does says why).
        (Builder::Classic, Some(logins)) if engine.may_send_logins().is_ok() => {
            let path = request.context.join(&request.dockerfile);
            let dockerfile = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            for host in pulled_registries(&dockerfile) {
                match logins(host.clone()).await {
                    // The engine looks a login up by the key `docker login`
                    // files it under (Docker Hub's is its index URL).
                    Ok(Some(auth)) => {
                        classic_logins.insert(auth.serveraddress.clone(), auth);
                    }
                    Ok(None) => {}
                    Err(why) => reporter.output(&format!("no login for {host}: {why}")),
                }
            }
            None
        }
        _ => None,
    };
    let ignore = DockerIgnore::from_dir(&request.context)?;
    let (body, writer) =
        context::stream(request.context.clone(), request.dockerfile.clone(), ignore);

    let mut query: Vec<(&str, String)> = vec![
        (
            "dockerfile",
            request.dockerfile.to_string_lossy().replace('\\', "/"),
        ),
        ("platform", request.platform.clone()),
        ("buildargs", serde_json::to_string(&request.args)?),
        ("labels", serde_json::to_string(&request.labels)?),
        ("rm", "1".into()),
        ("forcerm", "1".into()),
        (
            "version",
            match request.builder {
                Builder::Buildkit => "2",
                Builder::Classic => "1",
            }
            .into(),
        ),
    ];
    for tag in &request.tags {
        query.push(("t", tag.clone()));
    }
    if let Some(target) = &request.target {
        query.push(("target", target.clone()));
    }
    if let Some(session) = &session {
        query.push(("session", session.id.clone()));
    }

    let mut messages = engine.build(&query, &classic_logins, body).await?;
    let mut state = StreamState::default();
    let outcome = loop {
        match messages.next().await {
            Ok(Some(message)) => {
                if let Some(failure) = state.apply(&message, reporter)? {
                    break Err(failure);
                }
            }
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    // The context writer's own error (an unreadable file) explains a cut-off upload best.
    let stats: Option<ContextStats> = match writer.await {
        Ok(Ok(stats)) => Some(stats),
        // The engine stopped reading (it failed the build): its own error says why.
        Ok(Err(err)) if outcome.is_err() && is_broken_pipe(&err) => None,
        Ok(Err(err)) => return Err(err.context("sending the build context")),
        Err(join) => return Err(anyhow::anyhow!(join).context("sending the build context")),
    };
    outcome?;
    let image_id = state
        .image_id
        .context("the Docker engine finished the build without reporting an image id")?;
    let stats = stats.unwrap_or_default();
    Ok(Built {
        image_id,
        builder: request.builder,
        context_files: stats.files,
        context_bytes: stats.bytes,
        lambda_adapter: None,
    })
}

/// `logins`, refusing to hand a login to an engine that may not have one
/// (plain TCP to another machine); anonymous pulls still go.
fn guarded(engine: &Engine, logins: Logins) -> Logins {
    let refused = engine.may_send_logins().err().map(|e| format!("mcp: {e}"));
    match refused {
        None => logins,
        Some(refused) => std::sync::Arc::new(move |host: String| {
            let (logins, refused) = (logins.clone(), refused.clone());
            Box::pin(async move {
                match logins(host).await? {
                    Some(_) => Err(refused),
                    None => Ok(None),
                }
            })
        }),
    }
}

/// The registry hosts of the images a Dockerfile pulls: `FROM` and
/// `COPY --from=` images that are not earlier stages. Names built from `ARG`s
/// (`$…`) are left out: the classic builder gets no login for them.
fn pulled_registries(dockerfile: &str) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut hosts: Vec<String> = Vec::new();
    let text = dockerfile.replace("\\\n", " ").replace("\\\r\n", " ");
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(instruction) = words.first().map(|w| w.to_ascii_uppercase()) else {
            continue;
        };
        let image = match instruction.as_str() {
            "FROM" => {
                let mut rest = words[1..].iter().filter(|w| !w.starts_with("--"));
                let image = rest.next().map(|w| w.to_string());
                if let (Some(_), Some(name)) = (rest.next(), rest.next()) {
                    stages.push(name.to_ascii_lowercase());
                }
                image
            }
            "COPY" => words[1..]
                .iter()
                .find_map(|w| w.strip_prefix("--from="))
                .map(str::to_string),
            _ => None,
        };
        let Some(image) = image else { continue };
        if image.contains('$')
            || image.eq_ignore_ascii_case("scratch")
            || stages.contains(&image.to_ascii_lowercase())
            || image.parse::<usize>().is_ok()
        {
            continue;
        }
        let host = super::credentials::registry_host(&image);
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) || err.to_string().contains("Broken pipe")
}

/// What the message stream has told so far.
#[derive(Default)]
struct StreamState {
    image_id: Option<String>,
    /// Classic builder: the step being run, and its output.
    step: Option<String>,
    lines: VecDeque<String>,
    partial: String,
    /// BuildKit: the vertex graph.
    buildkit: buildkit::Progress,
}

impl StreamState {
    /// Take in one message; `Some(error)` when the build failed.
    fn apply(
        &mut self,
        message: &serde_json::Value,
        reporter: &dyn Reporter,
    ) -> Result<Option<anyhow::Error>> {
        if message["id"] == "moby.buildkit.trace" {
            if let Some(aux) = message["aux"].as_str() {
                let status = buildkit::decode_aux(aux)
                    .context("decoding BuildKit progress from the Docker engine")?;
                for log in &status.logs {
                    for line in String::from_utf8_lossy(&log.msg).lines() {
                        if !line.trim().is_empty() {
                            reporter.output(line.trim_end());
                        }
                    }
                }
                for event in self.buildkit.apply(status) {
                    match event {
                        // dockerd's own step that unpacks the uploaded context: not the user's.
                        buildkit::Event::Started { name } if name == "copy /context /" => {}
                        buildkit::Event::Started { name } => reporter.step(&name),
                        buildkit::Event::Completed { .. } | buildkit::Event::Failed { .. } => {}
                    }
                }
            }
            return Ok(None);
        }
        if let Some(id) = message["aux"]["ID"].as_str() {
            self.image_id = Some(id.to_string());
        }
        if let Some(text) = message["stream"].as_str() {
            self.classic_output(text, reporter);
        }
        if let Some(error) = message["errorDetail"]["message"]
            .as_str()
            .or(message["error"].as_str())
        {
            return Ok(Some(self.failure(error, reporter)));
        }
        Ok(None)
    }

    fn classic_output(&mut self, text: &str, reporter: &dyn Reporter) {
        self.partial.push_str(text);
        while let Some(newline) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=newline).collect();
            let line = line.trim_end().to_string();
            if line.is_empty() {
                continue;
            }
            if line.starts_with("Step ") && line.contains(" : ") {
                reporter.step(line.trim_start_matches("Step "));
                self.step = Some(line);
                self.lines.clear();
            } else if line.starts_with(" ---> ")
                || line.starts_with("Removing intermediate container")
            {
                // The classic builder's bookkeeping, not the step's output.
                continue;
            } else {
                reporter.output(&line);
                if self.lines.len() == FAILURE_LINES {
                    self.lines.pop_front();
                }
                self.lines.push_back(line);
            }
        }
    }

    /// The error for a failed build: the failing step, what the engine said, and the step's last lines.
    fn failure(&mut self, error: &str, reporter: &dyn Reporter) -> anyhow::Error {
        reporter.finish();
        let (step, lines): (Option<String>, Vec<String>) = match self.buildkit.failure() {
            Some((name, _, lines)) => (Some(name), lines),
            None => (self.step.clone(), self.lines.iter().cloned().collect()),
        };
        let mut message = match &step {
            Some(step) => format!("build failed at `{step}`: {}", error.trim()),
            None => format!("build failed: {}", error.trim()),
        };
        if !lines.is_empty() {
            message.push_str("\n  last output:");
            let skip = lines.len().saturating_sub(FAILURE_LINES);
            for line in &lines[skip..] {
                message.push_str("\n  | ");
                message.push_str(line);
            }
        }
        McpError::new(message)
            .hint("fix the failing step and run again; `-v` shows every step's output")
            .into()
    }
}

/// BuildKit when the engine offers it (Linux engines since API 1.39), the classic builder otherwise.
pub fn choose_builder(version: &bollard::models::SystemVersion) -> Builder {
    if std::env::var("DOCKER_BUILDKIT").as_deref() == Ok("0") {
        return Builder::Classic;
    }
    let api_ok = version
        .api_version
        .as_deref()
        .and_then(|v| v.split_once('.'))
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)))
        .is_some_and(|v| v >= (1, 39));
    let linux = version.os.as_deref().is_none_or(|os| os == "linux");
    if api_ok && linux {
        Builder::Buildkit
    } else {
        Builder::Classic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the classic builder's logins: every pulled registry once, no
    /// stage names, `scratch` or `ARG`-built names.
    #[test]
    fn pulled_registries_are_those_of_from_and_copy_from_images() {
        let dockerfile = "# syntax=docker/dockerfile:1\n\
            ARG BASE=busybox\n\
            FROM --platform=$BUILDPLATFORM 123456789012.dkr.ecr.us-east-1.amazonaws.com/base:1 AS build\n\
            RUN make\n\
            from ghcr.io/o/tools:2 as tools\n\
            FROM ${BASE}\n\
            FROM scratch\n\
            COPY --from=build /out /out\n\
            COPY --from=tools /bin/t /t\n\
            COPY --from=0 /x /x\n\
            COPY --chown=1:1 --from=quay.io/o/x:3 /y /y\n\
            FROM \\\n  python:3.12\n\
            FROM 123456789012.dkr.ecr.us-east-1.amazonaws.com/other:2\n";
        assert_eq!(
            pulled_registries(dockerfile),
            [
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "ghcr.io",
                "quay.io",
                "docker.io"
            ]
        );
    }
}
