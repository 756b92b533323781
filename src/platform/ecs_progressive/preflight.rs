//! Before anything is built: can this service be deployed with the strategy
//! mcp.toml asks for, and what exactly does `UpdateService` send?
//!
//! ECS refuses a blue/green, canary or linear deployment of a service whose
//! load balancer lacks `advancedConfiguration` (alternate target group,
//! production listener rule, role), but only when `UpdateService` is called:
//! after a build and push of minutes. [`plan`] reads the service `mcp` already
//! described and tells what it lacks, with the Terraform and CloudFormation
//! fields to add ([`RESOURCES_HINT`]), as a configuration error (exit 2).
//! `mcp doctor` shows the same findings ([`findings`]).
//!
//! The deployment configuration sent is the service's own, changed only where
//! mcp.toml says so: the circuit breaker, percentages, alarms and other
//! lifecycle hooks stay as Terraform (or the console) left them. Durations are
//! whole minutes in ECS; `mcp` rounds up (`90s` bakes for 2 minutes).

use std::time::Duration;

use anyhow::Result;
use aws_sdk_ecs::types::{
    CanaryConfiguration, DeploymentAlarms, DeploymentConfiguration, DeploymentLifecycleHook,
    DeploymentLifecycleHookAction, DeploymentLifecycleHookStage, DeploymentLifecycleHookTargetType,
    DeploymentLifecycleHookTimeoutConfiguration, DeploymentStrategy, LinearConfiguration, Service,
};

use crate::config::{FILE_NAME, ProgressiveSettings, Settings, Strategy};
use crate::error::McpError;

/// How long ECS waits at the gate's pause for `mcp` before it rolls back by
/// itself, unless `deploy.gate_timeout` says otherwise.
pub const DEFAULT_GATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// What a service needs for blue/green, canary and linear deployments, as
/// Terraform and CloudFormation write it.
pub const RESOURCES_HINT: &str = "give the service's load balancer an advanced configuration: \
a second (alternate) target group, the production listener rule, a test listener rule \
(for `deploy.test_url`) and a role ECS uses to rewrite the rules. \
Terraform (aws_ecs_service): load_balancer { target_group_arn = <blue>, container_name, container_port, \
advanced_configuration { alternate_target_group_arn = <green>, production_listener_rule = <rule ARN>, \
test_listener_rule = <rule ARN>, role_arn = <role with AmazonECSInfrastructureRolePolicyForLoadBalancers> } }. \
CloudFormation (AWS::ECS::Service): LoadBalancers: - TargetGroupArn, ContainerName, ContainerPort, \
AdvancedConfiguration: { AlternateTargetGroupArn, ProductionListenerRule, TestListenerRule, RoleArn }. \
Both listener rules must forward to the two target groups (weights 1 and 0)";

/// What `UpdateService` sends and how the deployment is followed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The strategy this deployment runs with (mcp.toml's, else the service's).
    pub strategy: Strategy,
    /// The deployment configuration to send; `None` leaves the service's as is.
    pub configuration: Option<DeploymentConfiguration>,
    /// The MCP gate at the test listener, when `deploy.test_url` is set and
    /// the check is not skipped.
    pub gate: Option<GateSpec>,
    /// The bake time in force, if known (for "bake, N left" lines).
    pub bake: Option<Duration>,
}

/// The gate: where and what it checks, and how long ECS waits for it.
#[derive(Debug, Clone)]
pub struct GateSpec {
    pub test_url: String,
    pub expect_tools: Vec<String>,
    pub timeout: Duration,
}

/// The strategy the service is configured with (rolling when it says none).
pub fn service_strategy(service: &Service) -> Strategy {
    match service
        .deployment_configuration()
        .and_then(|c| c.strategy())
    {
        Some(DeploymentStrategy::BlueGreen) => Strategy::BlueGreen,
        Some(DeploymentStrategy::Canary) => Strategy::Canary,
        Some(DeploymentStrategy::Linear) => Strategy::Linear,
        _ => Strategy::Rolling,
    }
}

/// Check mcp.toml's progressive keys against each other and the service, and
/// build the deployment configuration. `gate` is false with `--no-check`.
///
/// Errors are configuration errors (exit 2) with a hint.
pub fn plan(settings: &Settings, service: &Service, gate: bool) -> Result<Plan> {
    let p = &settings.deploy.progressive;
    let strategy = p.strategy.unwrap_or_else(|| service_strategy(service));
    check_keys(p, strategy)?;
    let gate = match (&p.test_url, gate) {
        (Some(url), true) => Some(GateSpec {
            test_url: url.clone(),
            expect_tools: p.expect_tools.clone(),
            timeout: p.gate_timeout.unwrap_or(DEFAULT_GATE_TIMEOUT),
        }),
        _ => None,
    };
    if strategy.is_progressive() {
        let lacking = findings(service, strategy, p.test_url.is_some());
        if !lacking.is_empty() {
            let name = service.service_name().unwrap_or("?");
            return Err(McpError::usage(format!(
                "service `{name}` cannot run `deploy.strategy = \"{strategy}\"`: {}",
                lacking.join("; ")
            ))
            .hint(RESOURCES_HINT)
            .into());
        }
    }
    let configuration = match (p.strategy, strategy.is_progressive()) {
        // Nothing asked of the service's strategy: leave it (today's behaviour).
        (None, false) => None,
        _ => Some(configuration(service, p, strategy, gate.as_ref())),
    };
    let bake = p.bake.or_else(|| {
        service
            .deployment_configuration()
            .and_then(|c| c.bake_time_in_minutes())
            .map(|m| Duration::from_secs(u64::try_from(m).unwrap_or(0) * 60))
    });
    Ok(Plan {
        strategy,
        configuration,
        gate,
        bake,
    })
}

/// What the service lacks for `strategy` (empty when nothing): the
/// deployment controller, the load balancer's advanced configuration, the
/// test listener rule the gate needs, lifecycle hooks `mcp` cannot answer.
pub fn findings(service: &Service, strategy: Strategy, gate: bool) -> Vec<String> {
    let mut lacking = Vec::new();
    if !strategy.is_progressive() {
        return lacking;
    }
    if let Some(controller) = service.deployment_controller().map(|c| c.r#type())
        && controller.as_str() != "ECS"
    {
        lacking.push(format!(
            "its deployment controller is {} (blue/green, canary and linear need the ECS controller; it is set when the service is created)",
            controller.as_str()
        ));
    }
    let balancers = service.load_balancers();
    if balancers.is_empty() {
        if strategy != Strategy::BlueGreen || gate {
            lacking.push("it has no load balancer".into());
        }
        return lacking;
    }
    for (i, lb) in balancers.iter().enumerate() {
        let at = format!("loadBalancers[{i}]");
        let Some(adv) = lb.advanced_configuration() else {
            lacking.push(format!(
                "{at} (target group {}) has no advancedConfiguration",
                lb.target_group_arn().unwrap_or("?")
            ));
            continue;
        };
        let missing: Vec<&str> = [
            ("alternateTargetGroupArn", adv.alternate_target_group_arn()),
            ("productionListenerRule", adv.production_listener_rule()),
            ("roleArn", adv.role_arn()),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none_or(str::is_empty))
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            lacking.push(format!(
                "{at}.advancedConfiguration has no {}",
                missing.join(", ")
            ));
        }
    }
    if gate
        && !balancers.iter().any(|lb| {
            lb.advanced_configuration()
                .and_then(|a| a.test_listener_rule())
                .is_some_and(|r| !r.is_empty())
        })
    {
        lacking.push(
            "no testListenerRule in its advancedConfiguration, so `deploy.test_url` would not reach the new release"
                .into(),
        );
    }
    let foreign: Vec<String> = service
        .deployment_configuration()
        .map(|c| c.lifecycle_hooks())
        .unwrap_or_default()
        .iter()
        .filter(|h| {
            h.target_type() == Some(&DeploymentLifecycleHookTargetType::Pause) && !is_gate_hook(h)
        })
        .map(|h| {
            h.lifecycle_stages()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    if !foreign.is_empty() {
        lacking.push(format!(
            "it has a PAUSE lifecycle hook at {} that mcp does not answer (the deployment would wait there until the hook times out)",
            foreign.join(", ")
        ));
    }
    lacking
}

/// The hook `mcp` adds for its gate: PAUSE at POST_TEST_TRAFFIC_SHIFT only.
fn is_gate_hook(hook: &DeploymentLifecycleHook) -> bool {
    hook.target_type() == Some(&DeploymentLifecycleHookTargetType::Pause)
        && hook.lifecycle_stages() == [DeploymentLifecycleHookStage::PostTestTrafficShift]
}

/// mcp.toml's keys against each other: every error names the key.
fn check_keys(p: &ProgressiveSettings, strategy: Strategy) -> Result<()> {
    let wrong = |key: &str, needs: &str| -> anyhow::Error {
        McpError::usage(format!(
            "`deploy.{key}` applies to {needs}, but the deployment strategy is {strategy}"
        ))
        .hint(format!(
            "set `deploy.strategy` in {FILE_NAME} (\"blue_green\", \"canary\" or \"linear\"), or remove `deploy.{key}`"
        ))
        .into()
    };
    let progressive = "blue/green, canary and linear deployments";
    if !strategy.is_progressive() {
        for (key, given) in [
            ("test_url", p.test_url.is_some()),
            ("bake", p.bake.is_some()),
            ("alarms", !p.alarms.is_empty()),
            ("gate_timeout", p.gate_timeout.is_some()),
        ] {
            if given {
                return Err(wrong(key, progressive));
            }
        }
    }
    if strategy != Strategy::Canary {
        for (key, given) in [
            ("canary_percent", p.canary_percent.is_some()),
            ("canary_bake", p.canary_bake.is_some()),
        ] {
            if given {
                return Err(wrong(key, "canary deployments"));
            }
        }
    }
    if strategy != Strategy::Linear {
        for (key, given) in [
            ("linear_step_percent", p.linear_step_percent.is_some()),
            ("linear_step_bake", p.linear_step_bake.is_some()),
        ] {
            if given {
                return Err(wrong(key, "linear deployments"));
            }
        }
    }
    if !p.expect_tools.is_empty() && p.test_url.is_none() {
        return Err(McpError::usage(
            "`deploy.expect_tools` is checked by the MCP gate, which needs `deploy.test_url`",
        )
        .hint(format!(
            "set `deploy.test_url` in {FILE_NAME} to the test listener's URL of the MCP endpoint"
        ))
        .into());
    }
    if let Some(url) = &p.test_url {
        let parsed = reqwest::Url::parse(url).ok();
        if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
            return Err(McpError::usage(format!(
                "`deploy.test_url` `{url}` is not an http:// or https:// URL"
            ))
            .hint("write the test listener's URL of the MCP endpoint in full, e.g. `http://my-alb-123.us-east-1.elb.amazonaws.com:8080/mcp`")
            .into());
        }
    }
    let percent = |key: &str, value: Option<f64>, min: f64| -> Result<()> {
        match value {
            Some(v) if !(min..=100.0).contains(&v) => Err(McpError::usage(format!(
                "`deploy.{key}` is {v}; ECS takes {min} to 100"
            ))
            .into()),
            _ => Ok(()),
        }
    };
    percent("canary_percent", p.canary_percent, 0.1)?;
    percent("linear_step_percent", p.linear_step_percent, 3.0)?;
    for (key, value, max) in [
        ("bake", p.bake, 1440),
        ("canary_bake", p.canary_bake, 1440),
        ("linear_step_bake", p.linear_step_bake, 1440),
        ("gate_timeout", p.gate_timeout, 20160),
    ] {
        if let Some(d) = value
            && minutes(d) > max
        {
            return Err(McpError::usage(format!(
                "`deploy.{key}` is {} minutes; ECS takes at most {max}",
                minutes(d)
            ))
            .into());
        }
    }
    if p.gate_timeout.is_some_and(|d| d.is_zero()) {
        return Err(McpError::usage("`deploy.gate_timeout` must be at least 1m")
            .hint("ECS waits at the gate's pause at least a minute before rolling back")
            .into());
    }
    Ok(())
}

/// Whole minutes, rounded up: what ECS takes.
pub fn minutes(d: Duration) -> i32 {
    i32::try_from(d.as_secs().div_ceil(60)).unwrap_or(i32::MAX)
}

/// The service's deployment configuration with mcp.toml's keys applied.
fn configuration(
    service: &Service,
    p: &ProgressiveSettings,
    strategy: Strategy,
    gate: Option<&GateSpec>,
) -> DeploymentConfiguration {
    let mut c = service
        .deployment_configuration()
        .cloned()
        .unwrap_or_else(|| DeploymentConfiguration::builder().build());
    c.strategy = Some(match strategy {
        Strategy::Rolling => DeploymentStrategy::Rolling,
        Strategy::BlueGreen => DeploymentStrategy::BlueGreen,
        Strategy::Canary => DeploymentStrategy::Canary,
        Strategy::Linear => DeploymentStrategy::Linear,
    });
    // Hooks: the gate's is ours to add or remove; the rest stay. ECS takes no
    // hooks with a rolling deployment.
    let mut hooks: Vec<DeploymentLifecycleHook> = if strategy.is_progressive() {
        c.lifecycle_hooks()
            .iter()
            .filter(|h| !is_gate_hook(h))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    if let Some(gate) = gate {
        hooks.push(
            DeploymentLifecycleHook::builder()
                .target_type(DeploymentLifecycleHookTargetType::Pause)
                .lifecycle_stages(DeploymentLifecycleHookStage::PostTestTrafficShift)
                .timeout_configuration(
                    DeploymentLifecycleHookTimeoutConfiguration::builder()
                        .timeout_in_minutes(minutes(gate.timeout).max(1))
                        .action(DeploymentLifecycleHookAction::Rollback)
                        .build(),
                )
                .build(),
        );
    }
    c.lifecycle_hooks = Some(hooks);
    if !strategy.is_progressive() {
        return c;
    }
    if let Some(bake) = p.bake {
        c.bake_time_in_minutes = Some(minutes(bake));
    }
    if strategy == Strategy::Canary && (p.canary_percent.is_some() || p.canary_bake.is_some()) {
        let current = c.canary_configuration();
        c.canary_configuration = Some(
            CanaryConfiguration::builder()
                .set_canary_percent(
                    p.canary_percent
                        .or(current.and_then(|x| x.canary_percent())),
                )
                .set_canary_bake_time_in_minutes(
                    p.canary_bake
                        .map(minutes)
                        .or(current.and_then(|x| x.canary_bake_time_in_minutes())),
                )
                .build(),
        );
    }
    if strategy == Strategy::Linear
        && (p.linear_step_percent.is_some() || p.linear_step_bake.is_some())
    {
        let current = c.linear_configuration();
        c.linear_configuration = Some(
            LinearConfiguration::builder()
                .set_step_percent(
                    p.linear_step_percent
                        .or(current.and_then(|x| x.step_percent())),
                )
                .set_step_bake_time_in_minutes(
                    p.linear_step_bake
                        .map(minutes)
                        .or(current.and_then(|x| x.step_bake_time_in_minutes())),
                )
                .build(),
        );
    }
    if !p.alarms.is_empty() {
        c.alarms = DeploymentAlarms::builder()
            .set_alarm_names(Some(p.alarms.clone()))
            .enable(true)
            .rollback(true)
            .build()
            .ok();
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{AdvancedConfiguration, LoadBalancer};

    fn advanced(test_rule: bool) -> AdvancedConfiguration {
        let mut b = AdvancedConfiguration::builder()
            .alternate_target_group_arn("arn:tg/green")
            .production_listener_rule("arn:listener-rule/prod")
            .role_arn("arn:aws:iam::1:role/ecs-lb");
        if test_rule {
            b = b.test_listener_rule("arn:listener-rule/test");
        }
        b.build()
    }

    fn service(
        lb: Option<AdvancedConfiguration>,
        config: Option<DeploymentConfiguration>,
    ) -> Service {
        let mut b = Service::builder().service_name("weather");
        if let Some(adv) = lb {
            b = b.load_balancers(
                LoadBalancer::builder()
                    .target_group_arn("arn:tg/blue")
                    .container_name("mcp")
                    .container_port(8000)
                    .advanced_configuration(adv)
                    .build(),
            );
        }
        b.set_deployment_configuration(config).build()
    }

    fn settings(toml: &str) -> Settings {
        let file = crate::config::file::parse(
            std::path::Path::new("/p/mcp.toml"),
            &format!("[ecs]\ncluster = \"c\"\n[deploy]\n{toml}"),
        )
        .unwrap();
        crate::config::resolve(
            Some(&file),
            &crate::config::Inputs {
                cwd: "/p".into(),
                ..Default::default()
            },
        )
        .unwrap()
    }

    fn usage_error(err: anyhow::Error) -> McpError {
        let mcp = err.downcast::<McpError>().expect("an McpError");
        assert_eq!(
            mcp.status,
            crate::error::ExitStatus::Usage,
            "{}",
            mcp.message
        );
        mcp
    }

    #[test]
    fn blue_green_with_the_gate_adds_a_pause_hook_that_rolls_back_on_timeout() {
        let s = settings(
            "strategy = \"blue_green\"\nbake = \"90s\"\ntest_url = \"http://lb:8080/mcp\"\nexpect_tools = [\"echo\"]",
        );
        let breaker = aws_sdk_ecs::types::DeploymentCircuitBreaker::builder()
            .enable(true)
            .rollback(true)
            .build();
        let current = DeploymentConfiguration::builder()
            .deployment_circuit_breaker(breaker.clone())
            .maximum_percent(200)
            .build();
        let plan = plan(&s, &service(Some(advanced(true)), Some(current)), true).unwrap();
        assert_eq!(plan.strategy, Strategy::BlueGreen);
        let c = plan.configuration.unwrap();
        assert_eq!(c.strategy(), Some(&DeploymentStrategy::BlueGreen));
        assert_eq!(
            c.bake_time_in_minutes(),
            Some(2),
            "rounded up to whole minutes"
        );
        assert_eq!(
            c.deployment_circuit_breaker(),
            Some(&breaker),
            "the rest is kept"
        );
        assert_eq!(c.maximum_percent(), Some(200));
        let [hook] = c.lifecycle_hooks() else {
            panic!("one hook: {:?}", c.lifecycle_hooks())
        };
        assert_eq!(
            hook.target_type(),
            Some(&DeploymentLifecycleHookTargetType::Pause)
        );
        assert_eq!(
            hook.lifecycle_stages(),
            [DeploymentLifecycleHookStage::PostTestTrafficShift]
        );
        let timeout = hook.timeout_configuration().unwrap();
        assert_eq!(timeout.timeout_in_minutes(), Some(10));
        assert_eq!(
            timeout.action(),
            Some(&DeploymentLifecycleHookAction::Rollback)
        );
        let gate = plan.gate.unwrap();
        assert_eq!(gate.expect_tools, ["echo"]);
        assert_eq!(plan.bake, Some(Duration::from_secs(90)));
    }

    // Guards against a leftover gate hook pausing a deploy that has no gate
    // (`--no-check`, or test_url removed): nobody would answer it.
    #[test]
    fn without_the_gate_an_earlier_gate_hook_is_removed() {
        let s = settings(
            "strategy = \"canary\"\ncanary_percent = 10.0\ntest_url = \"http://lb:8080/mcp\"",
        );
        let old_gate = DeploymentLifecycleHook::builder()
            .target_type(DeploymentLifecycleHookTargetType::Pause)
            .lifecycle_stages(DeploymentLifecycleHookStage::PostTestTrafficShift)
            .build();
        let current = DeploymentConfiguration::builder()
            .strategy(DeploymentStrategy::Canary)
            .lifecycle_hooks(old_gate)
            .canary_configuration(
                CanaryConfiguration::builder()
                    .canary_bake_time_in_minutes(3)
                    .build(),
            )
            .build();
        let plan = plan(&s, &service(Some(advanced(true)), Some(current)), false).unwrap();
        assert!(plan.gate.is_none());
        let c = plan.configuration.unwrap();
        assert!(c.lifecycle_hooks().is_empty());
        let canary = c.canary_configuration().unwrap();
        assert_eq!(canary.canary_percent(), Some(10.0));
        assert_eq!(canary.canary_bake_time_in_minutes(), Some(3), "kept");
    }

    #[test]
    fn a_service_without_advanced_configuration_is_refused_with_the_terraform_fields() {
        let s = settings("strategy = \"blue_green\"\ntest_url = \"http://lb:8080/mcp\"");
        let plain = Service::builder()
            .service_name("weather")
            .load_balancers(
                LoadBalancer::builder()
                    .target_group_arn("arn:tg/blue")
                    .build(),
            )
            .build();
        let err = usage_error(plan(&s, &plain, true).unwrap_err());
        assert!(
            err.message.contains(
                "loadBalancers[0] (target group arn:tg/blue) has no advancedConfiguration"
            ),
            "{}",
            err.message
        );
        let hint = err.hint.unwrap();
        assert!(hint.contains("advanced_configuration {"), "{hint}");
        assert!(hint.contains("AlternateTargetGroupArn"), "{hint}");

        let no_test_rule = service(Some(advanced(false)), None);
        let err = usage_error(plan(&s, &no_test_rule, true).unwrap_err());
        assert!(
            err.message.contains("no testListenerRule"),
            "{}",
            err.message
        );
        // Without a gate the test rule is optional.
        let s = settings("strategy = \"blue_green\"");
        assert!(plan(&s, &no_test_rule, true).is_ok());
        let no_lb = service(None, None);
        let s = settings("strategy = \"linear\"");
        let err = usage_error(plan(&s, &no_lb, true).unwrap_err());
        assert!(
            err.message.contains("has no load balancer"),
            "{}",
            err.message
        );
    }

    #[test]
    fn keys_of_another_strategy_are_named() {
        let svc = service(Some(advanced(true)), None);
        let err =
            usage_error(plan(&settings("test_url = \"http://x/mcp\""), &svc, true).unwrap_err());
        assert!(
            err.message.starts_with("`deploy.test_url` applies to"),
            "{}",
            err.message
        );
        let err = usage_error(
            plan(
                &settings("strategy = \"blue_green\"\ncanary_percent = 5.0"),
                &svc,
                true,
            )
            .unwrap_err(),
        );
        assert!(
            err.message.starts_with("`deploy.canary_percent`"),
            "{}",
            err.message
        );
        let err = usage_error(
            plan(
                &settings("strategy = \"linear\"\nlinear_step_percent = 1.0"),
                &svc,
                true,
            )
            .unwrap_err(),
        );
        assert!(
            err.message.contains("ECS takes 3 to 100"),
            "{}",
            err.message
        );
        let err = usage_error(
            plan(
                &settings("strategy = \"blue_green\"\nexpect_tools = [\"a\"]"),
                &svc,
                true,
            )
            .unwrap_err(),
        );
        assert!(
            err.message.contains("needs `deploy.test_url`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unset_strategy_on_a_rolling_service_changes_nothing() {
        let plan = plan(&settings(""), &service(None, None), true).unwrap();
        assert_eq!(plan.strategy, Strategy::Rolling);
        assert!(plan.configuration.is_none());
    }

    #[test]
    fn an_explicit_rolling_strategy_clears_hooks() {
        let current = DeploymentConfiguration::builder()
            .strategy(DeploymentStrategy::BlueGreen)
            .lifecycle_hooks(
                DeploymentLifecycleHook::builder()
                    .target_type(DeploymentLifecycleHookTargetType::Pause)
                    .lifecycle_stages(DeploymentLifecycleHookStage::PostTestTrafficShift)
                    .build(),
            )
            .build();
        let plan = plan(
            &settings("strategy = \"rolling\""),
            &service(Some(advanced(true)), Some(current)),
            true,
        )
        .unwrap();
        let c = plan.configuration.unwrap();
        assert_eq!(c.strategy(), Some(&DeploymentStrategy::Rolling));
        assert!(c.lifecycle_hooks().is_empty());
    }

    #[test]
    fn a_pause_hook_mcp_does_not_answer_is_a_finding() {
        let current = DeploymentConfiguration::builder()
            .lifecycle_hooks(
                DeploymentLifecycleHook::builder()
                    .target_type(DeploymentLifecycleHookTargetType::Pause)
                    .lifecycle_stages(DeploymentLifecycleHookStage::PostScaleUp)
                    .build(),
            )
            .build();
        let found = findings(
            &service(Some(advanced(true)), Some(current)),
            Strategy::BlueGreen,
            true,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("PAUSE lifecycle hook at POST_SCALE_UP"),
            "{found:?}"
        );
    }
}
