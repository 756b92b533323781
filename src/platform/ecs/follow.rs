//! Follow one ECS deployment, by id, to its end.
//!
//! `UpdateService` answers at once with the deployment it created (the PRIMARY
//! one, see [`deployment_id_from_update`]); whether that deployment works is only
//! known minutes later. Tools that wait for "the service is stable" get this
//! wrong in one important case: when ECS's circuit breaker rolls the service back
//! to the previous revision, the service *does* become stable, on the old code.
//! So [`follow`] never looks at the service as a whole. It keys everything on
//! *our* deployment id, and success is only that deployment's `rolloutState`
//! reaching `COMPLETED`. Nothing here assumes the deployment is the service's
//! first one or that `mcp deploy` started it: following a rollback that `mcp`
//! started is the same call with the rollback's deployment id.
//!
//! The end is one of the [`Outcome`]s:
//! - `COMPLETED`: success.
//! - `FAILED` (the circuit breaker gave up): [`Outcome::Failed`], or
//!   [`Outcome::RolledBackByEcs`] when ECS also started a deployment of its own
//!   to restore the previous revision (a newer PRIMARY with another id), or when
//!   our deployment vanished from the service and another one is PRIMARY.
//! - Tasks of our deployment stopping again and again (counted with `ListTasks`
//!   `startedBy = <deployment id>`, `desiredStatus = STOPPED`): failure once
//!   [`FollowOptions::stopped_task_threshold`] tasks have stopped, with their
//!   stop reasons and container exit codes. This catches a crash loop long before
//!   the circuit breaker (or, without one, ever).
//! - Another deployment became PRIMARY while ours had not failed (someone else
//!   deployed): [`Outcome::Superseded`].
//! - The deadline passed, and one more look (however long the poll interval had
//!   grown) still showed no end: [`Outcome::TimedOut`]; the cancel signal fired:
//!   [`Outcome::Interrupted`]. Both carry the last known state so the caller can
//!   say how to resume (`mcp status --wait`).
//!
//! While it waits it emits [`Event`]s: progress only when a count or the rollout
//! state changed, each service event once (deduplicated by id, and only those
//! created after the follow began, less [`CLOCK_SKEW`]), each stopped task once,
//! and [`Event::Throttled`] once per run of throttled or transient errors.
//!
//! Polling starts at [`FollowOptions::min_poll`] and grows by half while nothing
//! changes, up to [`FollowOptions::max_poll`] (2 s by default, so an end is seen
//! within 2 s of ECS showing it); any change resets it. Throttling and transient
//! errors are classified by error code and error kind (never by message text),
//! back off up to five times `max_poll` and are retried until the deadline, on
//! top of the SDK's own retries. Any other error (access denied, no such
//! service or cluster) ends the follow with that error.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, SystemTime};

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecs::types::{
    Deployment, DeploymentRolloutState, DesiredStatus, Service, Task, TaskStopCode,
};
use aws_smithy_types::DateTime;
use serde::Serialize;
use tokio::time::Instant;

use crate::error::McpError;
pub use crate::release::{ContainerExit, StoppedTask};

/// The default number of stopped tasks that fails a deployment.
pub const DEFAULT_STOPPED_TASK_THRESHOLD: u32 = 3;
/// The default first (and shortest) interval between two polls.
pub const DEFAULT_MIN_POLL: Duration = Duration::from_millis(500);
/// The default longest interval between two polls while ECS answers normally.
pub const DEFAULT_MAX_POLL: Duration = Duration::from_secs(1);
/// Service events created this long before the follow began are still shown:
/// the clocks of this machine and of ECS need not agree.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5);

/// How much the poll interval grows after a poll that saw nothing new.
const BACKOFF: f64 = 1.5;
/// While throttled, the interval may grow to this many times `max_poll`.
const THROTTLED_MAX_FACTOR: u32 = 5;
/// How long the last look at the deadline may take (its calls and their retries).
const LAST_LOOK: Duration = Duration::from_secs(10);
/// How many stopped tasks an outcome carries (the first ones to stop).
const KEPT_STOPPED_TASKS: usize = 10;

/// What to follow and how.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub cluster: String,
    pub service: String,
    /// The deployment to follow (`ecs-svc/…`), e.g. from [`deployment_id_from_update`].
    pub deployment_id: String,
    /// Give up after this long: [`Outcome::TimedOut`].
    pub timeout: Duration,
    /// Fail once this many tasks of the deployment have stopped; 0 turns the check off.
    pub stopped_task_threshold: u32,
    pub min_poll: Duration,
    pub max_poll: Duration,
    /// Describe the service through the process's shared [`batch`](super::batch)
    /// (one `DescribeServices` per ten services followed at once) instead of
    /// calling ECS alone. Off in [`FollowOptions::new`]; rollouts turn it on.
    pub batched: bool,
}

impl FollowOptions {
    /// Options with the default threshold and poll intervals.
    pub fn new(
        cluster: impl Into<String>,
        service: impl Into<String>,
        deployment_id: impl Into<String>,
        timeout: Duration,
    ) -> Self {
        FollowOptions {
            cluster: cluster.into(),
            service: service.into(),
            deployment_id: deployment_id.into(),
            timeout,
            stopped_task_threshold: DEFAULT_STOPPED_TASK_THRESHOLD,
            min_poll: DEFAULT_MIN_POLL,
            max_poll: DEFAULT_MAX_POLL,
            batched: false,
        }
    }
}

/// The state of our deployment at one poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub deployment_id: String,
    pub task_definition: String,
    /// `PRIMARY`, `ACTIVE` or `INACTIVE`.
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    /// ECS's count of consecutively failed tasks of this deployment.
    pub failed: i32,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`; none when ECS reports none.
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    /// Since the follow began.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

impl Snapshot {
    fn of(deployment: &Deployment, elapsed: Duration) -> Self {
        Snapshot {
            deployment_id: deployment.id().unwrap_or_default().to_string(),
            task_definition: deployment.task_definition().unwrap_or_default().to_string(),
            status: deployment.status().unwrap_or_default().to_string(),
            desired: deployment.desired_count(),
            running: deployment.running_count(),
            pending: deployment.pending_count(),
            failed: deployment.failed_tasks(),
            rollout_state: deployment.rollout_state().map(|s| s.as_str().to_string()),
            rollout_reason: deployment.rollout_state_reason().map(str::to_string),
            elapsed,
        }
    }

    /// Equal in everything but the time it was taken.
    fn same_state(&self, other: &Snapshot) -> bool {
        Snapshot {
            elapsed: Duration::ZERO,
            ..self.clone()
        } == Snapshot {
            elapsed: Duration::ZERO,
            ..other.clone()
        }
    }
}

/// A [`StoppedTask`] from ECS's description of the task.
/// Whether a stopped task failed, by its stop code (and, for the scheduler's
/// stops, its reason) as the ECS Developer Guide's "Stopped tasks error codes"
/// describe them. Failures: the task failed to start; an essential container
/// exited non-zero (or without an exit code); the scheduler stopped it for
/// failed ELB or container health checks. Not failures: scale-in, rebalancing
/// and replacement by the scheduler, StopTask by someone, Spot interruption,
/// termination notices, infrastructure health. An unknown code counts.
pub(crate) fn failed(task: &Task) -> bool {
    match task.stop_code() {
        Some(TaskStopCode::TaskFailedToStart) => true,
        Some(TaskStopCode::EssentialContainerExited) => {
            let codes: Vec<i32> = task
                .containers()
                .iter()
                .filter_map(|c| c.exit_code())
                .collect();
            codes.is_empty() || codes.iter().any(|&code| code != 0)
        }
        Some(TaskStopCode::ServiceSchedulerInitiated) => task
            .stopped_reason()
            .is_some_and(|r| r.to_ascii_lowercase().contains("health check")),
        Some(
            TaskStopCode::UserInitiated
            | TaskStopCode::SpotInterruption
            | TaskStopCode::TerminationNotice,
        ) => false,
        Some(other) => other.as_str() != "InfrastructureHealth",
        None => true,
    }
}

/// A stopped task as reports show it.
pub(crate) fn stopped_task(task: &Task) -> StoppedTask {
    let arn = task.task_arn().unwrap_or_default();
    StoppedTask {
        task_id: arn.rsplit('/').next().unwrap_or(arn).to_string(),
        stopped_at: task.stopped_at().and_then(timestamp),
        stop_code: task.stop_code().map(|c| c.as_str().to_string()),
        reason: task.stopped_reason().map(str::to_string),
        containers: task
            .containers()
            .iter()
            .map(|c| ContainerExit {
                name: c.name().unwrap_or_default().to_string(),
                exit_code: c.exit_code(),
                reason: c.reason().map(str::to_string),
            })
            .collect(),
    }
}

/// What [`follow`] reports while it waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Our deployment's counts or rollout state changed.
    Progress(Snapshot),
    /// A service event (`service.events`) not reported before.
    ServiceEvent {
        id: String,
        at: Option<jiff::Timestamp>,
        message: String,
    },
    /// A task of our deployment stopped.
    TaskStopped(StoppedTask),
    /// ECS throttled us or failed transiently; the follower backs off and keeps
    /// polling until the deadline. Emitted once per run of such errors.
    Throttled { error: String },
    /// A side read (the stopped tasks' details) failed or could not be parsed;
    /// the follow goes on, judging by the deployment alone. Once per read.
    SideReadFailed { what: String, error: String },
}

/// How a follow ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Our deployment reached `COMPLETED`.
    Completed(Snapshot),
    /// Our deployment failed (circuit breaker, or too many stopped tasks) and ECS
    /// did not start a rollback of its own.
    Failed {
        reason: String,
        snapshot: Snapshot,
        stopped: Vec<StoppedTask>,
    },
    /// Our deployment failed or vanished and ECS now runs another deployment,
    /// normally the previous revision restored by the circuit breaker.
    RolledBackByEcs {
        reason: String,
        rollback_deployment_id: String,
        rollback_task_definition: String,
        snapshot: Option<Snapshot>,
        stopped: Vec<StoppedTask>,
    },
    /// Another deployment became PRIMARY while ours was still in progress.
    Superseded {
        by_deployment_id: String,
        by_task_definition: String,
        snapshot: Snapshot,
    },
    /// The deadline passed first.
    TimedOut {
        snapshot: Option<Snapshot>,
        stopped: Vec<StoppedTask>,
    },
    /// The cancel signal fired first.
    Interrupted { snapshot: Option<Snapshot> },
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Completed(_))
    }

    /// The last known state of our deployment.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        match self {
            Outcome::Completed(s)
            | Outcome::Failed { snapshot: s, .. }
            | Outcome::Superseded { snapshot: s, .. } => Some(s),
            Outcome::RolledBackByEcs { snapshot, .. }
            | Outcome::TimedOut { snapshot, .. }
            | Outcome::Interrupted { snapshot } => snapshot.as_ref(),
        }
    }
}

/// The id of the deployment an `UpdateService` call started: the PRIMARY one.
pub fn deployment_id_from_update(service: &Service) -> Option<String> {
    service
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .map(str::to_string)
}

/// Follow `opts.deployment_id` until it ends, the deadline passes or `cancel`
/// completes (pass `std::future::pending()` for "never"). Events go to
/// `on_event` as they happen. `Err` only for errors that waiting cannot fix.
pub async fn follow(
    ecs: &aws_sdk_ecs::Client,
    opts: &FollowOptions,
    on_event: &mut (dyn FnMut(Event) + Send),
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let deadline = start + opts.timeout;
    let mut follower = Follower::new(opts, SystemTime::now());
    let throttled_max = opts.max_poll.max(opts.min_poll) * THROTTLED_MAX_FACTOR;
    let mut interval = opts.min_poll;
    let mut throttled = false;
    tokio::pin!(cancel);
    loop {
        let woke = tokio::select! {
            biased;
            () = &mut cancel => Woke::Cancelled,
            () = tokio::time::sleep_until(deadline) => Woke::Deadline,
            step = follower.poll(ecs, start, on_event) => Woke::Polled(step),
        };
        let step = match woke {
            Woke::Cancelled => return Ok(follower.interrupted()),
            Woke::Deadline => {
                // A deadline alone never decides: the poll it cut short, or the
                // last seconds a long interval skipped, may hold the end. Look once more.
                let last = tokio::select! {
                    biased;
                    () = &mut cancel => return Ok(follower.interrupted()),
                    step = tokio::time::timeout(LAST_LOOK, follower.poll(ecs, start, on_event)) => step,
                };
                return Ok(match last {
                    Ok(Ok(Step::Done(outcome))) => *outcome,
                    _ => follower.timed_out(),
                });
            }
            Woke::Polled(step) => step,
        };
        match step {
            Ok(Step::Done(outcome)) => return Ok(*outcome),
            Ok(Step::Continue { changed }) => {
                throttled = false;
                interval = if changed {
                    opts.min_poll
                } else {
                    interval.mul_f64(BACKOFF).min(opts.max_poll)
                };
            }
            Err(PollError::Transient(error)) => {
                if !throttled {
                    on_event(Event::Throttled { error });
                    throttled = true;
                }
                interval = (interval * 2).min(throttled_max);
            }
            Err(PollError::Fatal(err)) => return Err(err),
        }
        tokio::select! {
            biased;
            () = &mut cancel => return Ok(follower.interrupted()),
            // Past the deadline, the next turn of the loop reports the timeout.
            () = tokio::time::sleep_until((Instant::now() + interval).min(deadline)) => {}
        }
    }
}

/// Why the follower woke up.
enum Woke {
    Cancelled,
    Deadline,
    Polled(Result<Step, PollError>),
}

/// What one poll found.
enum Step {
    // Boxed: an outcome is large and most polls continue.
    Done(Box<Outcome>),
    Continue { changed: bool },
}

fn done(outcome: Outcome) -> Step {
    Step::Done(Box::new(outcome))
}

enum PollError {
    /// Throttled or a passing failure: back off and poll again.
    Transient(String),
    /// Waiting will not help.
    Fatal(anyhow::Error),
}

/// The state carried from one poll to the next.
struct Follower<'a> {
    opts: &'a FollowOptions,
    /// Service events created before this are someone else's history.
    events_since: SystemTime,
    seen_events: HashSet<String>,
    seen_tasks: HashSet<String>,
    /// Side reads whose failure was told (each once).
    side_reads_failed: HashSet<&'static str>,
    /// The first stopped tasks, for the outcome.
    stopped: Vec<StoppedTask>,
    stopped_count: u32,
    last: Option<Snapshot>,
}

impl<'a> Follower<'a> {
    fn new(opts: &'a FollowOptions, started: SystemTime) -> Self {
        Follower {
            opts,
            events_since: started.checked_sub(CLOCK_SKEW).unwrap_or(started),
            seen_events: HashSet::new(),
            seen_tasks: HashSet::new(),
            side_reads_failed: HashSet::new(),
            stopped: Vec::new(),
            stopped_count: 0,
            last: None,
        }
    }

    fn interrupted(&self) -> Outcome {
        Outcome::Interrupted {
            snapshot: self.last.clone(),
        }
    }

    fn timed_out(&self) -> Outcome {
        Outcome::TimedOut {
            snapshot: self.last.clone(),
            stopped: self.stopped.clone(),
        }
    }

    async fn poll(
        &mut self,
        ecs: &aws_sdk_ecs::Client,
        start: Instant,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Step, PollError> {
        let opts = self.opts;
        let doing = || {
            format!(
                "describing service `{}` in cluster `{}`",
                opts.service, opts.cluster
            )
        };
        let out = if opts.batched {
            super::batch::shared()
                .describe(ecs, &opts.cluster, &opts.service, |e| {
                    match classify(e, doing) {
                        PollError::Transient(text) => super::batch::BatchError::Transient(text),
                        PollError::Fatal(err) => {
                            super::batch::BatchError::Fatal(std::sync::Arc::new(err))
                        }
                    }
                })
                .await
                .map_err(|e| match e {
                    super::batch::BatchError::Transient(text) => PollError::Transient(text),
                    super::batch::BatchError::Fatal(err) => PollError::Fatal(
                        std::sync::Arc::try_unwrap(err)
                            .unwrap_or_else(|shared| anyhow::anyhow!("{shared:#}")),
                    ),
                })?
        } else {
            ecs.describe_services()
                .cluster(&opts.cluster)
                .services(&opts.service)
                .send()
                .await
                .map_err(|e| classify(e, doing))?
        };
        let Some(service) = out.services().first() else {
            let reason = out
                .failures()
                .first()
                .and_then(|f| f.reason())
                .unwrap_or("not returned");
            return Err(PollError::Fatal(
                McpError::new(format!(
                    "service `{}` not found in cluster `{}` ({reason})",
                    opts.service, opts.cluster
                ))
                .hint("check `ecs.cluster` and `ecs.service` in mcp.toml")
                .into(),
            ));
        };

        // A deleted service (INACTIVE, or DRAINING on its way there) has nothing left to wait for.
        if let Some(status) = service.status().filter(|s| *s != "ACTIVE") {
            return Err(PollError::Fatal(
                McpError::new(format!(
                    "service `{}` in cluster `{}` is {status}",
                    opts.service, opts.cluster
                ))
                .hint("the service was deleted while the deployment was in progress")
                .into(),
            ));
        }

        let mut changed = false;
        let ours = service
            .deployments()
            .iter()
            .find(|d| d.id() == Some(opts.deployment_id.as_str()));
        let primary = service
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"));
        let other_primary = primary.filter(|p| p.id() != Some(opts.deployment_id.as_str()));

        let snapshot = ours.map(|d| Snapshot::of(d, start.elapsed()));
        if let Some(snapshot) = &snapshot {
            if !self
                .last
                .as_ref()
                .is_some_and(|last| last.same_state(snapshot))
            {
                on_event(Event::Progress(snapshot.clone()));
                changed = true;
            }
            self.last = Some(snapshot.clone());
        }
        changed |= self.service_events(service, on_event);

        if let (Some(ours), Some(snapshot)) = (ours, &snapshot) {
            let completed = match ours.rollout_state() {
                Some(state) => *state == DeploymentRolloutState::Completed,
                // No rollout state (old API, other deployment controllers): our
                // deployment must be the only one, PRIMARY, and fully running.
                None => {
                    service.deployments().len() == 1
                        && primary.is_some()
                        && other_primary.is_none()
                        && snapshot.running == snapshot.desired
                        && snapshot.pending == 0
                }
            };
            if completed {
                return Ok(done(Outcome::Completed(snapshot.clone())));
            }
        }

        changed |= self.stopped_tasks(ecs, on_event).await?;
        let stopped = self.stopped.clone();

        let Some(ours) = ours else {
            return Ok(match other_primary {
                Some(p) => done(Outcome::RolledBackByEcs {
                    reason: format!(
                        "deployment `{}` is no longer on the service; ECS now runs deployment `{}`",
                        opts.deployment_id,
                        p.id().unwrap_or_default()
                    ),
                    rollback_deployment_id: p.id().unwrap_or_default().to_string(),
                    rollback_task_definition: p.task_definition().unwrap_or_default().to_string(),
                    snapshot: self.last.clone(),
                    stopped,
                }),
                // Nothing to go by (not even a PRIMARY): look again until the deadline.
                None => Step::Continue { changed },
            });
        };
        let snapshot = snapshot.expect("a snapshot is taken whenever our deployment is listed");
        let failed = ours.rollout_state() == Some(&DeploymentRolloutState::Failed);
        let failure_reason = || {
            snapshot
                .rollout_reason
                .clone()
                .unwrap_or_else(|| format!("deployment `{}` failed", opts.deployment_id))
        };

        if let Some(p) = other_primary {
            let by_deployment_id = p.id().unwrap_or_default().to_string();
            let by_task_definition = p.task_definition().unwrap_or_default().to_string();
            return Ok(done(if failed {
                Outcome::RolledBackByEcs {
                    reason: failure_reason(),
                    rollback_deployment_id: by_deployment_id,
                    rollback_task_definition: by_task_definition,
                    snapshot: Some(snapshot),
                    stopped,
                }
            } else {
                Outcome::Superseded {
                    by_deployment_id,
                    by_task_definition,
                    snapshot,
                }
            }));
        }
        if failed {
            return Ok(done(Outcome::Failed {
                reason: failure_reason(),
                snapshot,
                stopped,
            }));
        }
        let threshold = opts.stopped_task_threshold;
        if threshold > 0 && self.stopped_count >= threshold {
            let first = stopped
                .first()
                .map(|t| format!("; first: {t}"))
                .unwrap_or_default();
            let reason = format!(
                "{} tasks of deployment `{}` stopped{first}",
                self.stopped_count, opts.deployment_id
            );
            return Ok(done(Outcome::Failed {
                reason,
                snapshot,
                stopped,
            }));
        }
        Ok(Step::Continue { changed })
    }

    /// Report service events not seen before, oldest first. True if there were any.
    fn service_events(
        &mut self,
        service: &Service,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> bool {
        let mut any = false;
        // ECS lists events newest first.
        for event in service.events().iter().rev() {
            let at = event.created_at();
            if at
                .and_then(|at| SystemTime::try_from(*at).ok())
                .is_some_and(|at| at < self.events_since)
            {
                continue;
            }
            let message = event.message().unwrap_or_default().to_string();
            let id = match event.id() {
                Some(id) => id.to_string(),
                None => format!("{at:?} {message}"),
            };
            if self.seen_events.insert(id.clone()) {
                on_event(Event::ServiceEvent {
                    id,
                    at: at.and_then(timestamp),
                    message,
                });
                any = true;
            }
        }
        any
    }

    /// Find tasks of our deployment that stopped since the last poll, record and
    /// report them. True if there were any.
    async fn stopped_tasks(
        &mut self,
        ecs: &aws_sdk_ecs::Client,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<bool, PollError> {
        let opts = self.opts;
        // ECS sets a service task's `startedBy` to the id of its deployment.
        let filter = crate::aws::ecs::TaskFilter {
            started_by: Some(&opts.deployment_id),
            desired: Some(DesiredStatus::Stopped),
            ..Default::default()
        };
        // Every page and every batch: a deployment may stop hundreds of tasks.
        let listing = crate::aws::ecs::list_task_arns(ecs, &opts.cluster, filter)
            .await
            .map_err(|e| {
                classify(e, || {
                    format!(
                        "listing stopped tasks of deployment `{}`",
                        opts.deployment_id
                    )
                })
            });
        let list = match self.side_read("listing stopped tasks (ListTasks)", listing, on_event)? {
            Some(list) => list,
            None => return Ok(false),
        };
        let new: Vec<String> = list
            .iter()
            .filter(|arn| !self.seen_tasks.contains(arn.as_str()))
            .cloned()
            .collect();
        if new.is_empty() {
            return Ok(false);
        }
        let describing = crate::aws::ecs::describe_tasks(ecs, &opts.cluster, &new)
            .await
            .map_err(|e| {
                classify(e, || {
                    format!(
                        "describing stopped tasks of deployment `{}`",
                        opts.deployment_id
                    )
                })
            });
        let described = match self.side_read(
            "describing stopped tasks (DescribeTasks)",
            describing,
            on_event,
        )? {
            Some(described) => described,
            None => return Ok(false),
        };
        // A task told to stop may still be stopping; it has its exit codes only
        // once its last status is STOPPED, so it is reported then.
        let mut tasks: Vec<&Task> = described
            .iter()
            .filter(|t| t.last_status() == Some("STOPPED"))
            .collect();
        tasks.sort_by_key(|t| t.stopped_at().map(|at| (at.secs(), at.subsec_nanos())));
        for task in &tasks {
            self.seen_tasks
                .insert(task.task_arn().unwrap_or_default().to_string());
            let stopped = stopped_task(task);
            // Only failures count towards the threshold and the report.
            if failed(task) {
                self.stopped_count += 1;
                if self.stopped.len() < KEPT_STOPPED_TASKS {
                    self.stopped.push(stopped.clone());
                }
            }
            on_event(Event::TaskStopped(stopped));
        }
        Ok(!tasks.is_empty())
    }
}

impl Follower<'_> {
    /// A side read never ends the follow: throttling backs off like any poll;
    /// any other failure (refused, unparseable) is told once and the poll goes
    /// on without it (None).
    fn side_read<T>(
        &mut self,
        what: &'static str,
        read: Result<T, PollError>,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Option<T>, PollError> {
        match read {
            Ok(value) => Ok(Some(value)),
            Err(PollError::Transient(error)) => Err(PollError::Transient(error)),
            Err(PollError::Fatal(err)) => {
                if self.side_reads_failed.insert(what) {
                    on_event(Event::SideReadFailed {
                        what: what.to_string(),
                        error: format!("{err:#}"),
                    });
                }
                Ok(None)
            }
        }
    }
}

/// Sort an SDK error into "back off and retry" and "give up".
fn classify<E>(err: SdkError<E>, doing: impl FnOnce() -> String) -> PollError
where
    E: ProvideErrorMetadata
        + aws_smithy_types::retry::ProvideErrorKind
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    if crate::aws::retry::is_retryable(&err) {
        return PollError::Transient(format!("{}: {}", doing(), crate::aws::describe(&err)));
    }
    let denied = err
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(crate::aws::error::is_access_denied_code);
    let error = crate::aws::error(err).context(doing());
    PollError::Fatal(if denied {
        error.context(McpError::new("not allowed to watch the deployment").hint(
            "the AWS identity needs ecs:DescribeServices, ecs:ListTasks and ecs:DescribeTasks",
        ))
    } else {
        error
    })
}

fn timestamp(at: &DateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(at.secs(), at.subsec_nanos() as i32).ok()
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    //! ECS is faked with aws-smithy-mocks: each test scripts what DescribeServices,
    //! ListTasks and DescribeTasks answer, poll after poll. Polls are a few
    //! milliseconds apart; no test asserts on timing.

    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::aws::mock_client;
    use aws_sdk_ecs::Client;
    use aws_sdk_ecs::config::retry::RetryConfig;
    use aws_sdk_ecs::operation::describe_services::{
        DescribeServicesError, DescribeServicesOutput,
    };
    use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
    use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
    use aws_sdk_ecs::types::{Container, Failure, ServiceEvent, TaskStopCode};
    use aws_smithy_mocks::{Rule, RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    const CLUSTER: &str = "prod";
    const SERVICE: &str = "weather";
    const OURS: &str = "ecs-svc/1111";
    const OLD: &str = "ecs-svc/0000";
    const ROLLBACK: &str = "ecs-svc/2222";
    const TD_NEW: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/weather:8";
    const TD_OLD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/weather:7";

    fn deployment(
        id: &str,
        status: &str,
        td: &str,
        state: DeploymentRolloutState,
        running: i32,
    ) -> Deployment {
        Deployment::builder()
            .id(id)
            .status(status)
            .task_definition(td)
            .desired_count(2)
            .running_count(running)
            .pending_count(2 - running)
            .rollout_state(state)
            .build()
    }

    fn in_progress(running: i32) -> Deployment {
        deployment(
            OURS,
            "PRIMARY",
            TD_NEW,
            DeploymentRolloutState::InProgress,
            running,
        )
    }

    fn old_active() -> Deployment {
        deployment(OLD, "ACTIVE", TD_OLD, DeploymentRolloutState::Completed, 2)
    }

    fn services(deployments: Vec<Deployment>, events: Vec<ServiceEvent>) -> DescribeServicesOutput {
        let service = Service::builder()
            .service_name(SERVICE)
            .status("ACTIVE")
            .set_deployments(Some(deployments))
            .set_events(Some(events))
            .build();
        DescribeServicesOutput::builder().services(service).build()
    }

    fn event(id: &str, message: &str, age: Duration) -> ServiceEvent {
        let at = DateTime::from(SystemTime::now() - age);
        ServiceEvent::builder()
            .id(id)
            .message(message)
            .created_at(at)
            .build()
    }

    /// DescribeServices answers these, in order, the last one for ever.
    fn describe(outputs: Vec<DescribeServicesOutput>) -> Rule {
        let mut seq = mock!(Client::describe_services)
            .match_requests(|r| {
                r.cluster() == Some(CLUSTER) && r.services() == [SERVICE.to_string()]
            })
            .sequence();
        let last = outputs.len() - 1;
        for (i, out) in outputs.into_iter().enumerate() {
            seq = seq.output(move || out.clone());
            if i == last {
                return seq.repeatedly().build();
            }
        }
        unreachable!("at least one output")
    }

    /// ListTasks for our deployment's stopped tasks finds none.
    fn no_stopped_tasks() -> Rule {
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build())
    }

    fn client(rules: &[&Rule]) -> Client {
        // The SDK's own retries are off so that throttling reaches the follower.
        mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules, |c| c
            .retry_config(RetryConfig::disabled()))
    }

    fn options() -> FollowOptions {
        FollowOptions {
            min_poll: Duration::from_millis(1),
            max_poll: Duration::from_millis(4),
            ..FollowOptions::new(CLUSTER, SERVICE, OURS, Duration::from_secs(30))
        }
    }

    async fn run(client: &Client, opts: &FollowOptions) -> (anyhow::Result<Outcome>, Vec<Event>) {
        let mut events = Vec::new();
        let outcome = follow(
            client,
            opts,
            &mut |e| events.push(e),
            std::future::pending(),
        )
        .await;
        (outcome, events)
    }

    fn progress(events: &[Event]) -> Vec<(i32, Option<String>)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Progress(s) => Some((s.running, s.rollout_state.clone())),
                _ => None,
            })
            .collect()
    }

    fn count(events: &[Event], f: impl Fn(&Event) -> bool) -> usize {
        events.iter().filter(|e| f(e)).count()
    }

    #[tokio::test]
    async fn completed_is_success_and_progress_is_reported_only_on_change() {
        let describe = describe(vec![
            services(vec![in_progress(0), old_active()], vec![]),
            services(vec![in_progress(0), old_active()], vec![]),
            services(vec![in_progress(1), old_active()], vec![]),
            services(
                vec![deployment(
                    OURS,
                    "PRIMARY",
                    TD_NEW,
                    DeploymentRolloutState::Completed,
                    2,
                )],
                vec![],
            ),
        ]);
        let list = mock!(Client::list_tasks)
            .match_requests(|r| {
                r.cluster() == Some(CLUSTER)
                    && r.started_by() == Some(OURS)
                    && r.desired_status() == Some(&DesiredStatus::Stopped)
            })
            .then_output(|| ListTasksOutput::builder().build());
        let ecs = client(&[&describe, &list]);
        let (outcome, events) = run(&ecs, &options()).await;
        let Outcome::Completed(snapshot) = outcome.unwrap() else {
            panic!("expected success")
        };
        assert_eq!(snapshot.running, 2);
        assert_eq!(snapshot.task_definition, TD_NEW);
        let ip = Some("IN_PROGRESS".to_string());
        assert_eq!(
            progress(&events),
            [(0, ip.clone()), (1, ip), (2, Some("COMPLETED".to_string()))]
        );
        assert_eq!(describe.num_calls(), 4);
    }

    #[tokio::test]
    async fn circuit_breaker_failure_without_rollback_is_a_failure() {
        let reason = "ECS deployment circuit breaker: tasks failed to start.";
        let failed = Deployment::builder()
            .id(OURS)
            .status("PRIMARY")
            .task_definition(TD_NEW)
            .rollout_state(DeploymentRolloutState::Failed)
            .rollout_state_reason(reason)
            .build();
        let describe = describe(vec![
            services(vec![in_progress(0), old_active()], vec![]),
            services(vec![failed], vec![]),
        ]);
        let list = no_stopped_tasks();
        let (outcome, _) = run(&client(&[&describe, &list]), &options()).await;
        match outcome.unwrap() {
            Outcome::Failed {
                reason: r,
                snapshot,
                ..
            } => {
                assert_eq!(r, reason);
                assert_eq!(snapshot.rollout_state.as_deref(), Some("FAILED"));
            }
            other => panic!("expected failure, got {other:?}"),
        }
    }

    // Guards the bug peer tools have: after ECS rolls back, the service is stable
    // (on the old revision), which must not read as a successful deploy.
    // The restoring deployment here is a new one; see the next test for ECS
    // reviving the previous deployment instead.
    #[tokio::test]
    async fn ecs_rollback_is_reported_with_what_it_restored_never_as_success() {
        let reason = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0000";
        let ours_failed = Deployment::builder()
            .id(OURS)
            .status("ACTIVE")
            .task_definition(TD_NEW)
            .rollout_state(DeploymentRolloutState::Failed)
            .rollout_state_reason(reason)
            .build();
        let rollback = |state, running| deployment(ROLLBACK, "PRIMARY", TD_OLD, state, running);
        let describe = describe(vec![
            services(vec![in_progress(0), old_active()], vec![]),
            services(
                vec![rollback(DeploymentRolloutState::InProgress, 0), ours_failed],
                vec![],
            ),
            // Stable again, on the old revision.
            services(vec![rollback(DeploymentRolloutState::Completed, 2)], vec![]),
        ]);
        let list = no_stopped_tasks();
        let (outcome, _) = run(&client(&[&describe, &list]), &options()).await;
        match outcome.unwrap() {
            Outcome::RolledBackByEcs {
                reason: r,
                rollback_deployment_id,
                rollback_task_definition,
                ..
            } => {
                assert_eq!(r, reason);
                assert_eq!(rollback_deployment_id, ROLLBACK);
                assert_eq!(rollback_task_definition, TD_OLD);
            }
            other => panic!("expected ECS's rollback, got {other:?}"),
        }
    }

    // AWS documents that the circuit breaker rolls back by taking the most recent
    // COMPLETED deployment back to IN_PROGRESS: the restoring deployment may be
    // the old one, id and all.
    #[tokio::test]
    async fn ecs_rollback_to_the_previous_deployment_is_a_rollback() {
        let ours_failed = deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::Failed, 0);
        let describe = describe(vec![
            services(vec![in_progress(0), old_active()], vec![]),
            services(
                vec![
                    deployment(
                        OLD,
                        "PRIMARY",
                        TD_OLD,
                        DeploymentRolloutState::InProgress,
                        2,
                    ),
                    ours_failed,
                ],
                vec![],
            ),
        ]);
        let list = no_stopped_tasks();
        let (outcome, _) = run(&client(&[&describe, &list]), &options()).await;
        match outcome.unwrap() {
            Outcome::RolledBackByEcs {
                reason,
                rollback_deployment_id,
                rollback_task_definition,
                ..
            } => {
                assert_eq!(
                    reason, "deployment `ecs-svc/1111` failed",
                    "no rollout reason: a generic one"
                );
                assert_eq!(rollback_deployment_id, OLD);
                assert_eq!(rollback_task_definition, TD_OLD);
            }
            other => panic!("expected ECS's rollback, got {other:?}"),
        }
    }

    // Same guard, when the polls miss the FAILED state entirely (say, while
    // throttled) and next see only the restored, stable revision.
    #[tokio::test]
    async fn vanished_deployment_with_another_primary_is_a_rollback() {
        let describe = describe(vec![
            services(vec![in_progress(1), old_active()], vec![]),
            services(
                vec![deployment(
                    ROLLBACK,
                    "PRIMARY",
                    TD_OLD,
                    DeploymentRolloutState::Completed,
                    2,
                )],
                vec![],
            ),
        ]);
        let list = no_stopped_tasks();
        let (outcome, _) = run(&client(&[&describe, &list]), &options()).await;
        let outcome = outcome.unwrap();
        assert!(!outcome.is_success());
        match outcome {
            Outcome::RolledBackByEcs {
                rollback_deployment_id,
                rollback_task_definition,
                snapshot,
                ..
            } => {
                assert_eq!(rollback_deployment_id, ROLLBACK);
                assert_eq!(rollback_task_definition, TD_OLD);
                assert_eq!(
                    snapshot.unwrap().running,
                    1,
                    "the last state seen of our deployment"
                );
            }
            other => panic!("expected ECS's rollback, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_newer_deployment_while_ours_is_in_progress_supersedes_it() {
        let theirs = deployment(
            ROLLBACK,
            "PRIMARY",
            TD_NEW,
            DeploymentRolloutState::InProgress,
            0,
        );
        let ours = deployment(
            OURS,
            "ACTIVE",
            TD_NEW,
            DeploymentRolloutState::InProgress,
            1,
        );
        let describe = describe(vec![services(vec![theirs, ours], vec![])]);
        let list = no_stopped_tasks();
        let (outcome, _) = run(&client(&[&describe, &list]), &options()).await;
        assert!(
            matches!(outcome.unwrap(), Outcome::Superseded { by_deployment_id, .. } if by_deployment_id == ROLLBACK)
        );
    }

    // Following a rollback `mcp` started is following another id: an older,
    // failed deployment still on the service must not count against it.
    #[tokio::test]
    async fn follows_a_later_deployment_by_id() {
        let failed_old = deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::Failed, 0);
        let describe = describe(vec![
            services(
                vec![
                    deployment(
                        ROLLBACK,
                        "PRIMARY",
                        TD_OLD,
                        DeploymentRolloutState::InProgress,
                        1,
                    ),
                    failed_old,
                ],
                vec![],
            ),
            services(
                vec![deployment(
                    ROLLBACK,
                    "PRIMARY",
                    TD_OLD,
                    DeploymentRolloutState::Completed,
                    2,
                )],
                vec![],
            ),
        ]);
        let list = mock!(Client::list_tasks)
            .match_requests(|r| r.started_by() == Some(ROLLBACK))
            .then_output(|| ListTasksOutput::builder().build());
        let opts = FollowOptions {
            deployment_id: ROLLBACK.into(),
            ..options()
        };
        let (outcome, _) = run(&client(&[&describe, &list]), &opts).await;
        let Outcome::Completed(snapshot) = outcome.unwrap() else {
            panic!("expected success")
        };
        assert_eq!(snapshot.task_definition, TD_OLD);
    }

    #[tokio::test]
    async fn stopped_task_details_that_cannot_be_parsed_are_told_once_and_the_follow_goes_on() {
        let failed = deployment(OURS, "ACTIVE", TD_NEW, DeploymentRolloutState::Failed, 0);
        let describe = describe(vec![
            services(vec![in_progress(0), old_active()], vec![]),
            services(vec![in_progress(0), old_active()], vec![]),
            services(vec![in_progress(0), old_active()], vec![]),
            services(
                vec![
                    deployment(
                        ROLLBACK,
                        "PRIMARY",
                        TD_OLD,
                        DeploymentRolloutState::InProgress,
                        1,
                    ),
                    failed,
                ],
                vec![],
            ),
        ]);
        let list = mock!(Client::list_tasks).then_output(|| {
            ListTasksOutput::builder()
                .task_arns(format!(
                    "arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/task1"
                ))
                .build()
        });
        // An answer the SDK cannot parse.
        let describe_tasks = mock!(Client::describe_tasks).then_http_response(|| {
            aws_smithy_runtime_api::client::orchestrator::HttpResponse::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(200).unwrap(),
                aws_smithy_types::body::SdkBody::from(r#"{"tasks": 42, "failures": "#),
            )
        });
        let (outcome, events) =
            run(&client(&[&describe, &list, &describe_tasks]), &options()).await;
        match outcome.expect("the follow goes on") {
            Outcome::RolledBackByEcs {
                rollback_deployment_id,
                ..
            } => assert_eq!(rollback_deployment_id, ROLLBACK),
            other => panic!("ECS rolled back, got {other:?}"),
        }
        let told: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::SideReadFailed { what, .. } => Some(what.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(told, ["describing stopped tasks (DescribeTasks)"]);
        assert!(describe_tasks.num_calls() >= 2, "tried on later polls too");
    }

    #[tokio::test]
    async fn repeatedly_stopping_tasks_fail_the_deployment_with_reasons_and_exit_codes() {
        let describe = describe(vec![services(vec![in_progress(0), old_active()], vec![])]);
        let arn = |n: usize| format!("arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/task{n}");
        let listed = move |n: usize| {
            ListTasksOutput::builder()
                .set_task_arns(Some((1..=n).map(arn).collect()))
                .build()
        };
        let list = mock!(Client::list_tasks)
            .match_requests(|r| {
                r.started_by() == Some(OURS) && r.desired_status() == Some(&DesiredStatus::Stopped)
            })
            .sequence()
            .output(move || listed(0))
            .output(move || listed(1))
            .output(move || listed(2))
            .output(move || listed(3))
            .repeatedly()
            .build();
        // Each call describes only the tasks not seen before.
        let described = Arc::new(AtomicUsize::new(0));
        let seen = described.clone();
        let describe_tasks = mock!(Client::describe_tasks).then_compute_output(move |req| {
            let tasks = req.tasks();
            seen.fetch_add(tasks.len(), Ordering::SeqCst);
            let tasks = tasks.iter().map(|arn| {
                Task::builder()
                    .task_arn(arn)
                    .last_status("STOPPED")
                    .started_by(OURS)
                    .stopped_at(DateTime::from(SystemTime::now()))
                    .stop_code(TaskStopCode::EssentialContainerExited)
                    .stopped_reason("Essential container in task exited")
                    .containers(Container::builder().name("app").exit_code(1).build())
                    .containers(
                        Container::builder()
                            .name("proxy")
                            .reason("CannotPullContainerError")
                            .build(),
                    )
                    .build()
            });
            DescribeTasksOutput::builder()
                .set_tasks(Some(tasks.collect()))
                .build()
        });
        let (outcome, events) =
            run(&client(&[&describe, &list, &describe_tasks]), &options()).await;
        let stopped_ids: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::TaskStopped(t) => Some(t.task_id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(stopped_ids, ["task1", "task2", "task3"]);
        assert_eq!(described.load(Ordering::SeqCst), 3);
        match outcome.unwrap() {
            Outcome::Failed {
                reason, stopped, ..
            } => {
                assert!(
                    reason.starts_with("3 tasks of deployment `ecs-svc/1111` stopped"),
                    "{reason}"
                );
                assert!(
                    reason.contains(
                        "task task1: Essential container in task exited (EssentialContainerExited); \
                         app exited 1; proxy: CannotPullContainerError"
                    ),
                    "{reason}"
                );
                assert_eq!(stopped.len(), 3);
                assert_eq!(stopped[0].containers[0].exit_code, Some(1));
            }
            other => panic!("expected failure, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_deadline_is_its_own_outcome() {
        let describe = describe(vec![services(vec![in_progress(1), old_active()], vec![])]);
        let list = no_stopped_tasks();
        let opts = FollowOptions {
            timeout: Duration::from_millis(30),
            ..options()
        };
        let (outcome, _) = run(&client(&[&describe, &list]), &opts).await;
        match outcome.unwrap() {
            Outcome::TimedOut { snapshot, stopped } => {
                assert_eq!(snapshot.unwrap().running, 1);
                assert!(stopped.is_empty());
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn at_the_deadline_it_looks_once_more_before_judging() {
        // Polls far apart (as when throttled): the rollout completes after the
        // first poll, and the deadline comes before the second.
        let describe = describe(vec![
            services(vec![in_progress(1), old_active()], vec![]),
            services(
                vec![deployment(
                    OURS,
                    "PRIMARY",
                    TD_NEW,
                    DeploymentRolloutState::Completed,
                    2,
                )],
                vec![],
            ),
        ]);
        let list = no_stopped_tasks();
        let opts = FollowOptions {
            timeout: Duration::from_millis(50),
            min_poll: Duration::from_secs(60),
            max_poll: Duration::from_secs(60),
            ..options()
        };
        let (outcome, _) = run(&client(&[&describe, &list]), &opts).await;
        match outcome.unwrap() {
            Outcome::Completed(snapshot) => assert_eq!(snapshot.running, 2),
            other => panic!("ECS shows COMPLETED at the deadline, got {other:?}"),
        }
        assert_eq!(describe.num_calls(), 2);
    }

    #[tokio::test]
    async fn throttling_is_waited_out_and_reported_once() {
        let throttled = || {
            DescribeServicesError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        };
        let first = services(vec![in_progress(0), old_active()], vec![]);
        let done = services(
            vec![deployment(
                OURS,
                "PRIMARY",
                TD_NEW,
                DeploymentRolloutState::Completed,
                2,
            )],
            vec![],
        );
        let describe = mock!(Client::describe_services)
            .sequence()
            .error(throttled)
            .times(3)
            .output(move || first.clone())
            .output(move || done.clone())
            .repeatedly()
            .build();
        let list = no_stopped_tasks();
        let (outcome, events) = run(&client(&[&describe, &list]), &options()).await;
        assert!(outcome.unwrap().is_success());
        assert_eq!(count(&events, |e| matches!(e, Event::Throttled { .. })), 1);
        let Some(Event::Throttled { error }) = events.first() else {
            panic!("throttling comes first: {events:?}")
        };
        assert!(error.contains("ThrottlingException"), "{error}");
    }

    #[tokio::test]
    async fn access_denied_ends_the_follow_with_an_error() {
        let describe = mock!(Client::describe_services).then_error(|| {
            DescribeServicesError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized")
                    .build(),
            )
        });
        let (outcome, events) = run(&client(&[&describe]), &options()).await;
        let err = outcome.unwrap_err();
        let mcp = err
            .downcast_ref::<McpError>()
            .expect("an McpError with a hint");
        assert!(
            mcp.hint
                .as_deref()
                .unwrap()
                .contains("ecs:DescribeServices")
        );
        assert!(
            format!("{err:#}").contains("AccessDeniedException: not authorized"),
            "{err:#}"
        );
        assert!(events.is_empty());
        assert_eq!(describe.num_calls(), 1, "not retried");
    }

    #[tokio::test]
    async fn a_missing_service_ends_the_follow_with_an_error() {
        let describe = mock!(Client::describe_services).then_output(|| {
            DescribeServicesOutput::builder()
                .failures(Failure::builder().arn(SERVICE).reason("MISSING").build())
                .build()
        });
        let (outcome, _) = run(&client(&[&describe]), &options()).await;
        let err = outcome.unwrap_err();
        assert_eq!(
            err.to_string(),
            "service `weather` not found in cluster `prod` (MISSING)"
        );
    }

    #[tokio::test]
    async fn a_deleted_service_ends_the_follow_with_an_error() {
        let describe = mock!(Client::describe_services).then_output(|| {
            let service = Service::builder()
                .service_name(SERVICE)
                .status("INACTIVE")
                .build();
            DescribeServicesOutput::builder().services(service).build()
        });
        let (outcome, _) = run(&client(&[&describe]), &options()).await;
        assert_eq!(
            outcome.unwrap_err().to_string(),
            "service `weather` in cluster `prod` is INACTIVE"
        );
    }

    #[tokio::test]
    async fn each_service_event_is_reported_once_oldest_first() {
        let hour = Duration::from_secs(3600);
        let old = event("e0", "(service weather) has reached a steady state.", hour);
        let e1 = event(
            "e1",
            "(service weather) has started 2 tasks: (task a) (task b).",
            Duration::ZERO,
        );
        let e2 = event(
            "e2",
            "(service weather) registered 1 targets in (target-group tg)",
            Duration::ZERO,
        );
        let e3 = event(
            "e3",
            "(service weather) has reached a steady state.",
            Duration::ZERO,
        );
        let describe = describe(vec![
            services(
                vec![in_progress(0), old_active()],
                vec![e1.clone(), old.clone()],
            ),
            services(
                vec![in_progress(0), old_active()],
                vec![e1.clone(), old.clone()],
            ),
            services(
                vec![in_progress(1), old_active()],
                vec![e2.clone(), e1.clone(), old.clone()],
            ),
            services(
                vec![deployment(
                    OURS,
                    "PRIMARY",
                    TD_NEW,
                    DeploymentRolloutState::Completed,
                    2,
                )],
                vec![e3, e2, e1, old],
            ),
        ]);
        let list = no_stopped_tasks();
        let (outcome, events) = run(&client(&[&describe, &list]), &options()).await;
        assert!(outcome.unwrap().is_success());
        let ids: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::ServiceEvent { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["e1", "e2", "e3"]);
    }

    #[tokio::test]
    async fn cancelling_returns_the_last_known_state() {
        let describe = describe(vec![services(vec![in_progress(1), old_active()], vec![])]);
        let list = no_stopped_tasks();
        let ecs = client(&[&describe, &list]);
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        // Cancel as soon as the first progress arrives (as Ctrl-C would, at some point).
        let mut on_event = |e: Event| {
            if matches!(e, Event::Progress(_)) {
                tx.send_replace(true);
            }
        };
        let cancel = async move {
            let _ = rx.wait_for(|c| *c).await;
        };
        let outcome = follow(&ecs, &options(), &mut on_event, cancel)
            .await
            .unwrap();
        match outcome {
            Outcome::Interrupted { snapshot } => assert_eq!(snapshot.unwrap().running, 1),
            other => panic!("expected an interruption, got {other:?}"),
        }
    }

    /// Issue 17: twenty services followed at once cost two DescribeServices
    /// calls (ten services each) per poll, not twenty; each follower still
    /// sees its own progress and its own end.
    #[tokio::test]
    async fn a_fleet_of_twenty_shares_two_describe_services_calls_per_poll() {
        use std::sync::{Arc, Mutex};
        const FLEET_CLUSTER: &str = "fleet-batch-test";
        let sizes: Arc<Mutex<Vec<usize>>> = Arc::default();
        let seen = sizes.clone();
        let describe = mock!(Client::describe_services)
            .match_requests(|r| r.cluster() == Some(FLEET_CLUSTER))
            .then_compute_output(move |r| {
                let mut sizes = seen.lock().unwrap();
                sizes.push(r.services().len());
                // Two polls in progress, then every deployment completes.
                let state = if sizes.len() <= 4 {
                    DeploymentRolloutState::InProgress
                } else {
                    DeploymentRolloutState::Completed
                };
                let services = r.services().iter().map(|name| {
                    Service::builder()
                        .service_name(name)
                        .status("ACTIVE")
                        .deployments(deployment(OURS, "PRIMARY", TD_NEW, state.clone(), 1))
                        .build()
                });
                DescribeServicesOutput::builder()
                    .set_services(Some(services.collect()))
                    .build()
            });
        let list = no_stopped_tasks();
        let client = client(&[&describe, &list]);
        let names: Vec<String> = (0..20).map(|i| format!("svc-{i:02}")).collect();
        let follows = names.iter().map(|name| {
            let client = &client;
            async move {
                let opts = FollowOptions {
                    min_poll: Duration::from_millis(1),
                    max_poll: Duration::from_millis(4),
                    batched: true,
                    ..FollowOptions::new(FLEET_CLUSTER, name, OURS, Duration::from_secs(30))
                };
                run(client, &opts).await
            }
        });
        let results = futures_util::future::join_all(follows).await;
        for (outcome, events) in &results {
            assert!(matches!(outcome, Ok(Outcome::Completed(_))), "{outcome:?}");
            let states: Vec<_> = progress(events).into_iter().map(|(_, s)| s).collect();
            assert_eq!(
                states,
                [
                    Some("IN_PROGRESS".to_string()),
                    Some("COMPLETED".to_string())
                ],
                "{events:?}"
            );
        }
        let sizes = sizes.lock().unwrap().clone();
        assert_eq!(
            sizes,
            [10, 10, 10, 10, 10, 10],
            "services per DescribeServices call"
        );
    }

    #[test]
    fn deployment_id_is_the_primary_one() {
        let service = Service::builder()
            .deployments(old_active())
            .deployments(in_progress(0))
            .build();
        assert_eq!(deployment_id_from_update(&service).as_deref(), Some(OURS));
        assert_eq!(deployment_id_from_update(&Service::builder().build()), None);
    }

    #[test]
    fn events_and_outcomes_serialize_tagged() {
        let snapshot = Snapshot::of(&in_progress(1), Duration::from_millis(1250));
        let json = serde_json::to_value(Event::Progress(snapshot.clone())).unwrap();
        assert_eq!(json["event"], "progress");
        assert_eq!(json["running"], 1);
        assert_eq!(json["rollout_state"], "IN_PROGRESS");
        assert_eq!(json["elapsed"], 1.3);
        let json = serde_json::to_value(Outcome::TimedOut {
            snapshot: Some(snapshot),
            stopped: vec![],
        })
        .unwrap();
        assert_eq!(json["outcome"], "timed_out");
        assert_eq!(json["snapshot"]["deployment_id"], OURS);
    }

    #[test]
    fn only_failures_count_as_failed_tasks() {
        let task = |code: TaskStopCode, reason: &str, exit: Option<i32>| {
            let mut container = Container::builder().name("app");
            if let Some(exit) = exit {
                container = container.exit_code(exit);
            }
            Task::builder()
                .stop_code(code)
                .stopped_reason(reason)
                .containers(container.build())
                .build()
        };
        use TaskStopCode as C;
        assert!(failed(&task(
            C::TaskFailedToStart,
            "CannotPullContainerError",
            None
        )));
        assert!(failed(&task(
            C::EssentialContainerExited,
            "Essential container in task exited",
            Some(3)
        )));
        assert!(failed(&task(
            C::EssentialContainerExited,
            "Essential container in task exited",
            None
        )));
        assert!(!failed(&task(
            C::EssentialContainerExited,
            "Essential container in task exited",
            Some(0)
        )));
        assert!(failed(&task(
            C::ServiceSchedulerInitiated,
            "Task failed ELB health checks in (target-group arn:tg)",
            None
        )));
        assert!(failed(&task(
            C::ServiceSchedulerInitiated,
            "Task failed container health checks",
            None
        )));
        assert!(!failed(&task(
            C::ServiceSchedulerInitiated,
            "Scaling activity initiated by (deployment ecs-svc/1)",
            None
        )));
        assert!(!failed(&task(
            C::ServiceSchedulerInitiated,
            "Service is rebalancing tasks across Availability Zones",
            None
        )));
        assert!(!failed(&task(
            C::UserInitiated,
            "Task stopped by user",
            None
        )));
        assert!(!failed(&task(
            C::SpotInterruption,
            "Your Spot Task was interrupted.",
            None
        )));
        assert!(!failed(&task(
            C::TerminationNotice,
            "Task stopped due to a termination notice",
            None
        )));
    }

    #[tokio::test]
    async fn tasks_stopped_by_scale_in_do_not_fail_the_deployment() {
        let describe = describe(vec![services(vec![in_progress(1), old_active()], vec![])]);
        let arns: Vec<String> = (1..=4)
            .map(|n| format!("arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/task{n}"))
            .collect();
        let list = mock!(Client::list_tasks).then_output(move || {
            ListTasksOutput::builder()
                .set_task_arns(Some(arns.clone()))
                .build()
        });
        let describe_tasks = mock!(Client::describe_tasks).then_compute_output(|req| {
            let tasks = req.tasks().iter().map(|arn| {
                Task::builder()
                    .task_arn(arn)
                    .last_status("STOPPED")
                    .stopped_at(DateTime::from(SystemTime::now()))
                    .stop_code(TaskStopCode::ServiceSchedulerInitiated)
                    .stopped_reason("Scaling activity initiated by (deployment ecs-svc/1111)")
                    .containers(Container::builder().name("app").exit_code(143).build())
                    .build()
            });
            DescribeTasksOutput::builder()
                .set_tasks(Some(tasks.collect()))
                .build()
        });
        let opts = FollowOptions {
            timeout: Duration::from_millis(300),
            ..options()
        };
        let (outcome, _) = run(&client(&[&describe, &list, &describe_tasks]), &opts).await;
        match outcome.unwrap() {
            Outcome::TimedOut { stopped, .. } => assert!(stopped.is_empty()),
            other => panic!("scale-in is no failure, got {other:?}"),
        }
    }
}
