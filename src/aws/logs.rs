//! CloudWatch Logs: where a service's logs are, and reading them page by page,
//! once or for as long as the caller wants.
//!
//! ECS tasks that use the `awslogs` driver write each container's output to the
//! stream `<awslogs-stream-prefix>/<container>/<task-id>` of the group named in
//! the container's `logConfiguration`. [`locate`] reads that from the service's
//! *live* task definition, so `mcp logs` needs no configuration of its own.
//!
//! Everything that reads yields [`Batch`]es through one interface,
//! [`LogSource`], so the command (and later `mcp deploy`, streaming a new
//! deployment's tasks while it waits) prints the same way whatever the source:
//!
//! - [`Reader`] pages through `FilterLogEvents`. Bounded (`--since`/`--until`)
//!   it ends after one pass; following, it polls again and again. Memory stays
//!   flat: one page at a time, plus the ids of events seen in the last
//!   [`FollowOptions::margin`]. Each poll asks from the newest timestamp seen
//!   minus that margin (events reach CloudWatch late, by seconds, so a window
//!   that started exactly at the newest one would miss them) and drops events
//!   whose id it has already yielded ([`Dedup`]). Streams are never pinned
//!   unless the caller names them, so tasks started after the follow began
//!   (a new deployment) show up on their own. The interval ([`Pacer`]) tightens
//!   while events flow (never more than [`Pace::flowing_max`] behind) and backs
//!   off while nothing happens; throttling is classified by error code and
//!   waited out, reported once per run.
//! - [`LiveTail`] uses `StartLiveTail`, an event stream pushed by CloudWatch
//!   (billed per minute, sampled above 500 events per second). A session ends
//!   after three hours or on a streaming error; it reconnects with the same
//!   filters and drops events it already yielded. The SDK is behind
//!   [`LiveConnect`] so the decoding and reconnects are tested against a fake:
//!   the local simulator cannot answer Live Tail's `streaming-` endpoint.
//!
//! [`Tail`] runs a [`Reader`] on its own task for a caller with its own loop;
//! [`last_lines`] reads the end of one stream (for a task that failed).

use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use anyhow::{Context, Result};
use aws_config::Region;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::types::{
    FilteredLogEvent, LiveTailSessionUpdate, StartLiveTailResponseStream,
};
use aws_sdk_ecs::types::{LogDriver, TaskDefinition};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::{Clients, taskdef};
use crate::error::McpError;
use crate::platform::ecs::follow::{THROTTLING_CODES, TRANSIENT_CODES};

/// `FilterLogEvents` and `StartLiveTail` take at most this many stream names.
pub const MAX_STREAM_NAMES: usize = 100;

/// Where a service's container logs go, read from its task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLocation {
    /// `awslogs-group` (or `--log-group`).
    pub group: String,
    /// `awslogs-region`, when set; else the region `mcp` uses.
    pub region: Option<String>,
    /// `awslogs-stream-prefix`; without it stream names are not predictable.
    pub stream_prefix: Option<String>,
    /// The container whose logs these are.
    pub container: String,
    /// The task definition read (`family:revision`).
    pub task_definition: String,
}

impl LogLocation {
    /// The stream a task's container writes to: `<prefix>/<container>/<task-id>`.
    pub fn stream_for_task(&self, task_id: &str) -> Option<String> {
        let prefix = self.stream_prefix.as_ref()?;
        Some(format!(
            "{prefix}/{}/{}",
            self.container,
            task_id_of(task_id)
        ))
    }

    /// The prefix every stream of the container shares: `<prefix>/<container>/`.
    pub fn container_streams(&self) -> Option<String> {
        let prefix = self.stream_prefix.as_ref()?;
        Some(format!("{prefix}/{}/", self.container))
    }
}

/// A task id from an id or an ARN (`arn:…:task/cluster/abc` → `abc`).
pub fn task_id_of(task: &str) -> &str {
    task.rsplit('/').next().unwrap_or(task)
}

/// Where the chosen container of `definition` logs to; `group` overrides the
/// group and makes a missing `awslogs` configuration acceptable.
pub fn location_in(
    definition: &TaskDefinition,
    container: Option<&str>,
    group: Option<&str>,
) -> Result<LogLocation> {
    let family = definition.family().unwrap_or("?");
    let chosen = super::ecs::pick_container(definition.container_definitions(), container, family)?;
    let name = chosen.name().unwrap_or_default().to_string();
    let task_definition =
        taskdef::short_name(definition.task_definition_arn().unwrap_or(family)).to_string();
    let config = chosen.log_configuration();
    let options = config
        .filter(|c| c.log_driver() == &LogDriver::Awslogs)
        .and_then(|c| c.options());
    let option = |key: &str| options.and_then(|o| o.get(key)).cloned();
    let group = match (group, option("awslogs-group")) {
        (Some(group), _) => group.to_string(),
        (None, Some(group)) => group,
        (None, None) => {
            let how = match config {
                Some(c) => format!("uses the `{}` log driver", c.log_driver().as_str()),
                None => "has no logConfiguration".to_string(),
            };
            return Err(McpError::usage(format!(
                "container `{name}` of task definition `{task_definition}` {how}, not `awslogs`: \
                 its logs are not in CloudWatch Logs"
            ))
            .hint(
                "give the container a logConfiguration with logDriver `awslogs` \
                 (awslogs-group, awslogs-region, awslogs-stream-prefix), \
                 or name the group with `--log-group`",
            )
            .into());
        }
    };
    Ok(LogLocation {
        group,
        region: option("awslogs-region"),
        stream_prefix: option("awslogs-stream-prefix"),
        container: name,
        task_definition,
    })
}

/// Where the live task definition of `service` sends the chosen container's logs.
pub async fn locate(
    clients: &Clients,
    cluster: &str,
    service: &str,
    container: Option<&str>,
    group: Option<&str>,
) -> Result<(LogLocation, TaskDefinition)> {
    let live = super::ecs::describe_service(clients, cluster, service)
        .await?
        .task_definition()
        .context("the service has no task definition")?
        .to_string();
    let definition = clients
        .ecs
        .describe_task_definition()
        .task_definition(&live)
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("reading task definition `{}`", taskdef::short_name(&live)))?
        .task_definition
        .context("DescribeTaskDefinition returned no task definition")?;
    Ok((location_in(&definition, container, group)?, definition))
}

/// A CloudWatch Logs client for `region` (the awslogs region may differ from ours).
pub fn client_for(clients: &Clients, region: Option<&str>) -> Client {
    match region {
        Some(region) if Some(region) != clients.region() => Client::from_conf(
            aws_sdk_cloudwatchlogs::config::Builder::from(&clients.config)
                .region(Region::new(region.to_string()))
                .build(),
        ),
        _ => clients.logs.clone(),
    }
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Milliseconds since the Unix epoch, as CloudWatch keeps them.
    pub timestamp_ms: i64,
    pub stream: String,
    /// The task id, when the stream is named like ECS names them.
    pub task: Option<String>,
    pub message: String,
}

impl LogLine {
    pub fn new(timestamp_ms: i64, stream: impl Into<String>, message: impl Into<String>) -> Self {
        let stream = stream.into();
        LogLine {
            timestamp_ms,
            task: task_of_stream(&stream).map(str::to_string),
            stream,
            message: message.into(),
        }
    }

    pub fn timestamp(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.timestamp_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    fn from_filtered(event: &FilteredLogEvent) -> Self {
        LogLine::new(
            event.timestamp().unwrap_or_default(),
            event.log_stream_name().unwrap_or_default(),
            event.message().unwrap_or_default(),
        )
    }
}

/// `ecs/mcp/0123abcd…` → `0123abcd…`; none for streams not named `<prefix>/<container>/<id>`.
pub fn task_of_stream(stream: &str) -> Option<&str> {
    let mut parts = stream.rsplitn(3, '/');
    let id = parts.next()?;
    let _container = parts.next()?;
    let _prefix = parts.next()?;
    (!id.is_empty()).then_some(id)
}

/// What a source has to say besides events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Throttled, or a transient error: waiting it out. Said once per run of errors.
    Throttled(String),
    /// Live Tail started sampling: not every event is shown.
    Sampled,
    /// Live Tail's session ended (after 3 hours, or on an error) and a new one started.
    Reconnected(String),
}

/// Events (oldest first) and notices, as one page or one push brought them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub lines: Vec<LogLine>,
    pub notices: Vec<Notice>,
}

/// Anything that yields log events batch by batch: [`Reader`] or [`LiveTail`].
pub trait LogSource: Send {
    /// The next batch (possibly empty); `None` once a bounded read is complete.
    /// Cancel-safe in the sense that dropping the future loses at most that batch.
    fn next_batch(&mut self) -> impl Future<Output = Result<Option<Batch>>> + Send;
}

/// Which streams of the group to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StreamSelect {
    /// Every stream, including ones created later.
    #[default]
    All,
    /// Exactly these streams (at most [`MAX_STREAM_NAMES`]).
    Names(Vec<String>),
    /// Streams whose names start with one of these (new ones included).
    Prefixes(Vec<String>),
}

impl StreamSelect {
    /// Does `stream` belong? Checked on every event too, since a server may
    /// honour only part of the selection (one prefix per `FilterLogEvents` call).
    pub fn admits(&self, stream: &str) -> bool {
        match self {
            StreamSelect::All => true,
            StreamSelect::Names(names) => names.iter().any(|n| n == stream),
            StreamSelect::Prefixes(prefixes) => prefixes.iter().any(|p| stream.starts_with(p)),
        }
    }
}

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub group: String,
    pub streams: StreamSelect,
    /// CloudWatch filter-pattern syntax, passed through.
    pub filter_pattern: Option<String>,
}

/// Poll intervals of a follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// The shortest interval.
    pub min: Duration,
    /// While events flow the interval is at most this: a follow is never further behind.
    pub flowing_max: Duration,
    /// While nothing happens the interval grows to this.
    pub idle_max: Duration,
    /// While throttled the interval grows to this.
    pub throttled_max: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            min: Duration::from_millis(250),
            flowing_max: Duration::from_secs(1),
            idle_max: Duration::from_secs(5),
            throttled_max: Duration::from_secs(30),
        }
    }
}

/// The interval before the next poll: halves (to at most `flowing_max`) after a
/// poll that found events, grows by half after one that found none, doubles
/// (from at least `flowing_max`) after throttling.
#[derive(Debug, Clone)]
pub struct Pacer {
    pace: Pace,
    current: Duration,
}

impl Pacer {
    pub fn new(pace: Pace) -> Self {
        Pacer {
            current: pace.flowing_max,
            pace,
        }
    }

    pub fn interval(&self) -> Duration {
        self.current
    }

    pub fn flowing(&mut self) {
        self.current = (self.current / 2).clamp(self.pace.min, self.pace.flowing_max);
    }

    pub fn idle(&mut self) {
        self.current = self
            .current
            .mul_f64(1.5)
            .clamp(self.pace.min, self.pace.idle_max.max(self.pace.min));
    }

    pub fn throttled(&mut self) {
        self.current = (self.current.max(self.pace.flowing_max) * 2)
            .min(self.pace.throttled_max.max(self.pace.flowing_max));
    }
}

/// Keys of events already yielded whose timestamps lie within `margin` of the
/// newest one; older keys are forgotten, so memory follows the event rate, not
/// the total. A window that starts at [`Dedup::window_start`] returns none of
/// the forgotten events again.
#[derive(Debug, Clone)]
pub struct Dedup<K> {
    margin_ms: i64,
    /// The newest timestamp yielded (or the start, before any).
    newest_ms: i64,
    seen: HashMap<K, i64>,
}

impl<K: Hash + Eq + Clone> Dedup<K> {
    pub fn new(start_ms: i64, margin: Duration) -> Self {
        Dedup {
            margin_ms: margin.as_millis().try_into().unwrap_or(i64::MAX),
            newest_ms: start_ms,
            seen: HashMap::new(),
        }
    }

    /// True the first time `key` is offered.
    pub fn admit(&mut self, key: K, timestamp_ms: i64) -> bool {
        if self.seen.contains_key(&key) {
            return false;
        }
        self.seen.insert(key, timestamp_ms);
        self.newest_ms = self.newest_ms.max(timestamp_ms);
        true
    }

    /// Where the next window starts: the newest timestamp less the margin
    /// (never before the original start).
    pub fn window_start(&self, start_ms: i64) -> i64 {
        (self.newest_ms - self.margin_ms).max(start_ms)
    }

    /// Forget keys older than the window.
    pub fn prune(&mut self) {
        let oldest = self.newest_ms - self.margin_ms;
        self.seen.retain(|_, ts| *ts >= oldest);
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// How a [`Reader`] follows.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    pub pace: Pace,
    /// How far before the newest event each poll looks again (late arrivals).
    pub margin: Duration,
    /// Give up after this many throttled or failed calls in a row.
    pub max_retries: u32,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            pace: Pace::default(),
            margin: Duration::from_secs(10),
            max_retries: 20,
        }
    }
}

/// `FilterLogEvents`, page by page: once over `[start, end]`, or (following)
/// for ever. See the module documentation.
pub struct Reader {
    client: Client,
    query: Query,
    start_ms: i64,
    end_ms: Option<i64>,
    follow: bool,
    options: FollowOptions,
    dedup: Dedup<String>,
    pacer: Pacer,
    /// Paging through a pass: the token of its next page.
    next_token: Option<String>,
    /// A pass is under way (its first page may have no token yet).
    in_pass: bool,
    /// Where the pass under way started: every page of a pass asks the same.
    pass_start_ms: i64,
    /// Events seen in the pass under way.
    pass_events: usize,
    /// At least one pass has completed.
    passes: u32,
    /// Throttled or failed calls in a row.
    retries: u32,
}

impl Reader {
    /// Read `query` from `start_ms`; to `end_ms` (when given) once, or follow.
    pub fn new(
        client: Client,
        query: Query,
        start_ms: i64,
        end_ms: Option<i64>,
        follow: bool,
        options: FollowOptions,
    ) -> Self {
        Reader {
            client,
            query,
            start_ms,
            end_ms,
            follow,
            dedup: Dedup::new(start_ms, options.margin),
            pacer: Pacer::new(options.pace),
            options,
            next_token: None,
            in_pass: false,
            pass_start_ms: start_ms,
            pass_events: 0,
            passes: 0,
            retries: 0,
        }
    }

    /// Read only these streams from the next page on (e.g. the tasks of a new
    /// deployment, as they start).
    pub fn set_streams(&mut self, streams: StreamSelect) {
        self.query.streams = streams;
    }

    /// The interval the next poll waits.
    pub fn interval(&self) -> Duration {
        self.pacer.interval()
    }

    async fn page(&mut self) -> Result<Batch> {
        let mut request = self
            .client
            .filter_log_events()
            .log_group_name(&self.query.group)
            .start_time(self.pass_start_ms)
            .set_end_time(self.end_ms)
            .set_filter_pattern(self.query.filter_pattern.clone())
            .set_next_token(self.next_token.clone());
        match &self.query.streams {
            StreamSelect::All => {}
            StreamSelect::Names(names) => {
                request = request.set_log_stream_names(Some(names.clone()));
            }
            StreamSelect::Prefixes(prefixes) => {
                if let [one] = prefixes.as_slice() {
                    request = request.log_stream_name_prefix(one);
                }
            }
        }
        // Ignored by CloudWatch since 2019 (it always interleaves); the simulator
        // still needs it to sort events of several streams by time.
        #[allow(deprecated)]
        let request = request.interleaved(true);
        let out = match request.send().await {
            Ok(out) => out,
            Err(err) => return self.failed(err),
        };
        self.retries = 0;
        self.next_token = out.next_token().map(str::to_string);
        let mut lines: Vec<LogLine> = out
            .events()
            .iter()
            .filter(|e| {
                self.query
                    .streams
                    .admits(e.log_stream_name().unwrap_or_default())
            })
            .filter(|e| {
                let key = match e.event_id() {
                    Some(id) => id.to_string(),
                    None => format!(
                        "{}\0{}\0{}",
                        e.log_stream_name().unwrap_or_default(),
                        e.timestamp().unwrap_or_default(),
                        e.message().unwrap_or_default()
                    ),
                };
                self.dedup.admit(key, e.timestamp().unwrap_or_default())
            })
            .map(LogLine::from_filtered)
            .collect();
        // Pages come sorted by time; make sure of it within one (stable, cheap).
        lines.sort_by_key(|l| l.timestamp_ms);
        self.pass_events += lines.len();
        self.dedup.prune();
        Ok(Batch {
            lines,
            notices: Vec::new(),
        })
    }

    fn failed<E>(&mut self, err: SdkError<E>) -> Result<Batch>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let group = &self.query.group;
        match classify(&err) {
            ErrorClass::Retry => {
                self.retries += 1;
                if self.retries > self.options.max_retries {
                    return Err(super::error(err)).with_context(|| {
                        format!("reading log group `{group}`: still failing after {} tries", self.retries)
                    });
                }
                self.pacer.throttled();
                let notices = if self.retries == 1 {
                    vec![Notice::Throttled(describe(&err))]
                } else {
                    Vec::new()
                };
                Ok(Batch {
                    lines: Vec::new(),
                    notices,
                })
            }
            ErrorClass::NotFound => Err(super::error(err))
                .with_context(|| format!("reading log group `{group}`"))
                .context(
                    McpError::new(format!("log group `{group}` does not exist"))
                        .hint("the group is created by the first task that logs to it only with `awslogs-create-group = true`; check the region (`--region`) and `--log-group`"),
                ),
            ErrorClass::Denied => Err(super::error(err))
                .with_context(|| format!("reading log group `{group}`"))
                .context(
                    McpError::new("not allowed to read the service's logs")
                        .hint("the AWS identity needs logs:FilterLogEvents on the group (and logs:StartLiveTail for `--live`)"),
                ),
            ErrorClass::Fatal => {
                Err(super::error(err)).with_context(|| format!("reading log group `{group}`"))
            }
        }
    }
}

impl LogSource for Reader {
    async fn next_batch(&mut self) -> Result<Option<Batch>> {
        if !self.in_pass {
            if self.passes > 0 {
                if !self.follow {
                    return Ok(None);
                }
                if self.pass_events > 0 {
                    self.pacer.flowing();
                } else {
                    self.pacer.idle();
                }
                tokio::time::sleep(self.pacer.interval()).await;
            }
            self.in_pass = true;
            self.pass_start_ms = self.dedup.window_start(self.start_ms);
            self.pass_events = 0;
        } else if self.retries > 0 {
            tokio::time::sleep(self.pacer.interval()).await;
        }
        let batch = self.page().await?;
        if self.retries == 0 && self.next_token.is_none() {
            self.in_pass = false;
            self.passes += 1;
        }
        Ok(Some(batch))
    }
}

/// A [`Reader`] running on its own task, for a caller with its own loop (a
/// deploy streaming the new tasks' output while it follows the rollout):
/// batches arrive on [`Tail::recv`]; [`Tail::set_streams`] narrows it as task
/// ids become known; dropping the handle (or [`Tail::stop`]) ends it.
pub struct Tail {
    batches: tokio::sync::mpsc::Receiver<Result<Batch>>,
    streams: tokio::sync::watch::Sender<StreamSelect>,
    task: tokio::task::JoinHandle<()>,
}

impl Tail {
    /// Start `reader` (usually following) in the background.
    pub fn spawn(mut reader: Reader) -> Tail {
        let (tx, batches) = tokio::sync::mpsc::channel(16);
        let (streams, mut selected) = tokio::sync::watch::channel(reader.query.streams.clone());
        let task = tokio::spawn(async move {
            loop {
                if selected.has_changed().unwrap_or(false) {
                    reader.set_streams(selected.borrow_and_update().clone());
                }
                let batch = reader.next_batch().await;
                let last = !matches!(batch, Ok(Some(_)));
                match batch.transpose() {
                    Some(batch) => {
                        if tx.send(batch).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                }
                if last {
                    return;
                }
            }
        });
        Tail {
            batches,
            streams,
            task,
        }
    }

    /// The next batch; `None` once a bounded read is complete or it failed (the error came first).
    pub async fn recv(&mut self) -> Option<Result<Batch>> {
        self.batches.recv().await
    }

    /// Read only these streams from the next page on.
    pub fn set_streams(&self, streams: StreamSelect) {
        self.streams.send_replace(streams);
    }

    pub fn stop(self) {}
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

enum ErrorClass {
    /// Throttled or transient: wait and try again.
    Retry,
    NotFound,
    Denied,
    Fatal,
}

/// Sort an SDK error by its code and kind, never by its text.
fn classify<E, R>(err: &SdkError<E, R>) -> ErrorClass
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => ErrorClass::Retry,
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
            ErrorClass::Retry
        }
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) if THROTTLING_CODES.contains(&code) || TRANSIENT_CODES.contains(&code) => {
                ErrorClass::Retry
            }
            Some("ServiceUnavailableException") => ErrorClass::Retry,
            Some("ResourceNotFoundException") => ErrorClass::NotFound,
            Some("AccessDeniedException") => ErrorClass::Denied,
            _ => ErrorClass::Fatal,
        },
        _ => ErrorClass::Fatal,
    }
}

/// `Code: message` for service errors, the cause chain otherwise (any response type).
fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let Some(service) = err.as_service_error() {
        match (service.code(), service.message()) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (Some(code), None) => return code.to_string(),
            _ => {}
        }
    }
    DisplayErrorContext(err).to_string()
}

/// The last `n` events of one stream, oldest first (e.g. why a task stopped).
pub async fn last_lines(
    client: &Client,
    group: &str,
    stream: &str,
    n: usize,
) -> Result<Vec<LogLine>> {
    let limit = i32::try_from(n.clamp(1, 10_000)).unwrap_or(10_000);
    let out = client
        .get_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .start_from_head(false)
        .limit(limit)
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("reading the end of log stream `{stream}` in `{group}`"))?;
    let mut lines: Vec<LogLine> = out
        .events()
        .iter()
        .map(|e| {
            LogLine::new(
                e.timestamp().unwrap_or_default(),
                stream,
                e.message().unwrap_or_default(),
            )
        })
        .collect();
    lines.sort_by_key(|l| l.timestamp_ms);
    let extra = lines.len().saturating_sub(n);
    lines.drain(..extra);
    Ok(lines)
}

/// The ARN Live Tail needs for a group name.
pub async fn group_arn(client: &Client, group: &str) -> Result<String> {
    let out = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("looking up log group `{group}`"))?;
    let found = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .ok_or_else(|| McpError::new(format!("log group `{group}` does not exist")))?;
    found
        .log_group_arn()
        .map(str::to_string)
        .or_else(|| found.arn().map(|a| a.trim_end_matches(":*").to_string()))
        .with_context(|| format!("log group `{group}` has no ARN"))
}

// ---------------------------------------------------------------------------
// Live Tail

/// What a Live Tail session asks for; every reconnect asks the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveRequest {
    /// Log group ARNs.
    pub groups: Vec<String>,
    pub streams: StreamSelect,
    pub filter_pattern: Option<String>,
}

/// Why a Live Tail call or session failed.
#[derive(Debug)]
pub enum LiveError {
    /// The session timed out (after three hours): start another, quietly.
    Ended(String),
    /// A streaming error, throttling or a transient failure: start another after a pause.
    Retry(String),
    /// Anything else ends the tail.
    Fatal(anyhow::Error),
}

/// One Live Tail session: the values of its response stream.
pub trait LiveSession: Send {
    /// The next value; `None` when the server closed the stream.
    fn recv(
        &mut self,
    ) -> impl Future<Output = Result<Option<StartLiveTailResponseStream>, LiveError>> + Send;
}

/// Starts Live Tail sessions.
pub trait LiveConnect: Send {
    type Session: LiveSession;
    fn start(
        &mut self,
        request: &LiveRequest,
    ) -> impl Future<Output = Result<Self::Session, LiveError>> + Send;
}

/// Live Tail through the AWS SDK.
pub struct SdkLive {
    client: Client,
}

impl SdkLive {
    pub fn new(client: Client) -> Self {
        SdkLive { client }
    }
}

/// A session of [`SdkLive`].
pub struct SdkSession {
    stream: aws_sdk_cloudwatchlogs::primitives::event_stream::EventReceiver<
        StartLiveTailResponseStream,
        aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError,
    >,
}

fn live_error<E, R>(err: SdkError<E, R>, doing: &str) -> LiveError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.as_service_error().and_then(|e| e.code());
    if code == Some("SessionTimeoutException") {
        return LiveError::Ended(describe(&err));
    }
    if code == Some("SessionStreamingException") {
        return LiveError::Retry(describe(&err));
    }
    match classify(&err) {
        ErrorClass::Retry => LiveError::Retry(describe(&err)),
        ErrorClass::Denied => {
            LiveError::Fatal(
                anyhow::anyhow!(describe(&err))
                    .context(doing.to_string())
                    .context(McpError::new("not allowed to start Live Tail").hint(
                        "the AWS identity needs logs:StartLiveTail; or follow without `--live`",
                    )),
            )
        }
        _ => LiveError::Fatal(anyhow::anyhow!(describe(&err)).context(doing.to_string())),
    }
}

impl LiveConnect for SdkLive {
    type Session = SdkSession;

    async fn start(&mut self, request: &LiveRequest) -> Result<SdkSession, LiveError> {
        let mut call = self
            .client
            .start_live_tail()
            .set_log_group_identifiers(Some(request.groups.clone()))
            .set_log_event_filter_pattern(request.filter_pattern.clone());
        match &request.streams {
            StreamSelect::All => {}
            StreamSelect::Names(names) => call = call.set_log_stream_names(Some(names.clone())),
            StreamSelect::Prefixes(p) => call = call.set_log_stream_name_prefixes(Some(p.clone())),
        }
        let out = call
            .send()
            .await
            .map_err(|e| live_error(e, "starting Live Tail"))?;
        Ok(SdkSession {
            stream: out.response_stream,
        })
    }
}

impl LiveSession for SdkSession {
    async fn recv(&mut self) -> Result<Option<StartLiveTailResponseStream>, LiveError> {
        self.stream
            .recv()
            .await
            .map_err(|e| live_error(e, "reading the Live Tail stream"))
    }
}

/// How a [`LiveTail`] reconnects.
#[derive(Debug, Clone, Copy)]
pub struct LiveOptions {
    /// The first pause before reconnecting after an error; doubles up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Give up after this many failed starts or sessions in a row.
    pub max_failures: u32,
    /// Events this close to the newest one are remembered to drop repeats.
    pub margin: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_failures: 8,
            margin: Duration::from_secs(10),
        }
    }
}

/// The events of one session update (oldest first), and whether CloudWatch sampled them.
pub fn decode_update(update: &LiveTailSessionUpdate) -> (Vec<LogLine>, bool) {
    let sampled = update.session_metadata().is_some_and(|m| m.sampled());
    let lines = decode_keyed(update)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    (lines, sampled)
}

/// The lines of an update, oldest first, each with the key [`LiveTail`] drops
/// repeats by: Live Tail events carry no id, so a hash of stream, times and message.
fn decode_keyed(update: &LiveTailSessionUpdate) -> Vec<(LogLine, u64)> {
    let mut lines: Vec<(LogLine, u64)> = update
        .session_results()
        .iter()
        .map(|e| {
            let line = LogLine::new(
                e.timestamp().unwrap_or_default(),
                e.log_stream_name().unwrap_or_default(),
                e.message().unwrap_or_default(),
            );
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (
                &line.stream,
                line.timestamp_ms,
                e.ingestion_time(),
                &line.message,
            )
                .hash(&mut hasher);
            (line, hasher.finish())
        })
        .collect();
    lines.sort_by_key(|(line, _)| line.timestamp_ms);
    lines
}

/// Live Tail as a [`LogSource`]: reconnects with the same request when a
/// session ends, drops events it has already yielded, says when it samples.
pub struct LiveTail<C: LiveConnect> {
    connect: C,
    request: LiveRequest,
    options: LiveOptions,
    session: Option<C::Session>,
    /// Live Tail events carry no id: keyed by a hash of stream, times and message.
    dedup: Dedup<u64>,
    sampled: bool,
    sessions: u32,
    failures: u32,
    /// Why the last session ended, told when the next one starts.
    ended: Option<String>,
    /// A failure to start was told (once per run of failures).
    told: bool,
}

impl<C: LiveConnect> LiveTail<C> {
    pub fn new(connect: C, request: LiveRequest, options: LiveOptions) -> Self {
        LiveTail {
            connect,
            request,
            options,
            session: None,
            dedup: Dedup::new(i64::MIN / 2, options.margin),
            sampled: false,
            sessions: 0,
            failures: 0,
            ended: None,
            told: false,
        }
    }

    /// How many sessions were started.
    pub fn sessions(&self) -> u32 {
        self.sessions
    }

    async fn ended_quietly(&mut self, why: String) -> Result<()> {
        self.ended = Some(why.clone());
        if self.failures == 0 {
            self.failures = 1;
            Ok(())
        } else {
            self.pause(why).await
        }
    }

    async fn pause(&mut self, why: String) -> Result<()> {
        self.failures += 1;
        if self.failures > self.options.max_failures {
            anyhow::bail!(
                "Live Tail keeps failing ({} times in a row): {why}",
                self.failures
            );
        }
        let factor = 1u32 << (self.failures - 1).min(16);
        let pause = (self.options.backoff * factor).min(self.options.max_backoff);
        tokio::time::sleep(pause).await;
        Ok(())
    }
}

impl<C: LiveConnect> LogSource for LiveTail<C> {
    async fn next_batch(&mut self) -> Result<Option<Batch>> {
        let mut notices = Vec::new();
        loop {
            let session = match &mut self.session {
                Some(session) => session,
                None => match self.connect.start(&self.request).await {
                    Ok(session) => {
                        self.sessions += 1;
                        self.session.insert(session)
                    }
                    Err(LiveError::Fatal(err)) => return Err(err),
                    Err(LiveError::Ended(why) | LiveError::Retry(why)) => {
                        if !self.told {
                            self.told = true;
                            notices.push(Notice::Throttled(why.clone()));
                        }
                        self.pause(why).await?;
                        if !notices.is_empty() {
                            return Ok(Some(Batch {
                                lines: Vec::new(),
                                notices,
                            }));
                        }
                        continue;
                    }
                },
            };
            match session.recv().await {
                Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => {
                    self.failures = 0;
                    self.told = false;
                    if let Some(why) = self.ended.take() {
                        notices.push(Notice::Reconnected(why));
                        return Ok(Some(Batch {
                            lines: Vec::new(),
                            notices,
                        }));
                    }
                }
                Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                    self.failures = 0;
                    let sampled = update.session_metadata().is_some_and(|m| m.sampled());
                    if sampled && !self.sampled {
                        notices.push(Notice::Sampled);
                    }
                    self.sampled = sampled;
                    let lines = decode_keyed(&update)
                        .into_iter()
                        .filter(|(line, key)| self.dedup.admit(*key, line.timestamp_ms))
                        .map(|(line, _)| line)
                        .collect();
                    self.dedup.prune();
                    return Ok(Some(Batch { lines, notices }));
                }
                Ok(Some(_)) => {}
                // A session ends after three hours (or the server closed it):
                // start another at once, but pause if that keeps happening
                // without a session getting under way.
                Ok(None) => {
                    self.session = None;
                    self.ended_quietly("the session ended".into()).await?;
                }
                Err(LiveError::Ended(why)) => {
                    self.session = None;
                    self.ended_quietly(why).await?;
                }
                Err(LiveError::Retry(why)) => {
                    self.session = None;
                    self.ended = Some(why.clone());
                    self.pause(why).await?;
                }
                Err(LiveError::Fatal(err)) => return Err(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! CloudWatch Logs is faked with aws-smithy-mocks for `FilterLogEvents` and
    //! `GetLogEvents`; Live Tail (an event stream on its own endpoint) with a
    //! fake [`LiveConnect`] that plays scripted sessions.

    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::{
        FilterLogEventsError, FilterLogEventsOutput,
    };
    use aws_sdk_cloudwatchlogs::operation::get_log_events::GetLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::{
        LiveTailSessionLogEvent, LiveTailSessionMetadata, LiveTailSessionStart, OutputLogEvent,
    };
    use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration};

    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    const GROUP: &str = "/ecs/weather";
    const TASK_A: &str = "ecs/mcp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const TASK_B: &str = "ecs/mcp/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn client(rules: &[&Rule]) -> Client {
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, rules, |c| c
            .retry_config(RetryConfig::disabled()))
    }

    fn event(id: &str, ts: i64, stream: &str, message: &str) -> FilteredLogEvent {
        FilteredLogEvent::builder()
            .event_id(id)
            .timestamp(ts)
            .log_stream_name(stream)
            .message(message)
            .build()
    }

    fn page(events: Vec<FilteredLogEvent>, token: Option<&str>) -> FilterLogEventsOutput {
        FilterLogEventsOutput::builder()
            .set_events(Some(events))
            .set_next_token(token.map(str::to_string))
            .build()
    }

    fn fast() -> FollowOptions {
        FollowOptions {
            pace: Pace {
                min: Duration::from_millis(1),
                flowing_max: Duration::from_millis(2),
                idle_max: Duration::from_millis(4),
                throttled_max: Duration::from_millis(8),
            },
            margin: Duration::from_millis(100),
            max_retries: 3,
        }
    }

    fn query() -> Query {
        Query {
            group: GROUP.into(),
            ..Query::default()
        }
    }

    async fn drain(reader: &mut Reader, batches: usize) -> (Vec<LogLine>, Vec<Notice>) {
        let mut lines = Vec::new();
        let mut notices = Vec::new();
        for _ in 0..batches {
            match reader.next_batch().await.unwrap() {
                Some(batch) => {
                    lines.extend(batch.lines);
                    notices.extend(batch.notices);
                }
                None => break,
            }
        }
        (lines, notices)
    }

    fn messages(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.message.as_str()).collect()
    }

    #[test]
    fn dedup_across_overlapping_windows_and_memory_stays_bounded() {
        let mut dedup = Dedup::new(1_000, Duration::from_millis(100));
        assert_eq!(dedup.window_start(1_000), 1_000, "never before the start");
        assert!(dedup.admit("1".to_string(), 1_050));
        assert!(dedup.admit("2".to_string(), 1_200));
        assert!(!dedup.admit("2".to_string(), 1_200), "a repeat is dropped");
        // The next window reaches back a margin before the newest event…
        assert_eq!(dedup.window_start(1_000), 1_100);
        dedup.prune();
        // …so only keys inside it need remembering.
        assert_eq!(dedup.len(), 1);
        // Same timestamp, other event: both are shown.
        assert!(dedup.admit("3".to_string(), 1_200));
        // A late event inside the window is still shown once.
        assert!(dedup.admit("4".to_string(), 1_150));
        assert!(!dedup.admit("4".to_string(), 1_150));
        for i in 0..10_000 {
            dedup.admit(format!("n{i}"), 2_000 + i);
            dedup.prune();
        }
        assert!(dedup.len() <= 101, "{} keys kept", dedup.len());
    }

    #[test]
    fn interval_tightens_while_events_flow_and_backs_off_when_idle() {
        let pace = Pace::default();
        let mut pacer = Pacer::new(pace);
        assert_eq!(pacer.interval(), Duration::from_secs(1));
        for _ in 0..10 {
            pacer.idle();
        }
        assert_eq!(pacer.interval(), pace.idle_max);
        // Events again: never more than a second behind from the next poll on.
        pacer.flowing();
        assert!(pacer.interval() <= Duration::from_secs(1));
        pacer.flowing();
        pacer.flowing();
        assert_eq!(pacer.interval(), pace.min.max(Duration::from_millis(250)));
        pacer.idle();
        assert_eq!(pacer.interval(), Duration::from_millis(375));
        let mut previous = pacer.interval();
        for _ in 0..10 {
            pacer.throttled();
            assert!(pacer.interval() >= previous);
            previous = pacer.interval();
        }
        assert_eq!(pacer.interval(), pace.throttled_max);
        pacer.flowing();
        assert!(pacer.interval() <= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_bounded_read_pages_through_and_ends() {
        let pages = mock!(Client::filter_log_events)
            .match_requests(|r| {
                r.log_group_name() == Some(GROUP)
                    && r.start_time() == Some(1_000)
                    && r.end_time() == Some(9_000)
                    && r.filter_pattern() == Some("ERROR")
            })
            .sequence()
            .output(|| {
                page(
                    vec![
                        event("1", 1_100, TASK_A, "ERROR one"),
                        event("2", 1_200, TASK_B, "ERROR two"),
                    ],
                    Some("t1"),
                )
            })
            // An empty page with a token: CloudWatch is still searching.
            .output(|| page(vec![], Some("t2")))
            .output(|| page(vec![event("3", 1_300, TASK_A, "ERROR three")], None))
            .build();
        let mut reader = Reader::new(
            client(&[&pages]),
            Query {
                filter_pattern: Some("ERROR".into()),
                ..query()
            },
            1_000,
            Some(9_000),
            false,
            fast(),
        );
        let (lines, notices) = drain(&mut reader, 10).await;
        assert_eq!(messages(&lines), ["ERROR one", "ERROR two", "ERROR three"]);
        assert!(notices.is_empty());
        assert_eq!(lines[1].task.as_deref(), Some(&TASK_B[8..]));
        assert_eq!(pages.num_calls(), 3);
        assert!(reader.next_batch().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn following_shows_each_event_once_across_overlapping_windows() {
        let starts = Arc::new(Mutex::new(Vec::new()));
        let seen = starts.clone();
        let polls = mock!(Client::filter_log_events)
            .match_requests(move |r| {
                seen.lock().unwrap().push(r.start_time().unwrap());
                r.end_time().is_none() && r.log_stream_names().is_empty()
            })
            .sequence()
            .output(|| page(vec![event("1", 1_000, TASK_A, "a")], None))
            // The window reaches back: event 1 comes again, with a late one (1_050) and a new stream.
            .output(|| {
                page(
                    vec![
                        event("1", 1_000, TASK_A, "a"),
                        event("2", 1_050, TASK_A, "late"),
                        event("3", 1_200, TASK_B, "new task"),
                    ],
                    None,
                )
            })
            .output(|| page(vec![], None))
            .output(|| {
                page(
                    vec![
                        event("3", 1_200, TASK_B, "new task"),
                        event("4", 1_200, TASK_A, "same millisecond"),
                    ],
                    None,
                )
            })
            .build();
        let mut reader = Reader::new(client(&[&polls]), query(), 500, None, true, fast());
        let (lines, _) = drain(&mut reader, 4).await;
        assert_eq!(
            messages(&lines),
            ["a", "late", "new task", "same millisecond"]
        );
        let starts = starts.lock().unwrap().clone();
        assert_eq!(
            starts,
            [500, 900, 1_100, 1_100],
            "from the newest less the margin"
        );
    }

    #[tokio::test]
    async fn throttling_is_waited_out_and_said_once() {
        let throttled = || {
            FilterLogEventsError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        };
        let polls = mock!(Client::filter_log_events)
            .sequence()
            .error(throttled)
            .times(3)
            .output(|| page(vec![event("1", 1_000, TASK_A, "after")], None))
            .build();
        let mut reader = Reader::new(client(&[&polls]), query(), 0, None, true, fast());
        let (lines, notices) = drain(&mut reader, 4).await;
        assert_eq!(messages(&lines), ["after"]);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            matches!(&notices[0], Notice::Throttled(why) if why.starts_with("ThrottlingException")),
            "{notices:?}"
        );
    }

    #[tokio::test]
    async fn endless_throttling_gives_up_and_a_missing_group_is_explained() {
        let throttled = mock!(Client::filter_log_events).then_error(|| {
            FilterLogEventsError::generic(
                ErrorMetadata::builder().code("ThrottlingException").build(),
            )
        });
        let mut reader = Reader::new(client(&[&throttled]), query(), 0, None, true, fast());
        let mut result = Ok(None);
        for _ in 0..10 {
            result = reader.next_batch().await;
            if result.is_err() {
                break;
            }
        }
        assert!(format!("{:#}", result.unwrap_err()).contains("after 4 tries"));

        let missing = mock!(Client::filter_log_events).then_error(|| {
            FilterLogEventsError::generic(
                ErrorMetadata::builder()
                    .code("ResourceNotFoundException")
                    .message("The specified log group does not exist.")
                    .build(),
            )
        });
        let mut reader = Reader::new(client(&[&missing]), query(), 0, None, false, fast());
        let err = reader.next_batch().await.unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert_eq!(mcp.message, format!("log group `{GROUP}` does not exist"));
        assert!(mcp.hint.is_some());
    }

    #[tokio::test]
    async fn named_streams_and_prefixes_narrow_the_read() {
        let names = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_stream_names() == [TASK_A.to_string()])
            .then_output(|| page(vec![event("1", 1, TASK_A, "a")], None));
        let mut reader = Reader::new(
            client(&[&names]),
            Query {
                streams: StreamSelect::Names(vec![TASK_A.into()]),
                ..query()
            },
            0,
            Some(10),
            false,
            fast(),
        );
        assert_eq!(messages(&drain(&mut reader, 3).await.0), ["a"]);

        // A server that ignores the prefix still yields only matching streams.
        let prefix = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_stream_name_prefix() == Some("ecs/mcp/bbbb"))
            .then_output(|| {
                page(
                    vec![event("1", 1, TASK_A, "a"), event("2", 2, TASK_B, "b")],
                    None,
                )
            });
        let mut reader = Reader::new(client(&[&prefix]), query(), 0, Some(10), false, fast());
        reader.set_streams(StreamSelect::Prefixes(vec!["ecs/mcp/bbbb".into()]));
        assert_eq!(messages(&drain(&mut reader, 3).await.0), ["b"]);
    }

    #[tokio::test]
    async fn a_spawned_tail_delivers_batches_until_stopped_or_done() {
        let polls = mock!(Client::filter_log_events).then_output(|| {
            page(
                vec![event("1", 1, TASK_A, "a"), event("2", 2, TASK_B, "b")],
                None,
            )
        });
        let reader = Reader::new(client(&[&polls]), query(), 0, None, true, fast());
        let mut tail = Tail::spawn(reader);
        let first = tail.recv().await.unwrap().unwrap();
        assert_eq!(messages(&first.lines), ["a", "b"]);
        tail.set_streams(StreamSelect::Names(vec![TASK_B.into()]));
        // Later polls see the same events again: nothing new, whatever the selection.
        let next = tail.recv().await.unwrap().unwrap();
        assert!(next.lines.is_empty());
        tail.stop();
        // A bounded read ends the channel.
        let reader = Reader::new(client(&[&polls]), query(), 0, Some(5), false, fast());
        let mut tail = Tail::spawn(reader);
        assert_eq!(tail.recv().await.unwrap().unwrap().lines.len(), 2);
        assert!(tail.recv().await.is_none());
    }

    #[tokio::test]
    async fn last_lines_of_a_stream_oldest_first() {
        let tail = mock!(Client::get_log_events)
            .match_requests(|r| {
                r.log_stream_name() == Some(TASK_A)
                    && r.start_from_head() == Some(false)
                    && r.limit() == Some(2)
            })
            .then_output(|| {
                GetLogEventsOutput::builder()
                    .events(
                        OutputLogEvent::builder()
                            .timestamp(2)
                            .message("fatal: no DATABASE_URL")
                            .build(),
                    )
                    .events(
                        OutputLogEvent::builder()
                            .timestamp(1)
                            .message("starting up")
                            .build(),
                    )
                    .build()
            });
        let lines = last_lines(&client(&[&tail]), GROUP, TASK_A, 2)
            .await
            .unwrap();
        assert_eq!(messages(&lines), ["starting up", "fatal: no DATABASE_URL"]);
        assert_eq!(lines[0].stream, TASK_A);
    }

    fn definition(log: Option<LogConfiguration>) -> TaskDefinition {
        TaskDefinition::builder()
            .family("weather")
            .task_definition_arn("arn:aws:ecs:us-east-1:1:task-definition/weather:7")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("mcp")
                    .set_log_configuration(log)
                    .build(),
            )
            .build()
    }

    #[test]
    fn the_location_comes_from_awslogs_options() {
        let awslogs = LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", GROUP)
            .options("awslogs-region", "eu-west-1")
            .options("awslogs-stream-prefix", "ecs")
            .build()
            .unwrap();
        let location = location_in(&definition(Some(awslogs)), None, None).unwrap();
        assert_eq!(
            location,
            LogLocation {
                group: GROUP.into(),
                region: Some("eu-west-1".into()),
                stream_prefix: Some("ecs".into()),
                container: "mcp".into(),
                task_definition: "weather:7".into(),
            }
        );
        assert_eq!(
            location
                .stream_for_task("arn:aws:ecs:us-east-1:1:task/c/0123")
                .as_deref(),
            Some("ecs/mcp/0123")
        );
        assert_eq!(task_of_stream("ecs/mcp/0123"), Some("0123"));
        assert_eq!(task_of_stream("a/b/c/mcp/0123"), Some("0123"));
        assert_eq!(task_of_stream("mcp/0123"), None);
    }

    #[test]
    fn no_awslogs_is_a_clear_error_unless_a_group_is_given() {
        let firelens = LogConfiguration::builder()
            .log_driver(LogDriver::Awsfirelens)
            .build()
            .unwrap();
        for (log, how) in [
            (None, "has no logConfiguration"),
            (Some(firelens), "uses the `awsfirelens` log driver"),
        ] {
            let err = location_in(&definition(log.clone()), None, None).unwrap_err();
            let mcp = err.downcast_ref::<McpError>().unwrap();
            assert!(mcp.message.contains(how), "{}", mcp.message);
            assert!(mcp.hint.as_ref().unwrap().contains("--log-group"));
            let given = location_in(&definition(log), None, Some("/custom")).unwrap();
            assert_eq!(given.group, "/custom");
            assert_eq!(given.stream_for_task("x"), None);
        }
    }

    // --- Live Tail ---------------------------------------------------------

    /// What one scripted session does: values, then an end (or a failure to start).
    enum Script {
        FailToStart(&'static str),
        Session(Vec<Result<StartLiveTailResponseStream, &'static str>>),
    }

    struct FakeLive {
        scripts: VecDeque<Script>,
        requests: Arc<Mutex<Vec<LiveRequest>>>,
    }

    struct FakeSession(VecDeque<Result<StartLiveTailResponseStream, &'static str>>);

    fn fake_error(code: &str) -> LiveError {
        match code {
            "SessionTimeoutException" => LiveError::Ended(code.into()),
            "AccessDeniedException" => LiveError::Fatal(anyhow::anyhow!("{code}")),
            _ => LiveError::Retry(code.into()),
        }
    }

    impl LiveSession for FakeSession {
        async fn recv(&mut self) -> Result<Option<StartLiveTailResponseStream>, LiveError> {
            match self.0.pop_front() {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(code)) => Err(fake_error(code)),
                None => Ok(None),
            }
        }
    }

    impl LiveConnect for FakeLive {
        type Session = FakeSession;
        async fn start(&mut self, request: &LiveRequest) -> Result<FakeSession, LiveError> {
            self.requests.lock().unwrap().push(request.clone());
            match self.scripts.pop_front() {
                Some(Script::FailToStart(code)) => Err(fake_error(code)),
                Some(Script::Session(values)) => Ok(FakeSession(values.into())),
                None => Err(LiveError::Fatal(anyhow::anyhow!("script over"))),
            }
        }
    }

    fn start() -> Result<StartLiveTailResponseStream, &'static str> {
        Ok(StartLiveTailResponseStream::SessionStart(
            LiveTailSessionStart::builder().session_id("s").build(),
        ))
    }

    fn update(
        sampled: bool,
        events: &[(i64, i64, &str, &str)],
    ) -> Result<StartLiveTailResponseStream, &'static str> {
        let mut update = LiveTailSessionUpdate::builder()
            .session_metadata(LiveTailSessionMetadata::builder().sampled(sampled).build());
        for (ts, ingested, stream, message) in events {
            update = update.session_results(
                LiveTailSessionLogEvent::builder()
                    .log_group_identifier("arn:aws:logs:us-east-1:1:log-group:/ecs/weather")
                    .log_stream_name(*stream)
                    .timestamp(*ts)
                    .ingestion_time(*ingested)
                    .message(*message)
                    .build(),
            );
        }
        Ok(StartLiveTailResponseStream::SessionUpdate(update.build()))
    }

    fn live(scripts: Vec<Script>) -> (LiveTail<FakeLive>, Arc<Mutex<Vec<LiveRequest>>>) {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let fake = FakeLive {
            scripts: scripts.into(),
            requests: requests.clone(),
        };
        let request = LiveRequest {
            groups: vec!["arn:aws:logs:us-east-1:1:log-group:/ecs/weather".into()],
            streams: StreamSelect::Prefixes(vec!["ecs/mcp/".into()]),
            filter_pattern: Some("ERROR".into()),
        };
        let options = LiveOptions {
            backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            max_failures: 3,
            margin: Duration::from_secs(10),
        };
        (LiveTail::new(fake, request, options), requests)
    }

    async fn collect(tail: &mut LiveTail<FakeLive>) -> (Vec<LogLine>, Vec<Notice>, anyhow::Error) {
        let mut lines = Vec::new();
        let mut notices = Vec::new();
        loop {
            match tail.next_batch().await {
                Ok(Some(batch)) => {
                    lines.extend(batch.lines);
                    notices.extend(batch.notices);
                }
                Ok(None) => panic!("Live Tail does not end by itself"),
                Err(err) => return (lines, notices, err),
            }
        }
    }

    #[test]
    fn a_session_update_decodes_to_lines_oldest_first() {
        let Ok(StartLiveTailResponseStream::SessionUpdate(u)) = update(
            true,
            &[(20, 21, TASK_B, "second"), (10, 11, TASK_A, "first")],
        ) else {
            unreachable!()
        };
        let (lines, sampled) = decode_update(&u);
        assert!(sampled);
        assert_eq!(messages(&lines), ["first", "second"]);
        assert_eq!(lines[0].task.as_deref(), Some(&TASK_A[8..]));
        let (lines, sampled) = decode_update(&LiveTailSessionUpdate::builder().build());
        assert!(
            !sampled && lines.is_empty(),
            "a heartbeat update has no events"
        );
    }

    #[tokio::test]
    async fn live_tail_reconnects_with_the_same_request_without_repeating_events() {
        let (mut tail, requests) = live(vec![
            Script::Session(vec![
                start(),
                update(false, &[(10, 11, TASK_A, "one"), (20, 21, TASK_A, "two")]),
                update(true, &[(30, 31, TASK_B, "three")]),
                update(true, &[(40, 41, TASK_B, "four")]),
                Err("SessionTimeoutException"),
            ]),
            // The next session starts by repeating what the last one had just sent.
            Script::Session(vec![
                start(),
                update(false, &[(40, 41, TASK_B, "four"), (50, 51, TASK_A, "five")]),
                Err("SessionStreamingException"),
            ]),
            Script::FailToStart("ThrottlingException"),
            Script::Session(vec![
                start(),
                update(false, &[(60, 61, TASK_A, "six")]),
                // The server closes the stream: a session ended normally.
            ]),
            Script::Session(vec![start(), update(false, &[(70, 71, TASK_A, "seven")])]),
            Script::FailToStart("AccessDeniedException"),
        ]);
        let (lines, notices, err) = collect(&mut tail).await;
        assert_eq!(
            messages(&lines),
            ["one", "two", "three", "four", "five", "six", "seven"]
        );
        assert!(err.to_string().contains("AccessDenied"), "{err}");
        assert_eq!(
            notices.iter().filter(|n| **n == Notice::Sampled).count(),
            1,
            "sampling is said when it begins: {notices:?}"
        );
        assert!(notices.contains(&Notice::Throttled("ThrottlingException".into())));
        assert_eq!(
            notices
                .iter()
                .filter(|n| matches!(n, Notice::Reconnected(_)))
                .count(),
            3,
            "{notices:?}"
        );
        let requests = requests.lock().unwrap();
        assert_eq!(requests.len(), 6);
        assert!(
            requests.iter().all(|r| *r == requests[0]),
            "same filters every time"
        );
        assert_eq!(tail.sessions(), 4);
    }

    #[tokio::test]
    async fn live_tail_gives_up_when_it_cannot_keep_a_session() {
        let (mut tail, _) = live(vec![
            Script::Session(vec![Err("SessionStreamingException")]),
            Script::FailToStart("ThrottlingException"),
            Script::FailToStart("ThrottlingException"),
            Script::FailToStart("ThrottlingException"),
            Script::Session(vec![start()]),
        ]);
        let (lines, _, err) = collect(&mut tail).await;
        assert!(lines.is_empty());
        assert!(err.to_string().contains("keeps failing"), "{err}");
    }
}
