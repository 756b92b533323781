//! [`LiveTail`]: `StartLiveTail`, an event stream pushed by CloudWatch (billed
//! per minute, sampled above 500 events per second). A session ends after
//! three hours or on a streaming error; it reconnects with the same filters and
//! drops events it already yielded. The SDK is behind [`LiveConnect`] so the
//! decoding and reconnects are tested against a fake: the local simulator
//! cannot answer Live Tail's `streaming-` endpoint.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use anyhow::Result;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::operation::start_live_tail::StartLiveTailError;
use aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError;
use aws_sdk_cloudwatchlogs::types::{LiveTailSessionUpdate, StartLiveTailResponseStream};
use aws_smithy_types::retry::ProvideErrorKind;

use super::pace::Dedup;
use super::{Batch, LogLine, LogSource, Notice, StreamSelect};
use crate::aws;
use crate::aws::retry::{self, RawResponse};
use crate::error::McpError;

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

/// The generated `is_*_exception()` of Live Tail's two error types (starting a
/// session, and the values of its stream).
trait SessionErrors {
    fn session_timed_out(&self) -> bool;
    fn session_broke(&self) -> bool;
}

impl SessionErrors for StartLiveTailError {
    fn session_timed_out(&self) -> bool {
        self.is_session_timeout_exception()
    }
    fn session_broke(&self) -> bool {
        self.is_session_streaming_exception()
    }
}

impl SessionErrors for StartLiveTailResponseStreamError {
    fn session_timed_out(&self) -> bool {
        self.is_session_timeout_exception()
    }
    fn session_broke(&self) -> bool {
        self.is_session_streaming_exception()
    }
}

fn live_error<E, R>(err: SdkError<E, R>, doing: &str) -> LiveError
where
    E: SessionErrors
        + ProvideErrorKind
        + ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: RawResponse + std::fmt::Debug + Send + Sync + 'static,
{
    let service = err.as_service_error();
    if service.is_some_and(SessionErrors::session_timed_out) {
        return LiveError::Ended(aws::describe(&err));
    }
    if service.is_some_and(SessionErrors::session_broke) || retry::is_retryable(&err) {
        return LiveError::Retry(aws::describe(&err));
    }
    let denied = service
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(aws::error::is_access_denied_code);
    let error = aws::error(err).context(doing.to_string());
    LiveError::Fatal(if denied {
        error.context(
            McpError::new("not allowed to start Live Tail")
                .hint("the AWS identity needs logs:StartLiveTail; or follow without `--live`"),
        )
    } else {
        error
    })
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
    //! Live Tail (an event stream on its own endpoint) is faked with a
    //! [`LiveConnect`] that plays scripted sessions.

    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use super::super::reader::tests::{TASK_A, TASK_B, messages};

    use aws_sdk_cloudwatchlogs::types::{
        LiveTailSessionLogEvent, LiveTailSessionMetadata, LiveTailSessionStart,
    };

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
