//! What `mcp status` tells of a blue/green, canary or linear deployment: the
//! lifecycle stage, the traffic split between the old and new revisions, and
//! the bake time left.
//!
//! ECS does not say when the bake began; the service deployment's `updatedAt`
//! changes when it enters `BAKE_TIME` and not while it bakes, so the time left
//! is `bakeTimeInMinutes` less the time since then (an estimate: a later update
//! of the record would make it look longer).

use std::fmt;

use anyhow::Result;
use aws_sdk_ecs::types::{Service, ServiceDeployment};
use serde::Serialize;

use super::follow::{human, percent, production_weight, reason_of, test_weight};
use super::preflight::service_strategy;
use crate::aws::{Clients, service_deployments as sds};
use crate::config::Strategy;

/// The service's current service deployment, when it is not a rolling one.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressiveStatus {
    pub service_deployment: String,
    pub strategy: Strategy,
    /// ECS's status: `IN_PROGRESS`, `SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, …
    pub status: String,
    pub stage: Option<String>,
    /// The new revision's share of production traffic, in percent.
    pub production_traffic: Option<f64>,
    /// The new revision's share of test traffic, in percent.
    pub test_traffic: Option<f64>,
    /// Seconds of bake left, while baking.
    pub bake_left_s: Option<f64>,
    /// Why it rolled back or stopped, when it did.
    pub reason: Option<String>,
}

impl fmt::Display for ProgressiveStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "deploy     {} {} ({}{})",
            self.strategy,
            super::short_arn(&self.service_deployment),
            self.status,
            self.stage
                .as_deref()
                .map(|s| format!(", stage {s}"))
                .unwrap_or_default()
        )?;
        if let Some(p) = self.production_traffic {
            write!(
                f,
                "traffic    production {} new / {} old",
                percent(p),
                percent(100.0 - p)
            )?;
            if let Some(t) = self.test_traffic {
                write!(f, "; test {} new", percent(t))?;
            }
            writeln!(f)?;
        }
        if let Some(left) = self.bake_left_s {
            writeln!(
                f,
                "bake       {} left (`mcp rollback` switches back at once)",
                human(std::time::Duration::from_secs_f64(left))
            )?;
        }
        if let Some(reason) = &self.reason {
            writeln!(f, "reason     {reason}")?;
        }
        Ok(())
    }
}

/// The progressive deployment of `service` now, if its current one is.
pub async fn current(clients: &Clients, service: &Service) -> Result<Option<ProgressiveStatus>> {
    let Some(arn) = service.current_service_deployment() else {
        return Ok(None);
    };
    let sd = sds::describe(&clients.ecs, arn).await?;
    Ok(of(&sd, service_strategy(service), jiff::Timestamp::now()))
}

/// The status of one service deployment at `now`; `None` for rolling ones.
pub fn of(
    sd: &ServiceDeployment,
    fallback: Strategy,
    now: jiff::Timestamp,
) -> Option<ProgressiveStatus> {
    let stage = sd.lifecycle_stage().map(|s| s.as_str().to_string());
    let strategy = match sd.deployment_configuration().and_then(|c| c.strategy()) {
        Some(s) => match s.as_str() {
            "BLUE_GREEN" => Strategy::BlueGreen,
            "CANARY" => Strategy::Canary,
            "LINEAR" => Strategy::Linear,
            _ => Strategy::Rolling,
        },
        None if stage.is_some() => fallback,
        None => Strategy::Rolling,
    };
    if !strategy.is_progressive() {
        return None;
    }
    let status = sd
        .status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let bake_left_s = (stage.as_deref() == Some("BAKE_TIME") && status == "IN_PROGRESS")
        .then(|| {
            let minutes = sd.deployment_configuration()?.bake_time_in_minutes()?;
            let since = sd.updated_at()?;
            let elapsed = now.as_second() - since.secs();
            Some((f64::from(minutes) * 60.0 - elapsed as f64).max(0.0))
        })
        .flatten();
    let failed = status.starts_with("ROLLBACK") || status.starts_with("STOP");
    Some(ProgressiveStatus {
        service_deployment: sd.service_deployment_arn().unwrap_or_default().to_string(),
        strategy,
        status,
        stage,
        production_traffic: production_weight(sd),
        test_traffic: test_weight(sd),
        bake_left_s,
        reason: failed.then(|| reason_of(sd)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        DeploymentConfiguration, DeploymentStrategy, ServiceDeploymentLifecycleStage,
        ServiceDeploymentStatus, ServiceRevisionSummary,
    };
    use aws_smithy_types::DateTime;

    #[test]
    fn baking_shows_the_split_and_the_time_left() {
        let now = jiff::Timestamp::from_second(1_000_000).unwrap();
        let sd = ServiceDeployment::builder()
            .service_deployment_arn("arn:aws:ecs:r:1:service-deployment/c/s/AbC")
            .status(ServiceDeploymentStatus::InProgress)
            .lifecycle_stage(ServiceDeploymentLifecycleStage::BakeTime)
            .updated_at(DateTime::from_secs(1_000_000 - 90))
            .deployment_configuration(
                DeploymentConfiguration::builder()
                    .strategy(DeploymentStrategy::BlueGreen)
                    .bake_time_in_minutes(10)
                    .build(),
            )
            .target_service_revision(
                ServiceRevisionSummary::builder()
                    .requested_production_traffic_weight(100.0)
                    .requested_test_traffic_weight(100.0)
                    .build(),
            )
            .build();
        let status = of(&sd, Strategy::Rolling, now).unwrap();
        assert_eq!(status.bake_left_s, Some(510.0));
        assert_eq!(
            status.to_string(),
            "deploy     blue_green AbC (IN_PROGRESS, stage BAKE_TIME)\n\
             traffic    production 100% new / 0% old; test 100% new\n\
             bake       8m30s left (`mcp rollback` switches back at once)\n"
        );
        let rolling = ServiceDeployment::builder()
            .status(ServiceDeploymentStatus::Successful)
            .build();
        assert!(of(&rolling, Strategy::Rolling, now).is_none());
    }
}
