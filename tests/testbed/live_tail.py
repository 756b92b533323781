"""CloudWatch Logs StartLiveTail, which moto does not implement.

The SDKs send StartLiveTail to the `stream-` form of the endpoint's host
(`stream-mcp-testbed.localhost:5055` for `AWS_ENDPOINT_URL=
http://mcp-testbed.localhost:5055`; `up.sh` maps both names to 127.0.0.1), as an
awsJson1.1 request whose response is an event stream
(`application/vnd.amazon.eventstream`): the `initial-response` event (the
operation's empty output, which botocore insists on and the Rust SDK skips),
one `sessionStart` event, then a
`sessionUpdate` every second (empty ones too, as CloudWatch sends them) carrying
the events *ingested after the session started* into moto's log streams that
match the request (groups by ARN or name, `logStreamNames` or
`logStreamNamePrefixes`, `logEventFilterPattern` with moto's own matcher). The
session ends with a `SessionTimeoutException` after
`MCP_TESTBED_LIVE_TAIL_SECONDS` (default 3 h, like CloudWatch), or when the
client goes away.

Framing (the AWS event stream encoding): a prelude of total length, headers
length and the prelude's CRC32, the headers (`:message-type`, `:event-type` or
`:exception-type`, `:content-type`; all strings), the JSON payload, then the
CRC32 of everything before it.
"""
import json
import logging
import os
import re
import struct
import time
import uuid
import zlib

from moto.logs import models as logs_models
from moto.logs.utils import EventMessageFilter

import common

log = logging.getLogger("testbed.livetail")

TARGET = "Logs_20140328.StartLiveTail"
CONTENT_TYPE = "application/vnd.amazon.eventstream"
UPDATE_EVERY = 1.0
MAX_RESULTS = 500  # per update; CloudWatch samples above this rate
SESSION_SECONDS = float(os.environ.get("MCP_TESTBED_LIVE_TAIL_SECONDS", 3 * 3600))


def _header(name, value):
    name, value = name.encode(), value.encode()
    return struct.pack("!B", len(name)) + name + struct.pack("!BH", 7, len(value)) + value


def frame(headers, payload):
    """One event stream message."""
    head = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack("!II", total, len(head))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    message = prelude + head + payload
    return message + struct.pack("!I", zlib.crc32(message))


def event(kind, body):
    return frame(
        {":message-type": "event", ":event-type": kind, ":content-type": "application/json"},
        json.dumps(body).encode(),
    )


def exception(kind, message):
    return frame(
        {":message-type": "exception", ":exception-type": kind, ":content-type": "application/json"},
        json.dumps({"message": message}).encode(),
    )


def _region(environ):
    match = re.search(r"Credential=[^/]+/\d+/([a-z0-9-]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else common.REGION


def _group_name(identifier):
    """A log group ARN (with or without `:*`) or a bare name -> the name."""
    match = re.match(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$", identifier)
    return match.group(1) if match else identifier


def _error(start_response, status, code, message):
    body = json.dumps({"__type": code, "message": message}).encode()
    start_response(status, [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(body))),
        ("x-amzn-ErrorType", code),
    ])
    return [body]


class Session:
    """What one StartLiveTail asked for, and how far into each stream it has read."""

    def __init__(self, backend, request):
        self.backend = backend
        self.identifiers = request.get("logGroupIdentifiers") or []
        self.names = request.get("logStreamNames") or []
        self.prefixes = request.get("logStreamNamePrefixes") or []
        self.pattern = request.get("logEventFilterPattern") or ""
        self.matcher = EventMessageFilter(self.pattern)
        self.groups = {_group_name(i): i for i in self.identifiers}
        # Only what is ingested from now on: the events already in each stream are skipped.
        self.offsets = {}
        for key, stream in self._streams():
            self.offsets[key] = len(stream.events)

    def _streams(self):
        for name, identifier in self.groups.items():
            group = self.backend.groups.get(name)
            if group is None:
                continue
            for stream_name, stream in list(group.streams.items()):
                if self.names and stream_name not in self.names:
                    continue
                if self.prefixes and not any(stream_name.startswith(p) for p in self.prefixes):
                    continue
                yield (name, stream_name), stream

    def poll(self):
        """The new matching events since the last poll (oldest first) and whether some were left out."""
        results = []
        for key, stream in self._streams():
            start = self.offsets.get(key, 0)
            events = stream.events[start:]
            self.offsets[key] = start + len(events)
            for e in events:
                if self.matcher.matches(e.message):
                    results.append({
                        "logStreamName": key[1],
                        "logGroupIdentifier": self.groups[key[0]],
                        "message": e.message,
                        "timestamp": e.timestamp,
                        "ingestionTime": e.ingestion_time,
                    })
        results.sort(key=lambda r: (r["timestamp"], r["ingestionTime"]))
        sampled = len(results) > MAX_RESULTS
        return results[:MAX_RESULTS], sampled


def handle(environ, start_response):
    """The WSGI response to one StartLiveTail call."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return _error(start_response, "400 Bad Request", "InvalidParameterException", "the body is not JSON")
    identifiers = request.get("logGroupIdentifiers") or []
    if not identifiers or len(identifiers) > 10:
        return _error(start_response, "400 Bad Request", "InvalidParameterException",
                      "logGroupIdentifiers must name 1 to 10 log groups")
    if (request.get("logStreamNames") or request.get("logStreamNamePrefixes")) and len(identifiers) != 1:
        return _error(start_response, "400 Bad Request", "InvalidParameterException",
                      "logStreamNames and logStreamNamePrefixes need exactly one log group")
    if request.get("logStreamNames") and request.get("logStreamNamePrefixes"):
        return _error(start_response, "400 Bad Request", "InvalidParameterException",
                      "logStreamNames and logStreamNamePrefixes are mutually exclusive")
    backend = logs_models.logs_backends[common.ACCOUNT][_region(environ)]
    with common.LOCK:
        missing = [i for i in identifiers if _group_name(i) not in backend.groups]
        if missing:
            return _error(start_response, "400 Bad Request", "ResourceNotFoundException",
                          f"The specified log group does not exist: {missing[0]}")
        session = Session(backend, request)
    session_id = str(uuid.uuid4())
    start = {
        "requestId": str(uuid.uuid4()),
        "sessionId": session_id,
        "logGroupIdentifiers": identifiers,
        "logStreamNames": request.get("logStreamNames") or [],
        "logStreamNamePrefixes": request.get("logStreamNamePrefixes") or [],
        "logEventFilterPattern": request.get("logEventFilterPattern") or "",
    }
    log.info("live tail session %s on %s", session_id, identifiers)
    start_response("200 OK", [
        ("Content-Type", CONTENT_TYPE),
        ("x-amzn-RequestId", start["requestId"]),
    ])

    def stream():
        # awsJson event streams open with the operation's (here empty) output, as CloudWatch does.
        yield event("initial-response", {})
        yield event("sessionStart", start)
        deadline = time.monotonic() + SESSION_SECONDS
        try:
            while True:
                time.sleep(max(0.0, min(UPDATE_EVERY, deadline - time.monotonic())))
                if time.monotonic() >= deadline:
                    yield exception("SessionTimeoutException", "Session timed out after the maximum duration")
                    return
                with common.LOCK:
                    results, sampled = session.poll()
                yield event("sessionUpdate", {
                    "sessionMetadata": {"sampled": sampled},
                    "sessionResults": results,
                })
        finally:  # the client went away (werkzeug closes the generator) or the session ended
            log.info("live tail session %s ended", session_id)

    return stream()
