//! Thin wrappers over the Elastic Load Balancing v2 reads `mcp` makes: the
//! target groups of a service with their health checks and attributes, the
//! load balancer with its attributes, its listeners and their rules, and the
//! health of each target.
//!
//! Only `Describe*` calls: `mcp` never changes a load balancer, it says what
//! to change (see `platform::ecs::alb`). The answers are copied into plain
//! types here, so the judgement above them is testable without the SDK. A
//! refused call is told as the permission to grant
//! (`elasticloadbalancing:Describe*`, see [`super::denied`]).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Clients;

/// A condition of a listener rule, as far as a request to `deploy.url` can be matched against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "values", rename_all = "kebab-case")]
pub enum Condition {
    HostHeader(Vec<String>),
    PathPattern(Vec<String>),
    /// `path-pattern` with `RegexValues`.
    PathRegex(Vec<String>),
    HttpRequestMethod(Vec<String>),
    /// `http-header`, `query-string`, `source-ip`: what an MCP client sends
    /// there is not known, so the rule is taken not to match it.
    Other(String),
}

/// A listener rule (or the listener's default action, `priority` none).
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub arn: String,
    /// `None` for the default action.
    pub priority: Option<u32>,
    pub conditions: Vec<Condition>,
    /// The target groups a `forward` action sends to, with their weights.
    pub forward: Vec<(String, i32)>,
    /// The first action's type: `forward`, `fixed-response`, `redirect`, …
    pub action: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listener {
    pub arn: String,
    pub port: Option<i32>,
    pub protocol: String,
    /// The rules by priority, the default action last.
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    /// `application`, `network`, `gateway`.
    pub kind: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthCheck {
    pub enabled: bool,
    pub protocol: String,
    /// `traffic-port` or a port number.
    pub port: String,
    pub path: Option<String>,
    pub interval_s: i32,
    pub timeout_s: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
    pub matcher: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub port: Option<i32>,
    pub protocol: String,
    pub health_check: HealthCheck,
    pub load_balancer_arns: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

/// One target of a target group and its health, as DescribeTargetHealth says.
#[derive(Debug, Clone, Serialize)]
pub struct TargetHealth {
    pub id: String,
    pub port: Option<i32>,
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a refused or failed call is turned into.
fn failed<E>(
    err: aws_sdk_elasticloadbalancingv2::error::SdkError<E>,
    action: &str,
    resource: &str,
) -> anyhow::Error
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let doing = format!("reading the load balancer (elasticloadbalancing:{action} on {resource})");
    match super::denied::denied(&err, &format!("elasticloadbalancing:{action}"), resource) {
        Some(denied) => anyhow::anyhow!(super::describe(&err)).context(denied.error(&doing)),
        None => super::error(err).context(doing),
    }
}

fn conditions(rule: &aws_sdk_elasticloadbalancingv2::types::Rule) -> Vec<Condition> {
    rule.conditions()
        .iter()
        .map(|c| {
            let legacy = c.values().to_vec();
            match c.field().unwrap_or_default() {
                "host-header" => Condition::HostHeader(
                    c.host_header_config()
                        .map(|h| h.values().to_vec())
                        .filter(|v| !v.is_empty())
                        .unwrap_or(legacy),
                ),
                "path-pattern" => {
                    let config = c.path_pattern_config();
                    let regex = config
                        .map(|p| p.regex_values().to_vec())
                        .unwrap_or_default();
                    if !regex.is_empty() {
                        Condition::PathRegex(regex)
                    } else {
                        Condition::PathPattern(
                            config
                                .map(|p| p.values().to_vec())
                                .filter(|v| !v.is_empty())
                                .unwrap_or(legacy),
                        )
                    }
                }
                "http-request-method" => Condition::HttpRequestMethod(
                    c.http_request_method_config()
                        .map(|m| m.values().to_vec())
                        .unwrap_or(legacy),
                ),
                other => Condition::Other(other.to_string()),
            }
        })
        .collect()
}

fn forward(
    actions: &[aws_sdk_elasticloadbalancingv2::types::Action],
) -> (Vec<(String, i32)>, String) {
    let mut sorted: Vec<_> = actions.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    // Authentication actions come first; the one that answers is the last.
    let last = sorted.last();
    let kind = last
        .and_then(|a| a.r#type())
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let Some(action) = last.filter(|_| kind == "forward") else {
        return (Vec::new(), kind);
    };
    let groups: Vec<(String, i32)> = action
        .forward_config()
        .map(|f| {
            f.target_groups()
                .iter()
                .filter_map(|t| Some((t.target_group_arn()?.to_string(), t.weight().unwrap_or(1))))
                .collect()
        })
        .unwrap_or_default();
    if groups.is_empty()
        && let Some(arn) = action.target_group_arn()
    {
        return (vec![(arn.to_string(), 1)], kind);
    }
    (groups, kind)
}

/// The target groups with these ARNs, their health checks and attributes.
pub async fn target_groups(clients: &Clients, arns: &[String]) -> Result<Vec<TargetGroup>> {
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let out = clients
        .elbv2
        .describe_target_groups()
        .set_target_group_arns(Some(arns.to_vec()))
        .send()
        .await
        .map_err(|e| failed(e, "DescribeTargetGroups", &arns.join(", ")))?;
    let mut groups = Vec::new();
    for tg in out.target_groups() {
        let arn = tg.target_group_arn().unwrap_or_default().to_string();
        let attributes = clients
            .elbv2
            .describe_target_group_attributes()
            .target_group_arn(&arn)
            .send()
            .await
            .map_err(|e| failed(e, "DescribeTargetGroupAttributes", &arn))?
            .attributes()
            .iter()
            .filter_map(|a| {
                Some((
                    a.key()?.to_string(),
                    a.value().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        groups.push(TargetGroup {
            name: tg.target_group_name().unwrap_or_default().to_string(),
            port: tg.port(),
            protocol: tg
                .protocol()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            health_check: HealthCheck {
                enabled: tg.health_check_enabled().unwrap_or(true),
                protocol: tg
                    .health_check_protocol()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                port: tg.health_check_port().unwrap_or("traffic-port").to_string(),
                path: tg.health_check_path().map(str::to_string),
                interval_s: tg.health_check_interval_seconds().unwrap_or(30),
                timeout_s: tg.health_check_timeout_seconds().unwrap_or(5),
                healthy_threshold: tg.healthy_threshold_count().unwrap_or(5),
                unhealthy_threshold: tg.unhealthy_threshold_count().unwrap_or(2),
                matcher: tg.matcher().and_then(|m| m.http_code()).map(str::to_string),
            },
            load_balancer_arns: tg.load_balancer_arns().to_vec(),
            attributes,
            arn,
        });
    }
    Ok(groups)
}

/// The load balancer and its attributes (idle timeout among them).
pub async fn load_balancer(clients: &Clients, arn: &str) -> Result<LoadBalancer> {
    let out = clients
        .elbv2
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
        .map_err(|e| failed(e, "DescribeLoadBalancers", arn))?;
    let lb = out
        .load_balancers()
        .first()
        .with_context(|| format!("load balancer {arn} was not returned"))?;
    let attributes = clients
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| failed(e, "DescribeLoadBalancerAttributes", arn))?
        .attributes()
        .iter()
        .filter_map(|a| {
            Some((
                a.key()?.to_string(),
                a.value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    Ok(LoadBalancer {
        arn: arn.to_string(),
        name: lb.load_balancer_name().unwrap_or_default().to_string(),
        kind: lb
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        scheme: lb
            .scheme()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        attributes,
    })
}

/// Every listener of the load balancer with its rules (by priority, the default last).
pub async fn listeners(clients: &Clients, load_balancer_arn: &str) -> Result<Vec<Listener>> {
    let mut found = Vec::new();
    let mut marker = None;
    loop {
        let out = clients
            .elbv2
            .describe_listeners()
            .load_balancer_arn(load_balancer_arn)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| failed(e, "DescribeListeners", load_balancer_arn))?;
        found.extend(out.listeners().to_vec());
        marker = out.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    let mut listeners = Vec::new();
    for ln in found {
        let arn = ln.listener_arn().unwrap_or_default().to_string();
        let mut rules = Vec::new();
        let mut marker = None;
        loop {
            let out = clients
                .elbv2
                .describe_rules()
                .listener_arn(&arn)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| failed(e, "DescribeRules", &arn))?;
            for rule in out.rules() {
                let (forward, action) = forward(rule.actions());
                rules.push(Rule {
                    arn: rule.rule_arn().unwrap_or_default().to_string(),
                    priority: if rule.is_default().unwrap_or(false) {
                        None
                    } else {
                        rule.priority().and_then(|p| p.parse().ok())
                    },
                    conditions: conditions(rule),
                    forward,
                    action,
                });
            }
            marker = out.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        if !rules.iter().any(|r| r.priority.is_none()) {
            let (forward, action) = forward(ln.default_actions());
            rules.push(Rule {
                arn: arn.clone(),
                priority: None,
                conditions: Vec::new(),
                forward,
                action,
            });
        }
        rules.sort_by_key(|r| r.priority.unwrap_or(u32::MAX));
        listeners.push(Listener {
            port: ln.port(),
            protocol: ln
                .protocol()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            rules,
            arn,
        });
    }
    Ok(listeners)
}

/// The targets registered in a target group and their health.
pub async fn target_health(clients: &Clients, target_group_arn: &str) -> Result<Vec<TargetHealth>> {
    let out = clients
        .elbv2
        .describe_target_health()
        .target_group_arn(target_group_arn)
        .send()
        .await
        .map_err(|e| failed(e, "DescribeTargetHealth", target_group_arn))?;
    Ok(out
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let health = d.target_health();
            TargetHealth {
                id: d
                    .target()
                    .and_then(|t| t.id())
                    .unwrap_or_default()
                    .to_string(),
                port: d.target().and_then(|t| t.port()),
                state: health
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: health
                    .and_then(|h| h.reason())
                    .map(|r| r.as_str().to_string()),
                description: health.and_then(|h| h.description()).map(str::to_string),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, ForwardActionConfig, HostHeaderConditionConfig,
        PathPatternConditionConfig, RuleCondition, TargetGroupTuple,
    };

    use super::*;

    /// The action that answers is the last by `Order` (authentication comes
    /// first), and a weighted forward lists every target group.
    #[test]
    fn forward_reads_the_last_action_and_its_weights() {
        let auth = Action::builder()
            .r#type(ActionTypeEnum::AuthenticateOidc)
            .order(1)
            .build();
        let weighted = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(2)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(
                        TargetGroupTuple::builder()
                            .target_group_arn("blue")
                            .weight(1)
                            .build(),
                    )
                    .target_groups(
                        TargetGroupTuple::builder()
                            .target_group_arn("green")
                            .weight(0)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let (groups, kind) = forward(&[weighted, auth]);
        assert_eq!(kind, "forward");
        assert_eq!(groups, [("blue".to_string(), 1), ("green".to_string(), 0)]);
        let fixed = Action::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .build();
        assert_eq!(
            forward(&[fixed]),
            (Vec::new(), "fixed-response".to_string())
        );
    }

    #[test]
    fn conditions_read_the_config_or_the_legacy_values() {
        let rule = aws_sdk_elasticloadbalancingv2::types::Rule::builder()
            .conditions(
                RuleCondition::builder()
                    .field("host-header")
                    .host_header_config(
                        HostHeaderConditionConfig::builder()
                            .values("a.example.com")
                            .build(),
                    )
                    .build(),
            )
            .conditions(
                RuleCondition::builder()
                    .field("path-pattern")
                    .values("/mcp/*")
                    .build(),
            )
            .conditions(
                RuleCondition::builder()
                    .field("path-pattern")
                    .path_pattern_config(
                        PathPatternConditionConfig::builder()
                            .regex_values("^/mcp$")
                            .build(),
                    )
                    .build(),
            )
            .conditions(RuleCondition::builder().field("source-ip").build())
            .build();
        assert_eq!(
            conditions(&rule),
            [
                Condition::HostHeader(vec!["a.example.com".into()]),
                Condition::PathPattern(vec!["/mcp/*".into()]),
                Condition::PathRegex(vec!["^/mcp$".into()]),
                Condition::Other("source-ip".into()),
            ]
        );
    }
}
