"""CloudWatch's Smithy RPC v2 CBOR protocol, which moto 5.2 does not speak.

The AWS SDKs released since 2025 (aws-sdk-cloudwatch 1.9x and later for Rust) call
CloudWatch with `POST /service/GraniteServiceVersion20100801/operation/<Operation>`,
headers `smithy-protocol: rpc-v2-cbor` and `Content-Type: application/cbor`, and a CBOR
body; moto only answers the older query protocol (XML), which such an SDK cannot read
("unexpected type 0x3c ... expected map"). This module answers those requests from
moto's CloudWatch backend, so the metrics lambda_sim puts for each function URL call
(and anything put with boto3, which still speaks the query protocol) can be read back:

* `GetMetricStatistics`: moto's `get_metric_statistics` (for `AWS/Lambda` made exact in
  its dimensions by lambda_sim, as CloudWatch is), answered as CloudWatch does:
  `Label`, `Datapoints` [{`Timestamp`, the asked statistics, `Unit`}].
* `DescribeAlarms`: the named alarms (or all) with `AlarmName`, `StateValue`, `StateReason`
  (what a canary's `deploy.alarms` reads; `SetAlarmState` over boto3 puts one in ALARM).
* Any other operation: `UnknownOperationException` (400), as a Smithy service answers an
  operation it does not have, so a test that needs one fails with its name.
* deny.py's rules hold here too (deny.py identifies a request by its target or query
  `Action`, which these have not): `cloudwatch:GetMetricStatistics` denied for an access key
  answers 403 `AccessDenied` with IAM's message.

Errors are CBOR maps with `__type` (`com.amazonaws.cloudwatch#InvalidParameterValue`…)
and `message`, status 400. The CBOR codec is a minimal one written here (definite and
indefinite lengths, tag 1 epoch timestamps, floats of 16/32/64 bits): the testbed
installs no CBOR package and needs only these shapes.
"""
import datetime
import struct

PATH_PREFIX = "/service/GraniteServiceVersion20100801/operation/"


def is_ours(environ):
    return (environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO", "").startswith(PATH_PREFIX)
            and environ.get("HTTP_SMITHY_PROTOCOL", "") == "rpc-v2-cbor")


# --------------------------------------------------------------------------
# CBOR (RFC 8949), the shapes Smithy's rpcv2Cbor uses
# --------------------------------------------------------------------------

_BREAK = object()


def _half(bits):
    sign = -1.0 if bits & 0x8000 else 1.0
    exp, frac = (bits >> 10) & 0x1F, bits & 0x3FF
    if exp == 0:
        return sign * frac * 2.0 ** -24
    if exp == 31:
        return sign * float("inf") if frac == 0 else float("nan")
    return sign * (1 + frac / 1024.0) * 2.0 ** (exp - 15)


def decode(data):
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR value")
    return value


def _length(data, pos, info):
    if info < 24:
        return info, pos
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        return None, pos  # indefinite (31)
    return int.from_bytes(data[pos:pos + size], "big"), pos + size


def _decode(data, pos):
    head = data[pos]
    pos += 1
    major, info = head >> 5, head & 0x1F
    if major == 7:
        if info == 20:
            return False, pos
        if info == 21:
            return True, pos
        if info in (22, 23):
            return None, pos
        if info == 25:
            return _half(int.from_bytes(data[pos:pos + 2], "big")), pos + 2
        if info == 26:
            return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
        if info == 31:
            return _BREAK, pos
        raise ValueError(f"CBOR simple value {info}")
    n, pos = _length(data, pos, info)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        if n is None:  # indefinite: chunks until break
            parts = []
            while data[pos] != 0xFF:
                part, pos = _decode(data, pos)
                parts.append(part)
            pos += 1
            joined = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
            return (joined if major == 2 else joined.decode()), pos
        raw = data[pos:pos + n]
        return (bytes(raw) if major == 2 else raw.decode()), pos + n
    if major == 4:
        out = []
        while n is None or len(out) < n:
            item, pos = _decode(data, pos)
            if item is _BREAK:
                break
            out.append(item)
        return out, pos
    if major == 5:
        out = {}
        while n is None or len(out) < n:
            key, pos = _decode(data, pos)
            if key is _BREAK:
                break
            out[key], pos = _decode(data, pos)
        return out, pos
    if major == 6:
        item, pos = _decode(data, pos)
        if n == 1:  # epoch seconds
            return datetime.datetime.fromtimestamp(float(item), datetime.timezone.utc), pos
        return item, pos
    raise ValueError(f"CBOR major type {major}")


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("CBOR length too large")


def encode(value):
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return b"\xc1" + encode(value.timestamp())
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, (list, tuple)):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


# --------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------


def _answer(status, payload):
    body = encode(payload)
    headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    return status, headers, body


def _error(code, message):
    return _answer("400 Bad Request", {"__type": f"com.amazonaws.cloudwatch#{code}", "message": message})


def _caller(environ):
    """(access key id, region) of the request's SigV4 credential scope."""
    import deny

    m = deny._CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    return (m.group(1), m.group(2)) if m else ("testing", "us-east-1")


def _backend(environ):
    """moto's CloudWatch of the caller's account (by access key, as moto's own responses do) and region."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.iam.models import get_account_id_from

    key, region = _caller(environ)
    return cloudwatch_backends[get_account_id_from(key)][region]


def get_metric_statistics(environ, params):
    for field in ("Namespace", "MetricName", "StartTime", "EndTime", "Period"):
        if params.get(field) is None:
            return _error("MissingRequiredParameter", f"The parameter {field} is required.")
    stats = list(params.get("Statistics") or [])
    if not stats and not params.get("ExtendedStatistics"):
        return _error("MissingRequiredParameter", "Statistics or ExtendedStatistics is required.")
    period = int(params["Period"])
    if period <= 0 or (period % 60 and period not in (1, 5, 10, 20, 30)):
        return _error("InvalidParameterValue", f"The parameter Period must be a multiple of 60 (got {period}).")
    import common

    # moto keeps naive UTC times.
    naive = {f: params[f].astimezone(datetime.timezone.utc).replace(tzinfo=None)
             if isinstance(params[f], datetime.datetime) and params[f].tzinfo else params[f]
             for f in ("StartTime", "EndTime")}
    with common.LOCK:
        try:
            found = _backend(environ).get_metric_statistics(
                params["Namespace"], params["MetricName"], naive["StartTime"], naive["EndTime"], period,
                stats, params.get("Dimensions") or [], params.get("Unit"))
        except Exception as exc:  # moto's InvalidParameterValue (StartTime after EndTime, ...)
            return _error("InvalidParameterValue", str(getattr(exc, "message", exc)))
        points = []
        for s in found:
            point = {"Timestamp": s.timestamp if isinstance(s.timestamp, datetime.datetime)
                     else datetime.datetime.fromisoformat(str(s.timestamp))}
            for stat in stats:
                value = s.get_statistics_for_type(stat)
                if value is not None:
                    point[stat] = float(value)
            if s.unit:
                point["Unit"] = s.unit
            points.append(point)
    return _answer("200 OK", {"Label": params["MetricName"], "Datapoints": points})


def describe_alarms(environ, params):
    """`AlarmNames` (or every alarm) of moto's CloudWatch: name, state, reason, metric."""
    import common

    names = list(params.get("AlarmNames") or [])
    with common.LOCK:
        backend = _backend(environ)
        found = backend.get_alarms_by_alarm_names(names) if names else backend.describe_alarms()
        alarms = []
        for a in found:
            alarm = {"AlarmName": a.name, "StateValue": a.state_value}
            for field, value in (("AlarmArn", getattr(a, "alarm_arn", None)),
                                 ("StateReason", getattr(a, "state_reason", None)),
                                 ("MetricName", getattr(a, "metric_name", None)),
                                 ("Namespace", getattr(a, "namespace", None))):
                if value:
                    alarm[field] = value
            alarms.append(alarm)
    return _answer("200 OK", {"MetricAlarms": alarms, "CompositeAlarms": []})


def handle(environ, body):
    """The answer (status, headers, body) of a CloudWatch rpcv2Cbor request."""
    operation = environ.get("PATH_INFO", "")[len(PATH_PREFIX):]
    try:
        params = decode(body) if body else {}
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        return _error("SerializationException", f"the request body is not CBOR: {exc}")
    if not isinstance(params, dict):
        return _error("SerializationException", "the request body is not a CBOR map")
    import deny

    key, _ = _caller(environ)
    action = f"cloudwatch:{operation}"
    if deny.is_denied(key, action):
        return _answer("403 Forbidden", {"__type": "AccessDenied", "message": deny.message(key, action, "*")})
    if operation == "GetMetricStatistics":
        return get_metric_statistics(environ, params)
    if operation == "DescribeAlarms":
        return describe_alarms(environ, params)
    return _error("UnknownOperationException", f"the testbed does not answer CloudWatch {operation} over rpc-v2-cbor")
