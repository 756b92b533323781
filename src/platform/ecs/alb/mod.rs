//! MCP behind an Application Load Balancer: read the service's load balancer
//! set-up and say what will break MCP clients, before a deploy.
//!
//! The failures teams meet behind an ALB are in its set-up, not in the image
//! (a path pattern that misses the URL, a health check on the wrong path,
//! sessions spread over tasks, timeouts that cut long calls). This module
//! reads that set-up from the service's `loadBalancers` (target groups, their
//! health checks and attributes, the listeners and rules that forward to them,
//! the load balancer's attributes, the task definition's container), for
//! rolling and blue/green services alike (both target groups), and hands it
//! to [`judge`] with what mcp.toml says. [`Report`] is what `mcp doctor`
//! lists, [`preflight`] what `mcp deploy` checks before any build, and
//! [`Targets`] the health of each target that `mcp status` shows.
//!
//! Whether the server keeps sessions is the MCP check's verdict (`session`
//! in its report) on `deploy.url`, asked only when more than one task could
//! run: before a deploy, that is the release live now.

pub mod judge;

use std::fmt;
use std::time::Duration;

use anyhow::Result;
use aws_sdk_ecs::types::Service;
use serde::Serialize;

use self::judge::{Entry, Expect, Finding, Setup, Severity};
use crate::aws::{self, Clients, elbv2};
use crate::config::Settings;
use crate::error::McpError;
use crate::ui::Printer;

/// A load balancer of the service, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancerInfo {
    pub arn: String,
    pub name: String,
    pub scheme: String,
    pub idle_timeout_s: i64,
}

/// A target group of the service, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetGroupInfo {
    pub arn: String,
    pub name: String,
    /// `production` or `alternate` (blue/green).
    pub role: &'static str,
    pub health_check: String,
    pub deregistration_delay_s: i64,
    pub stickiness: String,
}

/// The set-up and what is wrong with it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub service: String,
    pub load_balancers: Vec<LoadBalancerInfo>,
    pub target_groups: Vec<TargetGroupInfo>,
    /// The MCP check's session verdict, when it was asked.
    pub session: Option<String>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// One finding as lines under a heading (doctor, deploy, status).
pub fn finding_lines(f: &Finding) -> Vec<String> {
    vec![
        format!("{}: {}", f.check, f.value),
        format!("resource: {}", f.resource),
        format!("clients see: {}", f.clients_see),
        format!("fix (Terraform): {}", f.fix.terraform),
        format!("fix (CloudFormation): {}", f.fix.cloudformation),
    ]
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for lb in &self.load_balancers {
            writeln!(
                f,
                "load balancer  {} ({}, idle timeout {} s)",
                lb.name, lb.scheme, lb.idle_timeout_s
            )?;
        }
        for tg in &self.target_groups {
            writeln!(
                f,
                "target group   {} ({}): {}, deregistration delay {} s, {}",
                tg.name, tg.role, tg.health_check, tg.deregistration_delay_s, tg.stickiness
            )?;
        }
        if self.findings.is_empty() {
            return writeln!(f, "no findings");
        }
        for finding in &self.findings {
            let mark = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            for (i, line) in finding_lines(finding).iter().enumerate() {
                writeln!(f, "{:<9}{line}", if i == 0 { mark } else { "" })?;
            }
        }
        Ok(())
    }
}

/// The container the deploy updates, with its start period.
async fn container_of(
    settings: &Settings,
    clients: &Clients,
    arn: &str,
) -> Result<(String, Option<i32>)> {
    let described = aws::taskdef::describe(&clients.ecs, arn).await?;
    let definition = &described.definition;
    let container = aws::ecs::pick_container(
        definition.container_definitions(),
        settings.ecs.container.as_deref(),
        definition.family().unwrap_or("?"),
    )?;
    Ok((
        container.name().unwrap_or_default().to_string(),
        container.health_check().and_then(|h| h.start_period()),
    ))
}

/// Read the service's load balancer set-up (none when it has no target group).
pub async fn read(
    settings: &Settings,
    clients: &Clients,
    service: &Service,
) -> Result<Option<Setup>> {
    let with_groups: Vec<_> = service
        .load_balancers()
        .iter()
        .filter(|lb| lb.target_group_arn().is_some())
        .collect();
    if with_groups.is_empty() {
        return Ok(None);
    }
    let task_definition = service.task_definition().unwrap_or_default().to_string();
    let (container, start_period_s) = container_of(settings, clients, &task_definition).await?;
    let mut entries = Vec::new();
    for lb in with_groups {
        let advanced = lb.advanced_configuration();
        let mut arns = vec![lb.target_group_arn().unwrap_or_default().to_string()];
        arns.extend(
            advanced
                .and_then(|a| a.alternate_target_group_arn())
                .map(str::to_string),
        );
        let mut target_groups = elbv2::target_groups(clients, &arns).await?;
        target_groups.sort_by_key(|t| arns.iter().position(|a| *a == t.arn));
        let mut lb_arns: Vec<String> = target_groups
            .iter()
            .flat_map(|t| t.load_balancer_arns.clone())
            .collect();
        lb_arns.sort();
        lb_arns.dedup();
        let mut load_balancers = Vec::new();
        for arn in lb_arns {
            let balancer = elbv2::load_balancer(clients, &arn).await?;
            let listeners = elbv2::listeners(clients, &arn).await?;
            load_balancers.push((balancer, listeners));
        }
        entries.push(Entry {
            container_name: lb.container_name().map(str::to_string),
            container_port: lb.container_port(),
            target_groups,
            production_rule: advanced
                .and_then(|a| a.production_listener_rule())
                .map(str::to_string),
            test_rule: advanced
                .and_then(|a| a.test_listener_rule())
                .map(str::to_string),
            load_balancers,
        });
    }
    Ok(Some(Setup {
        service_arn: service.service_arn().unwrap_or_default().to_string(),
        desired: service.desired_count(),
        grace_period_s: service.health_check_grace_period_seconds(),
        task_definition,
        container,
        start_period_s,
        entries,
    }))
}

/// The MCP check's session verdict on `deploy.url` (none: no URL, or it does not answer MCP).
async fn session_verdict(settings: &Settings) -> Option<String> {
    let url = settings.deploy.url.as_deref()?;
    let mut options = crate::probe::Options::from_settings(settings).ok()?;
    options.timeout = Duration::from_secs(5);
    // Only the session matters here; a path rule for the MCP endpoint alone
    // sends the health path at the URL's origin elsewhere.
    options.health_path.clear();
    options.calls.clear();
    options.baseline = None;
    options.read_contract = false;
    let report = crate::probe::run_check(url, &options).await.ok()?;
    report.session.map(str::to_string)
}

fn expect(settings: &Settings) -> Expect {
    Expect {
        url: settings.deploy.url.clone(),
        test_url: settings.deploy.progressive.test_url.clone(),
        health_path: settings.deploy.health_path.clone(),
        port: settings.deploy.port,
        max_tasks: settings.ecs.express_settings.max_tasks,
        session: None,
        longest_call_s: settings
            .check
            .calls
            .iter()
            .filter_map(|c| c.timeout)
            .map(|t| i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
            .max(),
    }
}

fn idle(lb: &elbv2::LoadBalancer) -> i64 {
    lb.attributes
        .get("idle_timeout.timeout_seconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(judge::IDLE_DEFAULT_S)
}

fn summarize(setup: &Setup) -> (Vec<LoadBalancerInfo>, Vec<TargetGroupInfo>) {
    let mut lbs = Vec::new();
    let mut tgs = Vec::new();
    for entry in &setup.entries {
        for (lb, _) in &entry.load_balancers {
            if !lbs.iter().any(|l: &LoadBalancerInfo| l.arn == lb.arn) {
                lbs.push(LoadBalancerInfo {
                    arn: lb.arn.clone(),
                    name: lb.name.clone(),
                    scheme: lb.scheme.clone(),
                    idle_timeout_s: idle(lb),
                });
            }
        }
        for (i, tg) in entry.target_groups.iter().enumerate() {
            let hc = &tg.health_check;
            let sticky = tg
                .attributes
                .get("stickiness.enabled")
                .is_some_and(|v| v == "true");
            tgs.push(TargetGroupInfo {
                arn: tg.arn.clone(),
                name: tg.name.clone(),
                role: if i == 0 { "production" } else { "alternate" },
                health_check: format!(
                    "health check {} {} on {}",
                    hc.protocol,
                    hc.path.as_deref().unwrap_or("/"),
                    hc.port
                ),
                deregistration_delay_s: tg
                    .attributes
                    .get("deregistration_delay.timeout_seconds")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(judge::DEREGISTRATION_DEFAULT_S),
                stickiness: if sticky {
                    format!(
                        "stickiness {}",
                        tg.attributes
                            .get("stickiness.type")
                            .map_or("lb_cookie", String::as_str)
                    )
                } else {
                    "no stickiness".to_string()
                },
            });
        }
    }
    (lbs, tgs)
}

/// Read and judge the service's set-up; none when it has no load balancer.
pub async fn inspect(
    settings: &Settings,
    clients: &Clients,
    service: &Service,
) -> Result<Option<Report>> {
    let Some(setup) = read(settings, clients, service).await? else {
        return Ok(None);
    };
    let mut expect = expect(settings);
    // Only a server that may run on more than one task needs the verdict.
    let tasks = i64::from(setup.desired).max(expect.max_tasks.map_or(0, i64::from));
    if tasks > 1 {
        expect.session = session_verdict(settings).await;
    }
    let findings = judge::judge(&setup, &expect);
    let (load_balancers, target_groups) = summarize(&setup);
    Ok(Some(Report {
        service: service.service_name().unwrap_or_default().to_string(),
        load_balancers,
        target_groups,
        session: expect.session,
        findings,
    }))
}

/// `mcp deploy`'s pre-flight, before any build: warnings are printed once;
/// findings that break clients for certain stop the deploy (exit 2) unless `force`.
pub async fn preflight(
    settings: &Settings,
    clients: &Clients,
    service: &Service,
    printer: &Printer,
    force: bool,
) -> Result<()> {
    let Some(report) = inspect(settings, clients, service).await? else {
        return Ok(());
    };
    for finding in &report.findings {
        let lines = finding_lines(finding);
        printer.warn(format!("load balancer: {}", lines.join("\n  ")));
    }
    let errors = report.errors();
    if errors == 0 {
        return Ok(());
    }
    if force {
        printer.warn(format!(
            "going ahead despite {errors} load balancer finding{} that break{} MCP clients (--force)",
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "s" } else { "" }
        ));
        return Ok(());
    }
    let first = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error);
    Err(McpError::usage(format!(
        "the load balancer in front of `{}` breaks MCP clients ({errors} finding{}, listed above): {}",
        report.service,
        if errors == 1 { "" } else { "s" },
        first.map(|f| f.value.as_str()).unwrap_or_default()
    ))
    .hint(format!(
        "change it ({}), then deploy again; or deploy anyway with --force. `mcp doctor` lists every finding",
        first.map(|f| f.fix.terraform.as_str()).unwrap_or_default()
    ))
    .into())
}

/// One target of the service's target groups and its health (`mcp status`).
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    pub target_group: String,
    /// The task the target is (its id), when it is one of the service's.
    pub task: Option<String>,
    pub target: String,
    #[serde(flatten)]
    pub health: elbv2::TargetHealth,
}

/// The health of every target of the service's target groups, and the count of findings.
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    pub targets: Vec<TargetRow>,
    /// Findings of the set-up (`mcp doctor` lists them), by severity.
    pub errors: usize,
    pub warnings: usize,
}

impl fmt::Display for Targets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "targets:")?;
        if self.targets.is_empty() {
            writeln!(f, "  none registered")?;
        }
        for t in &self.targets {
            let why = match (&t.health.reason, &t.health.description) {
                (Some(r), Some(d)) => format!(" ({r}: {d})"),
                (Some(r), None) => format!(" ({r})"),
                _ => String::new(),
            };
            writeln!(
                f,
                "  {:<10} {:<21} {:<34} {}{why}",
                t.health.state,
                t.target,
                t.task.as_deref().unwrap_or("-"),
                t.target_group
            )?;
        }
        if self.errors + self.warnings > 0 {
            writeln!(
                f,
                "load balancer: {} error{}, {} warning{} (`mcp doctor` lists them)",
                self.errors,
                if self.errors == 1 { "" } else { "s" },
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// The task id of each private IP among the service's running tasks.
async fn task_ips(clients: &Clients, cluster: &str, service: &str) -> Vec<(String, String)> {
    let filter = aws::ecs::TaskFilter {
        service: Some(service),
        ..Default::default()
    };
    let Ok(arns) = aws::ecs::list_task_arns(&clients.ecs, cluster, filter).await else {
        return Vec::new();
    };
    let Ok(tasks) = aws::ecs::describe_tasks(&clients.ecs, cluster, &arns).await else {
        return Vec::new();
    };
    let mut ips = Vec::new();
    for task in tasks {
        let id = task
            .task_arn()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let addresses = task
            .attachments()
            .iter()
            .flat_map(|a| a.details())
            .filter(|d| d.name() == Some("privateIPv4Address"))
            .filter_map(|d| d.value());
        for ip in addresses {
            ips.push((ip.to_string(), id.clone()));
        }
    }
    ips
}

/// `mcp status`: the health of each target, per task, and the findings count
/// (none when the service has no load balancer).
pub async fn targets(
    settings: &Settings,
    clients: &Clients,
    service: &Service,
) -> Result<Option<Targets>> {
    let Some(report) = inspect(settings, clients, service).await? else {
        return Ok(None);
    };
    let cluster = settings.cluster()?;
    let ips = task_ips(clients, cluster, service.service_name().unwrap_or_default()).await;
    let mut rows = Vec::new();
    for tg in &report.target_groups {
        for health in elbv2::target_health(clients, &tg.arn).await? {
            rows.push(TargetRow {
                target_group: tg.name.clone(),
                task: ips
                    .iter()
                    .find(|(ip, _)| *ip == health.id)
                    .map(|(_, id)| id.clone()),
                target: match health.port {
                    Some(port) => format!("{}:{port}", health.id),
                    None => health.id.clone(),
                },
                health,
            });
        }
    }
    let errors = report.errors();
    Ok(Some(Targets {
        targets: rows,
        errors,
        warnings: report.findings.len() - errors,
    }))
}
