//! `mcp cost`: what a service really cost, from Cost Explorer.
//!
//! The spend is found by the cost allocation tags `mcp` puts on the services it
//! deploys (`mcp:project`, `mcp:service`, `mcp:stage`, propagated to the tasks
//! so that Fargate's charges carry them; see `platform::ecs::cost`). Cost
//! Explorer counts a tag only once it is activated as a cost allocation tag, and
//! only from then on: the command reads their status first and, when one is not
//! active, says so with the command that activates them.
//!
//! A Lambda stage's spend follows its traffic, so `mcp cost --stage S` of one
//! also shows the monthly estimate of what it served lately
//! (`platform::lambda::cost`): Cost Explorer lags by a day and knows nothing
//! of a function deployed this morning.

use std::fmt;

use anyhow::Result;
use serde::Serialize;

use crate::aws::cost_explorer::{self, Query};
use crate::config::{Settings, TargetKind};
use crate::error::{ExitStatus, McpError};
use crate::release::cost::{Cost, tags, usd};
use crate::ui::Printer;

/// How `mcp cost` splits the spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Total,
    Day,
    Service,
}

/// What `mcp cost` was asked.
#[derive(Debug, Clone)]
pub struct CostRequest {
    /// Every stage, one row each, instead of the selected one.
    pub stages: bool,
    /// `30d`: how far back.
    pub since: String,
    pub by: By,
}

/// One amount.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The day (`--by day`), else the month the amount falls in.
    pub period: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The AWS service (`--by service`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_service: Option<String>,
    pub amount: f64,
    /// Cost Explorer's figure is not final yet.
    pub estimated: bool,
}

/// A cost allocation tag and whether Cost Explorer counts it.
#[derive(Debug, Clone, Serialize)]
pub struct TagState {
    pub key: String,
    /// `Active`, `Inactive`, or `null` when billing has not seen the tag yet.
    pub status: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct Spend {
    pub project: String,
    pub service: String,
    /// `null` with `--stages` (every stage).
    pub stage: Option<String>,
    pub start: String,
    pub end: String,
    pub currency: String,
    pub total: f64,
    pub rows: Vec<Row>,
    pub tags: Vec<TagState>,
    /// The command that activates the tags, when one is not active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A Lambda stage's monthly estimate from its recent traffic (one stage only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Cost>,
}

impl fmt::Display for Spend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = match &self.stage {
            Some(stage) => format!("stage {stage}"),
            None => "every stage".to_string(),
        };
        writeln!(
            f,
            "{} ({which}), {} to {}: {} {}",
            self.service,
            self.start,
            self.end,
            usd(self.total),
            self.currency
        )?;
        if let Some(estimate) = &self.estimate {
            writeln!(f, "estimate: {estimate}")?;
        }
        let stage_width = self
            .rows
            .iter()
            .filter_map(|r| r.stage.as_ref().map(|s| s.len()))
            .max()
            .unwrap_or(0)
            .max(5);
        for row in &self.rows {
            let mut line = format!("  {:<10}", row.period);
            if let Some(stage) = &row.stage {
                line.push_str(&format!("  {stage:<stage_width$}"));
            }
            if let Some(service) = &row.aws_service {
                line.push_str(&format!("  {service:<40}"));
            }
            line.push_str(&format!("  {:>10}", usd(row.amount)));
            if row.estimated {
                line.push_str("  (estimated)");
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        let states: Vec<String> = self
            .tags
            .iter()
            .map(|t| {
                format!(
                    "{} {}",
                    t.key,
                    t.status.as_deref().unwrap_or("not yet seen by billing")
                )
            })
            .collect();
        if !states.is_empty() {
            writeln!(f, "tags: {}", states.join(", "))?;
        }
        Ok(())
    }
}

/// The activation command for the tags not active (all of `mcp`'s, so one run does it).
pub fn activation_command() -> String {
    let statuses: Vec<String> = tags::ALL
        .iter()
        .map(|k| format!("TagKey={k},Status=Active"))
        .collect();
    format!(
        "aws ce update-cost-allocation-tags-status --cost-allocation-tags-status {}",
        statuses.join(" ")
    )
}

pub async fn cost(
    settings: &Settings,
    printer: &Printer,
    request: &CostRequest,
) -> Result<ExitStatus> {
    let since = crate::config::duration::parse(&request.since).map_err(|e| {
        McpError::usage(format!("--since: {e}")).hint("e.g. --since 30d, --since 7d")
    })?;
    let days = (since.as_secs() / 86_400).max(1) as i64;
    if days > 395 {
        return Err(
            McpError::usage("--since: Cost Explorer keeps 13 months of data")
                .hint("e.g. --since 90d")
                .into(),
        );
    }
    let today = jiff::Zoned::now().date();
    let start = today
        .checked_sub(jiff::Span::new().days(days))
        .map_err(|e| McpError::usage(format!("--since: {e}")))?;
    let config = crate::aws::sdk_config(settings).await;
    let estimate = if settings.target == TargetKind::Lambda && !request.stages {
        let clients = crate::aws::Clients::from_config(config.clone());
        Some(crate::platform::lambda::cost::estimate(&clients, settings).await)
    } else {
        None
    };
    let mut notes = Vec::new();
    let (states, activate) = match cost_explorer::tag_status(&config, &tags::ALL).await {
        Ok(found) => {
            let states: Vec<TagState> = found
                .into_iter()
                .map(|(key, status)| TagState { key, status })
                .collect();
            let inactive: Vec<String> = states
                .iter()
                .filter(|t| t.status.as_deref() != Some("Active"))
                .map(|t| {
                    format!(
                        "{} ({})",
                        t.key,
                        t.status.as_deref().unwrap_or("not yet seen by billing")
                    )
                })
                .collect();
            let activate = (!inactive.is_empty()).then(activation_command);
            if let Some(command) = &activate {
                printer.warn(format!(
                    "cost allocation tags not active: {}; Cost Explorer counts tagged spend only \
                     from their activation on (earlier spend stays untagged). Activate them: `{command}` \
                     (a tag billing has not seen yet can be activated up to 24 hours after a deploy tags the service)",
                    inactive.join(", ")
                ));
            }
            (states, activate)
        }
        Err(why) => {
            printer.warn(&why);
            notes.push(why);
            (Vec::new(), None)
        }
    };
    let stage = settings.stage.clone().unwrap_or_else(|| "default".into());
    let mut conditions = vec![
        (tags::PROJECT, settings.name.clone()),
        (tags::SERVICE, settings.service_or_name().to_string()),
    ];
    if !request.stages {
        conditions.push((tags::STAGE, stage.clone()));
    }
    let query = Query {
        start: start.to_string(),
        end: today.to_string(),
        daily: request.by == By::Day,
        tags: conditions,
        group_tags: if request.stages {
            vec![tags::STAGE]
        } else {
            Vec::new()
        },
        by_service: request.by == By::Service,
    };
    let amounts = cost_explorer::spend(&config, &query).await?;
    let mut rows: Vec<Row> = Vec::new();
    for amount in &amounts {
        let mut keys = amount.keys.iter();
        let row_stage = if request.stages {
            Some(
                keys.next()
                    .cloned()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "(untagged)".into()),
            )
        } else {
            None
        };
        let aws_service = if request.by == By::Service {
            keys.next().cloned()
        } else {
            None
        };
        // Without --by day, amounts of one stage and service add up over the months.
        let period = if request.by == By::Day {
            amount.start.clone()
        } else {
            query.start.clone()
        };
        match rows
            .iter_mut()
            .find(|r| r.period == period && r.stage == row_stage && r.aws_service == aws_service)
        {
            Some(row) => {
                row.amount += amount.usd;
                row.estimated |= amount.estimated;
            }
            None => rows.push(Row {
                period,
                stage: row_stage,
                aws_service,
                amount: amount.usd,
                estimated: amount.estimated,
            }),
        }
    }
    if request.stages {
        // Every declared stage has a row, spent or not.
        let declared: Vec<String> = settings.declared_stages.keys().cloned().collect();
        for name in declared {
            if !rows
                .iter()
                .any(|r| r.stage.as_deref() == Some(name.as_str()))
                && request.by == By::Total
            {
                rows.push(Row {
                    period: query.start.clone(),
                    stage: Some(name),
                    aws_service: None,
                    amount: 0.0,
                    estimated: false,
                });
            }
        }
    }
    for row in &mut rows {
        row.amount = (row.amount * 100.0).round() / 100.0;
    }
    // `+ 0.0`: the sum of no rows is -0.0, which prints as "$-0.00".
    let total = (rows.iter().map(|r| r.amount).sum::<f64>() * 100.0).round() / 100.0 + 0.0;
    let spend = Spend {
        project: settings.name.clone(),
        service: settings.service_or_name().to_string(),
        stage: (!request.stages).then_some(stage),
        start: query.start.clone(),
        end: query.end.clone(),
        currency: amounts
            .first()
            .map(|a| a.unit.clone())
            .unwrap_or_else(|| "USD".into()),
        total,
        rows,
        tags: states,
        activate,
        notes,
        estimate,
    };
    printer.data(&spend)?;
    Ok(ExitStatus::Success)
}
