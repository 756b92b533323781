//! Reading a blue/green, canary or linear service deployment as it goes.
//!
//! ECS tells the state of such a deployment through `DescribeServiceDeployments`:
//! a status (`IN_PROGRESS`, `SUCCESSFUL`, `ROLLBACK_IN_PROGRESS`, …), the
//! lifecycle stage (`SCALE_UP` … `BAKE_TIME`, `CLEAN_UP`), the paused lifecycle
//! hooks, and the traffic weights the production and test listener rules give
//! the new ("target") revision. [`Tracker::observe`] turns successive looks at
//! it into the lines a person reads (one per lifecycle stage, one per
//! production traffic step, the bake with its time left) and a [`Phase`]: what
//! the caller should do now (answer the gate, stop waiting, report a rollback).
//!
//! Polling is coarser than ECS's stages can be short, so a stage may come and
//! go between two looks; the tracker still tells every stage passed, in
//! order, so the output reads the same however fast the deployment went.
//! The tracker does no I/O; `super::Deployment` polls and prints.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_ecs::types::{
    DeploymentLifecycleHookStatus, ServiceDeployment, ServiceDeploymentLifecycleStage,
    ServiceDeploymentStatus,
};
use tokio::time::Instant;

/// The lifecycle stages, in the order ECS runs them.
pub const STAGES: [&str; 10] = [
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
];

fn stage_index(stage: &ServiceDeploymentLifecycleStage) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage.as_str())
}

const POST_TEST: usize = 5;
const PRODUCTION: usize = 6;
const POST_PRODUCTION: usize = 7;
const BAKE: usize = 8;

/// How often a bake that goes on gets a "time left" line.
pub const BAKE_LINE_EVERY: Duration = Duration::from_secs(60);

/// `--wait-until`: when `mcp deploy` stops following.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitUntil {
    /// Production traffic is all on the new release (the bake may go on).
    #[default]
    Shifted,
    /// The deployment completed: bake over, old release stopped.
    Complete,
}

/// One line for a person: a short verb and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub verb: &'static str,
    pub text: String,
}

fn line(verb: &'static str, text: impl Into<String>) -> Line {
    Line {
        verb,
        text: text.into(),
    }
}

/// What a look at the deployment means for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing to do but look again.
    Running,
    /// Paused at `POST_TEST_TRAFFIC_SHIFT` on a hook not yet answered.
    AtGate { hook_id: String },
    /// Production traffic is all on the new revision.
    Shifted,
    /// `SUCCESSFUL`.
    Complete,
    /// ECS is putting the old revision back.
    RollingBack { reason: String },
    /// The old revision serves again (`ROLLBACK_SUCCESSFUL`).
    RolledBack { reason: String },
    /// `ROLLBACK_FAILED`.
    RollbackFailed { reason: String },
    /// `STOPPED` (a newer deployment, ABORT, an alarm without rollback).
    Stopped { reason: String },
}

/// Successive looks at one service deployment.
#[derive(Debug)]
pub struct Tracker {
    /// The bake time in force, for "N left" lines.
    bake: Option<Duration>,
    last_stage: Option<usize>,
    last_weight: Option<f64>,
    last_status: Option<String>,
    bake_since: Option<Instant>,
    last_bake_line: Option<Instant>,
    answered: HashSet<String>,
    gate: bool,
}

impl Tracker {
    /// `gate`: `mcp` answers the pause at `POST_TEST_TRAFFIC_SHIFT`.
    pub fn new(bake: Option<Duration>, gate: bool) -> Self {
        Tracker {
            bake,
            last_stage: None,
            last_weight: None,
            last_status: None,
            bake_since: None,
            last_bake_line: None,
            answered: HashSet::new(),
            gate,
        }
    }

    /// The hook was answered: do not report the gate again.
    pub fn answered(&mut self, hook_id: &str) {
        self.answered.insert(hook_id.to_string());
    }

    /// The lifecycle stage last seen.
    pub fn stage(&self) -> Option<&'static str> {
        self.last_stage.map(|i| STAGES[i])
    }

    /// Bake time left, while baking.
    pub fn bake_left(&self, now: Instant) -> Option<Duration> {
        let since = self.bake_since?;
        Some(self.bake?.saturating_sub(now.duration_since(since)))
    }

    /// Read one look at the deployment taken at `now`.
    pub fn observe(&mut self, sd: &ServiceDeployment, now: Instant) -> (Vec<Line>, Phase) {
        let mut lines = Vec::new();
        let status = sd.status().cloned();
        let status_name = status.as_ref().map(|s| s.as_str().to_string());
        let status_changed = status_name != self.last_status;
        self.last_status = status_name;
        let reason = reason_of(sd);

        match status {
            Some(ServiceDeploymentStatus::Successful) => {
                self.stages_up_to(STAGES.len() - 1, sd, &mut lines, now);
                if status_changed {
                    lines.push(line(
                        "Completed",
                        "the old revision is stopped; the deployment is over",
                    ));
                }
                return (lines, Phase::Complete);
            }
            Some(
                ServiceDeploymentStatus::RollbackRequested
                | ServiceDeploymentStatus::RollbackInProgress,
            ) => {
                if status_changed {
                    lines.push(line(
                        "Rollback",
                        format!("{reason}; production traffic goes back to the old revision"),
                    ));
                }
                return (lines, Phase::RollingBack { reason });
            }
            Some(ServiceDeploymentStatus::RollbackSuccessful) => {
                if status_changed {
                    lines.push(line(
                        "Rolled back",
                        "the old revision serves production again",
                    ));
                }
                return (lines, Phase::RolledBack { reason });
            }
            Some(ServiceDeploymentStatus::RollbackFailed) => {
                return (lines, Phase::RollbackFailed { reason });
            }
            Some(ServiceDeploymentStatus::Stopped | ServiceDeploymentStatus::StopRequested) => {
                return (lines, Phase::Stopped { reason });
            }
            _ => {}
        }

        let Some(stage) = sd.lifecycle_stage().and_then(stage_index) else {
            return (lines, Phase::Running);
        };
        self.stages_up_to(stage, sd, &mut lines, now);
        let weight = production_weight(sd);
        if stage == PRODUCTION
            && weight != self.last_weight
            && let Some(w) = weight
        {
            lines.push(line(
                "Shifting",
                format!("production traffic: {} to the new revision", percent(w)),
            ));
        }
        self.last_weight = weight;
        if stage == BAKE
            && let Some(left) = self.bake_left(now)
            && self
                .last_bake_line
                .is_some_and(|t| now.duration_since(t) >= BAKE_LINE_EVERY)
        {
            self.last_bake_line = Some(now);
            lines.push(line("Baking", format!("{} left", human(left))));
        }

        if stage == POST_TEST && self.gate {
            let waiting = sd.lifecycle_hook_details().iter().find(|h| {
                h.status() == Some(&DeploymentLifecycleHookStatus::AwaitingAction)
                    && h.hook_id().is_some_and(|id| !self.answered.contains(id))
            });
            if let Some(hook_id) = waiting.and_then(|h| h.hook_id()) {
                return (
                    lines,
                    Phase::AtGate {
                        hook_id: hook_id.to_string(),
                    },
                );
            }
        }
        let shifted =
            stage >= POST_PRODUCTION || (stage == PRODUCTION && weight.is_some_and(|w| w >= 100.0));
        (
            lines,
            if shifted {
                Phase::Shifted
            } else {
                Phase::Running
            },
        )
    }

    /// Lines for every stage after the last one seen, up to `stage`.
    fn stages_up_to(
        &mut self,
        stage: usize,
        sd: &ServiceDeployment,
        lines: &mut Vec<Line>,
        now: Instant,
    ) {
        let first = match self.last_stage {
            Some(last) if last >= stage => return,
            Some(last) => last + 1,
            // RECONCILE_SERVICE only happens when ECS reconciles several revisions.
            None => stage.min(1),
        };
        for i in first..=stage {
            if let Some(l) = self.stage_line(i, sd) {
                lines.push(l);
            }
            if i == BAKE {
                self.bake_since = Some(now);
                self.last_bake_line = Some(now);
            }
        }
        self.last_stage = Some(stage);
    }

    fn stage_line(&self, stage: usize, sd: &ServiceDeployment) -> Option<Line> {
        let target = sd.target_service_revision();
        let running = target.map_or(0, |t| t.running_task_count());
        let requested = target.map_or(0, |t| t.requested_task_count());
        Some(match STAGES[stage] {
            "RECONCILE_SERVICE" => line("Reconciling", "the service's earlier revisions"),
            "PRE_SCALE_UP" => line("Preparing", "the new revision"),
            "SCALE_UP" => line(
                "Scaling",
                format!("up the new revision next to the old one ({running}/{requested} running)"),
            ),
            "POST_SCALE_UP" => line(
                "Scaled",
                format!("up: {running}/{requested} tasks of the new revision running"),
            ),
            "TEST_TRAFFIC_SHIFT" => line("Testing", "the test listener moves to the new revision"),
            "POST_TEST_TRAFFIC_SHIFT" => line(
                "Testing",
                if self.gate {
                    "the test listener serves the new revision; production stays on the old one until the MCP gate passes"
                } else {
                    "the test listener serves the new revision; production is still on the old one"
                },
            ),
            // Each step gets its own line from the weights.
            "PRODUCTION_TRAFFIC_SHIFT" => return None,
            "POST_PRODUCTION_TRAFFIC_SHIFT" => {
                line("Shifted", "production traffic: 100% on the new revision")
            }
            "BAKE_TIME" => line(
                "Baking",
                match self.bake {
                    Some(bake) => format!(
                        "{} left; the old revision keeps running (`mcp rollback` switches back at once)",
                        human(bake)
                    ),
                    None => "the old revision keeps running (`mcp rollback` switches back at once)"
                        .into(),
                },
            ),
            "CLEAN_UP" => line("Cleaning", "up: stopping the old revision"),
            _ => return None,
        })
    }
}

/// The new revision's share of production traffic, when ECS reports one.
pub fn production_weight(sd: &ServiceDeployment) -> Option<f64> {
    sd.target_service_revision()
        .and_then(|t| t.requested_production_traffic_weight())
}

/// The new revision's share of test traffic, when ECS reports one.
pub fn test_weight(sd: &ServiceDeployment) -> Option<f64> {
    sd.target_service_revision()
        .and_then(|t| t.requested_test_traffic_weight())
}

/// Why ECS rolled back or stopped, in its words.
pub fn reason_of(sd: &ServiceDeployment) -> String {
    if let Some(alarms) = sd.alarms()
        && !alarms.triggered_alarm_names().is_empty()
    {
        return format!(
            "CloudWatch alarm {} went into ALARM",
            alarms.triggered_alarm_names().join(", ")
        );
    }
    sd.rollback()
        .and_then(|r| r.reason())
        .or(sd.status_reason())
        .unwrap_or("no reason given")
        .trim_end_matches('.')
        .to_string()
}

/// `5%`, `12.5%`, `100%`.
pub fn percent(w: f64) -> String {
    if (w - w.round()).abs() < 1e-9 {
        format!("{w:.0}%")
    } else {
        format!("{w:.1}%")
    }
}

/// `45s`, `4m10s`, `2h05m`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        DeploymentLifecycleHookDetail, Rollback, ServiceDeploymentAlarms, ServiceRevisionSummary,
    };

    fn sd(
        status: ServiceDeploymentStatus,
        stage: Option<&str>,
        weight: Option<f64>,
    ) -> ServiceDeployment {
        let mut target = ServiceRevisionSummary::builder()
            .arn("arn:rev/2")
            .requested_task_count(2)
            .running_task_count(2);
        if let Some(w) = weight {
            target = target.requested_production_traffic_weight(w);
        }
        ServiceDeployment::builder()
            .service_deployment_arn("arn:sd")
            .status(status)
            .set_lifecycle_stage(stage.map(ServiceDeploymentLifecycleStage::from))
            .target_service_revision(target.build())
            .build()
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| format!("{} {}", l.verb, l.text))
            .collect()
    }

    #[test]
    fn every_stage_is_told_once_in_order_even_when_polling_skipped_some() {
        let mut t = Tracker::new(Some(Duration::from_secs(600)), true);
        let now = Instant::now();
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("SCALE_UP"),
                Some(0.0),
            ),
            now,
        );
        assert_eq!(phase, Phase::Running);
        assert_eq!(
            texts(&lines),
            [
                "Preparing the new revision",
                "Scaling up the new revision next to the old one (2/2 running)"
            ]
        );
        // POST_SCALE_UP and TEST_TRAFFIC_SHIFT came and went between two looks.
        let (lines, _) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("POST_TEST_TRAFFIC_SHIFT"),
                Some(0.0),
            ),
            now,
        );
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[2].text.contains("until the MCP gate passes"));
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("POST_TEST_TRAFFIC_SHIFT"),
                Some(0.0),
            ),
            now,
        );
        assert!(lines.is_empty(), "nothing new: {lines:?}");
        assert_eq!(phase, Phase::Running, "no hook awaiting action");
    }

    #[test]
    fn the_pause_is_the_gate_until_answered() {
        let mut t = Tracker::new(None, true);
        let hook = DeploymentLifecycleHookDetail::builder()
            .hook_id("ecs-pause-1")
            .status(DeploymentLifecycleHookStatus::AwaitingAction)
            .build();
        let mut paused = sd(
            ServiceDeploymentStatus::InProgress,
            Some("POST_TEST_TRAFFIC_SHIFT"),
            Some(0.0),
        );
        paused.lifecycle_hook_details = Some(vec![hook]);
        let now = Instant::now();
        let (_, phase) = t.observe(&paused, now);
        assert_eq!(
            phase,
            Phase::AtGate {
                hook_id: "ecs-pause-1".into()
            }
        );
        t.answered("ecs-pause-1");
        assert_eq!(t.observe(&paused, now).1, Phase::Running);
        // Without a gate of ours, a pause is not ours to answer.
        let mut t = Tracker::new(None, false);
        assert_eq!(t.observe(&paused, now).1, Phase::Running);
    }

    #[test]
    fn canary_steps_and_the_bake_with_time_left() {
        let mut t = Tracker::new(Some(Duration::from_secs(300)), false);
        let now = Instant::now();
        t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("POST_TEST_TRAFFIC_SHIFT"),
                Some(0.0),
            ),
            now,
        );
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("PRODUCTION_TRAFFIC_SHIFT"),
                Some(10.0),
            ),
            now,
        );
        assert_eq!(
            texts(&lines),
            ["Shifting production traffic: 10% to the new revision"]
        );
        assert_eq!(phase, Phase::Running);
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("PRODUCTION_TRAFFIC_SHIFT"),
                Some(100.0),
            ),
            now,
        );
        assert_eq!(
            texts(&lines),
            ["Shifting production traffic: 100% to the new revision"]
        );
        assert_eq!(
            phase,
            Phase::Shifted,
            "all production traffic is on the new revision"
        );
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("BAKE_TIME"),
                Some(100.0),
            ),
            now,
        );
        assert_eq!(
            texts(&lines),
            [
                "Shifted production traffic: 100% on the new revision",
                "Baking 5m00s left; the old revision keeps running (`mcp rollback` switches back at once)"
            ]
        );
        assert_eq!(phase, Phase::Shifted);
        let later = now + Duration::from_secs(70);
        let (lines, _) = t.observe(
            &sd(
                ServiceDeploymentStatus::InProgress,
                Some("BAKE_TIME"),
                Some(100.0),
            ),
            later,
        );
        assert_eq!(texts(&lines), ["Baking 3m50s left"]);
        assert_eq!(t.bake_left(later), Some(Duration::from_secs(230)));
        let (lines, phase) = t.observe(
            &sd(
                ServiceDeploymentStatus::Successful,
                Some("CLEAN_UP"),
                Some(100.0),
            ),
            later,
        );
        assert_eq!(phase, Phase::Complete);
        assert_eq!(
            texts(&lines),
            [
                "Cleaning up: stopping the old revision",
                "Completed the old revision is stopped; the deployment is over"
            ]
        );
    }

    #[test]
    fn a_rollback_tells_the_alarm_or_ecs_reason() {
        let mut t = Tracker::new(None, false);
        let mut rolling = sd(
            ServiceDeploymentStatus::RollbackInProgress,
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            Some(5.0),
        );
        rolling.alarms = Some(
            ServiceDeploymentAlarms::builder()
                .alarm_names("mcp-5xx")
                .triggered_alarm_names("mcp-5xx")
                .build(),
        );
        let (lines, phase) = t.observe(&rolling, Instant::now());
        assert_eq!(
            phase,
            Phase::RollingBack {
                reason: "CloudWatch alarm mcp-5xx went into ALARM".into()
            }
        );
        assert_eq!(lines.len(), 1);
        let mut done = sd(ServiceDeploymentStatus::RollbackSuccessful, None, None);
        done.rollback = Some(
            Rollback::builder()
                .reason("Rollback requested through ContinueServiceDeployment.")
                .build(),
        );
        let (_, phase) = t.observe(&done, Instant::now());
        assert_eq!(
            phase,
            Phase::RolledBack {
                reason: "Rollback requested through ContinueServiceDeployment".into()
            }
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(percent(12.5), "12.5%");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(human(Duration::from_secs(7500)), "2h05m");
    }
}
