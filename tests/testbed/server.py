#!/usr/bin/env python3
"""The testbed's AWS endpoint: moto in server mode, extended.

* moto serves every AWS API it knows (ECR, ECS, CloudWatch Logs, STS, Secrets
  Manager, ...) on one port, exactly like `moto_server`.
* `ecs_sim` patches moto's ECS backend so services really roll out: tasks are
  real containers on the local Docker engine, deployments progress, fail, trip
  the circuit breaker and roll back like ECS does.
* `registry_sync` keeps moto's ECR in agreement with the real Distribution
  registry that `up.sh` runs on 127.0.0.1:443 (the registry pushes events to
  /_testbed/registry-events, we record the pushed manifests in moto).
* `progressive` adds blue/green, canary and linear service deployments with
  lifecycle hooks; `lb` serves moto's ELBv2 listeners on loopback ports.
* `express` adds ECS Express Mode (Create/Update/Describe/DeleteExpressGatewayService)
  on top of ecs_sim's services, each with a loopback URL served by `lb`.
* `deny` refuses chosen actions (per access key) with AWS's AccessDenied error.
* `fault` makes chosen actions (per access key) answer what SDKs cannot use:
  an unparseable body, or a server error.
* `live_tail` serves CloudWatch Logs StartLiveTail (moto has none): an event
  stream of the events moto's log streams receive, on the `stream-` host the
  SDKs call.
* `cost` answers the Price List's GetProducts (moto has none) with published
  Fargate prices, and Cost Explorer's ListCostAllocationTags /
  UpdateCostAllocationTagsStatus (GetCostAndUsage stays moto's).
* `lambda_sim` makes moto's Lambda serve image functions: versions with their
  own code, LastUpdateStatus transitions, alias routing weights, function URLs
  (with Qualifier) on loopback ports that run the version's image as containers,
  metrics and logs in moto's CloudWatch.
* Extra routes under /_testbed/ (health, sync, registry-events, state, lb, service-lb,
  express, lambda, deny, fault).

Why one global lock: moto's backends are plain dicts/objects without locking,
and we now mutate them from background threads (rollout engine, log shippers,
registry events) as well as from werkzeug's request threads.  Every moto
request and every background mutation holds `LOCK`; moto calls are fast, the
slow work (docker pull/start/stop, HTTP to the registry) happens outside it.
"""
import argparse
import io
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.parse
from collections import deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from werkzeug.serving import make_server  # noqa: E402

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)

import common  # noqa: E402
import cost  # noqa: E402
import deny  # noqa: E402
import fault  # noqa: E402
import ecs_sim  # noqa: E402
import express  # noqa: E402
import lambda_sim  # noqa: E402
import lb  # noqa: E402
import lb_health  # noqa: E402
import live_tail  # noqa: E402
import progressive  # noqa: E402
import registry_sync  # noqa: E402

log = logging.getLogger("testbed")


class TestbedApp:
    """WSGI wrapper: /_testbed/* is ours, everything else goes to moto under LOCK."""

    def __init__(self, moto_app):
        self.moto_app = moto_app
        # AWS API requests by action (`ecs:DescribeServices`), with the time of
        # each, for the benchmarks' calls-per-second figures (GET /_testbed/requests).
        self.requests = deque(maxlen=500_000)
        self.requests_lock = threading.Lock()

    def _count(self, environ):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            # `AmazonEC2ContainerServiceV20141113.DescribeServices` → `ecs:DescribeServices`
            prefix, _, action = target.rpartition(".")
            service = "ecs" if "ContainerService" in prefix else prefix
            name = f"{service}:{action}"
        else:
            name = f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}"
        with self.requests_lock:
            self.requests.append((time.time(), name))

    def counted(self, query):
        """Requests since `since` (epoch seconds), by action, and their times."""
        since = float((query.get("since") or ["0"])[0])
        with self.requests_lock:
            picked = [(t, n) for t, n in self.requests if t >= since]
        by_action = {}
        for _, name in picked:
            by_action[name] = by_action.get(name, 0) + 1
        return {"total": len(picked), "by_action": by_action, "times": [[t, n] for t, n in picked]}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_testbed/"):
            return self.control(path[len("/_testbed/"):], environ, start_response)
        self._count(environ)
        if environ.get("HTTP_X_AMZ_TARGET") == live_tail.TARGET:
            # A long-lived stream: it takes the lock only for each poll.
            return live_tail.handle(environ, start_response)
        if deny.rules() or fault.rules():
            raw = b""
            if environ.get("CONTENT_LENGTH"):  # a body without a length (chunked) stays unread for moto
                raw = _read_body(environ)
                environ["wsgi.input"] = io.BytesIO(raw)
            refused = deny.check(environ, raw) or fault.check(environ, raw)
            if refused is not None:
                status, headers, body = refused
                start_response(status, headers + [("Content-Length", str(len(body)))])
                return [body]
        if cost.is_ours(environ):
            raw = _read_body(environ)
            environ["wsgi.input"] = io.BytesIO(raw)
            answer = cost.handle(environ, raw)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers + [("Content-Length", str(len(body)))])
                return [body]
        with common.LOCK:
            # moto builds the whole body eagerly; materialise it under the lock
            # so serialisation never races with the background threads.
            body = list(self.moto_app(environ, start_response))
        return body

    def control(self, route, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        raw = _read_body(environ)
        status, payload = "200 OK", None
        try:
            if route == "health":
                payload = {"ok": True, "engine": ecs_sim.ENGINE.alive()}
            elif route == "registry-events" and method == "POST":
                payload = registry_sync.SYNC.handle_envelope(raw)
            elif route == "sync" and method == "POST":
                query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
                payload = registry_sync.SYNC.sync_all(only=(query.get("repository") or [None])[0])
            elif route == "state":
                payload = ecs_sim.ENGINE.debug_state()
                payload["express"] = express.debug_state()["services"]
            elif route == "express":
                payload = express.debug_state()
            elif route == "lambda":
                payload = lambda_sim.debug_state()
            elif route == "deny" and method == "GET":
                payload = {"rules": deny.rules()}
            elif route == "deny" and method in ("POST", "DELETE"):
                req = json.loads(raw or b"{}")
                if method == "POST":
                    payload = {"rules": deny.add(req.get("actions"), req.get("access_key_id"))}
                else:
                    payload = {"rules": deny.clear(req.get("access_key_id"))}
            elif route == "fault" and method == "GET":
                payload = {"rules": fault.rules()}
            elif route == "fault" and method in ("POST", "DELETE"):
                req = json.loads(raw or b"{}")
                if method == "POST":
                    payload = {
                        "rules": fault.add(req.get("actions"), req.get("access_key_id"), req.get("kind", "unparseable"))
                    }
                else:
                    payload = {"rules": fault.clear(req.get("access_key_id"))}
            elif route == "requests" and method == "GET":
                payload = self.counted(urllib.parse.parse_qs(environ.get("QUERY_STRING", "")))
            elif route == "lb":
                payload = lb.REGISTRY.snapshot()
            elif route == "service-lb":
                query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
                cluster = (query.get("cluster") or ["default"])[0]
                service = (query.get("service") or [""])[0]
                with common.LOCK:
                    payload = progressive.service_lb(ecs_sim._all_ecs_backends(), cluster, service)
                if payload is None:
                    status, payload = "404 Not Found", {"error": f"no service {service} in cluster {cluster}"}
            else:
                status, payload = "404 Not Found", {"error": f"no route {method} /_testbed/{route}"}
        except ValueError as exc:  # a malformed control request
            status, payload = "400 Bad Request", {"error": str(exc)}
        except Exception as exc:  # report, never crash the server
            log.exception("control route %s failed", route)
            status, payload = "500 Internal Server Error", {"error": repr(exc)}
        body = json.dumps(payload, default=str).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length else b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("MCP_TESTBED_MOTO_PORT", 5055)))
    args = ap.parse_args()

    logging.basicConfig(
        level=os.environ.get("MCP_TESTBED_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s",
    )
    # werkzeug's per-request access log is noise at the rate SDK waiters poll.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto uses it for self-URLs
    registry_sync.install()
    ecs_sim.install()
    express.install()
    lambda_sim.install()
    lb_health.install()

    app = TestbedApp(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)

    def stop(signum, frame):
        log.info("signal %s: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    ecs_sim.ENGINE.start()
    express.HEALTH.start()
    lambda_sim.REAPER.start()
    log.info("testbed moto listening on http://%s:%d", args.host, args.port)
    server.serve_forever()
    express.HEALTH.shutdown()
    lambda_sim.REAPER.shutdown()
    ecs_sim.ENGINE.shutdown()
    lb.REGISTRY.close_all()


if __name__ == "__main__":
    main()
