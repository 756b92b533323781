//! What a release costs a month, before it runs: the estimate model every
//! platform that runs Fargate tasks shares, the `[cost] monthly_limit` rule, and
//! the tags that let Cost Explorer attribute the real spend.
//!
//! An estimate is arithmetic on published prices, nothing more: per task,
//! vCPU × the vCPU-hour price + GB × the GB-hour price + the ephemeral storage
//! above the 20 GiB Fargate includes × the storage GB-hour price, each at the
//! architecture's (x86_64 or ARM64) and the capacity's (Fargate or Fargate
//! Spot) usage type, times the tasks, times 730 hours (AWS's month). With an
//! Application Auto Scaling target the minimum and maximum are priced too. A
//! price the sheet lacks is a reason, never a guessed number ([`Cost::reason`]).
//! The prices come from [`crate::aws::pricing`].
//!
//! A Lambda function is priced by what it serves ([`LambdaInputs`]): the
//! requests and GB-seconds (duration × memory) its CloudWatch metrics counted
//! over a window, scaled to the month, × the request and GB-second prices of
//! its architecture; with provisioned concurrency, the instances kept warm ×
//! their GB × the month's seconds × the provisioned concurrency price, and
//! the GB-seconds they can serve at the provisioned duration price. The free
//! tier (1M requests and 400,000 GB-seconds a month per account, shared by
//! every function) is not subtracted, and the estimate says so.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::aws::pricing::Prices;
use crate::error::McpError;
use crate::ui::Printer;

/// Hours in AWS's month.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Seconds in AWS's month.
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;
/// Ephemeral storage every Fargate task has without charge.
pub const INCLUDED_STORAGE_GIB: f64 = 20.0;

/// Tag keys `mcp` puts on the services it deploys, propagated to their tasks
/// (`propagateTags = SERVICE`) so Fargate's charges carry them, and on the
/// Lambda functions it deploys.
pub mod tags {
    use crate::config::Settings;

    /// The project's `name`.
    pub const PROJECT: &str = "mcp:project";
    /// The `[services.<name>]` key, or the project's name.
    pub const SERVICE: &str = "mcp:service";
    /// The stage (`default` without one).
    pub const STAGE: &str = "mcp:stage";
    /// All three, in the order they are activated.
    pub const ALL: [&str; 3] = [PROJECT, SERVICE, STAGE];

    /// The cost allocation tags of this service and stage, with their values:
    /// what a deploy puts on an ECS service or a Lambda function.
    pub fn of(settings: &Settings) -> [(&'static str, String); 3] {
        [
            (PROJECT, settings.name.clone()),
            (SERVICE, settings.service_or_name().to_string()),
            (
                STAGE,
                settings.stage.clone().unwrap_or_else(|| "default".into()),
            ),
        ]
    }

    /// The keys of [`of`] that `carries(key, value)` does not find (absent, or
    /// there with another value).
    pub fn missing(settings: &Settings, carries: impl Fn(&str, &str) -> bool) -> Vec<String> {
        of(settings)
            .iter()
            .filter(|(key, value)| !carries(key, value))
            .map(|(key, _)| key.to_string())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    X86_64,
    Arm64,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "ARM64",
        })
    }
}

/// One entry of a capacity provider strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub spot: bool,
    pub base: i32,
    pub weight: i32,
}

/// What an estimate is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    pub region: String,
    pub vcpu: f64,
    pub memory_gb: f64,
    /// The task's ephemeral storage (20 GiB unless the task definition sets more).
    pub storage_gib: f64,
    pub arch: Arch,
    /// Fargate (on demand) and Fargate Spot, as the capacity provider strategy splits tasks.
    pub capacity: Vec<Share>,
    pub tasks: i32,
    /// The Application Auto Scaling range, when a scalable target is registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tasks: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tasks: Option<i32>,
}

impl Inputs {
    /// `(on demand, Spot)` tasks out of `n`: bases first, the rest by weight.
    fn split(&self, n: i32) -> (f64, f64) {
        if self.capacity.is_empty() {
            return (n as f64, 0.0);
        }
        let mut left = n;
        let (mut on_demand, mut spot) = (0.0, 0.0);
        for share in &self.capacity {
            let base = share.base.min(left).max(0);
            left -= base;
            if share.spot {
                spot += base as f64;
            } else {
                on_demand += base as f64;
            }
        }
        let total: i32 = self.capacity.iter().map(|s| s.weight.max(0)).sum();
        if left > 0 && total > 0 {
            for share in &self.capacity {
                let part = left as f64 * share.weight.max(0) as f64 / total as f64;
                if share.spot {
                    spot += part;
                } else {
                    on_demand += part;
                }
            }
        }
        (on_demand, spot)
    }

    /// `on demand`, `Fargate Spot`, or `on demand + Fargate Spot`.
    fn capacity_words(&self) -> &'static str {
        let spot = self.capacity.iter().any(|s| s.spot);
        let on_demand = self.capacity.is_empty() || self.capacity.iter().any(|s| !s.spot);
        match (on_demand, spot) {
            (true, true) => "on demand + Fargate Spot",
            (false, true) => "Fargate Spot",
            _ => "on demand",
        }
    }

    /// The usage types an estimate of these inputs reads.
    fn usage_types(&self) -> Vec<(&'static str, Usage)> {
        let arm = self.arch == Arch::Arm64;
        let mut out = Vec::new();
        let (on_demand, spot) = self.split(self.max_tasks.unwrap_or(self.tasks).max(1));
        for (wanted, is_spot) in [(on_demand > 0.0 || spot == 0.0, false), (spot > 0.0, true)] {
            if !wanted {
                continue;
            }
            out.push((usage_type(Usage::Vcpu, arm, is_spot), Usage::Vcpu));
            out.push((usage_type(Usage::Memory, arm, is_spot), Usage::Memory));
        }
        if self.storage_gib > INCLUDED_STORAGE_GIB {
            out.push((usage_type(Usage::Storage, arm, false), Usage::Storage));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usage {
    Vcpu,
    Memory,
    Storage,
}

/// The Price List usage type (without region prefix) of one dimension.
fn usage_type(usage: Usage, arm: bool, spot: bool) -> &'static str {
    match (usage, arm, spot) {
        (Usage::Vcpu, false, false) => "Fargate-vCPU-Hours:perCPU",
        (Usage::Vcpu, true, false) => "Fargate-ARM-vCPU-Hours:perCPU",
        (Usage::Vcpu, false, true) => "SpotUsage-Fargate-vCPU-Hours:perCPU",
        (Usage::Vcpu, true, true) => "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU",
        (Usage::Memory, false, false) => "Fargate-GB-Hours",
        (Usage::Memory, true, false) => "Fargate-ARM-GB-Hours",
        (Usage::Memory, false, true) => "SpotUsage-Fargate-GB-Hours",
        (Usage::Memory, true, true) => "SpotUsage-Fargate-ARM-GB-Hours",
        // One storage price for every architecture and capacity.
        (Usage::Storage, _, _) => "Fargate-EphemeralStorage-GB-Hours",
    }
}

/// What the estimate of a Lambda function is made of: its configuration and
/// the traffic its CloudWatch metrics counted, scaled to AWS's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LambdaInputs {
    pub region: String,
    pub function: String,
    pub memory_mb: u32,
    pub arch: Arch,
    /// Instances kept warm (`lambda.provisioned_concurrency`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency: Option<u32>,
    /// The days of metrics read, ending now.
    pub window_days: u32,
    /// `Invocations` (Sum) over the window.
    pub invocations: f64,
    /// `Duration` (Sum, milliseconds) over the window.
    pub duration_ms: f64,
    /// The window's invocations scaled to 730 hours.
    pub monthly_requests: f64,
    /// The window's duration × memory (GB = MB / 1024), scaled to 730 hours.
    pub monthly_gb_seconds: f64,
}

impl LambdaInputs {
    /// The inputs of `invocations` lasting `duration_ms` in all over `window_days`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_window(
        region: impl Into<String>,
        function: impl Into<String>,
        memory_mb: u32,
        arch: Arch,
        provisioned_concurrency: Option<u32>,
        window_days: u32,
        invocations: f64,
        duration_ms: f64,
    ) -> LambdaInputs {
        let scale = HOURS_PER_MONTH / (f64::from(window_days.max(1)) * 24.0);
        LambdaInputs {
            region: region.into(),
            function: function.into(),
            memory_mb,
            arch,
            provisioned_concurrency: provisioned_concurrency.filter(|n| *n > 0),
            window_days,
            invocations,
            duration_ms,
            monthly_requests: invocations * scale,
            monthly_gb_seconds: duration_ms / 1000.0 * f64::from(memory_mb) / 1024.0 * scale,
        }
    }

    fn memory_gb(&self) -> f64 {
        f64::from(self.memory_mb) / 1024.0
    }

    /// The usage types an estimate of these inputs reads.
    fn usage_types(&self) -> Vec<&'static str> {
        let arm = self.arch == Arch::Arm64;
        let mut out = vec![lambda_usage(LambdaUsage::Request, arm)];
        out.push(lambda_usage(LambdaUsage::Duration, arm));
        if self.provisioned_concurrency.is_some() {
            out.push(lambda_usage(LambdaUsage::Provisioned, arm));
            out.push(lambda_usage(LambdaUsage::ProvisionedDuration, arm));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LambdaUsage {
    Request,
    Duration,
    /// Provisioned concurrency: per GB-second configured.
    Provisioned,
    /// Duration served by provisioned instances.
    ProvisionedDuration,
}

/// The Price List usage type (without region prefix) of one Lambda dimension.
fn lambda_usage(usage: LambdaUsage, arm: bool) -> &'static str {
    match (usage, arm) {
        (LambdaUsage::Request, false) => "Request",
        (LambdaUsage::Request, true) => "Request-ARM",
        (LambdaUsage::Duration, false) => "Lambda-GB-Second",
        (LambdaUsage::Duration, true) => "Lambda-GB-Second-ARM",
        (LambdaUsage::Provisioned, false) => "Lambda-Provisioned-Concurrency",
        (LambdaUsage::Provisioned, true) => "Lambda-Provisioned-Concurrency-ARM",
        (LambdaUsage::ProvisionedDuration, false) => "Lambda-Provisioned-GB-Second",
        (LambdaUsage::ProvisionedDuration, true) => "Lambda-Provisioned-GB-Second-ARM",
    }
}

/// A monthly figure, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    /// USD a month at the desired count; `null` when there is no price.
    pub monthly: Option<f64>,
    /// USD a month at the autoscaling minimum and maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_max: Option<f64>,
    pub currency: &'static str,
    /// What the figure is made of; `null` when the task definition could not be read as Fargate,
    /// and for a Lambda function (see `lambda`).
    pub inputs: Option<Inputs>,
    /// What a Lambda function's figure is made of (a Lambda stage only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<LambdaInputs>,
    /// The date the prices were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_date: Option<String>,
    /// The prices used, USD per unit, by usage type.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prices: BTreeMap<String, f64>,
    /// What to know about the prices (a cache that could not be refreshed, an unknown range).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why there is no figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Cents, as a bill shows them.
fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

impl Cost {
    /// No figure, and why.
    pub fn unknown(inputs: Option<Inputs>, reason: impl Into<String>) -> Cost {
        Cost {
            monthly: None,
            monthly_min: None,
            monthly_max: None,
            currency: "USD",
            inputs,
            lambda: None,
            price_date: None,
            prices: BTreeMap::new(),
            notes: Vec::new(),
            reason: Some(reason.into()),
        }
    }

    /// The estimate of `inputs` at `prices` (or why there is none).
    pub fn estimate(inputs: Inputs, prices: Result<&Prices, &str>) -> Cost {
        let prices = match prices {
            Ok(p) => p,
            Err(why) => return Cost::unknown(Some(inputs), format!("no price: {why}")),
        };
        let sheet = &prices.sheet;
        let mut used = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, _) in inputs.usage_types() {
            match sheet.usd.get(name) {
                Some(price) => {
                    used.insert(name.to_string(), *price);
                }
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            let mut cost = Cost::unknown(
                Some(inputs),
                format!(
                    "no price: the Price List has no {} for {} (read {})",
                    missing.join(", "),
                    sheet.region,
                    sheet.date()
                ),
            );
            cost.notes.extend(prices.note.clone());
            return cost;
        }
        let arm = inputs.arch == Arch::Arm64;
        let price =
            |u: Usage, spot: bool| used.get(usage_type(u, arm, spot)).copied().unwrap_or(0.0);
        let hourly_task = |spot: bool| {
            inputs.vcpu * price(Usage::Vcpu, spot) + inputs.memory_gb * price(Usage::Memory, spot)
        };
        let storage =
            (inputs.storage_gib - INCLUDED_STORAGE_GIB).max(0.0) * price(Usage::Storage, false);
        let monthly = |n: i32| {
            let (on_demand, spot) = inputs.split(n);
            let hourly =
                on_demand * hourly_task(false) + spot * hourly_task(true) + n as f64 * storage;
            cents(hourly * HOURS_PER_MONTH)
        };
        Cost {
            monthly: Some(monthly(inputs.tasks)),
            monthly_min: inputs.min_tasks.map(monthly),
            monthly_max: inputs.max_tasks.map(monthly),
            currency: "USD",
            price_date: Some(sheet.date()),
            prices: used,
            notes: prices.note.iter().cloned().collect(),
            reason: None,
            inputs: Some(inputs),
            lambda: None,
        }
    }

    /// The estimate of a Lambda function's `inputs` at `prices` (or why there is none).
    pub fn estimate_lambda(inputs: LambdaInputs, prices: Result<&Prices, &str>) -> Cost {
        let mut notes = Vec::new();
        if inputs.invocations > 0.0 {
            notes.push(format!(
                "usage: {} invocations in the last {} days (CloudWatch), scaled to 730 hours",
                number(inputs.invocations),
                inputs.window_days
            ));
        } else {
            notes.push(format!(
                "no invocations in the last {} days",
                inputs.window_days
            ));
        }
        notes.push("free tier not subtracted".to_string());
        let idle = inputs.invocations <= 0.0 && inputs.provisioned_concurrency.is_none();
        let prices = match prices {
            Ok(p) => p,
            // Nothing to price: nothing to pay, whatever the prices.
            Err(_) if idle => {
                return Cost {
                    monthly: Some(0.0),
                    monthly_min: None,
                    monthly_max: None,
                    currency: "USD",
                    inputs: None,
                    lambda: Some(inputs),
                    price_date: None,
                    prices: BTreeMap::new(),
                    notes,
                    reason: None,
                };
            }
            Err(why) => {
                let mut cost = Cost::unknown(None, format!("no price: {why}"));
                cost.lambda = Some(inputs);
                return cost;
            }
        };
        let sheet = &prices.sheet;
        let mut used = BTreeMap::new();
        let mut missing = Vec::new();
        for name in inputs.usage_types() {
            match sheet.usd.get(name) {
                Some(price) => {
                    used.insert(name.to_string(), *price);
                }
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            let mut cost = Cost::unknown(
                None,
                format!(
                    "no price: the Price List has no {} for {} (read {})",
                    missing.join(", "),
                    sheet.region,
                    sheet.date()
                ),
            );
            cost.notes.extend(prices.note.clone());
            cost.lambda = Some(inputs);
            return cost;
        }
        let arm = inputs.arch == Arch::Arm64;
        let price = |u: LambdaUsage| used.get(lambda_usage(u, arm)).copied().unwrap_or(0.0);
        // Provisioned instances serve up to their GB-seconds at their own duration price.
        let warm_gb_seconds = inputs
            .provisioned_concurrency
            .map(|n| f64::from(n) * inputs.memory_gb() * SECONDS_PER_MONTH)
            .unwrap_or(0.0);
        let served_warm = inputs.monthly_gb_seconds.min(warm_gb_seconds);
        let monthly = inputs.monthly_requests * price(LambdaUsage::Request)
            + (inputs.monthly_gb_seconds - served_warm) * price(LambdaUsage::Duration)
            + warm_gb_seconds * price(LambdaUsage::Provisioned)
            + served_warm * price(LambdaUsage::ProvisionedDuration);
        notes.extend(prices.note.iter().cloned());
        Cost {
            monthly: Some(cents(monthly)),
            monthly_min: None,
            monthly_max: None,
            currency: "USD",
            inputs: None,
            lambda: Some(inputs),
            price_date: Some(sheet.date()),
            prices: used,
            notes,
            reason: None,
        }
    }

    /// What the figure is made of, as a person reads it.
    fn drivers(&self) -> Option<String> {
        match (&self.inputs, &self.lambda) {
            (Some(inputs), _) => Some(inputs.to_string()),
            (None, Some(lambda)) => Some(lambda.to_string()),
            (None, None) => None,
        }
    }
}

/// `$14.22`
pub fn usd(amount: f64) -> String {
    format!("${amount:.2}")
}

fn number(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl fmt::Display for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tasks = if self.tasks == 1 { "task" } else { "tasks" };
        write!(
            f,
            "{} {tasks} × {} vCPU, {} GB",
            self.tasks,
            number(self.vcpu),
            number(self.memory_gb)
        )?;
        if self.storage_gib > INCLUDED_STORAGE_GIB {
            write!(f, ", {} GiB storage", number(self.storage_gib))?;
        }
        write!(
            f,
            ", {}, {}, {}",
            self.arch,
            self.region,
            self.capacity_words()
        )
    }
}

impl fmt::Display for LambdaInputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arch = match self.arch {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        };
        write!(f, "{} MB, {arch}, {}", self.memory_mb, self.region)?;
        if self.invocations > 0.0 {
            write!(
                f,
                ", {:.0} requests × {:.0} ms a month",
                self.monthly_requests,
                self.duration_ms / self.invocations
            )?;
        }
        if let Some(n) = self.provisioned_concurrency {
            write!(f, ", {n} provisioned")?;
        }
        Ok(())
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.monthly, self.drivers()) {
            (Some(monthly), Some(drivers)) => {
                write!(f, "≈ {} / month: {drivers}", usd(monthly))?;
                if let (Some(lo), Some(hi), Some(min), Some(max)) = (
                    self.monthly_min,
                    self.monthly_max,
                    self.inputs.as_ref().and_then(|i| i.min_tasks),
                    self.inputs.as_ref().and_then(|i| i.max_tasks),
                ) {
                    write!(
                        f,
                        "; autoscaling {min}–{max} tasks: {}–{}",
                        usd(lo),
                        usd(hi)
                    )?;
                }
                if let Some(date) = &self.price_date {
                    write!(f, " (prices of {date})")?;
                }
            }
            _ => write!(
                f,
                "unknown: {}",
                self.reason.as_deref().unwrap_or("no estimate")
            )?,
        }
        for note in &self.notes {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

/// The estimate before a change and after it (a deploy's new revision, a scale).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub before: Cost,
    pub after: Cost,
    /// `[cost] monthly_limit`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_limit: Option<f64>,
    /// The estimate is over the limit and `--allow-over-limit` let it through.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allowed_over_limit: bool,
}

impl Change {
    /// Did anything the estimate is made of change?
    pub fn changed(&self) -> bool {
        self.before.inputs != self.after.inputs || self.before.lambda != self.after.lambda
    }

    /// `monthly ≈ $7.11 → $28.44 (+$21.33)`, or the one figure when nothing changed.
    pub fn line(&self) -> String {
        let mut line = match (self.before.monthly, self.after.monthly) {
            (Some(a), Some(b)) if self.changed() => {
                let sign = if b >= a { "+" } else { "-" };
                format!(
                    "monthly ≈ {} → {} ({sign}{})",
                    usd(a),
                    usd(b),
                    usd((b - a).abs())
                )
            }
            (_, Some(b)) => format!("monthly ≈ {}", usd(b)),
            _ => format!("monthly {}", self.after),
        };
        if let Some(drivers) = self.after.drivers()
            && self.after.monthly.is_some()
        {
            line.push_str(&format!(": {drivers}"));
        }
        if let Some(limit) = self.monthly_limit {
            line.push_str(&format!(" (limit {})", usd(limit)));
        }
        if self.allowed_over_limit {
            line.push_str(", over the limit: let through by --allow-over-limit");
        }
        line
    }

    /// Stop when the new estimate exceeds `[cost] monthly_limit`, unless allowed.
    pub fn enforce(&mut self, allow_over_limit: bool, doing: &str) -> Result<(), McpError> {
        let (Some(limit), Some(after)) = (self.monthly_limit, self.after.monthly) else {
            return Ok(());
        };
        if after <= limit {
            return Ok(());
        }
        if allow_over_limit {
            self.allowed_over_limit = true;
            return Ok(());
        }
        let drives = self
            .after
            .drivers()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default();
        let lower = if self.after.lambda.is_some() {
            "lower `lambda.memory` or `lambda.provisioned_concurrency`"
        } else {
            "lower cpu, memory or the task count"
        };
        let before = match self.before.monthly {
            Some(b) if self.changed() => format!(", up from {}", usd(b)),
            _ => String::new(),
        };
        Err(McpError::usage(format!(
            "{doing} would cost ≈ {} a month{drives}{before}, over `[cost] monthly_limit` = {}",
            usd(after),
            usd(limit)
        ))
        .hint(format!(
            "{lower}, or raise `[cost] monthly_limit` in mcp.toml; \
             `mcp deploy --allow-over-limit` lets one deploy through"
        )))
    }

    /// Before a change (a deploy, a scale), on every platform: the estimate
    /// `before` and `after` it, `[cost] monthly_limit` checked ([`enforce`]:
    /// `doing` names the change in the refusal), the line printed when the
    /// estimate moves or a limit is set (a warning when `--allow-over-limit`
    /// let it through), and one line in the GitHub Actions job summary named
    /// by `what` (a deploy of several services writes one each).
    ///
    /// [`enforce`]: Change::enforce
    pub fn guard(
        before: Cost,
        after: Cost,
        monthly_limit: Option<f64>,
        printer: &Printer,
        allow_over_limit: bool,
        doing: &str,
        what: &str,
    ) -> Result<Change, McpError> {
        let mut change = Change {
            before,
            after,
            monthly_limit,
            allowed_over_limit: false,
        };
        if change.monthly_limit.is_some() && change.after.monthly.is_none() {
            printer.warn(format!(
                "`[cost] monthly_limit` is not checked: the estimate is {}",
                change.after
            ));
        }
        change.enforce(allow_over_limit, doing)?;
        if change.allowed_over_limit {
            printer.warn(change.line());
        } else if change.changed() || change.monthly_limit.is_some() {
            printer.status("Cost", change.line());
        }
        if change.after.monthly.is_some() || change.monthly_limit.is_some() {
            printer.job_summary(&format!(
                "**Cost** of `{what}` ({doing}): {}\n",
                change.line()
            ));
        }
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::pricing::Sheet;

    fn prices(pairs: &[(&str, f64)]) -> Prices {
        Prices {
            sheet: Sheet {
                region: "eu-west-1".into(),
                read_at: "2026-12-07T10:00:00Z".into(),
                usd: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            },
            note: None,
        }
    }

    fn inputs() -> Inputs {
        Inputs {
            region: "eu-west-1".into(),
            vcpu: 0.25,
            memory_gb: 0.5,
            storage_gib: 20.0,
            arch: Arch::Arm64,
            capacity: vec![],
            tasks: 2,
            min_tasks: None,
            max_tasks: None,
        }
    }

    #[test]
    fn the_month_is_730_hours_of_vcpu_and_memory_per_task() {
        let p = prices(&[
            ("Fargate-ARM-vCPU-Hours:perCPU", 0.03238),
            ("Fargate-ARM-GB-Hours", 0.00356),
        ]);
        let cost = Cost::estimate(inputs(), Ok(&p));
        let hand = 2.0 * (0.25 * 0.03238 + 0.5 * 0.00356) * 730.0;
        assert_eq!(cost.monthly, Some((hand * 100.0_f64).round() / 100.0));
        assert_eq!(
            cost.to_string(),
            "≈ $14.42 / month: 2 tasks × 0.25 vCPU, 0.5 GB, ARM64, eu-west-1, on demand (prices of 2026-12-07)"
        );
    }

    #[test]
    fn a_missing_usage_type_is_a_reason_not_a_number() {
        let p = prices(&[("Fargate-vCPU-Hours:perCPU", 0.04048)]);
        let cost = Cost::estimate(inputs(), Ok(&p));
        assert_eq!(cost.monthly, None);
        assert!(
            cost.reason
                .unwrap()
                .contains("Fargate-ARM-vCPU-Hours:perCPU, Fargate-ARM-GB-Hours")
        );
    }

    #[test]
    fn bases_come_first_then_weights_split_the_rest() {
        let mut i = inputs();
        i.capacity = vec![
            Share {
                spot: false,
                base: 1,
                weight: 1,
            },
            Share {
                spot: true,
                base: 0,
                weight: 3,
            },
        ];
        assert_eq!(i.split(5), (2.0, 3.0));
        assert_eq!(i.split(1), (1.0, 0.0));
    }

    #[test]
    fn over_the_limit_stops_unless_allowed() {
        let p = prices(&[
            ("Fargate-ARM-vCPU-Hours:perCPU", 0.03238),
            ("Fargate-ARM-GB-Hours", 0.00356),
        ]);
        let before = Cost::estimate(inputs(), Ok(&p));
        let mut more = inputs();
        more.tasks = 8;
        let after = Cost::estimate(more, Ok(&p));
        let mut change = Change {
            before,
            after,
            monthly_limit: Some(50.0),
            allowed_over_limit: false,
        };
        assert_eq!(
            change.line(),
            "monthly ≈ $14.42 → $57.67 (+$43.25): 8 tasks × 0.25 vCPU, 0.5 GB, ARM64, eu-west-1, on demand (limit $50.00)"
        );
        let err = change.clone().enforce(false, "this deploy").unwrap_err();
        assert!(
            err.to_string().contains("≈ $57.67 a month (8 tasks"),
            "{err}"
        );
        assert!(change.enforce(true, "this deploy").is_ok());
        assert!(change.allowed_over_limit);
    }

    /// us-east-1's published Lambda prices (tests/testbed/cost.py serves the same).
    fn lambda_prices() -> Prices {
        prices(&[
            ("Request", 0.0000002),
            ("Request-ARM", 0.0000002),
            ("Lambda-GB-Second", 0.0000166667),
            ("Lambda-GB-Second-ARM", 0.0000133334),
            ("Lambda-Provisioned-Concurrency", 0.0000041667),
            ("Lambda-Provisioned-GB-Second", 0.0000097222),
        ])
    }

    fn lambda(arch: Arch, provisioned: Option<u32>, invocations: f64, ms: f64) -> LambdaInputs {
        LambdaInputs::from_window(
            "us-east-1",
            "fn",
            512,
            arch,
            provisioned,
            14,
            invocations,
            invocations * ms,
        )
    }

    #[test]
    fn lambda_is_requests_and_gb_seconds_of_the_window_scaled_to_730_hours() {
        // 100,000 calls of 200 ms in 14 days, at 512 MB.
        let cost = Cost::estimate_lambda(
            lambda(Arch::X86_64, None, 100_000.0, 200.0),
            Ok(&lambda_prices()),
        );
        let scale = 730.0 / (14.0 * 24.0);
        let requests = 100_000.0 * scale;
        let gb_seconds = 100_000.0 * 0.2 * 0.5 * scale;
        let hand = requests * 0.0000002 + gb_seconds * 0.0000166667;
        assert_eq!(cost.monthly, Some((hand * 100.0_f64).round() / 100.0));
        assert_eq!(cost.inputs, None, "the Fargate inputs stay null");
        assert_eq!(
            cost.to_string(),
            "≈ $0.41 / month: 512 MB, x86_64, us-east-1, 217262 requests × 200 ms a month \
             (prices of 2026-12-07); usage: 100000 invocations in the last 14 days (CloudWatch), \
             scaled to 730 hours; free tier not subtracted"
        );
        let json = serde_json::to_value(&cost).unwrap();
        assert_eq!(json["lambda"]["memory_mb"], 512);
        assert_eq!(json["lambda"]["arch"], "x86_64");
        assert_eq!(json["prices"]["Lambda-GB-Second"], 0.0000166667);
    }

    #[test]
    fn no_invocations_is_zero_dollars_priced_or_not_and_arm64_reads_its_own_usage_types() {
        let cost = Cost::estimate_lambda(lambda(Arch::Arm64, None, 0.0, 0.0), Ok(&lambda_prices()));
        assert_eq!(cost.monthly, Some(0.0));
        assert!(
            cost.notes
                .contains(&"no invocations in the last 14 days".to_string())
        );
        assert!(
            cost.prices.contains_key("Lambda-GB-Second-ARM"),
            "{:?}",
            cost.prices
        );
        // Without prices, nothing to price is still nothing to pay.
        let cost = Cost::estimate_lambda(lambda(Arch::Arm64, None, 0.0, 0.0), Err("denied"));
        assert_eq!(cost.monthly, Some(0.0));
        assert_eq!(cost.reason, None);
        // Traffic without prices has no figure, and says why.
        let cost = Cost::estimate_lambda(lambda(Arch::Arm64, None, 10.0, 5.0), Err("denied"));
        assert_eq!(cost.monthly, None);
        assert_eq!(cost.reason.as_deref(), Some("no price: denied"));
    }

    #[test]
    fn provisioned_concurrency_is_paid_all_month_and_serves_its_gb_seconds_at_its_price() {
        // 2 instances of 0.5 GB kept warm all month; 1,000 calls of 100 ms in 14 days.
        let cost = Cost::estimate_lambda(
            lambda(Arch::X86_64, Some(2), 1_000.0, 100.0),
            Ok(&lambda_prices()),
        );
        let scale = 730.0 / (14.0 * 24.0);
        let warm = 2.0 * 0.5 * 730.0 * 3600.0;
        let gb_seconds = 1_000.0 * 0.1 * 0.5 * scale; // all within the warm capacity
        let hand = 1_000.0 * scale * 0.0000002 + warm * 0.0000041667 + gb_seconds * 0.0000097222;
        assert_eq!(cost.monthly, Some((hand * 100.0_f64).round() / 100.0));
        assert!(cost.to_string().contains(", 2 provisioned"), "{cost}");
        // arm64 provisioned prices are not in this sheet: a reason, never a number.
        let cost =
            Cost::estimate_lambda(lambda(Arch::Arm64, Some(1), 0.0, 0.0), Ok(&lambda_prices()));
        assert_eq!(cost.monthly, None);
        assert!(
            cost.reason
                .as_deref()
                .unwrap()
                .contains("Lambda-Provisioned-Concurrency-ARM, Lambda-Provisioned-GB-Second-ARM"),
            "{cost:?}"
        );
    }

    #[test]
    fn a_lambda_change_over_the_limit_names_lambda_s_keys() {
        let p = lambda_prices();
        let before = Cost::estimate_lambda(lambda(Arch::X86_64, None, 0.0, 0.0), Ok(&p));
        let after = Cost::estimate_lambda(lambda(Arch::X86_64, Some(4), 0.0, 0.0), Ok(&p));
        let mut change = Change {
            before,
            after,
            monthly_limit: Some(10.0),
            allowed_over_limit: false,
        };
        assert!(change.changed());
        // 4 × 0.5 GB × 730 h × 3600 s × $0.0000041667 = $21.90
        let err = change.enforce(false, "this deploy").unwrap_err();
        assert_eq!(
            err.to_string(),
            "this deploy would cost ≈ $21.90 a month (512 MB, x86_64, us-east-1, 4 provisioned), \
             up from $0.00, over `[cost] monthly_limit` = $10.00"
        );
        assert!(
            err.hint
                .unwrap()
                .starts_with("lower `lambda.memory` or `lambda.provisioned_concurrency`")
        );
    }
}
