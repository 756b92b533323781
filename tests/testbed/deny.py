"""Refuse chosen AWS actions with the AccessDenied error IAM would cause.

moto authorises nothing by default, so a client's "you lack permission X"
path cannot be exercised against it.  This module keeps a small rule list,
set over the control route `/_testbed/deny`, and server.py asks it about
every AWS request before moto sees it:

* a rule is an action pattern (`iam:CreateRole`, `ecs:*ExpressGateway*`;
  fnmatch, case-insensitive) and optionally the access key id it applies to.
  Scope rules to a unique access key id (`AWS_ACCESS_KEY_ID=testing-deny-<uuid>`):
  the testbed's moto is shared by parallel test runs, and moto accepts any key;
* a request is identified by its SigV4 credential scope (service) and its
  action (`X-Amz-Target` for JSON protocols, `Action=` for query protocols,
  the method and path for Lambda's REST API);
* the refusal looks like AWS's: JSON services answer 400
  `{"__type": "AccessDeniedException", "message": ...}`, Lambda 403
  `{"Message": ...}` with `x-amzn-ErrorType: AccessDeniedException`, query services (IAM,
  STS) answer 403 `<ErrorResponse><Error><Code>AccessDenied</Code>...`, and
  the message names the action the way IAM does:
  `User: arn:aws:iam::<account>:user/<key> is not authorized to perform:
  iam:CreateRole on resource: arn:aws:iam::<account>:role/x because no
  identity-based policy allows the iam:CreateRole action`.

Other modules ask `is_denied(key, "iam:PassRole")` for actions a service
performs on the caller's behalf (ECS checks iam:PassRole on the roles it is
given), see express.py.
"""
import fnmatch
import json
import re
import threading
import urllib.parse
import uuid

import common

_RULES = []  # [{"action": pattern, "access_key_id": str | None}]
_LOCK = threading.Lock()

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def add(actions, access_key_id=None):
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, list) or not all(isinstance(a, str) and ":" in a for a in actions):
        raise ValueError('"actions" must be a list of "service:Action" patterns, e.g. ["iam:CreateRole"]')
    with _LOCK:
        for action in actions:
            _RULES.append({"action": action, "access_key_id": access_key_id})
        return list(_RULES)


def clear(access_key_id=None):
    """Drop the rules of one access key id (or all rules when None)."""
    with _LOCK:
        _RULES[:] = [r for r in _RULES if access_key_id is not None and r["access_key_id"] != access_key_id]
        return list(_RULES)


def rules():
    with _LOCK:
        return list(_RULES)


def is_denied(access_key_id, action):
    with _LOCK:
        for rule in _RULES:
            if rule["access_key_id"] not in (None, access_key_id):
                continue
            if fnmatch.fnmatchcase(action.lower(), rule["action"].lower()):
                return True
    return False


def caller_arn(access_key_id):
    return f"arn:aws:iam::{common.ACCOUNT}:user/{access_key_id or 'anonymous'}"


def message(access_key_id, action, resource):
    return (
        f"User: {caller_arn(access_key_id)} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def identify(environ, body):
    """(access_key_id, region, service, action, params) of one AWS request, or None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _CREDENTIAL.search(auth)
    if not m:
        return None
    key, region, service = m.group(1), m.group(2), m.group(3)
    target = environ.get("HTTP_X_AMZ_TARGET")
    params = {}
    if target:
        action = target.rsplit(".", 1)[-1]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
    elif service == "lambda":  # REST-JSON: the action is the route
        action, params = _lambda_action(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""))
        if not action:
            return None
    else:
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if body and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
            query.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        params = {k: v[0] for k, v in query.items()}
        action = params.get("Action")
        if not action:
            return None
    # SigV4 signing names that differ from the IAM action prefix.
    prefix = {"monitoring": "cloudwatch", "email": "ses"}.get(service, service)
    return key, region, prefix, action, params


_FN = r"/functions/(?P<fn>[^/]+)"
_LAMBDA_ROUTES = [
    (method, re.compile(r"^/[0-9-]+" + path + r"/?$"), action)
    for method, path, action in [
        ("POST", "/functions", "CreateFunction"),
        ("GET", "/functions", "ListFunctions"),
        ("GET", _FN, "GetFunction"),
        ("DELETE", _FN, "DeleteFunction"),
        ("GET", _FN + "/configuration", "GetFunctionConfiguration"),
        ("PUT", _FN + "/configuration", "UpdateFunctionConfiguration"),
        ("PUT", _FN + "/code", "UpdateFunctionCode"),
        ("POST", _FN + "/versions", "PublishVersion"),
        ("GET", _FN + "/versions", "ListVersionsByFunction"),
        ("POST", _FN + "/aliases", "CreateAlias"),
        ("GET", _FN + "/aliases", "ListAliases"),
        ("GET", _FN + "/aliases/[^/]+", "GetAlias"),
        ("PUT", _FN + "/aliases/[^/]+", "UpdateAlias"),
        ("DELETE", _FN + "/aliases/[^/]+", "DeleteAlias"),
        ("POST", _FN + "/url", "CreateFunctionUrlConfig"),
        ("GET", _FN + "/url", "GetFunctionUrlConfig"),
        ("PUT", _FN + "/url", "UpdateFunctionUrlConfig"),
        ("DELETE", _FN + "/url", "DeleteFunctionUrlConfig"),
        ("GET", _FN + "/urls", "ListFunctionUrlConfigs"),
        ("POST", _FN + "/policy", "AddPermission"),
        ("GET", _FN + "/policy", "GetPolicy"),
        ("DELETE", _FN + "/policy/[^/]+", "RemovePermission"),
        ("PUT", _FN + "/concurrency", "PutFunctionConcurrency"),
        ("GET", _FN + "/concurrency", "GetFunctionConcurrency"),
        ("DELETE", _FN + "/concurrency", "DeleteFunctionConcurrency"),
        ("POST", _FN + "/invocations", "InvokeFunction"),
        ("POST", "/tags/(?P<arn>.+)", "TagResource"),
        ("GET", "/tags/(?P<arn>.+)", "ListTags"),
        ("DELETE", "/tags/(?P<arn>.+)", "UntagResource"),
    ]
]


def _lambda_action(method, path):
    """Lambda's REST routes -> (action, {"FunctionName" | "Resource": ...}), or (None, {})."""
    for route_method, pattern, action in _LAMBDA_ROUTES:
        m = pattern.match(path)
        if m and method == route_method:
            groups = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items() if v}
            params = {"FunctionName": groups["fn"]} if "fn" in groups else {}
            if "arn" in groups:
                params["Resource"] = groups["arn"]
            return action, params
    return None, {}


def _resource(prefix, action, region, params):
    account = common.ACCOUNT
    if prefix == "lambda":
        if params.get("Resource"):
            return params["Resource"]
        name = params.get("FunctionName")
        if name:
            return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    if prefix == "iam" and params.get("RoleName"):
        return f"arn:aws:iam::{account}:role/{params['RoleName']}"
    if prefix == "ecs":
        if params.get("serviceArn"):
            return params["serviceArn"]
        if params.get("serviceName"):
            cluster = (params.get("cluster") or "default").split("/")[-1]
            return f"arn:aws:ecs:{region}:{account}:service/{cluster}/{params['serviceName']}"
    if prefix == "ecr" and params.get("repositoryName"):
        return f"arn:aws:ecr:{region}:{account}:repository/{params['repositoryName']}"
    if prefix == "logs" and params.get("logGroupName"):
        return f"arn:aws:logs:{region}:{account}:log-group:{params['logGroupName']}"
    return "*"


def check(environ, body):
    """None, or the (status, headers, body) of the AccessDenied answer for this request."""
    if not _RULES:
        return None
    who = identify(environ, body)
    if who is None:
        return None
    key, region, prefix, action, params = who
    full = f"{prefix}:{action}"
    if not is_denied(key, full):
        return None
    text = message(key, full, _resource(prefix, action, region, params))
    request_id = str(uuid.uuid4())
    if prefix == "lambda":  # REST-JSON: 403, the error type in a header
        payload = json.dumps({"Message": text}).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "AccessDeniedException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "403 Forbidden", headers, payload
    if environ.get("HTTP_X_AMZ_TARGET"):
        payload = json.dumps({"__type": "AccessDeniedException", "message": text}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", "AccessDeniedException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "400 Bad Request", headers, payload
    payload = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        f"<Code>AccessDenied</Code><Message>{_xml_escape(text)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return "403 Forbidden", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], payload


def _xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
