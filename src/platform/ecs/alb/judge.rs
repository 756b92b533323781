//! The judgement: a service's load balancer set-up ([`Setup`], as read from
//! ECS and ELBv2) against what mcp.toml says ([`Expect`]), as [`Finding`]s.
//!
//! Pure: no AWS call here, so every rule is tested on plain values. Each
//! finding names the resource, the value it has, what MCP clients see, and
//! the change, as the Terraform argument and the CloudFormation property.
//!
//! The rules, and why:
//! - **route** (error): the first rule by priority that matches `deploy.url`'s
//!   host and path, as the ALB picks it, must forward to the service's target
//!   group. ALB patterns match the whole path (`*` any characters, `?` one,
//!   case-sensitive), so `/mcp/*` does not match `/mcp`: the URL clients are
//!   given then gets the default action's answer while every task is healthy.
//! - **health check path / port** (error): the target group must check
//!   `deploy.health_path` on `deploy.port`, else tasks flap and deployments fail.
//! - **session affinity** (warning): more than one task of a server the MCP
//!   check finds stateful, and an ALB can only pin clients by cookie, which
//!   MCP clients do not keep: a share of requests reach a task that does not
//!   know their session.
//! - **idle timeout** (warning): below [`IDLE_NEEDED_S`] (or the longest
//!   `[[check.calls]]` timeout), a quiet tool call or SSE stream is cut.
//! - **deregistration delay** (warning): ECS stops a task only once its target
//!   has drained, and the ALB cuts the requests still in flight when the delay
//!   ends. So the delay bounds how long a call may run across a deploy: below
//!   the time the load balancer otherwise lets a call run (its idle timeout),
//!   calls in flight at a deploy are cut. (A delay longer than the container's
//!   `stopTimeout` is harmless on ECS: the stop signal comes after the drain.)
//! - **grace period** (warning): without a health check grace period covering
//!   the container's start period (or with none and a check that gives up in
//!   under [`START_ALLOWANCE_S`]), new tasks are replaced before they are up.

use serde::Serialize;

use crate::aws::elbv2::{Condition, Listener, LoadBalancer, Rule, TargetGroup};

/// The idle timeout (s) below which quiet calls and streams are taken to be cut.
pub const IDLE_NEEDED_S: i64 = 300;
/// ALB's idle timeout when the attribute is not set.
pub const IDLE_DEFAULT_S: i64 = 60;
/// A target group's deregistration delay when the attribute is not set.
pub const DEREGISTRATION_DEFAULT_S: i64 = 300;
/// How long a server is taken to need to start when nothing says otherwise.
pub const START_ALLOWANCE_S: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks clients for certain: `doctor` exits 1, `deploy` stops (exit 2) without `--force`.
    Error,
    Warning,
}

/// The change that removes a finding, in both infrastructure languages.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    pub terraform: String,
    pub cloudformation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `route`, `health-check-path`, `health-check-port`, `traffic-port`,
    /// `session-affinity`, `idle-timeout`, `deregistration-delay`, `grace-period`.
    pub check: &'static str,
    pub severity: Severity,
    /// The resource's ARN (or name).
    pub resource: String,
    /// What it is set to now.
    pub value: String,
    /// What MCP clients see.
    pub clients_see: String,
    pub fix: Fix,
}

/// One `loadBalancers` entry of the service, with what it points at.
#[derive(Debug, Clone)]
pub struct Entry {
    pub container_name: Option<String>,
    pub container_port: Option<i32>,
    /// The production target group first; for blue/green also the alternate one.
    pub target_groups: Vec<TargetGroup>,
    /// Blue/green: `advancedConfiguration.productionListenerRule` / `testListenerRule`.
    pub production_rule: Option<String>,
    pub test_rule: Option<String>,
    /// The load balancers of those target groups, each with its listeners.
    pub load_balancers: Vec<(LoadBalancer, Vec<Listener>)>,
}

/// The service's side of the set-up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub service_arn: String,
    pub desired: i32,
    /// `healthCheckGracePeriodSeconds` (none: 0).
    pub grace_period_s: Option<i32>,
    pub task_definition: String,
    pub container: String,
    /// The container's `healthCheck.startPeriod`.
    pub start_period_s: Option<i32>,
    pub entries: Vec<Entry>,
}

/// What mcp.toml (and the MCP check) say.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub url: Option<String>,
    /// `deploy.test_url` (blue/green's test listener).
    pub test_url: Option<String>,
    /// `deploy.health_path` (empty: not checked).
    pub health_path: String,
    pub port: u16,
    /// `ecs.max_tasks`, when set.
    pub max_tasks: Option<u32>,
    /// The MCP check's session verdict: `stateful`, `stateless`, or unknown.
    pub session: Option<String>,
    /// The longest `[[check.calls]]` timeout (s).
    pub longest_call_s: Option<i64>,
}

/// Everything wrong with the set-up, errors first.
pub fn judge(setup: &Setup, expect: &Expect) -> Vec<Finding> {
    let mut found = Vec::new();
    for entry in &setup.entries {
        if let Some(url) = &expect.url {
            route(entry, url, entry.production_rule.as_deref(), &mut found);
        }
        if let (Some(url), Some(rule)) = (&expect.test_url, &entry.test_rule) {
            route(entry, url, Some(rule), &mut found);
        }
        for tg in &entry.target_groups {
            health_check(tg, entry.container_port, expect, &mut found);
        }
        affinity(setup, entry, expect, &mut found);
        for (lb, _) in &entry.load_balancers {
            idle_timeout(lb, expect, &mut found);
        }
        for tg in &entry.target_groups {
            deregistration(tg, entry, expect, &mut found);
        }
    }
    grace_period(setup, &mut found);
    found.dedup_by(|a, b| a.check == b.check && a.resource == b.resource);
    found.sort_by_key(|f| f.severity != Severity::Error);
    found
}

/// An ALB wildcard pattern: `*` any run of characters, `?` exactly one.
pub fn wildcard(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let fold = |s: &str| {
        if case_sensitive {
            s.chars().collect::<Vec<_>>()
        } else {
            s.to_lowercase().chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a request to `host` + `path` (an MCP POST) meets every condition of the rule.
pub fn matches(rule: &Rule, host: &str, path: &str) -> bool {
    rule.conditions.iter().all(|c| match c {
        Condition::HostHeader(values) => values.iter().any(|v| wildcard(v, host, false)),
        Condition::PathPattern(values) => values.iter().any(|v| wildcard(v, path, true)),
        Condition::PathRegex(values) => values
            .iter()
            .any(|v| regex_lite::Regex::new(v).is_ok_and(|r| r.is_match(path))),
        Condition::HttpRequestMethod(values) => {
            values.iter().any(|v| v.eq_ignore_ascii_case("POST"))
        }
        Condition::Other(_) => false,
    })
}

fn describe_rule(rule: &Rule) -> String {
    let Some(priority) = rule.priority else {
        return "the listener's default action".to_string();
    };
    let conditions: Vec<String> = rule
        .conditions
        .iter()
        .map(|c| match c {
            Condition::HostHeader(v) => format!("host-header {}", v.join(" | ")),
            Condition::PathPattern(v) => format!("path-pattern {}", v.join(" | ")),
            Condition::PathRegex(v) => format!("path-pattern regex {}", v.join(" | ")),
            Condition::HttpRequestMethod(v) => format!("http-request-method {}", v.join(" | ")),
            Condition::Other(field) => field.clone(),
        })
        .collect();
    format!("rule priority {priority} ({})", conditions.join(", "))
}

fn short(arn: &str) -> &str {
    arn.split('/').nth(1).unwrap_or(arn)
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The URL's host and path must reach one of the entry's target groups.
fn route(entry: &Entry, url: &str, rule_hint: Option<&str>, found: &mut Vec<Finding>) {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return; // the probe's own checks say what is wrong with the URL
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let path = parsed.path().to_string();
    let ours: Vec<&str> = entry.target_groups.iter().map(|t| t.arn.as_str()).collect();
    let forwards_to_us = |r: &Rule| {
        r.forward
            .iter()
            .any(|(arn, _)| ours.contains(&arn.as_str()))
    };
    let protocol = if parsed.scheme() == "https" {
        "HTTPS"
    } else {
        "HTTP"
    };
    let port = parsed.port_or_known_default().map(i32::from);
    // The listener the URL reaches: the one of the production (test) rule, else
    // the one on the URL's protocol and port, else those on its protocol that
    // forward to the service.
    let all: Vec<&Listener> = entry.load_balancers.iter().flat_map(|(_, l)| l).collect();
    let by_rule: Vec<&Listener> = rule_hint
        .map(|arn| {
            all.iter()
                .copied()
                .filter(|l| l.arn == arn || l.rules.iter().any(|r| r.arn == arn))
                .collect()
        })
        .unwrap_or_default();
    let serving: Vec<&Listener> = all
        .iter()
        .copied()
        .filter(|l| l.rules.iter().any(&forwards_to_us))
        .collect();
    let candidates = if !by_rule.is_empty() {
        by_rule
    } else if let exact @ [_, ..] = all
        .iter()
        .copied()
        .filter(|l| l.protocol == protocol && l.port == port)
        .collect::<Vec<_>>()
        .as_slice()
    {
        exact.to_vec()
    } else if let same @ [_, ..] = serving
        .iter()
        .copied()
        .filter(|l| l.protocol == protocol)
        .collect::<Vec<_>>()
        .as_slice()
    {
        same.to_vec()
    } else {
        serving
    };
    for listener in candidates {
        let Some(hit) = listener.rules.iter().find(|r| matches(r, &host, &path)) else {
            continue;
        };
        if forwards_to_us(hit) && hit.forward.iter().any(|(_, w)| *w > 0) {
            continue;
        }
        let answer = match hit.action.as_str() {
            "forward" if hit.forward.is_empty() => {
                "nothing (a forward to no target group)".to_string()
            }
            "forward" => format!(
                "the answers of another target group ({})",
                hit.forward
                    .iter()
                    .map(|(a, _)| short(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "fixed-response" => "the fixed response of that action (usually 404)".to_string(),
            "redirect" => "a redirect".to_string(),
            other => format!("the `{other}` action's answer"),
        };
        // The rule meant for the service, and what would make it match.
        let meant = listener
            .rules
            .iter()
            .find(|r| r.priority.is_some() && forwards_to_us(r));
        let (value, fix) = match meant {
            Some(rule) => {
                let host_ok = rule.conditions.iter().all(|c| match c {
                    Condition::HostHeader(v) => v.iter().any(|v| wildcard(v, &host, false)),
                    _ => true,
                });
                let path_ok = rule.conditions.iter().all(|c| match c {
                    Condition::PathPattern(v) => v.iter().any(|v| wildcard(v, &path, true)),
                    Condition::PathRegex(_) => matches(rule, &host, &path) || !host_ok,
                    _ => true,
                });
                let value = format!(
                    "`{path}` on {} is caught by {}, not by {} ({}) that forwards to {}",
                    host,
                    describe_rule(hit),
                    describe_rule(rule),
                    rule.arn,
                    short(ours.first().copied().unwrap_or_default())
                );
                let fix = if !path_ok {
                    let mut values: Vec<String> = rule
                        .conditions
                        .iter()
                        .filter_map(|c| match c {
                            Condition::PathPattern(v) => Some(v.clone()),
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    values.insert(0, path.clone());
                    Fix {
                        terraform: format!(
                            "aws_lb_listener_rule: condition {{ path_pattern {{ values = [{}] }} }} (a pattern matches the whole path: `/mcp/*` does not match `/mcp`)",
                            quoted(&values)
                        ),
                        cloudformation: format!(
                            "AWS::ElasticLoadBalancingV2::ListenerRule Conditions: - Field: path-pattern, PathPatternConfig: {{ Values: [{}] }}",
                            quoted(&values)
                        ),
                    }
                } else if !host_ok {
                    Fix {
                        terraform: format!(
                            "aws_lb_listener_rule: condition {{ host_header {{ values = [\"{host}\"] }} }}, or give clients a URL on a host the rule has"
                        ),
                        cloudformation: format!(
                            "AWS::ElasticLoadBalancingV2::ListenerRule Conditions: - Field: host-header, HostHeaderConfig: {{ Values: [\"{host}\"] }}"
                        ),
                    }
                } else {
                    Fix {
                        terraform: format!(
                            "aws_lb_listener_rule: priority below {} (lower numbers are evaluated first), or narrow the conditions of the rule that catches it",
                            hit.priority.unwrap_or(50_000)
                        ),
                        cloudformation: format!(
                            "AWS::ElasticLoadBalancingV2::ListenerRule Priority: below {}",
                            hit.priority.unwrap_or(50_000)
                        ),
                    }
                };
                (value, fix)
            }
            None => (
                format!(
                    "`{path}` on {host} is caught by {}; no rule of listener {} forwards to {}",
                    describe_rule(hit),
                    listener.arn,
                    short(ours.first().copied().unwrap_or_default())
                ),
                Fix {
                    terraform: format!(
                        "aws_lb_listener_rule: a rule on this listener with condition {{ path_pattern {{ values = [\"{path}\", \"{path}/*\"] }} }} and action {{ type = \"forward\", target_group_arn = <the service's target group> }}"
                    ),
                    cloudformation: format!(
                        "AWS::ElasticLoadBalancingV2::ListenerRule: Conditions: - Field: path-pattern, PathPatternConfig: {{ Values: [\"{path}\", \"{path}/*\"] }}; Actions: - Type: forward, TargetGroupArn: <the service's target group>"
                    ),
                },
            ),
        };
        found.push(Finding {
            check: "route",
            severity: Severity::Error,
            resource: if hit.priority.is_some() {
                hit.arn.clone()
            } else {
                listener.arn.clone()
            },
            value,
            clients_see: format!(
                "{url} answers with {answer} instead of the MCP server, while every task is healthy"
            ),
            fix,
        });
    }
}

fn health_check(
    tg: &TargetGroup,
    container_port: Option<i32>,
    expect: &Expect,
    found: &mut Vec<Finding>,
) {
    let hc = &tg.health_check;
    if !hc.enabled {
        return;
    }
    let flapping = "tasks fail the load balancer's health check and are replaced over and over: deployments fail or never finish, and the URL answers 502/503 while no target is healthy";
    let http = matches!(hc.protocol.as_str(), "HTTP" | "HTTPS");
    if http
        && !expect.health_path.is_empty()
        && hc.path.as_deref() != Some(expect.health_path.as_str())
    {
        found.push(Finding {
            check: "health-check-path",
            severity: Severity::Error,
            resource: tg.arn.clone(),
            value: format!(
                "health check path {}, the server's is {} (`deploy.health_path`)",
                hc.path.as_deref().unwrap_or("/ (unset)"),
                expect.health_path
            ),
            clients_see: flapping.to_string(),
            fix: Fix {
                terraform: format!(
                    "aws_lb_target_group: health_check {{ path = \"{}\" }} (or set `deploy.health_path` to the path the server answers)",
                    expect.health_path
                ),
                cloudformation: format!(
                    "AWS::ElasticLoadBalancingV2::TargetGroup HealthCheckPath: {}",
                    expect.health_path
                ),
            },
        });
    }
    if expect.port == 0 {
        return;
    }
    let traffic = container_port.or(tg.port);
    if traffic.is_some_and(|p| p != i32::from(expect.port)) {
        found.push(Finding {
            check: "traffic-port",
            severity: Severity::Error,
            resource: tg.arn.clone(),
            value: format!(
                "traffic goes to container port {}, the server listens on {} (`deploy.port`)",
                traffic.unwrap_or_default(),
                expect.port
            ),
            clients_see: "502 Bad Gateway: the load balancer reaches a port nothing listens on".to_string(),
            fix: Fix {
                terraform: format!(
                    "aws_ecs_service: load_balancer {{ container_port = {} }}, and the same port in the task definition's portMappings",
                    expect.port
                ),
                cloudformation: format!(
                    "AWS::ECS::Service LoadBalancers: - ContainerPort: {}",
                    expect.port
                ),
            },
        });
    }
    let checked = if hc.port == "traffic-port" {
        traffic
    } else {
        hc.port.parse().ok()
    };
    if checked.is_some_and(|p| p != i32::from(expect.port)) {
        found.push(Finding {
            check: "health-check-port",
            severity: Severity::Error,
            resource: tg.arn.clone(),
            value: format!(
                "health check port {} ({}), the server listens on {} (`deploy.port`)",
                hc.port,
                checked.unwrap_or_default(),
                expect.port
            ),
            clients_see: flapping.to_string(),
            fix: Fix {
                terraform: "aws_lb_target_group: health_check { port = \"traffic-port\" }"
                    .to_string(),
                cloudformation:
                    "AWS::ElasticLoadBalancingV2::TargetGroup HealthCheckPort: traffic-port"
                        .to_string(),
            },
        });
    }
}

fn attribute(attributes: &std::collections::BTreeMap<String, String>, key: &str) -> Option<i64> {
    attributes.get(key).and_then(|v| v.trim().parse().ok())
}

fn affinity(setup: &Setup, entry: &Entry, expect: &Expect, found: &mut Vec<Finding>) {
    let tasks = i64::from(setup.desired).max(expect.max_tasks.map_or(0, i64::from));
    if tasks < 2 || expect.session.as_deref() != Some("stateful") {
        return;
    }
    for tg in entry.target_groups.iter().take(1) {
        let enabled = tg
            .attributes
            .get("stickiness.enabled")
            .is_some_and(|v| v == "true");
        let kind = tg
            .attributes
            .get("stickiness.type")
            .map_or("lb_cookie", String::as_str);
        let value = if enabled {
            format!("{tasks} tasks, stickiness {kind} (cookie only: MCP clients keep no cookies)")
        } else {
            format!("{tasks} tasks, no stickiness")
        };
        found.push(Finding {
            check: "session-affinity",
            severity: Severity::Warning,
            resource: tg.arn.clone(),
            value,
            clients_see: "the server keeps sessions in memory (the MCP check saw `Mcp-Session-Id`): a share of every client's requests reach a task that does not know their session and fail (404 \"session not found\"), and every rolling deploy ends all sessions".to_string(),
            fix: Fix {
                terraform: format!(
                    "make the server stateless: {}; else aws_ecs_service: desired_count = 1 (and no autoscaling above 1). aws_lb_target_group stickiness is no fix",
                    crate::probe::SESSION_FIXES
                ),
                cloudformation: "AWS::ECS::Service DesiredCount: 1 (or make the server stateless, as above)".to_string(),
            },
        });
    }
}

fn idle_needed(expect: &Expect) -> i64 {
    IDLE_NEEDED_S.max(expect.longest_call_s.unwrap_or(0))
}

fn idle_of(lb: &LoadBalancer) -> i64 {
    attribute(&lb.attributes, "idle_timeout.timeout_seconds").unwrap_or(IDLE_DEFAULT_S)
}

fn idle_timeout(lb: &LoadBalancer, expect: &Expect, found: &mut Vec<Finding>) {
    if lb.kind != "application" {
        return;
    }
    let idle = idle_of(lb);
    let needed = idle_needed(expect);
    if idle >= needed {
        return;
    }
    found.push(Finding {
        check: "idle-timeout",
        severity: Severity::Warning,
        resource: lb.arn.clone(),
        value: format!("idle timeout {idle} s (needed: {needed} s)"),
        clients_see: format!(
            "a tool call or SSE stream that stays quiet for more than {idle} s is cut: the client gets 504 or a stream that ends mid-call"
        ),
        fix: Fix {
            terraform: format!("aws_lb: idle_timeout = {needed}"),
            cloudformation: format!(
                "AWS::ElasticLoadBalancingV2::LoadBalancer LoadBalancerAttributes: - Key: idle_timeout.timeout_seconds, Value: \"{needed}\""
            ),
        },
    });
}

fn deregistration(tg: &TargetGroup, entry: &Entry, expect: &Expect, found: &mut Vec<Finding>) {
    let delay = attribute(&tg.attributes, "deregistration_delay.timeout_seconds")
        .unwrap_or(DEREGISTRATION_DEFAULT_S);
    // The longest a call may run through this load balancer: its idle timeout, at least.
    let window = entry
        .load_balancers
        .iter()
        .map(|(lb, _)| idle_of(lb))
        .max()
        .unwrap_or(IDLE_DEFAULT_S)
        .max(expect.longest_call_s.unwrap_or(0));
    if delay >= window {
        return;
    }
    found.push(Finding {
        check: "deregistration-delay",
        severity: Severity::Warning,
        resource: tg.arn.clone(),
        value: format!("deregistration delay {delay} s, below the {window} s a call may run through the load balancer"),
        clients_see: format!(
            "at every deploy, calls and SSE streams still open {delay} s after their task is taken out of the target group are cut (ECS stops the task once the drain ends)"
        ),
        fix: Fix {
            terraform: format!("aws_lb_target_group: deregistration_delay = {window}"),
            cloudformation: format!(
                "AWS::ElasticLoadBalancingV2::TargetGroup TargetGroupAttributes: - Key: deregistration_delay.timeout_seconds, Value: \"{window}\""
            ),
        },
    });
}

fn grace_period(setup: &Setup, found: &mut Vec<Finding>) {
    if setup.entries.is_empty() {
        return;
    }
    let grace = i64::from(setup.grace_period_s.unwrap_or(0));
    // How long the first target group's check lets a new task fail before it is replaced.
    let patience = setup
        .entries
        .iter()
        .flat_map(|e| e.target_groups.first())
        .map(|tg| {
            i64::from(tg.health_check.interval_s) * i64::from(tg.health_check.unhealthy_threshold)
        })
        .min()
        .unwrap_or(0);
    let needed = match setup.start_period_s.filter(|s| *s > 0) {
        Some(start) => i64::from(start),
        None if grace == 0 && patience < START_ALLOWANCE_S => START_ALLOWANCE_S,
        None => return,
    };
    if grace >= needed {
        return;
    }
    let why = match setup.start_period_s.filter(|s| *s > 0) {
        Some(start) => format!(
            "container `{}` has a start period of {start} s",
            setup.container
        ),
        None => format!("the health check gives a new task only {patience} s"),
    };
    found.push(Finding {
        check: "grace-period",
        severity: Severity::Warning,
        resource: setup.service_arn.clone(),
        value: format!("health check grace period {grace} s; {why}"),
        clients_see: "new tasks are marked unhealthy and replaced before the server is up: deployments take several tries, fail, or roll back".to_string(),
        fix: Fix {
            terraform: format!("aws_ecs_service: health_check_grace_period_seconds = {needed}"),
            cloudformation: format!("AWS::ECS::Service HealthCheckGracePeriodSeconds: {needed}"),
        },
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::aws::elbv2::HealthCheck;

    const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/mcp-tg/abc";
    const OTHER: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/def";
    const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/alb/123";

    fn rule(priority: Option<u32>, conditions: Vec<Condition>, forward: &str) -> Rule {
        Rule {
            arn: format!("arn:rule/{}", priority.unwrap_or(0)),
            priority,
            conditions,
            forward: if forward.is_empty() {
                vec![]
            } else {
                vec![(forward.to_string(), 1)]
            },
            action: if forward.is_empty() {
                "fixed-response".into()
            } else {
                "forward".into()
            },
        }
    }

    fn path(values: &[&str]) -> Condition {
        Condition::PathPattern(values.iter().map(|s| s.to_string()).collect())
    }

    fn host(values: &[&str]) -> Condition {
        Condition::HostHeader(values.iter().map(|s| s.to_string()).collect())
    }

    fn tg(attributes: &[(&str, &str)]) -> TargetGroup {
        TargetGroup {
            arn: TG.into(),
            name: "mcp-tg".into(),
            port: Some(8000),
            protocol: "HTTP".into(),
            health_check: HealthCheck {
                enabled: true,
                protocol: "HTTP".into(),
                port: "traffic-port".into(),
                path: Some("/healthz".into()),
                interval_s: 30,
                timeout_s: 6,
                healthy_threshold: 2,
                unhealthy_threshold: 3,
                matcher: Some("200".into()),
            },
            load_balancer_arns: vec![LB.into()],
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn setup(rules: Vec<Rule>, tg: TargetGroup, idle: &str) -> Setup {
        let mut lb_attributes = BTreeMap::new();
        if !idle.is_empty() {
            lb_attributes.insert("idle_timeout.timeout_seconds".to_string(), idle.to_string());
        }
        Setup {
            service_arn: "arn:aws:ecs:us-east-1:1:service/c/s".into(),
            desired: 1,
            grace_period_s: Some(60),
            task_definition: "s:1".into(),
            container: "mcp".into(),
            start_period_s: None,
            entries: vec![Entry {
                container_name: Some("mcp".into()),
                container_port: Some(8000),
                target_groups: vec![tg],
                production_rule: None,
                test_rule: None,
                load_balancers: vec![(
                    LoadBalancer {
                        arn: LB.into(),
                        name: "alb".into(),
                        kind: "application".into(),
                        scheme: "internet-facing".into(),
                        attributes: lb_attributes,
                    },
                    vec![Listener {
                        arn: "arn:listener/443".into(),
                        port: Some(443),
                        protocol: "HTTPS".into(),
                        rules,
                    }],
                )],
            }],
        }
    }

    fn good_tg() -> TargetGroup {
        tg(&[
            ("deregistration_delay.timeout_seconds", "300"),
            ("stickiness.enabled", "false"),
        ])
    }

    fn expect() -> Expect {
        Expect {
            url: Some("https://demo.quiltdata.com/mcp".into()),
            health_path: "/healthz".into(),
            port: 8000,
            ..Expect::default()
        }
    }

    fn seed_001_rules(values: &[&str]) -> Vec<Rule> {
        vec![
            rule(
                Some(100),
                vec![host(&["demo.quiltdata.com"]), path(values)],
                TG,
            ),
            rule(None, vec![], ""),
        ]
    }

    #[test]
    fn wildcards_match_the_whole_path() {
        assert!(!wildcard("/mcp/*", "/mcp", true));
        assert!(wildcard("/mcp/*", "/mcp/", true));
        assert!(wildcard("/mcp*", "/mcp", true));
        assert!(wildcard("/m?p", "/mcp", true));
        assert!(!wildcard("/MCP", "/mcp", true));
        assert!(wildcard("*.Example.com", "a.example.COM", false));
        assert!(wildcard("*", "", true));
    }

    /// Seed 001: `/mcp/*` and a URL ending in `/mcp` is an error naming the
    /// rule, with both fixes.
    #[test]
    fn seed_001_path_pattern_misses_the_url() {
        let found = judge(
            &setup(seed_001_rules(&["/mcp/*"]), good_tg(), "300"),
            &expect(),
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!((f.check, f.severity), ("route", Severity::Error));
        assert_eq!(
            f.resource, "arn:listener/443",
            "the default action catches it"
        );
        assert!(
            f.value.contains("rule priority 100") && f.value.contains("arn:rule/100"),
            "{}",
            f.value
        );
        assert!(
            f.fix.terraform.contains(r#"values = ["/mcp", "/mcp/*"]"#),
            "{}",
            f.fix.terraform
        );
        assert!(
            f.fix.cloudformation.contains("PathPatternConfig"),
            "{}",
            f.fix.cloudformation
        );
        assert!(
            judge(
                &setup(seed_001_rules(&["/mcp", "/mcp/*"]), good_tg(), "300"),
                &expect()
            )
            .is_empty()
        );
    }

    #[test]
    fn a_rule_on_another_host_or_an_earlier_rule_is_named() {
        let mut e = expect();
        e.url = Some("https://other.example.com/mcp".into());
        let found = judge(&setup(seed_001_rules(&["/mcp"]), good_tg(), "300"), &e);
        assert!(
            found[0].fix.terraform.contains("host_header"),
            "{:?}",
            found[0].fix
        );
        let rules = vec![
            rule(Some(10), vec![path(&["/*"])], OTHER),
            rule(Some(100), vec![path(&["/mcp"])], TG),
            rule(None, vec![], ""),
        ];
        let found = judge(&setup(rules, good_tg(), "300"), &expect());
        assert_eq!(found[0].resource, "arn:rule/10");
        assert!(
            found[0].clients_see.contains("another target group"),
            "{}",
            found[0].clients_see
        );
        assert!(
            found[0].fix.terraform.contains("priority below 10"),
            "{}",
            found[0].fix.terraform
        );
    }

    #[test]
    fn health_check_path_and_port() {
        let mut bad = good_tg();
        bad.health_check.path = Some("/".into());
        bad.health_check.port = "9000".into();
        let found = judge(&setup(seed_001_rules(&["/mcp"]), bad, "300"), &expect());
        let checks: Vec<_> = found.iter().map(|f| (f.check, f.severity)).collect();
        assert_eq!(
            checks,
            [
                ("health-check-path", Severity::Error),
                ("health-check-port", Severity::Error)
            ]
        );
        assert!(found[0].fix.terraform.contains(r#"path = "/healthz""#));
        let mut e = expect();
        e.port = 3000;
        let found = judge(&setup(seed_001_rules(&["/mcp"]), good_tg(), "300"), &e);
        assert_eq!(
            found.iter().map(|f| f.check).collect::<Vec<_>>(),
            ["traffic-port", "health-check-port"]
        );
    }

    #[test]
    fn stateful_with_two_tasks_and_cookie_or_no_stickiness_is_flagged() {
        let mut s = setup(seed_001_rules(&["/mcp"]), good_tg(), "300");
        s.desired = 2;
        let mut e = expect();
        e.session = Some("stateless".into());
        assert!(judge(&s, &e).is_empty());
        e.session = Some("stateful".into());
        let found = judge(&s, &e);
        assert_eq!(
            (found[0].check, found[0].severity),
            ("session-affinity", Severity::Warning)
        );
        assert!(found[0].value.contains("no stickiness"));
        s.entries[0].target_groups[0]
            .attributes
            .insert("stickiness.enabled".into(), "true".into());
        assert!(judge(&s, &e)[0].value.contains("cookie only"));
        // One task now, but autoscaling may run more.
        s.desired = 1;
        e.max_tasks = Some(4);
        assert_eq!(judge(&s, &e).len(), 1);
    }

    #[test]
    fn idle_timeout_deregistration_delay_and_grace_period() {
        let mut s = setup(
            seed_001_rules(&["/mcp"]),
            tg(&[("deregistration_delay.timeout_seconds", "30")]),
            "",
        );
        s.grace_period_s = None;
        s.start_period_s = Some(60);
        let found = judge(&s, &expect());
        let checks: Vec<_> = found.iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            ["idle-timeout", "deregistration-delay", "grace-period"]
        );
        assert!(
            found[0].value.contains("idle timeout 60 s"),
            "{}",
            found[0].value
        );
        assert_eq!(found[0].fix.terraform, "aws_lb: idle_timeout = 300");
        assert!(
            found[1].fix.terraform.contains("deregistration_delay = 60"),
            "{}",
            found[1].fix.terraform
        );
        assert!(
            found[2]
                .fix
                .terraform
                .contains("health_check_grace_period_seconds = 60")
        );
        // A check that gives up fast and no grace period, without a start period.
        let mut quick = good_tg();
        quick.health_check.interval_s = 5;
        quick.health_check.unhealthy_threshold = 2;
        let mut s = setup(seed_001_rules(&["/mcp"]), quick, "300");
        s.grace_period_s = Some(0);
        assert_eq!(judge(&s, &expect())[0].check, "grace-period");
    }
}
