//! `mcp init`: write a commented mcp.toml.
//!
//! On a terminal it asks for each value with a sensible default (the git
//! remote's repository name, the Dockerfile it finds); elsewhere (CI, scripts)
//! it takes flags and defaults and never waits for an answer.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::config::{FILE_NAME, default_name};
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;

#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Directory the project lives in.
    pub dir: PathBuf,
    /// Write here instead of `<dir>/mcp.toml`.
    pub path: Option<PathBuf>,
    pub name: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub repository: Option<String>,
    pub container: Option<String>,
    pub url: Option<String>,
    pub dockerfile: Option<PathBuf>,
    pub force: bool,
    /// `CLUSTER/SERVICE`: read the rest from a live service.
    pub from_service: Option<String>,
}

/// The values written into the file.
#[derive(Debug, Clone, Serialize)]
pub struct Answers {
    pub path: PathBuf,
    pub name: String,
    pub region: Option<String>,
    pub cluster: String,
    pub service: String,
    pub repository: String,
    pub container: Option<String>,
    pub url: Option<String>,
    pub dockerfile: String,
    /// The container's CloudWatch log group, when read from a live service.
    pub log_group: Option<String>,
}

impl fmt::Display for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())
    }
}

/// The repository name of the `origin` remote, if this is a git checkout with one.
pub fn git_remote_name(dir: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["remote", "get-url", "origin"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let url = String::from_utf8(output.stdout).ok()?;
    let last = url.trim().trim_end_matches('/').rsplit(['/', ':']).next()?;
    let name = last.trim_end_matches(".git");
    (!name.is_empty()).then(|| name.to_string())
}

/// The Dockerfile to use: the one given, else `Dockerfile` when it exists.
fn detect_dockerfile(dir: &Path) -> Option<String> {
    ["Dockerfile", "dockerfile", "Containerfile"]
        .into_iter()
        .find(|name| dir.join(name).is_file())
        .map(str::to_string)
}

fn ask(question: &str, default: &str) -> Result<String> {
    let term = console::Term::stderr();
    term.write_str(&format!("{question} [{default}]: "))
        .context("writing a prompt")?;
    let answer = term.read_line().context("reading an answer")?;
    let answer = answer.trim();
    Ok(if answer.is_empty() {
        default.to_string()
    } else {
        answer.to_string()
    })
}

fn ask_optional(question: &str, default: Option<&str>) -> Result<Option<String>> {
    let answer = ask(question, default.unwrap_or(""))?;
    Ok((!answer.is_empty()).then_some(answer))
}

pub async fn init(options: &InitOptions, printer: &Printer) -> Result<ExitStatus> {
    let path = options
        .path
        .as_ref()
        .map_or_else(|| options.dir.join(FILE_NAME), |p| options.dir.join(p));
    if path.exists() && !options.force {
        return Err(
            McpError::usage(format!("`{}` already exists", path.display()))
                .hint("pass --force to overwrite it, or edit it by hand")
                .into(),
        );
    }
    let dockerfile = match &options.dockerfile {
        Some(given) => given.display().to_string(),
        None => detect_dockerfile(&options.dir).unwrap_or_else(|| {
            printer.warn(format!(
                "no Dockerfile in `{}`; writing `Dockerfile` as its path",
                options.dir.display()
            ));
            "Dockerfile".to_string()
        }),
    };
    let default_project = options
        .name
        .clone()
        .or_else(|| git_remote_name(&options.dir))
        .unwrap_or_else(|| default_name(&options.dir));

    let live = match &options.from_service {
        Some(spec) => Some(read_service(options, spec).await?),
        None => None,
    };
    let prompt = printer.interactive() && !printer.yes && live.is_none();
    let mut answers = Answers {
        path: path.clone(),
        name: default_project,
        region: options.region.clone(),
        cluster: options
            .cluster
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        service: String::new(),
        repository: String::new(),
        container: options.container.clone(),
        url: options.url.clone(),
        dockerfile,
        log_group: None,
    };
    if let Some(live) = live {
        printer.status(
            "Read",
            format!(
                "{}/{} ({})",
                live.cluster, live.service, live.task_definition
            ),
        );
        answers.region = options.region.clone().or(live.region);
        answers.cluster = live.cluster;
        if options.name.is_none() {
            answers.name = live.service.clone();
        }
        answers.container = options.container.clone().or(Some(live.container));
        answers.log_group = live.log_group;
        answers.service = options.service.clone().unwrap_or(live.service);
        answers.repository = options
            .repository
            .clone()
            .or(live.repository)
            .unwrap_or_default();
    }
    if prompt && options.name.is_none() {
        answers.name = ask("Project name", &answers.name)?;
    }
    if answers.service.is_empty() {
        answers.service = options
            .service
            .clone()
            .unwrap_or_else(|| answers.name.clone());
    }
    if answers.repository.is_empty() {
        answers.repository = options
            .repository
            .clone()
            .unwrap_or_else(|| answers.name.clone());
    }
    if prompt {
        if options.region.is_none() {
            answers.region = ask_optional("AWS region (empty: your AWS config)", None)?;
        }
        if options.cluster.is_none() {
            answers.cluster = ask("ECS cluster", &answers.cluster)?;
        }
        if options.service.is_none() {
            answers.service = ask("ECS service", &answers.service)?;
        }
        if options.repository.is_none() {
            answers.repository = ask("ECR repository", &answers.repository)?;
        }
        if options.url.is_none() {
            answers.url = ask_optional(
                "Public MCP URL, checked after each deploy (empty: none)",
                None,
            )?;
        }
    }

    std::fs::write(&path, render(&answers))
        .with_context(|| format!("writing `{}`", path.display()))?;
    printer.status("Wrote", path.display());
    // Keep the local target's `.env` and the git history out of every image.
    let ignore_file = options.dir.join(crate::docker::context::DOCKERIGNORE);
    match crate::docker::context::ensure_dockerignore(&options.dir) {
        Ok(crate::docker::context::IgnoreChange::Created(lines)) => printer.status(
            "Wrote",
            format!("{} ({})", ignore_file.display(), lines.join(", ")),
        ),
        Ok(crate::docker::context::IgnoreChange::Appended(lines)) => printer.status(
            "Added",
            format!("{} to {}", lines.join(", "), ignore_file.display()),
        ),
        Ok(crate::docker::context::IgnoreChange::Unchanged) => {}
        Err(err) => printer.warn(format!(
            "could not make {} keep out .env and .git: {err:#}",
            ignore_file.display()
        )),
    }
    printer.data(&answers)?;
    Ok(ExitStatus::Success)
}

/// A TOML string literal.
fn quoted(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

fn optional(key: &str, value: Option<&str>, example: &str) -> String {
    match value {
        Some(value) => format!("{key} = {}", quoted(value)),
        None => format!("# {key} = {}", quoted(example)),
    }
}

/// The file's text: every key with a comment, optional ones commented out.
pub fn render(a: &Answers) -> String {
    format!(
        r#"# mcp.toml: how `mcp` builds, pushes and deploys this MCP server.
# Precedence: flag > MCP_* environment variable > [stages.<name>] > this file > default.
# Reference: the "Configuration" section of mcp's README.

name = {name}
{region}             # default: the AWS config chain (AWS_REGION, ~/.aws/config)
# profile = "prod"                # AWS named profile

[build]
context = "."                     # directory sent to the Docker engine (.dockerignore applies)
dockerfile = {dockerfile}
platform = "linux/amd64"          # what Fargate runs, also when you build on Apple silicon
# target = "runtime"              # build stage
# args = {{ PYTHON_VERSION = "3.11" }}
tag = "{{git_sha}}"                 # also {{timestamp}}, {{stage}}, {{name}}

[ecr]
repository = {repository}
create = false                    # create the repository when missing

[ecs]
cluster = {cluster}
service = {service}
{container}                # default: the only container, else the first essential one
{log_group}
[deploy]
timeout = "15m"
rollback = "auto"                 # auto: roll back a failed deploy; never: leave it as ECS left it
{url}
health_path = "/healthz"

[env]                             # plain variables for the container
# LOG_LEVEL = "INFO"

[secrets]                         # Secrets Manager / SSM ARNs, never values
# API_KEY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/mcp/api-key"

# [stages.staging]                # overlays any of the above with --stage staging
# ecs = {{ cluster = "staging", service = "{name_bare}-staging" }}
"#,
        name = quoted(&a.name),
        name_bare = a.name,
        region = optional("region", a.region.as_deref(), "us-east-1"),
        dockerfile = quoted(&a.dockerfile),
        repository = quoted(&a.repository),
        cluster = quoted(&a.cluster),
        service = quoted(&a.service),
        container = optional("container", a.container.as_deref(), "mcp"),
        url = optional("url", a.url.as_deref(), "https://mcp.example.com/mcp"),
        log_group = a
            .log_group
            .as_ref()
            .map(|g| format!(
                "# logs: CloudWatch log group {g} (from the task definition's awslogs options)\n"
            ))
            .unwrap_or_default(),
    )
}

/// What a live service says about itself.
struct LiveService {
    region: Option<String>,
    cluster: String,
    service: String,
    task_definition: String,
    container: String,
    repository: Option<String>,
    log_group: Option<String>,
}

/// Read `CLUSTER/SERVICE` from ECS: region, container, ECR repository, log group.
async fn read_service(options: &InitOptions, spec: &str) -> Result<LiveService> {
    use crate::aws::taskdef::short_name;
    let (cluster, service) = spec
        .split_once('/')
        .filter(|(c, s)| !c.is_empty() && !s.is_empty())
        .ok_or_else(|| {
            McpError::usage(format!(
                "--from-service takes CLUSTER/SERVICE, not `{spec}`"
            ))
            .hint("e.g. --from-service sales-prod/sales-prod-mcp-server-production")
        })?;
    let mut inputs = crate::config::Inputs {
        cwd: options.dir.clone(),
        ..Default::default()
    };
    if let Some(region) = &options.region {
        inputs.flags.push(crate::config::FlagValue {
            key: "region",
            flag: "--region",
            value: region.clone(),
            kind: crate::config::Kind::Str,
        });
    }
    let settings = crate::config::resolve(None, &inputs)?;
    let clients = crate::aws::Clients::new(&settings).await;
    let live = crate::aws::ecs::describe_service(&clients, cluster, service).await?;
    let arn = live.task_definition().unwrap_or_default().to_string();
    let described = clients
        .ecs
        .describe_task_definition()
        .task_definition(&arn)
        .send()
        .await
        .map_err(crate::aws::error)
        .with_context(|| format!("reading task definition `{}`", short_name(&arn)))?;
    let definition = described
        .task_definition()
        .context("DescribeTaskDefinition returned no task definition")?;
    let container = crate::aws::ecs::pick_container(
        definition.container_definitions(),
        options.container.as_deref(),
        definition.family().unwrap_or("?"),
    )?;
    let repository = container
        .image()
        .map(crate::release::ImageRef::parse)
        .filter(|r| r.ecr().is_some())
        .map(|r| r.repository);
    let log_group = container
        .log_configuration()
        .filter(|l| l.log_driver() == &aws_sdk_ecs::types::LogDriver::Awslogs)
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-group"))
        .cloned();
    // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE
    let region = live
        .service_arn()
        .and_then(|a| a.split(':').nth(3))
        .map(str::to_string)
        .or(clients.region().map(str::to_string));
    Ok(LiveService {
        region,
        cluster: cluster.to_string(),
        service: service.to_string(),
        task_definition: short_name(&arn).to_string(),
        container: container.name().unwrap_or_default().to_string(),
        repository,
        log_group,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards that what init writes is a valid mcp.toml (the template and the
    /// schema must not drift apart).
    #[test]
    fn rendered_file_parses_with_the_strict_schema() {
        let answers = Answers {
            path: "mcp.toml".into(),
            name: "quilt-mcp".into(),
            region: Some("us-east-1".into()),
            cluster: "sales-prod".into(),
            service: "sales-prod-mcp-server-production".into(),
            repository: "quilt-mcp-server".into(),
            container: None,
            url: Some("https://demo.example.com/mcp".into()),
            dockerfile: "Dockerfile".into(),
            log_group: Some("/ecs/quilt".into()),
        };
        let text = render(&answers);
        let file = crate::config::file::parse(Path::new("mcp.toml"), &text).unwrap();
        let ecs = file.layer.ecs.unwrap();
        assert_eq!(ecs.cluster.as_deref(), Some("sales-prod"));
        assert_eq!(ecs.container, None);
        assert_eq!(
            file.layer.deploy.unwrap().url.as_deref(),
            Some("https://demo.example.com/mcp")
        );
    }
}
