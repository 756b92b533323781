//! CloudWatch Logs: where a service's logs are, and reading them page by page,
//! once or for as long as the caller wants.
//!
//! - [`locate`](mod@locate): the log group and streams of a service, from the
//!   `awslogs` options of its live task definition.
//! - [`reader`]: [`Reader`] pages through `FilterLogEvents` (bounded, or
//!   following), and [`last_lines`] reads the end of one stream.
//! - [`pace`]: how often a follow polls, and dropping what overlapping windows
//!   return twice.
//! - [`live`]: [`LiveTail`], CloudWatch's pushed event stream, reconnecting.
//! - [`tail`]: [`Tail`], a follow on its own task, for a deploy streaming its
//!   new tasks' output.
//!
//! Everything that reads yields [`Batch`]es through one interface,
//! [`LogSource`], so `mcp logs` and `mcp deploy` print the same way whatever
//! the source.

pub mod live;
pub mod locate;
pub mod pace;
pub mod reader;
pub mod tail;

use std::future::Future;

use anyhow::Result;
use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;

pub use live::{
    LiveConnect, LiveError, LiveOptions, LiveRequest, LiveSession, LiveTail, SdkLive, SdkSession,
    decode_update,
};
pub use locate::{LogLocation, client_for, group_arn, locate, location_in, task_id_of};
pub use pace::{Dedup, Pace, Pacer};
pub use reader::{FollowOptions, Reader, last_lines};
pub use tail::Tail;

/// `FilterLogEvents` and `StartLiveTail` take at most this many stream names.
pub const MAX_STREAM_NAMES: usize = 100;

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
