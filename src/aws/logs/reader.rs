//! [`Reader`]: `FilterLogEvents`, page by page. Bounded (`--since`/`--until`)
//! it ends after one pass; following, it polls again and again at the pace of
//! a [`Pacer`], dropping repeats with a [`Dedup`]. Streams are never pinned
//! unless the caller names them, so tasks started after the follow began (a new
//! deployment) show up on their own. Throttling and transient failures
//! ([`crate::aws::retry`]) are waited out and reported once per run.
//!
//! [`last_lines`] reads the end of one stream (for a task that failed).

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError;

use super::pace::{Dedup, Pace, Pacer};
use super::{Batch, LogLine, LogSource, Notice, Query, StreamSelect};
use crate::aws::{self, retry};
use crate::error::McpError;

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
    pub(super) query: Query,
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

    fn failed(&mut self, err: SdkError<FilterLogEventsError>) -> Result<Batch> {
        let group = &self.query.group;
        if retry::is_retryable(&err) {
            self.retries += 1;
            if self.retries > self.options.max_retries {
                return Err(aws::error(err)).with_context(|| {
                    format!(
                        "reading log group `{group}`: still failing after {} tries",
                        self.retries
                    )
                });
            }
            self.pacer.throttled();
            let notices = if self.retries == 1 {
                vec![Notice::Throttled(aws::describe(&err))]
            } else {
                Vec::new()
            };
            return Ok(Batch {
                lines: Vec::new(),
                notices,
            });
        }
        let service = err.as_service_error();
        let missing = service.is_some_and(FilterLogEventsError::is_resource_not_found_exception);
        let denied = service
            .and_then(ProvideErrorMetadata::code)
            .is_some_and(aws::error::is_access_denied_code);
        let err = Err(aws::error(err)).with_context(|| format!("reading log group `{group}`"));
        if missing {
            err.context(
                McpError::new(format!("log group `{group}` does not exist"))
                    .hint("the group is created by the first task that logs to it only with `awslogs-create-group = true`; check the region (`--region`) and `--log-group`"),
            )
        } else if denied {
            err.context(
                McpError::new("not allowed to read the service's logs")
                    .hint("the AWS identity needs logs:FilterLogEvents on the group (and logs:StartLiveTail for `--live`)"),
            )
        } else {
            err
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
        .map_err(aws::error)
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

#[cfg(test)]
pub(super) mod tests {

    use super::*;
    use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::operation::get_log_events::GetLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::error::ResourceNotFoundException;
    use aws_sdk_cloudwatchlogs::types::{FilteredLogEvent, OutputLogEvent};
    use std::sync::{Arc, Mutex};

    use crate::aws::mock_client;
    use aws_smithy_mocks::{Rule, RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    pub(crate) const GROUP: &str = "/ecs/weather";
    pub(crate) const TASK_A: &str = "ecs/mcp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    pub(crate) const TASK_B: &str = "ecs/mcp/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    pub(crate) fn client(rules: &[&Rule]) -> Client {
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, rules, |c| c
            .retry_config(RetryConfig::disabled()))
    }

    pub(crate) fn event(id: &str, ts: i64, stream: &str, message: &str) -> FilteredLogEvent {
        FilteredLogEvent::builder()
            .event_id(id)
            .timestamp(ts)
            .log_stream_name(stream)
            .message(message)
            .build()
    }

    pub(crate) fn page(
        events: Vec<FilteredLogEvent>,
        token: Option<&str>,
    ) -> FilterLogEventsOutput {
        FilterLogEventsOutput::builder()
            .set_events(Some(events))
            .set_next_token(token.map(str::to_string))
            .build()
    }

    pub(crate) fn fast() -> FollowOptions {
        FollowOptions {
            pace: Pace {
                min: Duration::from_millis(1),
                flowing_max: Duration::from_millis(2),
                idle_max: Duration::from_millis(4),
                quiet_after: Duration::from_millis(20),
                quiet_max: Duration::from_millis(4),
                throttled_max: Duration::from_millis(8),
            },
            margin: Duration::from_millis(100),
            max_retries: 3,
        }
    }

    pub(crate) fn query() -> Query {
        Query {
            group: GROUP.into(),
            ..Query::default()
        }
    }

    pub(crate) async fn drain(reader: &mut Reader, batches: usize) -> (Vec<LogLine>, Vec<Notice>) {
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

    pub(crate) fn messages(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.message.as_str()).collect()
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

        // The modelled variant, as the SDK deserializes a real response.
        let missing = mock!(Client::filter_log_events).then_error(|| {
            FilterLogEventsError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("The specified log group does not exist.")
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("The specified log group does not exist.")
                            .build(),
                    )
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
}
