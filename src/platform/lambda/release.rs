//! A published version on its way to `live`: the `candidate` alias and its
//! URL, the MCP gate there, then `live` moved at once or by canary weights
//! while the new version's `Errors` and `Throttles` (and the stage's
//! CloudWatch alarms) are watched, and the check of the live URL after it.
//!
//! What went live is kept in the function's `mcp:live` tag (versions,
//! oldest first): a version that failed its gate was published but never
//! served, and `mcp rollback` must not go back to it.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;

use super::{CANDIDATE, LIVE, endpoint, revision};
use crate::aws::Clients;
use crate::aws::lambda;
use crate::config::{Settings, Strategy, UrlAuth};
use crate::release::{DeployStatus, Report};
use crate::ui::Printer;

/// The tag that lists the versions that went live.
pub const LIVE_TAG: &str = "mcp:live";
/// How many of them the tag keeps (a tag value holds 256 characters).
const LIVE_KEPT: usize = 30;
/// How often the canary's metrics are read.
const CANARY_POLL: Duration = Duration::from_secs(5);

/// Why a session across requests cannot work on Lambda, and the fix.
pub const LAMBDA_SESSION_FIX: &str = "Lambda sends each request to whichever instance is free, so a session kept in one instance's memory is lost on the next request: make the server stateless (Python SDK and FastMCP: `stateless_http=True`; TypeScript SDK: `sessionIdGenerator: undefined`; rmcp: `StreamableHttpServerConfig { stateful_mode: false, .. }`) or serve the 2026-07-28 revision, which has no sessions";

/// The version a deploy publishes and where `live` was.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub version: String,
    pub previous: Option<String>,
    /// Run the gate and the check after (not with `--no-check`).
    pub check: bool,
}

/// Point `alias` at `version` (no weights), creating it (and saying so) when missing.
pub async fn point(
    clients: &Clients,
    printer: &Printer,
    name: &str,
    alias: &str,
    version: &str,
) -> Result<()> {
    let existing = lambda::get_alias(&clients.lambda, name, alias).await?;
    lambda::set_alias(
        &clients.lambda,
        name,
        alias,
        version,
        None,
        existing.is_none(),
    )
    .await?;
    if existing.is_none() {
        printer.status(
            "Created",
            format!("alias `{alias}` of {name} (version {version})"),
        );
    }
    Ok(())
}

/// The alias's function URL, created (and opened to anyone for `NONE`) when
/// missing or brought to mcp.toml's auth and invoke mode: the MCP endpoint on it.
pub async fn url(
    clients: &Clients,
    settings: &Settings,
    printer: &Printer,
    alias: &str,
) -> Result<String> {
    let name = &settings.lambda.function;
    let lambda_settings = &settings.lambda;
    let existing = lambda::get_url(&clients.lambda, name, alias).await?;
    let wanted_mode = lambda_settings.invoke_mode.name();
    let url = match &existing {
        Some(u)
            if u.auth == lambda_settings.url_auth.name()
                && u.invoke_mode.as_deref().unwrap_or("BUFFERED") == wanted_mode =>
        {
            u.clone()
        }
        _ => {
            let url = lambda::put_url(
                &clients.lambda,
                name,
                alias,
                lambda_settings.url_auth,
                lambda_settings.invoke_mode,
                existing.as_ref(),
            )
            .await?;
            printer.status(
                if existing.is_none() {
                    "Created"
                } else {
                    "Updated"
                },
                format!(
                    "function URL of `{alias}`: {} ({}, {wanted_mode})",
                    url.url,
                    lambda_settings.url_auth.name()
                ),
            );
            url
        }
    };
    if lambda_settings.url_auth == UrlAuth::None
        && lambda::allow_public(&clients.lambda, name, alias).await?
    {
        printer.status(
            "Allowed",
            format!(
                "anyone to call the `{alias}` URL (auth NONE: the server's own auth guards it)"
            ),
        );
    }
    if lambda_settings.url_auth == UrlAuth::AwsIam
        && lambda::revoke_public(&clients.lambda, name, alias).await?
    {
        printer.status(
            "Revoked",
            format!("the public statements of the `{alias}` URL (auth AWS_IAM now)"),
        );
    }
    Ok(endpoint(settings, &url.url))
}

/// The versions that went live, oldest first (the `mcp:live` tag).
pub async fn went_live(clients: &Clients, arn: &str) -> Result<Vec<String>> {
    let tags = lambda::tags(&clients.lambda, arn).await?;
    Ok(tags
        .get(LIVE_TAG)
        .map(|v| {
            v.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

/// Record that `version` went live.
pub async fn record_live(clients: &Clients, settings: &Settings, version: &str) -> Result<()> {
    let name = &settings.lambda.function;
    let Some(function) = lambda::get_function(&clients.lambda, name, None).await? else {
        return Ok(());
    };
    let mut live = went_live(clients, &function.arn).await?;
    live.retain(|v| v != version);
    live.push(version.to_string());
    let skip = live.len().saturating_sub(LIVE_KEPT);
    // Space-separated: commas are not among the characters AWS's tag values allow.
    let value = live[skip..].join(" ");
    clients
        .lambda
        .tag_resource()
        .resource(&function.arn)
        .tags(LIVE_TAG, value)
        .send()
        .await
        .map_err(|e| {
            crate::aws::denied::sdk_error(
                e,
                "lambda:TagResource",
                &function.arn,
                format!("recording version {version} as live on `{name}`"),
            )
        })?;
    Ok(())
}

/// Gate the candidate, then move `live`; fills `report`.
pub async fn release(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    candidate: &Candidate,
    report: &mut Report,
) -> Result<()> {
    let name = &settings.lambda.function;
    let version = &candidate.version;
    let previous = candidate.previous.as_deref();
    let restored = |report: &mut Report| {
        report.status = if previous.is_some() {
            DeployStatus::RolledBack
        } else {
            DeployStatus::Failed
        };
        report.live_revision = previous.map(|v| revision(settings, v));
    };

    point(clients, printer, name, CANDIDATE, version).await?;
    let candidate_url = url(clients, settings, printer, CANDIDATE).await?;
    if candidate.check {
        printer.status(
            "Gate",
            format!("checking version {version} at {candidate_url}"),
        );
        // `deploy.*`, `[check]`, the live contract, and SigV4 for `AWS_IAM` URLs.
        let options = crate::platform::check::options(settings).await?;
        let mut gate = crate::platform::gate::run(
            &candidate_url,
            &options,
            &settings.deploy.progressive.expect_tools,
        )
        .await?;
        if gate.failed_step.as_deref() == Some("session") {
            gate.reason = Some(format!(
                "{}; {LAMBDA_SESSION_FIX}",
                gate.reason
                    .as_deref()
                    .unwrap_or("the session was lost between requests")
            ));
        }
        gate.action = Some(if gate.passed { "continue" } else { "rollback" });
        if !gate.passed {
            printer.warn(format!("MCP gate {}", gate.summary()));
            for step in gate.check.steps.iter().filter(|s| !s.ok) {
                printer.detail(1, format!("{}: {}", step.step, step.detail));
            }
            report.reason = Some(format!("the MCP gate {}", gate.summary()));
            report.next = Some(match previous {
                Some(v) => format!(
                    "`live` was not moved: version {v} still serves clients; fix the server and deploy again"
                ),
                None => "no `live` alias was made; fix the server and deploy again".into(),
            });
            report.gate = Some(gate);
            restored(report);
            return Ok(());
        }
        printer.status("Gate", gate.summary());
        report.gate = Some(gate);
    }

    // Reserved concurrency applies to the whole function: before `live` moves.
    reserved(settings, printer, clients).await?;
    let canary = settings.deploy.progressive.strategy == Some(Strategy::Canary);
    match previous {
        Some(old) if canary => {
            let baked = bake(settings, printer, clients, old, version).await;
            if baked.as_ref().map_or(true, Option::is_some) {
                // Failed, or could not be watched (a denied read, Ctrl-C): all traffic back.
                lambda::set_alias(&clients.lambda, name, LIVE, old, None, false).await?;
            }
            if let Some(reason) = baked? {
                printer.warn(format!("canary of version {version} failed: {reason}"));
                printer.status(
                    "Rolled back",
                    format!("`live` to version {old}: all traffic"),
                );
                report.reason = Some(format!("the canary failed: {reason}"));
                report.next = Some(format!(
                    "version {old} serves all traffic again; `mcp logs` shows the failing requests"
                ));
                restored(report);
                return Ok(());
            }
            lambda::set_alias(&clients.lambda, name, LIVE, version, None, false).await?;
        }
        _ => point(clients, printer, name, LIVE, version).await?,
    }
    printer.status("Live", format!("version {version} of {name}"));
    let live_url = url(clients, settings, printer, LIVE).await?;
    let client_url = settings.deploy.url.clone().unwrap_or(live_url);
    report.live_revision = Some(revision(settings, version));
    report.client_url = Some(client_url.clone());
    provisioned(settings, printer, clients).await?;

    if candidate.check {
        let check = crate::platform::check::until_healthy(
            settings,
            printer,
            &client_url,
            Duration::from_secs(30),
        )
        .await?;
        let healthy = check.healthy;
        report.check = Some(check);
        if !healthy {
            let why = report
                .check
                .as_ref()
                .map(|c| {
                    format!(
                        "{}: {}",
                        c.failed_step.map(|s| s.to_string()).unwrap_or_default(),
                        c.error.as_deref().unwrap_or("?")
                    )
                })
                .unwrap_or_default();
            report.reason = Some(format!("the MCP check of {client_url} failed at {why}"));
            match previous {
                Some(old) if settings.deploy.rollback == crate::config::RollbackPolicy::Auto => {
                    lambda::set_alias(&clients.lambda, name, LIVE, old, None, false).await?;
                    printer.status("Rolled back", format!("`live` to version {old}"));
                    restored(report);
                    return Ok(());
                }
                _ => report.status = DeployStatus::Failed,
            }
        }
    }
    // Only a version that served clients (and passed the check after) counts
    // as live for `mcp rollback`.
    if report.status != DeployStatus::Failed {
        record_live(clients, settings, version).await?;
    }
    Ok(())
}

/// How late CloudWatch may report a minute of Lambda metrics.
const METRICS_LAG: Duration = Duration::from_secs(180);

/// The canary: `canary_percent` of `live` to `new` for `canary_bake`, watching
/// its errors, throttles and the stage's alarms. `Some(reason)` when it failed.
/// Lambda's metrics arrive a minute or more late: after the bake the weight
/// stays until CloudWatch has reported the bake's last minutes (at most
/// [`METRICS_LAG`] more), so errors at its end are seen too.
async fn bake(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    old: &str,
    new: &str,
) -> Result<Option<String>> {
    let name = &settings.lambda.function;
    let progressive = &settings.deploy.progressive;
    let percent = progressive.canary_percent.unwrap_or(10.0).clamp(0.0, 100.0);
    let bake = progressive.canary_bake.unwrap_or(Duration::from_secs(300));
    let since = SystemTime::now();
    let read = |metric: &'static str| {
        lambda::version_datapoints(&clients.cloudwatch, name, LIVE, new, metric, since)
    };
    // A denied read fails here, before any traffic moves.
    read("Errors").await?;
    alarm_firing(clients, &progressive.alarms).await?;
    lambda::set_alias(
        &clients.lambda,
        name,
        LIVE,
        old,
        Some((new, percent / 100.0)),
        false,
    )
    .await?;
    printer.status(
        "Canary",
        format!(
            "{percent}% of `live` to version {new} for {}s, watching its Errors and Throttles{}",
            bake.as_secs(),
            if progressive.alarms.is_empty() {
                String::new()
            } else {
                format!(" and alarms {}", progressive.alarms.join(", "))
            }
        ),
    );
    let deadline = Instant::now() + bake;
    let bake_end = SystemTime::now() + bake;
    let mut settling = false;
    loop {
        for metric in ["Errors", "Throttles"] {
            let sum: f64 = read(metric).await?.iter().map(|(_, v)| v).sum();
            if sum > 0.0 {
                return Ok(Some(format!(
                    "version {new} reported {sum} {metric} behind `live`"
                )));
            }
        }
        if let Some(alarm) = alarm_firing(clients, &progressive.alarms).await? {
            return Ok(Some(format!("CloudWatch alarm `{alarm}` is in ALARM")));
        }
        if Instant::now() >= deadline {
            let calls = read("Invocations").await?;
            let Some((latest, _)) = calls.last() else {
                printer.warn(format!(
                    "the canary got no requests in {}s: version {new} is live unproven by traffic (the gate passed it)",
                    bake.as_secs()
                ));
                return Ok(None);
            };
            // Reported up to a minute before the bake's end, or waited long enough.
            let reported = *latest + Duration::from_secs(120) >= bake_end;
            if reported || Instant::now() >= deadline + METRICS_LAG {
                return Ok(None);
            }
            if !settling {
                settling = true;
                printer.detail(
                    1,
                    "waiting for CloudWatch to report the bake's last minute before all traffic moves",
                );
            }
        }
        crate::cancel::check("during the canary")?;
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(if left.is_zero() {
            CANARY_POLL
        } else {
            CANARY_POLL.min(left)
        })
        .await;
    }
}

/// The first of `alarms` in ALARM, if any.
async fn alarm_firing(clients: &Clients, alarms: &[String]) -> Result<Option<String>> {
    if alarms.is_empty() {
        return Ok(None);
    }
    let out = clients
        .cloudwatch
        .describe_alarms()
        .set_alarm_names(Some(alarms.to_vec()))
        .send()
        .await
        .map_err(|e| {
            crate::aws::denied::sdk_error(
                e,
                "cloudwatch:DescribeAlarms",
                "*",
                "reading the alarms of `deploy.alarms`",
            )
        })?;
    Ok(out
        .metric_alarms()
        .iter()
        .find(|a| a.state_value() == Some(&aws_sdk_cloudwatch::types::StateValue::Alarm))
        .and_then(|a| a.alarm_name().map(str::to_string)))
}

/// `reserved_concurrency` as mcp.toml says: set, or (unset) none.
async fn reserved(settings: &Settings, printer: &Printer, clients: &Clients) -> Result<()> {
    let name = &settings.lambda.function;
    match settings.lambda.reserved_concurrency {
        Some(count) => {
            lambda::reserve_concurrency(&clients.lambda, name, count).await?;
            printer.detail(1, format!("reserved concurrency: {count}"));
        }
        None => {
            let current = clients
                .lambda
                .get_function_concurrency()
                .function_name(name)
                .send()
                .await
                .ok()
                .and_then(|c| c.reserved_concurrent_executions());
            if let Some(count) = current {
                clients
                    .lambda
                    .delete_function_concurrency()
                    .function_name(name)
                    .send()
                    .await
                    .map_err(|e| {
                        crate::aws::denied::sdk_error(
                            e,
                            "lambda:DeleteFunctionConcurrency",
                            name,
                            format!("removing the reserved concurrency ({count}) mcp.toml no longer sets"),
                        )
                    })?;
                printer.status(
                    "Removed",
                    format!("the reserved concurrency ({count}) of {name}: `lambda.reserved_concurrency` is unset"),
                );
            }
        }
    }
    Ok(())
}

/// `provisioned_concurrency` on `live`, as mcp.toml says: set, or (unset) none.
async fn provisioned(settings: &Settings, printer: &Printer, clients: &Clients) -> Result<()> {
    let name = &settings.lambda.function;
    let Some(count) = settings.lambda.provisioned_concurrency else {
        let current = clients
            .lambda
            .get_provisioned_concurrency_config()
            .function_name(name)
            .qualifier(LIVE)
            .send()
            .await;
        if let Ok(config) = current {
            clients
                .lambda
                .delete_provisioned_concurrency_config()
                .function_name(name)
                .qualifier(LIVE)
                .send()
                .await
                .map_err(|e| {
                    crate::aws::denied::sdk_error(
                        e,
                        "lambda:DeleteProvisionedConcurrencyConfig",
                        name,
                        "removing the provisioned concurrency mcp.toml no longer sets",
                    )
                })?;
            printer.status(
                "Removed",
                format!(
                    "the provisioned concurrency ({}) of `{name}:live`: `lambda.provisioned_concurrency` is unset",
                    config.requested_provisioned_concurrent_executions().unwrap_or(0)
                ),
            );
        }
        return Ok(());
    };
    clients
        .lambda
        .put_provisioned_concurrency_config()
        .function_name(name)
        .qualifier(LIVE)
        .provisioned_concurrent_executions(i32::try_from(count).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| {
            crate::aws::denied::sdk_error(
                e,
                "lambda:PutProvisionedConcurrencyConfig",
                name,
                format!("keeping {count} instances of `{name}:live` warm"),
            )
        })?;
    printer.detail(1, format!("provisioned concurrency on `live`: {count}"));
    Ok(())
}
