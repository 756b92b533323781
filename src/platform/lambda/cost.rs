//! The monthly estimate of a Lambda stage: what the function served in the
//! last [`WINDOW_DAYS`] days, scaled to AWS's month, at the published prices
//! of its memory and architecture (the arithmetic is `release::cost`'s).
//!
//! Lambda charges per request and per GB-second, so the figure needs the
//! traffic, which only the function's CloudWatch metrics know: `AWS/Lambda`
//! `Invocations` and `Duration` (both Sum, one datapoint a day) with the one
//! dimension `{FunctionName}`, which counts every version and alias (what the
//! bill counts). The configuration is the `live` alias's version (memory,
//! architecture; GetFunctionConfiguration), else the function's, else, before
//! the first deploy, `[lambda]`'s. Provisioned concurrency is
//! `lambda.provisioned_concurrency`, what a deploy keeps on `live`.
//!
//! Two figures: [`estimate`], what runs (a function not deployed yet costs
//! nothing), and [`guard`], before a deploy, what runs against what
//! `mcp.toml` would run on the same traffic, with `[cost] monthly_limit`.
//! The duration is CloudWatch's, not the billed one (rounded up to the
//! millisecond per request): the estimate can be short by up to 1 ms a
//! request. The free tier is not subtracted (it is the account's, shared by
//! every function), and the estimate says so.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{Dimension, Statistic};

use crate::aws::{self, Clients, pricing};
use crate::config::{LAMBDA_LIVE_ALIAS, LambdaArchitecture, Settings};
use crate::release::cost::{Arch, Change, Cost, LambdaInputs};
use crate::ui::Printer;

/// The days of metrics an estimate reads, ending now.
pub const WINDOW_DAYS: u32 = 14;

/// The memory and architecture of the function as it runs, `None` when it does not exist.
struct Running {
    memory_mb: u32,
    arch: Arch,
}

fn arch(architecture: LambdaArchitecture) -> Arch {
    match architecture {
        LambdaArchitecture::X86_64 => Arch::X86_64,
        LambdaArchitecture::Arm64 => Arch::Arm64,
    }
}

/// The `live` alias's version's configuration, else the function's; `Ok(None)`
/// when Lambda does not know the function.
async fn running(clients: &Clients, name: &str) -> Result<Option<Running>, String> {
    for qualifier in [Some(LAMBDA_LIVE_ALIAS), None] {
        match clients
            .lambda
            .get_function_configuration()
            .function_name(name)
            .set_qualifier(qualifier.map(str::to_string))
            .send()
            .await
        {
            Ok(config) => {
                let arm = config.architectures().iter().any(|a| a.as_str() == "arm64");
                return Ok(Some(Running {
                    memory_mb: config.memory_size().unwrap_or(128).max(0) as u32,
                    arch: if arm { Arch::Arm64 } else { Arch::X86_64 },
                }));
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                continue;
            }
            Err(err) => {
                return Err(format!(
                    "the configuration of `{name}` cannot be read (lambda:GetFunctionConfiguration): {}",
                    aws::describe(&err)
                ));
            }
        }
    }
    Ok(None)
}

/// `(invocations, duration in ms)` of the function over the last [`WINDOW_DAYS`] days.
async fn usage(clients: &Clients, name: &str) -> Result<(f64, f64), String> {
    let end = SystemTime::now();
    let start = end - Duration::from_secs(u64::from(WINDOW_DAYS) * 86_400);
    let mut sums = [0.0; 2];
    for (sum, metric) in sums.iter_mut().zip(["Invocations", "Duration"]) {
        let out = clients
            .cloudwatch
            .get_metric_statistics()
            .namespace("AWS/Lambda")
            .metric_name(metric)
            .dimensions(
                Dimension::builder()
                    .name("FunctionName")
                    .value(name)
                    .build(),
            )
            .start_time(start.into())
            .end_time(end.into())
            .period(86_400)
            .statistics(Statistic::Sum)
            .send()
            .await
            .map_err(|err| {
                format!(
                    "the {metric} of `{name}` cannot be read (cloudwatch:GetMetricStatistics): {}",
                    aws::describe(&err)
                )
            })?;
        *sum = out.datapoints().iter().filter_map(|d| d.sum()).sum();
    }
    Ok((sums[0], sums[1]))
}

/// The stage's region, as the clients resolved it.
fn region(clients: &Clients) -> Option<String> {
    clients.region().map(str::to_string)
}

/// What the estimate of `settings`' function reads: its traffic, and its
/// configuration as it runs (`None` before the first deploy).
struct Seen {
    region: String,
    running: Option<Running>,
    invocations: f64,
    duration_ms: f64,
}

async fn seen(clients: &Clients, settings: &Settings) -> Result<Seen, String> {
    let region = region(clients).ok_or("no region")?;
    let name = &settings.lambda.function;
    let running = running(clients, name).await?;
    let (invocations, duration_ms) = match running {
        Some(_) => usage(clients, name).await?,
        None => (0.0, 0.0),
    };
    Ok(Seen {
        region,
        running,
        invocations,
        duration_ms,
    })
}

/// The inputs of `seen`'s traffic on the function as it runs (`planned`:
/// as `mcp.toml` sets it).
fn inputs(settings: &Settings, seen: &Seen, planned: bool) -> LambdaInputs {
    let lambda = &settings.lambda;
    let (memory_mb, arch, provisioned) = match (&seen.running, planned) {
        (Some(running), false) => (
            running.memory_mb,
            running.arch,
            lambda.provisioned_concurrency,
        ),
        // Not deployed: nothing runs, nothing is kept warm.
        (None, false) => (lambda.memory, arch(lambda.architecture), None),
        (_, true) => (
            lambda.memory,
            arch(lambda.architecture),
            lambda.provisioned_concurrency,
        ),
    };
    LambdaInputs::from_window(
        seen.region.clone(),
        lambda.function.clone(),
        memory_mb,
        arch,
        provisioned,
        WINDOW_DAYS,
        seen.invocations,
        seen.duration_ms,
    )
}

async fn price(clients: &Clients, inputs: LambdaInputs) -> Cost {
    let prices = pricing::lambda(&clients.config, &inputs.region).await;
    Cost::estimate_lambda(inputs, prices.as_ref().map_err(String::as_str))
}

/// The monthly estimate of the stage's function as it runs (`mcp status`,
/// `status --stages`, `mcp cost`), or why there is none.
pub async fn estimate(clients: &Clients, settings: &Settings) -> Cost {
    let seen = match seen(clients, settings).await {
        Ok(seen) => seen,
        Err(why) => return Cost::unknown(None, why),
    };
    let deployed = seen.running.is_some();
    let mut cost = price(clients, inputs(settings, &seen, false)).await;
    if !deployed {
        cost.notes.insert(
            0,
            format!("`{}` is not deployed yet", settings.lambda.function),
        );
    }
    cost
}

/// Before a deploy: the estimate of what runs and of what `mcp.toml` would
/// run (its memory, architecture and provisioned concurrency, on the same
/// traffic); the limit is checked (`doing` names the change in the refusal),
/// and the line printed when the estimate moves or a limit is set.
pub async fn guard(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    allow_over_limit: bool,
    doing: &str,
) -> anyhow::Result<Change> {
    let (before, after) = match seen(clients, settings).await {
        Ok(seen) => (
            price(clients, inputs(settings, &seen, false)).await,
            price(clients, inputs(settings, &seen, true)).await,
        ),
        Err(why) => {
            let none = Cost::unknown(None, why);
            (none.clone(), none)
        }
    };
    Ok(Change::guard(
        before,
        after,
        settings.cost.monthly_limit,
        printer,
        allow_over_limit,
        doing,
        &settings.lambda.function,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        let file = crate::config::file::parse(
            std::path::Path::new("/p/mcp.toml"),
            "name = \"fn\"\ntarget = \"lambda\"\n[lambda]\nmemory = 1024\narchitecture = \"arm64\"\nprovisioned_concurrency = 2\n",
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

    fn seen(running: Option<Running>) -> Seen {
        Seen {
            region: "us-east-1".into(),
            running,
            invocations: 10.0,
            duration_ms: 2_000.0,
        }
    }

    #[test]
    fn what_runs_is_priced_as_it_runs_and_a_deploy_as_mcp_toml_sets_it() {
        let settings = settings();
        let deployed = seen(Some(Running {
            memory_mb: 128,
            arch: Arch::X86_64,
        }));
        let now = inputs(&settings, &deployed, false);
        assert_eq!((now.memory_mb, now.arch), (128, Arch::X86_64));
        assert_eq!(now.provisioned_concurrency, Some(2));
        assert_eq!(now.invocations, 10.0);
        let planned = inputs(&settings, &deployed, true);
        assert_eq!((planned.memory_mb, planned.arch), (1024, Arch::Arm64));
        // The same traffic, at the new memory: 8 times the GB-seconds.
        assert!((planned.monthly_gb_seconds - 8.0 * now.monthly_gb_seconds).abs() < 1e-9);
        // Not deployed: nothing runs, nothing is kept warm.
        let none = inputs(&settings, &seen(None), false);
        assert_eq!((none.memory_mb, none.provisioned_concurrency), (1024, None));
    }
}
