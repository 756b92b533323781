"""Make chosen AWS actions answer what a client cannot use: fault switches.

A client follows a deployment with one main read (DescribeServices) and side
reads (the stopped tasks' details, logs, tags).  To see how it takes a side
read that fails, add a rule over the control route `/_testbed/fault`; a
request whose action matches gets the fault instead of moto's answer:

* `unparseable`: 200 with a body the SDKs cannot parse (truncated JSON for
  JSON protocols, truncated XML for query protocols);
* `server-error`: 500 `ServerException` (JSON) / `InternalFailure` (XML), which
  SDKs retry and then report.

A rule is an action pattern (`ecs:DescribeTasks`, `logs:*`; fnmatch,
case-insensitive, the SigV4 service as in deny.py), a kind, and the access key
id it applies to: required, since the testbed's moto is shared by parallel test
runs and moto accepts any key (`AWS_ACCESS_KEY_ID=testing-fault-<uuid>`).
"""
import fnmatch
import json
import threading
import uuid

import deny

KINDS = ("unparseable", "server-error")

_RULES = []  # [{"action": pattern, "access_key_id": str, "kind": str}]
_LOCK = threading.Lock()


def add(actions, access_key_id, kind="unparseable"):
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, list) or not all(isinstance(a, str) and ":" in a for a in actions):
        raise ValueError('"actions" must be a list of "service:Action" patterns, e.g. ["ecs:DescribeTasks"]')
    if not isinstance(access_key_id, str) or not access_key_id:
        raise ValueError('"access_key_id" is required: a fault for every caller would hit parallel test runs')
    if kind not in KINDS:
        raise ValueError(f'"kind" must be one of {", ".join(KINDS)}')
    with _LOCK:
        for action in actions:
            _RULES.append({"action": action, "access_key_id": access_key_id, "kind": kind})
        return list(_RULES)


def clear(access_key_id=None):
    """Drop the rules of one access key id (or all rules when None)."""
    with _LOCK:
        _RULES[:] = [r for r in _RULES if access_key_id is not None and r["access_key_id"] != access_key_id]
        return list(_RULES)


def rules():
    with _LOCK:
        return list(_RULES)


def _kind(access_key_id, action):
    with _LOCK:
        for rule in _RULES:
            if rule["access_key_id"] == access_key_id and fnmatch.fnmatchcase(
                action.lower(), rule["action"].lower()
            ):
                return rule["kind"]
    return None


def check(environ, body):
    """None, or the (status, headers, body) of the fault this request gets."""
    if not _RULES:
        return None
    who = deny.identify(environ, body)
    if who is None:
        return None
    key, _region, prefix, action, _params = who
    kind = _kind(key, f"{prefix}:{action}")
    if kind is None:
        return None
    request_id = str(uuid.uuid4())
    json_protocol = bool(environ.get("HTTP_X_AMZ_TARGET"))
    if kind == "unparseable":
        if json_protocol:
            payload = b'{"tasks": 42, "failures": '
            content_type = "application/x-amz-json-1.1"
        else:
            payload = b"<Response><Result><unclosed"
            content_type = "text/xml"
        return "200 OK", [("Content-Type", content_type), ("x-amzn-RequestId", request_id)], payload
    if json_protocol:
        payload = json.dumps({"__type": "ServerException", "message": "testbed fault: server error"}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", "ServerException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "500 Internal Server Error", headers, payload
    payload = (
        "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
        f"<Message>testbed fault: server error</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return "500 Internal Server Error", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], payload
