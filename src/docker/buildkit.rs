//! BuildKit progress from the engine's `/build?version=2` stream.
//!
//! With BuildKit the engine does not report progress as the classic builder's
//! `{"stream": …}` lines. Each update arrives as
//! `{"id":"moby.buildkit.trace","aux":"<base64>"}`, and the base64 text is a
//! protobuf-encoded `moby.buildkit.v1.StatusResponse` (moby/buildkit,
//! `api/services/control/control.proto`). bollard decodes that only behind its
//! `buildkit` feature, which brings tonic and a generated gRPC API; even
//! `bollard-buildkit-proto` without its `grpc` feature is about 480 KB of
//! generated types for the whole BuildKit API, with strict UTF-8 strings (one
//! stray byte in a step's name would cost the whole update). So `mcp` declares
//! the few messages it reads with `#[derive(prost::Message)]` (module `wire`),
//! keeping only what it shows: vertex names and states, status counters and log output. prost skips
//! everything else (timestamp values, progress groups, warnings, fields added by
//! newer engines) by wire type, so newer engines keep working.
//!
//! The other lines of the stream are plain JSON for the caller: the image id
//! comes as `{"id":"moby.image.id","aux":{"ID":"sha256:…"}}`, a failed build
//! ends with `{"errorDetail":{"message":…},"error":…}`.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use base64::Engine as _;
use prost::Message as _;

/// How many log lines [`Progress`] keeps per vertex unless told otherwise:
/// enough to show why a `RUN` failed without holding a whole build log.
pub const DEFAULT_LOG_LINES: usize = 20;

/// A partial log line longer than this is cut from the front: a progress bar
/// redrawn with `\r` and never ended with `\n` must not grow without bound.
const MAX_PARTIAL_LINE: usize = 16 * 1024;

/// A build step (`moby.buildkit.v1.Vertex`), reduced to what `mcp` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vertex {
    pub digest: String,
    pub name: String,
    pub cached: bool,
    /// The engine set the `started` timestamp.
    pub started: bool,
    /// The engine set the `completed` timestamp.
    pub completed: bool,
    /// `None` when the engine sent no (or an empty) error.
    pub error: Option<String>,
}

/// Output of a step (`moby.buildkit.v1.VertexLog`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VertexLog {
    pub vertex: String,
    /// 1 is stdout, 2 is stderr.
    pub stream: i64,
    /// Raw bytes: a chunk of output, not necessarily whole lines or valid UTF-8.
    pub msg: Vec<u8>,
}

/// A counter inside a step, e.g. "exporting layers" (`moby.buildkit.v1.VertexStatus`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VertexStatus {
    pub id: String,
    pub vertex: String,
    pub current: i64,
    pub total: i64,
    /// The engine set the `completed` timestamp.
    pub completed: bool,
}

/// One `moby.buildkit.v1.StatusResponse`: the updates since the previous one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub vertexes: Vec<Vertex>,
    pub statuses: Vec<VertexStatus>,
    pub logs: Vec<VertexLog>,
}

/// Why a trace message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The `aux` text is not standard base64.
    Base64(String),
    /// The bytes are not a well-formed `StatusResponse`.
    Protobuf(prost::DecodeError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Base64(e) => write!(f, "BuildKit trace is not valid base64: {e}"),
            DecodeError::Protobuf(e) => write!(f, "BuildKit trace is not a StatusResponse: {e}"),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Base64(_) => None,
            DecodeError::Protobuf(e) => Some(e),
        }
    }
}

/// Decode the `aux` text of a `moby.buildkit.trace` line.
///
/// # Errors
/// When the text is not base64 or the bytes are not a well-formed message.
pub fn decode_aux(base64_text: &str) -> Result<Status, DecodeError> {
    // Go's encoding/json writes []byte as standard, padded base64.
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_text.trim())
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    decode_status(&bytes)
}

/// Decode a protobuf-encoded `moby.buildkit.v1.StatusResponse`.
///
/// # Errors
/// When the bytes are not a well-formed message (truncated, a length past the
/// end, a wire type the schema does not allow); never panics.
pub fn decode_status(bytes: &[u8]) -> Result<Status, DecodeError> {
    let wire = wire::StatusResponse::decode(bytes).map_err(DecodeError::Protobuf)?;
    Ok(Status {
        vertexes: wire.vertexes.into_iter().map(Vertex::from).collect(),
        statuses: wire.statuses.into_iter().map(VertexStatus::from).collect(),
        logs: wire.logs.into_iter().map(VertexLog::from).collect(),
    })
}

/// Lossy on purpose: a stray byte in a step name is not worth losing the update.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl From<wire::Vertex> for Vertex {
    fn from(v: wire::Vertex) -> Self {
        let error = text(v.error);
        Vertex {
            digest: text(v.digest),
            name: text(v.name),
            cached: v.cached,
            // Only whether the timestamps are set matters to the display; the
            // engine omits a nil timestamp, so presence is the signal.
            started: v.started.is_some(),
            completed: v.completed.is_some(),
            error: (!error.is_empty()).then_some(error),
        }
    }
}

impl From<wire::VertexStatus> for VertexStatus {
    fn from(s: wire::VertexStatus) -> Self {
        VertexStatus {
            id: text(s.id),
            vertex: text(s.vertex),
            current: s.current,
            total: s.total,
            completed: s.completed.is_some(),
        }
    }
}

impl From<wire::VertexLog> for VertexLog {
    fn from(l: wire::VertexLog) -> Self {
        VertexLog {
            vertex: text(l.vertex),
            stream: l.stream,
            msg: l.msg,
        }
    }
}

/// The messages of moby/buildkit `api/services/control/control.proto` that
/// `mcp` reads, with only the fields it shows; prost skips the others (inputs,
/// progress groups, warnings, fields newer engines add) by wire type. Strings
/// are read as bytes and converted lossily (see [`text`]), so a step name with
/// a stray byte does not cost the whole update.
mod wire {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StatusResponse {
        #[prost(message, repeated, tag = "1")]
        pub vertexes: Vec<Vertex>,
        #[prost(message, repeated, tag = "2")]
        pub statuses: Vec<VertexStatus>,
        #[prost(message, repeated, tag = "3")]
        pub logs: Vec<VertexLog>,
        // 4 `warnings`: not shown yet.
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Vertex {
        #[prost(bytes = "vec", tag = "1")]
        pub digest: Vec<u8>,
        // 2 `inputs`: not shown.
        #[prost(bytes = "vec", tag = "3")]
        pub name: Vec<u8>,
        #[prost(bool, tag = "4")]
        pub cached: bool,
        #[prost(message, optional, tag = "5")]
        pub started: Option<Timestamp>,
        #[prost(message, optional, tag = "6")]
        pub completed: Option<Timestamp>,
        #[prost(bytes = "vec", tag = "7")]
        pub error: Vec<u8>,
        // 8 `progressGroup`: not shown.
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct VertexStatus {
        #[prost(bytes = "vec", tag = "1")]
        pub id: Vec<u8>,
        #[prost(bytes = "vec", tag = "2")]
        pub vertex: Vec<u8>,
        // 3 `name`: not shown.
        #[prost(int64, tag = "4")]
        pub current: i64,
        #[prost(int64, tag = "5")]
        pub total: i64,
        // 6 `timestamp`, 7 `started`: not shown.
        #[prost(message, optional, tag = "8")]
        pub completed: Option<Timestamp>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct VertexLog {
        #[prost(bytes = "vec", tag = "1")]
        pub vertex: Vec<u8>,
        // 2 `timestamp`: not shown.
        #[prost(int64, tag = "3")]
        pub stream: i64,
        #[prost(bytes = "vec", tag = "4")]
        pub msg: Vec<u8>,
    }

    /// `google.protobuf.Timestamp`: only its presence is used.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Timestamp {
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }
}

/// What changed for the user, as [`Progress::apply`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started { name: String },
    Completed { name: String, cached: bool },
    Failed { name: String, error: String },
}

/// The state of one vertex plus what has already been announced for it.
#[derive(Debug, Default)]
struct Tracked {
    vertex: Vertex,
    /// When it was first seen started, to find the most recent running step.
    start_seq: Option<u64>,
    announced_start: bool,
    announced_end: bool,
    lines: VecDeque<String>,
    /// Output after the last newline: the engine cuts logs at arbitrary bytes.
    partial: Vec<u8>,
}

/// Accumulates successive [`Status`] messages into the state of a build.
///
/// The engine resends a vertex whenever anything about it changes (and can
/// restart one, as it does for the build context), so `Progress` keeps one
/// entry per digest and announces each transition once.
#[derive(Debug)]
pub struct Progress {
    vertexes: HashMap<String, Tracked>,
    /// Digests of failed vertexes, in the order they failed.
    failed: Vec<String>,
    next_seq: u64,
    max_lines: usize,
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    pub fn new() -> Self {
        Self::with_log_lines(DEFAULT_LOG_LINES)
    }

    /// Keep the last `max_lines` log lines per vertex.
    pub fn with_log_lines(max_lines: usize) -> Self {
        Progress {
            vertexes: HashMap::new(),
            failed: Vec::new(),
            next_seq: 0,
            max_lines,
        }
    }

    /// Fold in one message; return the transitions it caused, in message order.
    pub fn apply(&mut self, status: Status) -> Vec<Event> {
        let mut events = Vec::new();
        for vertex in status.vertexes {
            self.apply_vertex(vertex, &mut events);
        }
        for log in status.logs {
            self.apply_log(log);
        }
        events
    }

    fn apply_vertex(&mut self, update: Vertex, events: &mut Vec<Event>) {
        let seq = self.next_seq;
        let tracked = self.vertexes.entry(update.digest.clone()).or_default();
        merge(&mut tracked.vertex, update);
        if tracked.vertex.started && tracked.start_seq.is_none() {
            tracked.start_seq = Some(seq);
            self.next_seq += 1;
        }
        let failed_now = tracked.vertex.error.is_some() && !tracked.announced_end;
        announce(tracked, events);
        if failed_now {
            self.failed.push(tracked.vertex.digest.clone());
        }
    }

    fn apply_log(&mut self, log: VertexLog) {
        let max_lines = self.max_lines;
        let tracked = self.vertexes.entry(log.vertex.clone()).or_default();
        if tracked.vertex.digest.is_empty() {
            // Logs can name a vertex not described yet; keep the digest so
            // `last_lines` finds it.
            tracked.vertex.digest = log.vertex;
        }
        tracked.partial.extend_from_slice(&log.msg);
        while let Some(pos) = tracked.partial.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = tracked.partial.drain(..=pos).collect();
            line.pop(); // the '\n'
            push_line(&mut tracked.lines, clean_line(&line), max_lines);
        }
        if tracked.partial.len() > MAX_PARTIAL_LINE {
            let excess = tracked.partial.len() - MAX_PARTIAL_LINE;
            tracked.partial.drain(..excess);
        }
    }

    /// The name of the most recently started step that is still running.
    ///
    /// `[internal]` steps count here although they get no events: "load
    /// metadata for docker.io/…" can take a while and is worth showing.
    pub fn current(&self) -> Option<&str> {
        self.vertexes
            .values()
            .filter(|t| !t.vertex.completed && t.vertex.error.is_none())
            .filter_map(|t| t.start_seq.map(|seq| (seq, t.vertex.name.as_str())))
            .max_by_key(|&(seq, _)| seq)
            .map(|(_, name)| name)
    }

    /// The last log lines of a vertex, oldest first, including an unfinished
    /// last line (a failing command's final words often lack a newline).
    pub fn last_lines(&self, digest: &str) -> Vec<String> {
        let Some(tracked) = self.vertexes.get(digest) else {
            return Vec::new();
        };
        let mut lines: Vec<String> = tracked.lines.iter().cloned().collect();
        let partial = clean_line(&tracked.partial);
        if !partial.is_empty() {
            lines.push(partial);
        }
        let skip = lines.len().saturating_sub(self.max_lines);
        lines.split_off(skip)
    }

    /// The step that failed: (name, error, last log lines).
    ///
    /// When one step fails BuildKit cancels the others, and they fail too
    /// with "context canceled"; the first failure that is not a cancellation
    /// is the cause, so it wins.
    pub fn failure(&self) -> Option<(String, String, Vec<String>)> {
        let is_cancel = |digest: &&String| {
            self.vertexes
                .get(*digest)
                .and_then(|t| t.vertex.error.as_deref())
                .is_some_and(|e| e.contains("context canceled"))
        };
        let digest = self
            .failed
            .iter()
            .find(|d| !is_cancel(d))
            .or_else(|| self.failed.first())?;
        let vertex = &self.vertexes.get(digest)?.vertex;
        let error = vertex.error.clone().unwrap_or_default();
        Some((vertex.name.clone(), error, self.last_lines(digest)))
    }
}

/// Fold an update into the known state. Flags only ever turn on: a resent or
/// restarted vertex must not make a finished step look unfinished again.
fn merge(known: &mut Vertex, update: Vertex) {
    if !update.name.is_empty() {
        known.name = update.name;
    }
    known.digest = update.digest;
    known.cached |= update.cached;
    known.started |= update.started;
    known.completed |= update.completed;
    if update.error.is_some() {
        known.error = update.error;
    }
}

/// Emit the events a vertex owes. For user steps a `Started` always comes
/// before `Completed`/`Failed`, even when one message carries both (cached
/// steps do), so a display never sees an end without a beginning.
fn announce(tracked: &mut Tracked, events: &mut Vec<Event>) {
    let v = &tracked.vertex;
    let internal = v.name.starts_with("[internal]");
    let ended = v.completed || v.error.is_some();
    if !internal && !tracked.announced_start && (v.started || ended) {
        tracked.announced_start = true;
        events.push(Event::Started {
            name: v.name.clone(),
        });
    }
    if tracked.announced_end {
        return;
    }
    if let Some(error) = &v.error {
        // Failures are announced even for internal steps: a missing base
        // image fails "[internal] load metadata", and the user must see it.
        tracked.announced_end = true;
        events.push(Event::Failed {
            name: v.name.clone(),
            error: error.clone(),
        });
    } else if v.completed && !internal {
        tracked.announced_end = true;
        events.push(Event::Completed {
            name: v.name.clone(),
            cached: v.cached,
        });
    }
}

/// A raw log line as a terminal would show it: after the last carriage return
/// (progress bars redraw with `\r`), without a trailing `\r` from CRLF.
fn clean_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_end_matches('\r');
    let shown = text.rsplit('\r').next().unwrap_or(text);
    shown.to_string()
}

fn push_line(lines: &mut VecDeque<String>, line: String, max_lines: usize) {
    if max_lines == 0 {
        return;
    }
    while lines.len() >= max_lines {
        lines.pop_front();
    }
    lines.push_back(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny protobuf writer, just enough to build fixtures (with unknown
    /// fields and malformed bytes) by hand.
    mod enc {
        pub fn varint(out: &mut Vec<u8>, v: u64) {
            prost::encoding::encode_varint(v, out);
        }

        pub fn key(out: &mut Vec<u8>, field: u64, wire_type: u64) {
            varint(out, (field << 3) | wire_type);
        }

        pub fn uint(out: &mut Vec<u8>, field: u64, v: u64) {
            key(out, field, 0);
            varint(out, v);
        }

        pub fn len(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
            key(out, field, 2);
            varint(out, bytes.len() as u64);
            out.extend_from_slice(bytes);
        }

        /// A google.protobuf.Timestamp { seconds, nanos }.
        pub fn timestamp(out: &mut Vec<u8>, field: u64) {
            let mut ts = Vec::new();
            uint(&mut ts, 1, 1_700_000_000);
            uint(&mut ts, 2, 123);
            len(out, field, &ts);
        }
    }

    struct V<'a> {
        digest: &'a str,
        name: &'a str,
        cached: bool,
        started: bool,
        completed: bool,
        error: &'a str,
    }

    fn vertex_bytes(v: &V<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        enc::len(&mut out, 1, v.digest.as_bytes());
        enc::len(&mut out, 2, b"sha256:input");
        enc::len(&mut out, 3, v.name.as_bytes());
        if v.cached {
            enc::uint(&mut out, 4, 1);
        }
        if v.started {
            enc::timestamp(&mut out, 5);
        }
        if v.completed {
            enc::timestamp(&mut out, 6);
        }
        if !v.error.is_empty() {
            enc::len(&mut out, 7, v.error.as_bytes());
        }
        out
    }

    fn log_bytes(vertex: &str, msg: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        enc::len(&mut out, 1, vertex.as_bytes());
        enc::timestamp(&mut out, 2);
        enc::uint(&mut out, 3, 1);
        enc::len(&mut out, 4, msg);
        out
    }

    fn status_bytes(vertexes: &[V<'_>], logs: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for v in vertexes {
            enc::len(&mut out, 1, &vertex_bytes(v));
        }
        for (vertex, msg) in logs {
            enc::len(&mut out, 3, &log_bytes(vertex, msg));
        }
        out
    }

    fn v<'a>(digest: &'a str, name: &'a str) -> V<'a> {
        V {
            digest,
            name,
            cached: false,
            started: false,
            completed: false,
            error: "",
        }
    }

    fn apply(progress: &mut Progress, vertexes: &[V<'_>], logs: &[(&str, &[u8])]) -> Vec<Event> {
        let status = decode_status(&status_bytes(vertexes, logs)).unwrap();
        progress.apply(status)
    }

    fn started(name: &str) -> Event {
        Event::Started { name: name.into() }
    }

    #[test]
    fn decodes_every_shown_field() {
        let vertex = V {
            cached: true,
            started: true,
            completed: true,
            error: "boom",
            ..v("sha256:a", "[1/2] FROM x")
        };
        let mut status = Vec::new();
        enc::len(&mut status, 1, &vertex_bytes(&vertex));
        let mut vs = Vec::new();
        enc::len(&mut vs, 1, b"exporting layers");
        enc::len(&mut vs, 2, b"sha256:a");
        enc::len(&mut vs, 3, b"name");
        enc::uint(&mut vs, 4, 5);
        enc::uint(&mut vs, 5, (-1i64) as u64);
        enc::timestamp(&mut vs, 6);
        enc::timestamp(&mut vs, 8);
        enc::len(&mut status, 2, &vs);
        enc::len(&mut status, 3, &log_bytes("sha256:a", b"out\n"));

        let decoded = decode_status(&status).unwrap();
        assert_eq!(
            decoded.vertexes,
            vec![Vertex {
                digest: "sha256:a".into(),
                name: "[1/2] FROM x".into(),
                cached: true,
                started: true,
                completed: true,
                error: Some("boom".into()),
            }]
        );
        assert_eq!(
            decoded.statuses,
            vec![VertexStatus {
                id: "exporting layers".into(),
                vertex: "sha256:a".into(),
                current: 5,
                total: -1,
                completed: true,
            }]
        );
        assert_eq!(
            decoded.logs,
            vec![VertexLog {
                vertex: "sha256:a".into(),
                stream: 1,
                msg: b"out\n".to_vec()
            }]
        );
    }

    #[test]
    fn skips_unknown_fields_of_every_wire_type() {
        let mut vertex = vertex_bytes(&v("sha256:a", "step"));
        enc::key(&mut vertex, 8, 2); // progressGroup
        enc::varint(&mut vertex, 2);
        vertex.extend_from_slice(&[0x0a, 0x00]);
        enc::key(&mut vertex, 40, 1);
        vertex.extend_from_slice(&[0xff; 8]);
        enc::key(&mut vertex, 41, 5);
        vertex.extend_from_slice(&[0xff; 4]);
        enc::uint(&mut vertex, 42, u64::MAX);
        let mut status = Vec::new();
        enc::len(&mut status, 1, &vertex);
        enc::len(&mut status, 4, b"\x0a\x01x"); // a warning
        enc::uint(&mut status, 99, 7);

        let decoded = decode_status(&status).unwrap();
        assert_eq!(decoded.vertexes.len(), 1);
        assert_eq!(decoded.vertexes[0].name, "step");
        assert_eq!(decoded.vertexes[0].error, None);
    }

    #[test]
    fn empty_input_is_an_empty_status() {
        assert_eq!(decode_status(&[]).unwrap(), Status::default());
        assert_eq!(decode_aux("").unwrap(), Status::default());
    }

    #[test]
    fn malformed_input_is_an_error() {
        let malformed: &[(&str, &[u8])] = &[
            ("a key whose varint never ends", &[0x0a | 0x80]),
            ("a length that never ends", &[0x0a, 0x80]),
            (
                "eleven continuation bytes",
                &[
                    0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                ],
            ),
            (
                "ten bytes whose last one carries more than bit 63",
                &[
                    0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                ],
            ),
            ("a length past the end", &[0x0a, 0x05, 0x01]),
            (
                "a length past the end inside a vertex",
                &[0x0a, 0x02, 0x1a, 0x09],
            ),
            ("a fixed64 cut short", &[0x09, 0x01, 0x02]),
            ("`vertexes` as a group", &[0x0b]),
            ("an undefined wire type", &[0x0f]),
            ("field number 0", &[0x02, 0x00]),
            ("`vertexes` as a varint instead of a message", &[0x08, 0x01]),
            (
                "`name` as a varint instead of bytes",
                &[0x0a, 0x02, 0x18, 0x01],
            ),
        ];
        for (what, bytes) in malformed {
            assert!(
                matches!(decode_status(bytes), Err(DecodeError::Protobuf(_))),
                "{what}"
            );
        }
        // A length that does not fit in memory at all.
        let mut huge = vec![0x0a];
        enc::varint(&mut huge, u64::MAX);
        assert!(matches!(
            decode_status(&huge),
            Err(DecodeError::Protobuf(_))
        ));
        // Not base64.
        assert!(matches!(
            decode_aux("not base64!"),
            Err(DecodeError::Base64(_))
        ));
    }

    #[test]
    fn errors_display_and_are_std_errors() {
        let err: Box<dyn std::error::Error> =
            Box::new(decode_status(&[0x0a, 0x05, 0x01]).unwrap_err());
        assert!(
            err.to_string()
                .starts_with("BuildKit trace is not a StatusResponse: "),
            "{err}"
        );
        assert!(err.source().is_some());
    }

    /// A step name with a byte that is not UTF-8 still arrives (lossily).
    #[test]
    fn a_stray_byte_in_a_name_keeps_the_update() {
        let mut vertex = Vec::new();
        enc::len(&mut vertex, 1, b"sha256:a");
        enc::len(&mut vertex, 3, b"RUN caf\xe9");
        let mut status = Vec::new();
        enc::len(&mut status, 1, &vertex);
        let decoded = decode_status(&status).unwrap();
        assert_eq!(decoded.vertexes[0].name, "RUN caf\u{fffd}");
    }

    #[test]
    fn no_prefix_or_corruption_of_a_real_message_panics() {
        let lines = fixture_traces("failure.jsonl");
        let mut seed: u32 = 0x2545_f491;
        for bytes in &lines {
            for end in 0..=bytes.len() {
                let _ = decode_status(&bytes[..end]);
            }
            for _ in 0..200 {
                let mut corrupt = bytes.clone();
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let at = (seed >> 8) as usize % corrupt.len().max(1);
                if let Some(b) = corrupt.get_mut(at) {
                    *b ^= (seed >> 24) as u8 | 1;
                }
                let _ = decode_status(&corrupt);
            }
        }
    }

    #[test]
    fn events_fire_once_in_order_and_skip_internal_steps() {
        let mut p = Progress::new();
        let ctx = v("sha256:ctx", "[internal] load build context");
        let from = v("sha256:from", "[1/2] FROM base");
        let run = v("sha256:run", "[2/2] RUN make");

        let events = apply(
            &mut p,
            &[
                V {
                    started: true,
                    ..ctx
                },
                V {
                    started: true,
                    ..from
                },
            ],
            &[],
        );
        assert_eq!(events, vec![started("[1/2] FROM base")]);
        assert_eq!(p.current(), Some("[1/2] FROM base"));

        // Resent with the same state: nothing new.
        assert!(
            apply(
                &mut p,
                &[V {
                    started: true,
                    ..from
                }],
                &[]
            )
            .is_empty()
        );

        let events = apply(
            &mut p,
            &[
                V {
                    started: true,
                    completed: true,
                    ..ctx
                },
                V {
                    started: true,
                    completed: true,
                    cached: true,
                    ..from
                },
                V {
                    started: true,
                    ..run
                },
            ],
            &[],
        );
        assert_eq!(
            events,
            vec![
                Event::Completed {
                    name: "[1/2] FROM base".into(),
                    cached: true
                },
                started("[2/2] RUN make")
            ]
        );
        assert_eq!(p.current(), Some("[2/2] RUN make"));

        // Restarted after completion (the engine does this for the context): still done.
        assert!(
            apply(
                &mut p,
                &[V {
                    started: true,
                    ..ctx
                }],
                &[]
            )
            .is_empty()
        );
        assert_eq!(p.current(), Some("[2/2] RUN make"));

        let events = apply(
            &mut p,
            &[V {
                started: true,
                completed: true,
                ..run
            }],
            &[],
        );
        assert_eq!(
            events,
            vec![Event::Completed {
                name: "[2/2] RUN make".into(),
                cached: false
            }]
        );
        assert_eq!(p.current(), None);
        assert_eq!(p.failure(), None);
    }

    #[test]
    fn a_step_that_ends_in_its_first_message_still_starts_first() {
        let mut p = Progress::new();
        let from = V {
            cached: true,
            completed: true,
            ..v("sha256:from", "[1/2] FROM base")
        };
        assert_eq!(
            apply(&mut p, &[from], &[]),
            vec![
                started("[1/2] FROM base"),
                Event::Completed {
                    name: "[1/2] FROM base".into(),
                    cached: true
                }
            ]
        );
    }

    #[test]
    fn internal_failures_are_reported() {
        let mut p = Progress::new();
        let meta = V {
            started: true,
            completed: true,
            error: "pull access denied",
            ..v(
                "sha256:meta",
                "[internal] load metadata for docker.io/library/nope:latest",
            )
        };
        let events = apply(&mut p, &[meta], &[]);
        assert_eq!(
            events,
            vec![Event::Failed {
                name: "[internal] load metadata for docker.io/library/nope:latest".into(),
                error: "pull access denied".into(),
            }]
        );
        // Resent with the same error: not announced twice.
        let meta = V {
            started: true,
            completed: true,
            error: "pull access denied",
            ..v("sha256:meta", "")
        };
        assert!(apply(&mut p, &[meta], &[]).is_empty());
        let (name, error, lines) = p.failure().unwrap();
        assert!(name.starts_with("[internal] load metadata"));
        assert_eq!(error, "pull access denied");
        assert!(lines.is_empty());
    }

    #[test]
    fn the_cause_beats_cancellations() {
        let mut p = Progress::new();
        let a = V {
            started: true,
            completed: true,
            error: "context canceled",
            ..v("sha256:a", "[a 2/2] RUN sleep 9")
        };
        let b = V {
            started: true,
            completed: true,
            error: "exit code: 1",
            ..v("sha256:b", "[b 2/2] RUN false")
        };
        apply(&mut p, &[a, b], &[("sha256:b", b"nope\n")]);
        let (name, error, lines) = p.failure().unwrap();
        assert_eq!(
            (name.as_str(), error.as_str()),
            ("[b 2/2] RUN false", "exit code: 1")
        );
        assert_eq!(lines, vec!["nope"]);
    }

    #[test]
    fn log_lines_join_across_messages_and_keep_only_the_tail() {
        let mut p = Progress::with_log_lines(3);
        let run = V {
            started: true,
            ..v("sha256:run", "[2/2] RUN x")
        };
        apply(&mut p, &[run], &[("sha256:run", b"one\ntw")]);
        assert_eq!(p.last_lines("sha256:run"), vec!["one", "tw"]);
        apply(
            &mut p,
            &[],
            &[("sha256:run", b"o\r\nthr"), ("sha256:run", b"ee\nfour\n")],
        );
        assert_eq!(p.last_lines("sha256:run"), vec!["two", "three", "four"]);
        apply(
            &mut p,
            &[],
            &[("sha256:run", b"10%\r50%\r100%\nno newline")],
        );
        assert_eq!(
            p.last_lines("sha256:run"),
            vec!["four", "100%", "no newline"]
        );
        assert!(p.last_lines("sha256:unknown").is_empty());
    }

    #[test]
    fn an_endless_partial_line_stays_bounded() {
        let mut p = Progress::new();
        let chunk = vec![b'#'; 4096];
        for _ in 0..100 {
            apply(&mut p, &[], &[("sha256:run", &chunk)]);
        }
        let lines = p.last_lines("sha256:run");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), MAX_PARTIAL_LINE);
    }

    /// The `aux` text of every `moby.buildkit.trace` line of a captured stream.
    fn fixture_auxes(name: &str) -> Vec<String> {
        let path = format!(
            "{}/tests/fixtures/buildkit/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let auxes: Vec<String> = text
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
            .filter(|json| json["id"] == "moby.buildkit.trace")
            .map(|json| json["aux"].as_str().unwrap().to_string())
            .collect();
        assert!(!auxes.is_empty(), "{path} has no trace lines");
        auxes
    }

    fn fixture_traces(name: &str) -> Vec<Vec<u8>> {
        let base64 = base64::engine::general_purpose::STANDARD;
        fixture_auxes(name)
            .iter()
            .map(|aux| base64.decode(aux).unwrap())
            .collect()
    }

    /// Feed a captured stream through `Progress`, as `mcp build` does.
    fn replay(name: &str) -> (Progress, Vec<Event>) {
        let mut progress = Progress::new();
        let mut events = Vec::new();
        for aux in fixture_auxes(name) {
            events.extend(progress.apply(decode_aux(&aux).unwrap()));
        }
        (progress, events)
    }

    fn index_of(events: &[Event], wanted: &Event) -> usize {
        events
            .iter()
            .position(|e| e == wanted)
            .unwrap_or_else(|| panic!("no {wanted:?} in {events:#?}"))
    }

    #[test]
    fn real_successful_build() {
        let (progress, events) = replay("success.jsonl");
        let run = "[3/3] RUN echo building && cat /a.txt";
        for name in [
            "[1/3] FROM docker.io/mcp-testbed/busybox:latest",
            "[2/3] COPY a.txt /a.txt",
            run,
            "exporting to image",
        ] {
            let start = index_of(&events, &started(name));
            let done = index_of(
                &events,
                &Event::Completed {
                    name: name.into(),
                    cached: false,
                },
            );
            assert!(start < done);
        }
        assert!(
            events.iter().all(|e| !matches!(e, Event::Failed { .. })),
            "{events:#?}"
        );
        assert!(events.iter().all(|e| match e {
            Event::Started { name } | Event::Completed { name, .. } =>
                !name.starts_with("[internal]"),
            Event::Failed { .. } => true,
        }));
        // Each step is announced once although the engine resends vertexes. The
        // fifth is dockerd 20.10's own, unprefixed step copying the uploaded tar.
        assert_eq!(events.first(), Some(&started("copy /context /")));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::Started { .. }))
                .count(),
            5
        );
        assert_eq!(progress.failure(), None);
        assert_eq!(progress.current(), None);

        let run_digest = progress
            .vertexes
            .values()
            .find(|t| t.vertex.name == run)
            .map(|t| t.vertex.digest.clone())
            .unwrap();
        assert_eq!(progress.last_lines(&run_digest), vec!["building", "hi"]);
    }

    #[test]
    fn real_failed_build() {
        let (progress, events) = replay("failure.jsonl");
        let run = "[3/3] RUN echo about to fail && exit 3";
        let start = index_of(&events, &started(run));
        let failed = events
            .iter()
            .position(|e| matches!(e, Event::Failed { name, error } if name == run && error.contains("exit code: 3")))
            .unwrap_or_else(|| panic!("no failure of {run} in {events:#?}"));
        assert!(start < failed);
        // The base image came from the cache in this capture.
        index_of(
            &events,
            &Event::Completed {
                name: "[1/3] FROM docker.io/mcp-testbed/busybox:latest".into(),
                cached: true,
            },
        );

        let (name, error, lines) = progress.failure().unwrap();
        assert_eq!(name, run);
        assert!(error.contains("exit code: 3"), "{error}");
        assert!(
            lines.iter().any(|l| l.contains("about to fail")),
            "{lines:?}"
        );
        assert_eq!(progress.current(), None);
    }
}
