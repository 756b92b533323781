//! BuildKit progress from the engine's `/build?version=2` stream.
//!
//! With BuildKit the engine does not report progress as the classic builder's
//! `{"stream": …}` lines. Each update arrives as
//! `{"id":"moby.buildkit.trace","aux":"<base64>"}`, and the base64 text is a
//! protobuf-encoded `moby.buildkit.v1.StatusResponse` (moby/buildkit,
//! `api/services/control/control.proto`). bollard decodes that only behind its
//! `buildkit` feature, which brings tonic, prost and a generated gRPC API: a lot
//! of compile time for a handful of fields. So `mcp` reads the protobuf wire
//! format by hand and keeps only what it shows: vertex names and states, status
//! counters and log output. Everything else (timestamp values, progress groups,
//! warnings, fields added by newer engines) is skipped by wire type, so newer
//! engines keep working.
//!
//! The other lines of the stream are plain JSON for the caller: the image id
//! comes as `{"id":"moby.image.id","aux":{"ID":"sha256:…"}}`, a failed build
//! ends with `{"errorDetail":{"message":…},"error":…}`.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use base64::Engine as _;

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
    /// The input ended inside a varint.
    TruncatedVarint,
    /// A varint runs past 10 bytes or past 64 bits.
    VarintOverflow,
    /// A length-delimited field or fixed-size value runs past the end of its message.
    PastEnd { needed: u64, remaining: usize },
    /// Wire types 3 and 4 (groups) and 6, 7 (undefined) never occur in this schema.
    UnsupportedWireType { field: u64, wire_type: u8 },
    /// A known field arrived with a different wire type than the schema gives it.
    WrongWireType { field: u64, wire_type: u8 },
    /// Field number 0 is reserved; it means the bytes are not protobuf.
    ZeroFieldNumber,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Base64(e) => write!(f, "BuildKit trace is not valid base64: {e}"),
            DecodeError::TruncatedVarint => f.write_str("BuildKit trace ends inside a varint"),
            DecodeError::VarintOverflow => {
                f.write_str("BuildKit trace has a varint longer than 64 bits")
            }
            DecodeError::PastEnd { needed, remaining } => {
                write!(
                    f,
                    "BuildKit trace field needs {needed} bytes but only {remaining} remain"
                )
            }
            DecodeError::UnsupportedWireType { field, wire_type } => {
                write!(
                    f,
                    "BuildKit trace field {field} has unsupported wire type {wire_type}"
                )
            }
            DecodeError::WrongWireType { field, wire_type } => {
                write!(
                    f,
                    "BuildKit trace field {field} has unexpected wire type {wire_type}"
                )
            }
            DecodeError::ZeroFieldNumber => f.write_str("BuildKit trace has field number 0"),
        }
    }
}

impl std::error::Error for DecodeError {}

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
    let mut status = Status::default();
    let mut reader = Reader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            1 => status.vertexes.push(decode_vertex(value.message(field)?)?),
            2 => status
                .statuses
                .push(decode_vertex_status(value.message(field)?)?),
            3 => status.logs.push(decode_vertex_log(value.message(field)?)?),
            // 4 is `warnings` (newer engines); not shown yet.
            _ => {}
        }
    }
    Ok(status)
}

fn decode_vertex(bytes: &[u8]) -> Result<Vertex, DecodeError> {
    let mut vertex = Vertex::default();
    let mut reader = Reader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            1 => vertex.digest = value.string(field)?,
            3 => vertex.name = value.string(field)?,
            4 => vertex.cached = value.varint(field)? != 0,
            // Only whether the timestamps are set matters to the display; the
            // engine omits a nil timestamp, so presence is the signal.
            5 => vertex.started = value.is_message(field)?,
            6 => vertex.completed = value.is_message(field)?,
            7 => {
                let error = value.string(field)?;
                vertex.error = (!error.is_empty()).then_some(error);
            }
            // 2 `inputs`, 8 `progressGroup`: not shown.
            _ => {}
        }
    }
    Ok(vertex)
}

fn decode_vertex_status(bytes: &[u8]) -> Result<VertexStatus, DecodeError> {
    let mut status = VertexStatus::default();
    let mut reader = Reader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            1 => status.id = value.string(field)?,
            2 => status.vertex = value.string(field)?,
            // int64 is sent as the two's complement varint, so the cast is exact.
            4 => status.current = value.varint(field)?.cast_signed(),
            5 => status.total = value.varint(field)?.cast_signed(),
            8 => status.completed = value.is_message(field)?,
            // 3 `name`, 6 `timestamp`, 7 `started`: not shown.
            _ => {}
        }
    }
    Ok(status)
}

fn decode_vertex_log(bytes: &[u8]) -> Result<VertexLog, DecodeError> {
    let mut log = VertexLog::default();
    let mut reader = Reader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            1 => log.vertex = value.string(field)?,
            3 => log.stream = value.varint(field)?.cast_signed(),
            4 => log.msg = value.bytes(field)?.to_vec(),
            // 2 `timestamp`: not shown.
            _ => {}
        }
    }
    Ok(log)
}

/// One field's value, as far as the wire format tells it.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    /// Length-delimited: a string, bytes or an embedded message.
    Len(&'a [u8]),
    /// fixed64 (wire type 1) or fixed32 (5): nothing in this schema uses
    /// them, so only the wire type is kept; the bytes are already skipped.
    Fixed(u8),
}

impl<'a> Value<'a> {
    fn wire_type(self) -> u8 {
        match self {
            Value::Varint(_) => 0,
            Value::Len(_) => 2,
            Value::Fixed(wire_type) => wire_type,
        }
    }

    fn wrong(self, field: u64) -> DecodeError {
        DecodeError::WrongWireType {
            field,
            wire_type: self.wire_type(),
        }
    }

    fn varint(self, field: u64) -> Result<u64, DecodeError> {
        match self {
            Value::Varint(v) => Ok(v),
            other => Err(other.wrong(field)),
        }
    }

    fn bytes(self, field: u64) -> Result<&'a [u8], DecodeError> {
        match self {
            Value::Len(b) => Ok(b),
            other => Err(other.wrong(field)),
        }
    }

    fn message(self, field: u64) -> Result<&'a [u8], DecodeError> {
        self.bytes(field)
    }

    /// A set message field: the caller only needs to know it is there.
    fn is_message(self, field: u64) -> Result<bool, DecodeError> {
        self.bytes(field).map(|_| true)
    }

    /// Lossy on purpose: a stray byte in a step name is not worth losing the update.
    fn string(self, field: u64) -> Result<String, DecodeError> {
        self.bytes(field)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// A cursor over one protobuf message. Every read is bounds-checked, so
/// malformed input yields an error, never a panic.
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// The next (field number, value), or `None` at the end of the message.
    fn next_field(&mut self) -> Result<Option<(u64, Value<'a>)>, DecodeError> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err(DecodeError::ZeroFieldNumber);
        }
        let value = match (key & 0x7) as u8 {
            0 => Value::Varint(self.varint()?),
            1 => self.take(8).map(|_| Value::Fixed(1))?,
            2 => {
                let len = self.varint()?;
                Value::Len(self.take(len)?)
            }
            5 => self.take(4).map(|_| Value::Fixed(5))?,
            wire_type => return Err(DecodeError::UnsupportedWireType { field, wire_type }),
        };
        Ok(Some((field, value)))
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        for (i, &byte) in self.buf.iter().enumerate().take(10) {
            // The 10th byte holds only bit 63; anything more overflows u64.
            if i == 9 && byte > 1 {
                return Err(DecodeError::VarintOverflow);
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                self.buf = self.buf.get(i + 1..).unwrap_or_default();
                return Ok(value);
            }
        }
        if self.buf.len() >= 10 {
            Err(DecodeError::VarintOverflow)
        } else {
            Err(DecodeError::TruncatedVarint)
        }
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], DecodeError> {
        let past_end = DecodeError::PastEnd {
            needed: len,
            remaining: self.buf.len(),
        };
        let n = usize::try_from(len).map_err(|_| past_end.clone())?;
        let (head, tail) = self.buf.split_at_checked(n).ok_or(past_end)?;
        self.buf = tail;
        Ok(head)
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

    /// A tiny protobuf encoder, just enough to build fixtures by hand.
    mod enc {
        pub fn varint(out: &mut Vec<u8>, mut v: u64) {
            while v >= 0x80 {
                out.push((v as u8) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
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
        // A key whose varint never ends.
        assert_eq!(
            decode_status(&[0x0a | 0x80]),
            Err(DecodeError::TruncatedVarint)
        );
        // A length that never ends.
        assert_eq!(
            decode_status(&[0x0a, 0x80]),
            Err(DecodeError::TruncatedVarint)
        );
        // Eleven continuation bytes.
        assert_eq!(
            decode_status(&[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ]),
            Err(DecodeError::VarintOverflow)
        );
        // Ten bytes whose last one carries more than bit 63.
        assert_eq!(
            decode_status(&[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02
            ]),
            Err(DecodeError::VarintOverflow)
        );
        // A length past the end, at the top level and inside a vertex.
        assert_eq!(
            decode_status(&[0x0a, 0x05, 0x01]),
            Err(DecodeError::PastEnd {
                needed: 5,
                remaining: 1
            })
        );
        assert_eq!(
            decode_status(&[0x0a, 0x02, 0x1a, 0x09]),
            Err(DecodeError::PastEnd {
                needed: 9,
                remaining: 0
            })
        );
        // A length that does not fit in memory at all.
        let mut huge = vec![0x0a];
        enc::varint(&mut huge, u64::MAX);
        assert!(matches!(
            decode_status(&huge),
            Err(DecodeError::PastEnd { .. })
        ));
        // A fixed64 cut short.
        assert!(matches!(
            decode_status(&[0x09, 0x01, 0x02]),
            Err(DecodeError::PastEnd { .. })
        ));
        // Groups and undefined wire types.
        assert_eq!(
            decode_status(&[0x0b]),
            Err(DecodeError::UnsupportedWireType {
                field: 1,
                wire_type: 3
            })
        );
        assert_eq!(
            decode_status(&[0x0f]),
            Err(DecodeError::UnsupportedWireType {
                field: 1,
                wire_type: 7
            })
        );
        // Field number 0.
        assert_eq!(
            decode_status(&[0x02, 0x00]),
            Err(DecodeError::ZeroFieldNumber)
        );
        // `vertexes` as a varint instead of a message.
        assert_eq!(
            decode_status(&[0x08, 0x01]),
            Err(DecodeError::WrongWireType {
                field: 1,
                wire_type: 0
            })
        );
        // Not base64.
        assert!(matches!(
            decode_aux("not base64!"),
            Err(DecodeError::Base64(_))
        ));
    }

    #[test]
    fn errors_display_and_are_std_errors() {
        let err: Box<dyn std::error::Error> = Box::new(DecodeError::PastEnd {
            needed: 9,
            remaining: 0,
        });
        assert_eq!(
            err.to_string(),
            "BuildKit trace field needs 9 bytes but only 0 remain"
        );
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
