//! `mcp logs` on any platform: what was asked for ([`LogsRequest`]), and how
//! log lines print.
//!
//! A platform reads its release's output (CloudWatch Logs for ECS, see
//! [`super::ecs::logs`]; the engine for local containers) as [`LogLine`]s from
//! a [`LogSource`], and [`print`] shows them as pages arrive, oldest first, one
//! line each: time, the task (or stream) they came from, the message; with
//! `--output json` one object per line. A reader that closes the pipe
//! (`mcp logs | head`) ends the command quietly: the write error travels up as
//! an `io::Error` and `main` treats a broken pipe as success.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use console::{Color, style};
use jiff::Timestamp;
use serde::Serialize;

use crate::aws::logs::{Batch, LogLine, LogSource, Notice};
use crate::config::duration;
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;
use crate::ui::sanitize::Lines;

/// `--since` when not given.
pub const DEFAULT_SINCE: &str = "10m";

/// What `mcp logs` was asked for.
#[derive(Debug, Clone, Default)]
pub struct LogsRequest {
    /// A duration ago (`10m`) or an RFC 3339 time.
    pub since: Option<String>,
    pub until: Option<String>,
    pub filter: Option<String>,
    pub task: Option<String>,
    pub revision: Option<u32>,
    pub follow: bool,
    pub live: bool,
    pub log_group: Option<String>,
}

/// Print `group`'s lines (`streams` of it) as `options` ask: Live Tail with
/// `--live`, else read from `since` (to `until`), following with `--follow`.
pub async fn read_group(
    client: aws_sdk_cloudwatchlogs::Client,
    printer: &Printer,
    group: String,
    streams: crate::aws::logs::StreamSelect,
    options: &LogsRequest,
    (since, until): (Timestamp, Option<Timestamp>),
) -> Result<ExitStatus> {
    use crate::aws::logs::{
        FollowOptions, LiveOptions, LiveRequest, LiveTail, Query, Reader, SdkLive, group_arn,
    };
    let filter_pattern = options.filter.clone().filter(|f| !f.trim().is_empty());
    if options.live {
        printer.status("Tailing", format!("{group} (Live Tail)"));
        let arn = group_arn(&client, &group).await?;
        let request = LiveRequest {
            groups: vec![arn],
            streams,
            filter_pattern,
        };
        let mut source = LiveTail::new(SdkLive::new(client), request, LiveOptions::default());
        return print(&mut source, printer, true).await;
    }
    let verb = if options.follow {
        "Following"
    } else {
        "Reading"
    };
    printer.status(verb, format!("{group} since {since:.0}"));
    let query = Query {
        group,
        streams,
        filter_pattern,
    };
    let mut source = Reader::new(
        client,
        query,
        since.as_millisecond(),
        until.map(|t| t.as_millisecond()),
        options.follow,
        FollowOptions::default(),
    );
    print(&mut source, printer, options.follow).await
}

/// `--since` (default [`DEFAULT_SINCE`]) and `--until` of a request, checked.
pub fn window(options: &LogsRequest) -> Result<(Timestamp, Option<Timestamp>)> {
    let now = Timestamp::now();
    let since = time_flag(
        "--since",
        options.since.as_deref().unwrap_or(DEFAULT_SINCE),
        now,
    )?;
    let until = match &options.until {
        Some(text) => Some(time_flag("--until", text, now)?),
        None => None,
    };
    if let Some(until) = until
        && until < since
    {
        return Err(
            McpError::usage(format!("--until ({until}) is before --since ({since})")).into(),
        );
    }
    Ok((since, until))
}

/// `30s`, `10m`, `2h`, `1d` (that long before `now`) or an RFC 3339 time.
pub fn parse_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(ago) = duration::parse(text) {
        let ago = jiff::SignedDuration::try_from(ago).map_err(|e| e.to_string())?;
        return now
            .checked_sub(ago)
            .map_err(|_| format!("`{text}` reaches too far back"));
    }
    text.parse::<Timestamp>().map_err(|_| {
        format!(
            "invalid time `{text}`: write a duration ago (`30s`, `10m`, `2h`, `1d`) \
             or an RFC 3339 time (`2025-05-01T12:00:00Z`)"
        )
    })
}

pub fn time_flag(flag: &str, text: &str, now: Timestamp) -> Result<Timestamp> {
    parse_time(text, now).map_err(|e| {
        McpError::usage(format!("{flag}: {e}"))
            .hint("e.g. `--since 30m`, `--since 2025-05-01T12:00:00Z`")
            .into()
    })
}

/// One event as `--output json` prints it.
#[derive(Debug, Serialize)]
pub struct JsonLine<'a> {
    /// RFC 3339, UTC, milliseconds.
    pub timestamp: String,
    pub stream: &'a str,
    pub task: Option<&'a str>,
    pub message: &'a str,
}

/// The message without the line ending the container wrote.
fn message(line: &LogLine) -> &str {
    line.message.trim_end_matches(['\n', '\r'])
}

fn time(line: &LogLine) -> String {
    format!("{:.3}", line.timestamp())
}

/// The task id's first 8 characters (as unique as a short git sha within one
/// service), or the stream name when it is not named like ECS's.
pub fn short_id(line: &LogLine) -> &str {
    match &line.task {
        Some(task) => task.get(..8).unwrap_or(task),
        None => &line.stream,
    }
}

const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Color256(208),
];

/// The same colour for a stream in every run (FNV-1a, not std's seeded hasher).
pub fn stream_color(stream: &str) -> Color {
    let hash = stream.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    PALETTE[(hash % PALETTE.len() as u64) as usize]
}

/// One event as a line of text or JSON. With `escape` (always but with
/// `--raw`) the server's text is escaped (see `ui::sanitize`): a log line
/// cannot drive the terminal, also through a pipe.
pub fn render(line: &LogLine, json: bool, color: bool, escape: bool) -> String {
    if json {
        let value = JsonLine {
            timestamp: time(line),
            stream: &line.stream,
            task: line.task.as_deref(),
            message: message(line),
        };
        // Serializing strings cannot fail.
        return serde_json::to_string(&value).unwrap_or_default();
    }
    let mut out = String::with_capacity(line.message.len() + 40);
    let _ = write!(out, "{} ", time(line));
    let shown = |text| crate::ui::sanitize::for_terminal(text, escape, Lines::Keep);
    let id = shown(short_id(line));
    if color {
        let _ = write!(out, "{}", style(id).fg(stream_color(&line.stream)));
    } else {
        out.push_str(&id);
    }
    out.push(' ');
    out.push_str(&shown(message(line)));
    out
}

/// Print what `source` yields until it ends, or (when `interruptible`) Ctrl-C.
pub async fn print<S: LogSource>(
    source: &mut S,
    printer: &Printer,
    interruptible: bool,
) -> Result<ExitStatus> {
    let json = printer.json();
    let color = printer.color() && !json;
    let escape = printer.escapes();
    let ctrl_c = async {
        if !interruptible {
            std::future::pending::<()>().await;
        }
        crate::cancel::cancelled().await;
    };
    tokio::pin!(ctrl_c);
    loop {
        let batch = tokio::select! {
            () = &mut ctrl_c => return Ok(ExitStatus::Success),
            batch = source.next_batch() => batch?,
        };
        let Some(Batch { lines, notices }) = batch else {
            return Ok(ExitStatus::Success);
        };
        for notice in notices {
            match notice {
                Notice::Throttled(why) => {
                    printer.warn(format!("{why}; retrying with backoff"));
                }
                Notice::Sampled => printer.warn(
                    "Live Tail is sampling (more than 500 events per second): not every event is shown",
                ),
                Notice::Reconnected(why) => {
                    printer.detail(1, format!("Live Tail session restarted ({why})"));
                }
            }
        }
        if !lines.is_empty() {
            printer
                .lines(lines.iter().map(|l| render(l, json, color, escape)))
                .context("writing log lines")?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn since_and_until_accept_durations_ago_and_rfc3339() {
        let now = at("2025-05-01T12:00:00Z");
        assert_eq!(parse_time("30s", now), Ok(at("2025-05-01T11:59:30Z")));
        assert_eq!(parse_time("10m", now), Ok(at("2025-05-01T11:50:00Z")));
        assert_eq!(parse_time("2h", now), Ok(at("2025-05-01T10:00:00Z")));
        assert_eq!(parse_time("1d", now), Ok(at("2025-04-30T12:00:00Z")));
        assert_eq!(parse_time("1h30m", now), Ok(at("2025-05-01T10:30:00Z")));
        assert_eq!(
            parse_time("2025-04-30T08:15:00Z", now),
            Ok(at("2025-04-30T08:15:00Z"))
        );
        assert_eq!(
            parse_time("2025-04-30T10:15:00+02:00", now),
            Ok(at("2025-04-30T08:15:00Z"))
        );
        assert_eq!(
            parse_time("2025-04-30T08:15:00.250Z", now).map(|t| t.as_millisecond()),
            Ok(at("2025-04-30T08:15:00Z").as_millisecond() + 250)
        );
    }

    #[test]
    fn bad_times_say_what_is_accepted() {
        let now = at("2025-05-01T12:00:00Z");
        for bad in ["10", "yesterday", "2025-13-01T00:00:00Z", "", "10 minutes"] {
            let err = parse_time(bad, now).unwrap_err();
            assert!(err.contains("RFC 3339"), "{bad}: {err}");
        }
        let err = time_flag("--since", "soon", now).unwrap_err();
        assert_eq!(
            err.downcast_ref::<McpError>().unwrap().status,
            ExitStatus::Usage
        );
    }

    /// Guards issue 16 item 5 and issue 26 item 13: a log line cannot drive
    /// the terminal it reaches, directly or through a pipe; `--raw` passes it
    /// on as the server wrote it.
    #[test]
    fn log_text_is_escaped_unless_raw() {
        let line = LogLine::new(
            0,
            "ecs/mcp/0123456789abcdef",
            "ok\u{1b}]0;pwned\u{7}\u{1b}[2K",
        );
        assert_eq!(
            render(&line, false, true, true),
            format!(
                "1970-01-01T00:00:00.000Z {} ok\\x1b]0;pwned\\x07\\x1b[2K",
                style("01234567").fg(stream_color("ecs/mcp/0123456789abcdef"))
            )
        );
        assert!(render(&line, false, false, false).ends_with("ok\u{1b}]0;pwned\u{7}\u{1b}[2K"));
    }

    #[test]
    fn text_and_json_lines() {
        let line = LogLine::new(
            at("2025-05-01T12:00:00.042Z").as_millisecond(),
            "ecs/mcp/0123456789abcdef0123456789abcdef",
            "GET /healthz 200\n",
        );
        assert_eq!(
            render(&line, false, false, false),
            "2025-05-01T12:00:00.042Z 01234567 GET /healthz 200"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&line, true, true, true)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "timestamp": "2025-05-01T12:00:00.042Z",
                "stream": "ecs/mcp/0123456789abcdef0123456789abcdef",
                "task": "0123456789abcdef0123456789abcdef",
                "message": "GET /healthz 200",
            })
        );
        let other = LogLine::new(0, "custom-stream", "hi");
        assert_eq!(other.task, None);
        assert_eq!(
            render(&other, false, false, false),
            "1970-01-01T00:00:00.000Z custom-stream hi"
        );
    }

    #[test]
    fn a_stream_keeps_its_colour() {
        let a = "ecs/mcp/aaaa";
        assert_eq!(stream_color(a), stream_color(a));
        let colours: std::collections::HashSet<String> = (0..40)
            .map(|i| format!("{:?}", stream_color(&format!("ecs/mcp/{i:032x}"))))
            .collect();
        assert!(
            colours.len() > 3,
            "streams spread over the palette: {colours:?}"
        );
    }
}
