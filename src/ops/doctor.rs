//! `mcp doctor`: is everything a deploy needs there?
//!
//! One line per check, each with a hint when it fails. Checks that depend on an
//! earlier one (the service needs the cluster, the log group needs the task
//! definition) are skipped, not failed, so the first failure is the one to fix.
//!
//! The last check, `mcp on PATH`, is about the machine rather than the project:
//! the MCP Python SDK installs its own `mcp` script into every virtualenv that
//! depends on it, so in a Python MCP server project `mcp deploy` may run the
//! SDK's script. Doctor lists every `mcp` on PATH in order, says which one runs
//! and what each is, and names the fix (`mcp-deploy`, or reorder PATH). It is
//! advice, never a failure: a project that uses `mcp-deploy` is set up right.

use std::ffi::OsString;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use aws_sdk_ecs::types::LogDriver;
use serde::Serialize;

use crate::aws::{self, Clients};
use crate::config::{Settings, TargetKind};
use crate::error::ExitStatus;
use crate::ui::Printer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
    Skipped,
    /// Works, but something will hurt (a load balancer warning).
    Warning,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A load balancer finding, in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<crate::platform::ecs::alb::judge::Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub healthy: bool,
    pub checks: Vec<Check>,
    /// Every `mcp` on PATH, in PATH order (the first one is what `mcp` runs).
    pub mcp_on_path: Vec<PathEntry>,
}

/// What an executable called `mcp` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum McpKind {
    /// This very binary (the same file, or a copy of it).
    This,
    /// Another build of this tool (another version or another install).
    ThisTool,
    /// The MCP Python SDK's console script (`from mcp.cli import app`).
    PythonSdk,
    /// Anything else.
    Other,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathEntry {
    pub path: PathBuf,
    pub kind: McpKind,
    /// What it is, for people.
    pub what: String,
    /// Whether typing `mcp` runs this one (the first on PATH).
    pub runs: bool,
}

/// The check name the PATH listing prints under.
const ON_PATH: &str = "mcp on PATH";

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for check in &self.checks {
            let mark = match check.outcome {
                Outcome::Ok => "ok  ",
                Outcome::Failed => "FAIL",
                Outcome::Skipped => "skip",
                Outcome::Warning => "warn",
            };
            writeln!(f, "{mark}  {:<width$}  {}", check.name, check.detail)?;
            if check.name == ON_PATH {
                for (n, entry) in self.mcp_on_path.iter().enumerate() {
                    let runs = if entry.runs { " (runs)" } else { "" };
                    writeln!(
                        f,
                        "      {:<width$}  {}. {}: {}{runs}",
                        "",
                        n + 1,
                        entry.path.display(),
                        entry.what
                    )?;
                }
            }
            if let Some(hint) = &check.hint {
                writeln!(f, "      {:<width$}  hint: {hint}", "")?;
            }
        }
        Ok(())
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn ok(&mut self, name: &'static str, detail: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Ok,
            detail: detail.into(),
            hint: None,
            finding: None,
        });
    }
    fn fail(&mut self, name: &'static str, detail: impl Into<String>, hint: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Failed,
            detail: detail.into(),
            hint: Some(hint.into()),
            finding: None,
        });
    }
    fn skip(&mut self, name: &'static str, why: &str) {
        self.0.push(Check {
            name,
            outcome: Outcome::Skipped,
            detail: format!("skipped: {why}"),
            hint: None,
            finding: None,
        });
    }
}

pub async fn doctor(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let mut checks = Checks(Vec::new());
    match &settings.config_file {
        Some(path) => checks.ok("config", path.display().to_string()),
        None => checks.fail(
            "config",
            "no mcp.toml found",
            "run `mcp init` in your project, or pass --config FILE",
        ),
    }

    match crate::docker::connect().await {
        Ok((_, version)) => checks.ok(
            "docker engine",
            format!(
                "{} (API {}, {}/{})",
                version.version.as_deref().unwrap_or("?"),
                version.api_version.as_deref().unwrap_or("?"),
                version.os.as_deref().unwrap_or("?"),
                version.arch.as_deref().unwrap_or("?")
            ),
        ),
        Err(err) => {
            let detail = crate::error::one_line(&err);
            checks.fail("docker engine", detail, crate::docker::ENGINE_HINT);
        }
    }

    if settings.target == TargetKind::Ecs {
        aws_checks(settings, &mut checks).await;
    }
    if settings.target == TargetKind::Lambda {
        use crate::platform::lambda::doctor::{WARNINGS, checks as lambda_checks};
        for (name, verdict) in lambda_checks(settings).await {
            match verdict {
                Ok(detail) => checks.ok(name, detail),
                Err((detail, hint)) if WARNINGS.contains(&name) => checks.0.push(Check {
                    name,
                    outcome: Outcome::Warning,
                    detail,
                    hint: Some(hint),
                    finding: None,
                }),
                Err((detail, hint)) => checks.fail(name, detail, hint),
            }
        }
    }

    let on_path = mcp_on_path(
        std::env::var_os("PATH").unwrap_or_default(),
        std::env::current_exe().ok(),
        std::env::var_os("VIRTUAL_ENV").map(PathBuf::from),
    );
    checks.0.push(on_path.check);

    let healthy = checks.0.iter().all(|c| c.outcome != Outcome::Failed);
    printer.data(&Report {
        healthy,
        checks: checks.0,
        mcp_on_path: on_path.entries,
    })?;
    Ok(if healthy {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Blue/green, canary, linear: what `mcp deploy`'s pre-flight check would say.
fn strategy_check(settings: &Settings, service: &aws_sdk_ecs::types::Service, checks: &mut Checks) {
    use crate::platform::ecs_progressive::preflight;
    let p = &settings.deploy.progressive;
    let strategy = p
        .strategy
        .unwrap_or_else(|| preflight::service_strategy(service));
    if !strategy.is_progressive() && p.strategy.is_none() && p.test_url.is_none() {
        return;
    }
    match preflight::plan(settings, service, true) {
        Ok(plan) => checks.ok(
            "deploy strategy",
            match &plan.gate {
                Some(gate) => format!(
                    "{strategy}; the MCP gate checks {} before production traffic moves",
                    gate.test_url
                ),
                None if strategy.is_progressive() => {
                    format!("{strategy}; no MCP gate (set `deploy.test_url` for one)")
                }
                None => strategy.to_string(),
            },
        ),
        Err(err) => {
            let hint = err
                .downcast_ref::<crate::error::McpError>()
                .and_then(|e| e.hint.clone())
                .unwrap_or_default();
            checks.fail("deploy strategy", crate::error::one_line(&err), hint);
        }
    }
}

/// The load balancer in front of the service: one line per finding (errors fail).
/// Whether the service carries `mcp`'s cost allocation tags and propagates
/// them to its tasks, so `mcp cost` finds its spend (docs/cost.md).
async fn cost_tags_check(
    settings: &Settings,
    clients: &Clients,
    service: &aws_sdk_ecs::types::Service,
    checks: &mut Checks,
) {
    let Some(detail) = crate::platform::ecs::cost::tags_lacking(settings, clients, service).await
    else {
        return checks.ok("cost tags", crate::release::cost::tags::ALL.join(", "));
    };
    checks.0.push(Check {
        name: "cost tags",
        outcome: Outcome::Warning,
        detail,
        hint: Some(
            "the next `mcp deploy` tags the service; then activate the tags for Cost Explorer \
             (`mcp cost` prints the command)"
                .into(),
        ),
        finding: None,
    });
}

async fn load_balancer_checks(
    settings: &Settings,
    clients: &Clients,
    service: &aws_sdk_ecs::types::Service,
    checks: &mut Checks,
) {
    use crate::platform::ecs::alb::{self, judge::Severity};
    const NAME: &str = "load balancer";
    match alb::inspect(settings, clients, service).await {
        Ok(None) => {}
        Ok(Some(report)) if report.findings.is_empty() => {
            let names: Vec<_> = report
                .target_groups
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            let session = report
                .session
                .as_deref()
                .map(|s| format!(" (the server is {s})"));
            checks.ok(
                NAME,
                format!(
                    "{}: no findings{}",
                    names.join(", "),
                    session.unwrap_or_default()
                ),
            );
        }
        Ok(Some(report)) => checks.0.extend(report.findings.into_iter().map(|f| {
            let lines = alb::finding_lines(&f);
            Check {
                name: NAME,
                outcome: match f.severity {
                    Severity::Error => Outcome::Failed,
                    Severity::Warning => Outcome::Warning,
                },
                detail: lines[0].clone(),
                hint: Some([&lines[2..], &lines[1..2]].concat().join("; ")),
                finding: Some(f),
            }
        })),
        Err(err) => checks.fail(
            NAME,
            crate::error::one_line(&err),
            "mcp reads the load balancer with elasticloadbalancing:Describe* (read-only)",
        ),
    }
}

async fn aws_checks(settings: &Settings, checks: &mut Checks) {
    let clients = Clients::new(settings).await;
    let Some(region) = clients.region().map(str::to_string) else {
        checks.fail(
            "aws credentials",
            "no AWS region configured",
            "set `region` in mcp.toml, AWS_REGION, or a region in your AWS profile",
        );
        for name in [
            "ecr repository",
            "ecs cluster",
            "ecs service",
            "container",
            "log group",
        ] {
            checks.skip(name, "no AWS access");
        }
        return;
    };
    match clients.sts.get_caller_identity().send().await {
        Ok(identity) => checks.ok(
            "aws credentials",
            format!("{} in {region}", identity.arn().unwrap_or("?")),
        ),
        Err(err) => {
            checks.fail(
                "aws credentials",
                aws::describe(&err),
                "check AWS_PROFILE / `profile` in mcp.toml, or run `aws sts get-caller-identity`",
            );
            for name in [
                "ecr repository",
                "ecs cluster",
                "ecs service",
                "container",
                "log group",
            ] {
                checks.skip(name, "no AWS access");
            }
            return;
        }
    }

    let repository = &settings.ecr.repository;
    match clients
        .ecr
        .describe_repositories()
        .repository_names(repository)
        .send()
        .await
    {
        Ok(out) => {
            let uri = out
                .repositories()
                .first()
                .and_then(|r| r.repository_uri())
                .unwrap_or(repository);
            checks.ok("ecr repository", uri.to_string());
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_repository_not_found_exception()) =>
        {
            if settings.ecr.create {
                checks.ok(
                    "ecr repository",
                    format!("`{repository}` does not exist yet; `ecr.create = true` creates it"),
                );
            } else {
                checks.fail(
                    "ecr repository",
                    format!("`{repository}` does not exist in {region}"),
                    "set `ecr.create = true` in mcp.toml, or `aws ecr create-repository --repository-name` it",
                );
            }
        }
        Err(err) => checks.fail(
            "ecr repository",
            aws::describe(&err),
            "check the ECR permissions of your credentials",
        ),
    }

    let cluster = match settings.cluster() {
        Ok(cluster) => cluster.to_string(),
        Err(_) => {
            checks.fail(
                "ecs cluster",
                "no cluster configured",
                "add `[ecs] cluster = \"…\"` to mcp.toml or pass --cluster",
            );
            for name in ["ecs service", "container", "log group"] {
                checks.skip(name, "no cluster");
            }
            return;
        }
    };
    match clients
        .ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
    {
        Ok(out) => match out.clusters().first() {
            Some(c) if c.status() == Some("ACTIVE") => checks.ok(
                "ecs cluster",
                format!(
                    "{cluster} ({} services, {} running tasks)",
                    c.active_services_count(),
                    c.running_tasks_count()
                ),
            ),
            Some(c) => checks.fail(
                "ecs cluster",
                format!("{cluster} is {}", c.status().unwrap_or("?")),
                "use an ACTIVE cluster in `ecs.cluster`",
            ),
            None => checks.fail(
                "ecs cluster",
                format!("`{cluster}` not found in {region}"),
                "check `ecs.cluster` and the region (`aws ecs list-clusters`)",
            ),
        },
        Err(err) => checks.fail(
            "ecs cluster",
            aws::describe(&err),
            "check the ECS permissions of your credentials",
        ),
    }
    if checks.0.last().is_some_and(|c| c.outcome != Outcome::Ok) {
        for name in ["ecs service", "container", "log group"] {
            checks.skip(name, "no cluster");
        }
        return;
    }

    let service_name = &settings.ecs.service;
    let service = match clients
        .ecs
        .describe_services()
        .cluster(&cluster)
        .services(service_name)
        .send()
        .await
    {
        Ok(out) => out
            .services()
            .iter()
            .find(|s| s.status() == Some("ACTIVE"))
            .cloned(),
        Err(err) => {
            checks.fail(
                "ecs service",
                aws::describe(&err),
                "check the ECS permissions of your credentials",
            );
            None
        }
    };
    let Some(service) = service else {
        if checks.0.last().is_some_and(|c| c.name != "ecs service") {
            checks.fail(
                "ecs service",
                format!("`{service_name}` not found (or not ACTIVE) in cluster {cluster}"),
                "check `ecs.service` (`aws ecs list-services --cluster …`); mcp deploys to an existing service",
            );
        }
        checks.skip("container", "no service");
        checks.skip("log group", "no service");
        return;
    };
    let task_definition = service.task_definition().unwrap_or_default().to_string();
    checks.ok(
        "ecs service",
        format!(
            "{service_name}: {} of {} running, {}",
            service.running_count(),
            service.desired_count(),
            task_definition
                .rsplit('/')
                .next()
                .unwrap_or(&task_definition)
        ),
    );
    strategy_check(settings, &service, checks);
    load_balancer_checks(settings, &clients, &service, checks).await;
    cost_tags_check(settings, &clients, &service, checks).await;

    let definition = match clients
        .ecs
        .describe_task_definition()
        .task_definition(&task_definition)
        .send()
        .await
    {
        Ok(out) => out.task_definition().cloned(),
        Err(err) => {
            checks.fail(
                "container",
                aws::describe(&err),
                "check the ECS permissions of your credentials",
            );
            checks.skip("log group", "no task definition");
            return;
        }
    };
    let Some(definition) = definition else {
        checks.fail(
            "container",
            "the service's task definition was not returned",
            "run `aws ecs describe-task-definition`",
        );
        checks.skip("log group", "no task definition");
        return;
    };
    let family = definition.family().unwrap_or("?");
    let container = match crate::aws::ecs::pick_container(
        definition.container_definitions(),
        settings.ecs.container.as_deref(),
        family,
    ) {
        Ok(container) => container,
        Err(err) => {
            let hint = err
                .downcast_ref::<crate::error::McpError>()
                .and_then(|e| e.hint.clone())
                .unwrap_or_default();
            checks.fail("container", err.to_string(), hint);
            checks.skip("log group", "no container");
            return;
        }
    };
    let container_name = container.name().unwrap_or("?").to_string();
    checks.ok(
        "container",
        format!("{container_name} ({})", container.image().unwrap_or("?")),
    );

    let log = container.log_configuration();
    let group = log
        .filter(|l| l.log_driver() == &LogDriver::Awslogs)
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-group"))
        .cloned();
    let Some(group) = group else {
        checks.fail(
            "log group",
            format!(
                "container `{container_name}` does not log to CloudWatch (no awslogs log driver)"
            ),
            "add an awslogs logConfiguration to the task definition so `mcp logs` can read it",
        );
        return;
    };
    match clients.logs.describe_log_groups().log_group_name_prefix(&group).send().await {
        Ok(out) if out.log_groups().iter().any(|g| g.log_group_name() == Some(group.as_str())) => {
            checks.ok("log group", group);
        }
        Ok(_) => checks.fail(
            "log group",
            format!("`{group}` does not exist"),
            "create it (`aws logs create-log-group`) or set awslogs-create-group in the task definition",
        ),
        Err(err) => checks.fail("log group", aws::describe(&err), "check the CloudWatch Logs permissions of your credentials"),
    }
}

struct OnPath {
    check: Check,
    entries: Vec<PathEntry>,
}

/// Every `mcp` in `path` (a PATH value), what each is, and the advice.
fn mcp_on_path(path: OsString, this: Option<PathBuf>, venv: Option<PathBuf>) -> OnPath {
    let this_name = crate::cli::invoked_name();
    let mut entries: Vec<PathEntry> = Vec::new();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("mcp");
        if !is_executable(&candidate) || entries.iter().any(|e| same_file(&e.path, &candidate)) {
            continue;
        }
        let (kind, what) = classify(&candidate, this.as_deref());
        entries.push(PathEntry {
            runs: entries.is_empty(),
            path: candidate,
            kind,
            what,
        });
    }
    let this_display = this
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "this binary".to_string());
    let first = entries.first();
    let detail = match first {
        None => format!("no `mcp` on PATH (this is `{this_name}` at {this_display})"),
        Some(first) => format!(
            "{} found; `mcp` runs {}: {}",
            entries.len(),
            first.path.display(),
            first.what
        ),
    };
    let venv_sdk = venv.as_ref().and_then(|venv| {
        let script = venv.join("bin").join("mcp");
        (classify(&script, this.as_deref()).0 == McpKind::PythonSdk).then_some(venv)
    });
    let hint = match (venv_sdk, first.map(|f| f.kind)) {
        (Some(venv), _) => Some(format!(
            "the active virtualenv {} has the MCP Python SDK's `mcp` script, which runs instead of this tool while it is active (and under `uv run`): use `mcp-deploy` (the same tool under a second name), or put {} before {} in PATH",
            venv.display(),
            this.as_deref()
                .and_then(Path::parent)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "this tool's directory".to_string()),
            venv.join("bin").display()
        )),
        (None, Some(McpKind::PythonSdk)) => Some(
            "`mcp` runs the MCP Python SDK's script, not this tool: use `mcp-deploy` (the same tool under a second name), or put this tool's directory first in PATH"
                .to_string(),
        ),
        (None, Some(McpKind::Other)) => Some(
            "`mcp` runs another program, not this tool: use `mcp-deploy`, or put this tool's directory first in PATH"
                .to_string(),
        ),
        _ => None,
    };
    OnPath {
        check: Check {
            name: ON_PATH,
            outcome: Outcome::Ok,
            detail,
            hint,
            finding: None,
        },
        entries,
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// What the executable at `path` is: this binary, another build of this tool,
/// the MCP Python SDK's console script, or something else.
fn classify(path: &Path, this: Option<&Path>) -> (McpKind, String) {
    if this.is_some_and(|this| same_file(this, path) || same_contents(this, path)) {
        let version = env!("CARGO_PKG_VERSION");
        return (McpKind::This, format!("this tool ({version})"));
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return (McpKind::Other, "unreadable".to_string());
    }
    if let Some(script) = head.strip_prefix(b"#!") {
        let text = String::from_utf8_lossy(script);
        let interpreter = text.lines().next().unwrap_or("").trim().to_string();
        // The console script pip and uv write for the SDK's `mcp = "mcp.cli:app"`.
        if text.contains("from mcp.cli import") {
            return (
                McpKind::PythonSdk,
                format!("the MCP Python SDK's `mcp` script, #!{interpreter}"),
            );
        }
        return (McpKind::Other, format!("a script, #!{interpreter}"));
    }
    if contains(path, ABOUT.as_bytes()) {
        return (
            McpKind::ThisTool,
            "another install of this tool (a different build)".to_string(),
        );
    }
    (McpKind::Other, "another program".to_string())
}

/// A phrase every build of this tool carries (the first line of `--help`).
const ABOUT: &str = "Ship MCP servers to AWS: build, push to ECR";

fn same_contents(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if ma.len() != mb.len() {
        return false;
    }
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn contains(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(path: &Path, text: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    const SDK_SCRIPT: &[u8] = b"#!/proj/.venv/bin/python3\n# -*- coding: utf-8 -*-\nimport sys\nfrom mcp.cli import app\nif __name__ == \"__main__\":\n    sys.exit(app())\n";

    /// Issue 19: the SDK's script first on PATH, this tool second, inside the
    /// venv: both listed in PATH order, the SDK's marked as the one that runs,
    /// and the hint names `mcp-deploy`.
    #[test]
    fn lists_every_mcp_in_path_order_and_names_the_sdk() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("venv");
        let ours = tmp.path().join("local/bin");
        executable(&venv.join("bin/mcp"), SDK_SCRIPT);
        executable(&ours.join("mcp"), b"\x7fELF pretend binary");
        executable(&ours.join("mcp-deploy"), b"\x7fELF pretend binary");
        executable(&tmp.path().join("other/mcp"), b"#!/bin/sh\necho hi\n");
        let path = std::env::join_paths([
            venv.join("bin"),
            tmp.path().join("empty"),
            ours.clone(),
            tmp.path().join("other"),
        ])
        .unwrap();
        let report = mcp_on_path(path, Some(ours.join("mcp-deploy")), Some(venv.clone()));
        let kinds: Vec<_> = report.entries.iter().map(|e| (e.kind, e.runs)).collect();
        assert_eq!(
            kinds,
            [
                (McpKind::PythonSdk, true),
                (McpKind::This, false),
                (McpKind::Other, false)
            ]
        );
        assert_eq!(report.entries[0].path, venv.join("bin/mcp"));
        assert!(
            report.check.detail.starts_with("3 found; `mcp` runs "),
            "{}",
            report.check.detail
        );
        let hint = report.check.hint.unwrap();
        assert!(hint.contains("active virtualenv"), "{hint}");
        assert!(hint.contains("use `mcp-deploy`"), "{hint}");
        assert_eq!(report.check.outcome, Outcome::Ok);
    }

    #[test]
    fn this_tool_first_needs_no_hint() {
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp.path().join("bin");
        executable(&ours.join("mcp"), b"\x7fELF pretend binary");
        executable(&tmp.path().join("venv/bin/mcp"), SDK_SCRIPT);
        let path = std::env::join_paths([ours.clone(), tmp.path().join("venv/bin")]).unwrap();
        let report = mcp_on_path(path, Some(ours.join("mcp")), None);
        assert_eq!(report.entries.len(), 2);
        assert_eq!(report.entries[0].kind, McpKind::This);
        assert_eq!(report.entries[1].kind, McpKind::PythonSdk);
        assert!(report.check.hint.is_none(), "{:?}", report.check.hint);
    }
}
