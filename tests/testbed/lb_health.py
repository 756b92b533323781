"""Target health and attributes of moto's ELBv2 as AWS answers them.

moto answers `DescribeTargetHealth` with `healthy` for every registered target
and forgets a target the moment it is deregistered; its target groups lack
some of the attributes AWS returns, and its load balancers lack
`idle_timeout.timeout_seconds`.  This module fills that in, for the targets the
ECS simulator registers (`progressive.sync_targets`) and any other:

* **Health checks, for real.**  A thread GETs each registered target's health
  check path (`HealthCheckPath`, default `/`) on its health check port
  (`traffic-port` = the target's port; another port is dialled only if the
  simulator published it, else it fails like a closed port) every
  `HealthCheckIntervalSeconds` simulated seconds (one simulated minute lasts
  `MCP_TESTBED_MINUTE_SECONDS`, default 1 s, so 30 s is 0.5 s).  The answer's
  code is matched against `Matcher.HttpCode` (`200`, `200-299`, `200,202`).
* **States as AWS names them.**  A new target is `initial`
  (`Elb.RegistrationInProgress`, then `Elb.InitialHealthChecking`) until
  `HealthyThresholdCount` checks in a row pass (`healthy`), or
  `UnhealthyThresholdCount` fail (`unhealthy`, reason
  `Target.ResponseCodeMismatch` "Health checks failed with these codes: [404]",
  `Target.Timeout` "Request timed out", or `Target.FailedHealthChecks`
  "Health checks failed").  A healthy target turns unhealthy after
  `UnhealthyThresholdCount` failures, and back after `HealthyThresholdCount`
  passes.  A deregistered target is `draining`
  (`Target.DeregistrationInProgress`) for the target group's
  `deregistration_delay.timeout_seconds` simulated seconds (default 300 = 5 s),
  listed by `DescribeTargetHealth` like a registered one, then gone.  A target
  with health checks disabled is `unavailable` (`Target.HealthCheckDisabled`).
* **Attributes with AWS's shapes.**  Every value a string; target groups also
  have `stickiness.lb_cookie.duration_seconds`, `stickiness.app_cookie.*`,
  `load_balancing.algorithm.anomaly_mitigation`; application load balancers
  `idle_timeout.timeout_seconds` "60", `client_keep_alive.seconds` "3600",
  `routing.http2.enabled` "true" until modified.

The loopback listeners (lb.py) still route to every registered target: only
what the API reports changes, so other tests' traffic is untouched.
"""
import http.client
import logging
import os
import socket
import threading
import time

import common
import lb

log = logging.getLogger("testbed.lb_health")

TICK = 0.1


def _env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


MINUTE = _env_float("MCP_TESTBED_MINUTE_SECONDS", 1.0)

TG_DEFAULTS = {
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "",
    "stickiness.app_cookie.duration_seconds": "86400",
    "load_balancing.algorithm.anomaly_mitigation": "off",
}
ALB_DEFAULTS = {
    "idle_timeout.timeout_seconds": "60",
    "client_keep_alive.seconds": "3600",
    "routing.http2.enabled": "true",
}


def _simulated(seconds):
    return max(0.2, float(seconds) * MINUTE / 60.0)


def _code_matches(matcher, code):
    for part in str(matcher or "200").split(","):
        part = part.strip()
        if "-" in part:
            low, high = part.split("-", 1)
            if int(low) <= code <= int(high):
                return True
        elif part and int(part) == code:
            return True
    return False


class Checker:
    """Health state per (target group ARN, target id, port), checked by one thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.states = {}  # key -> dict(state, reason, description, ok, fail, next_at, drain_until)
        self._thread = None

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="lb-health", daemon=True)
            self._thread.start()

    def _loop(self):
        while True:
            try:
                self.tick()
            except Exception:  # never let the checker die
                log.exception("lb health tick failed")
            time.sleep(TICK)

    def _plan(self):
        """Under the backend lock: what to check now, and drains that ended."""
        now = time.time()
        due, seen = [], set()
        with common.LOCK:
            for backend in lb._all_elbv2_backends():
                for arn, tg in backend.target_groups.items():
                    delay = _simulated(float(tg.attributes.get("deregistration_delay.timeout_seconds", 300)))
                    for target in tg.targets.values():
                        key = (arn, target["Id"], int(target.get("Port") or tg.port or 80))
                        seen.add(key)
                        with self._lock:
                            st = self.states.setdefault(key, {
                                "state": "initial", "reason": "Elb.RegistrationInProgress",
                                "description": "Target registration is in progress",
                                "ok": 0, "fail": 0, "next_at": now, "drain_until": None,
                            })
                            if st["drain_until"] is not None:  # registered again
                                st.update(state="initial", reason="Elb.RegistrationInProgress",
                                          description="Target registration is in progress",
                                          ok=0, fail=0, next_at=now, drain_until=None)
                            if not tg.health_check_enabled:
                                st.update(state="unavailable", reason="Target.HealthCheckDisabled",
                                          description="Health checks are disabled")
                                continue
                            if st["next_at"] > now:
                                continue
                            st["next_at"] = now + _simulated(tg.health_check_interval_seconds or 30)
                        port = tg.health_check_port
                        port = key[2] if port in (None, "traffic-port") else int(port)
                        due.append((key, target["Id"], port, tg.health_check_path or "/",
                                    (tg.matcher or {}).get("HttpCode", "200"),
                                    min(2.0, float(tg.health_check_timeout_seconds or 5)),
                                    int(tg.healthy_threshold_count or 5), int(tg.unhealthy_threshold_count or 2)))
                    # Deregistered since the last tick: draining for the delay.
                    with self._lock:
                        for key, st in self.states.items():
                            if key[0] == arn and key not in seen and st["drain_until"] is None:
                                st.update(state="draining", reason="Target.DeregistrationInProgress",
                                          description="Target deregistration is in progress",
                                          drain_until=now + delay)
                            if key[0] == arn:
                                seen.add(key)
        with self._lock:
            for key in list(self.states):
                st = self.states[key]
                if key not in seen or (st["drain_until"] is not None and st["drain_until"] <= now):
                    del self.states[key]
        return due

    def tick(self):
        for key, ip, port, path, matcher, timeout, healthy_n, unhealthy_n in self._plan():
            ok, reason, description = self._probe(ip, port, path, matcher, timeout)
            with self._lock:
                st = self.states.get(key)
                if st is None or st["drain_until"] is not None:
                    continue
                if ok:
                    st["ok"], st["fail"] = st["ok"] + 1, 0
                    if st["ok"] >= healthy_n:
                        st.update(state="healthy", reason=None, description=None)
                    elif st["state"] == "initial":
                        st.update(reason="Elb.InitialHealthChecking", description="Initial health checks in progress")
                else:
                    st["fail"], st["ok"] = st["fail"] + 1, 0
                    if st["fail"] >= unhealthy_n:
                        st.update(state="unhealthy", reason=reason, description=description)
                    elif st["state"] == "initial":
                        st.update(reason="Elb.InitialHealthChecking", description="Initial health checks in progress")

    @staticmethod
    def _probe(ip, port, path, matcher, timeout):
        addr = lb.REGISTRY.translate(ip, port)
        if addr is None:
            return False, "Target.FailedHealthChecks", "Health checks failed"
        conn = http.client.HTTPConnection(addr[0], addr[1], timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "ELB-HealthChecker/2.0"})
            code = conn.getresponse().status
        except socket.timeout:
            return False, "Target.Timeout", "Request timed out"
        except (OSError, http.client.HTTPException):
            return False, "Target.FailedHealthChecks", "Health checks failed"
        finally:
            conn.close()
        if _code_matches(matcher, code):
            return True, None, None
        return False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{code}]"

    def health(self, arn, target_id, port):
        with self._lock:
            st = self.states.get((arn, target_id, int(port)))
            return dict(st) if st else None

    def draining(self, arn):
        with self._lock:
            return [(k[1], k[2]) for k, st in self.states.items() if k[0] == arn and st["state"] == "draining"]


CHECKER = Checker()


def install():
    from moto.elbv2 import models as elb_models

    B = elb_models.ELBv2Backend
    TG = elb_models.FakeTargetGroup
    LB = elb_models.FakeLoadBalancer

    orig_tg_init = TG.__init__

    def tg_init(self, *args, **kwargs):
        orig_tg_init(self, *args, **kwargs)
        self.attributes = {k: str(v) for k, v in self.attributes.items()}
        if self.protocol in ("HTTP", "HTTPS"):
            for key, value in TG_DEFAULTS.items():
                self.attributes.setdefault(key, value)

    TG.__init__ = tg_init

    orig_lb_init = LB.__init__

    def lb_init(self, *args, **kwargs):
        orig_lb_init(self, *args, **kwargs)
        if self.type == "application":
            for key, value in ALB_DEFAULTS.items():
                self.attrs.setdefault(key, value)

    LB.__init__ = lb_init

    orig_describe = B.describe_target_health

    def describe_target_health(self, target_group_arn, targets):
        listed = orig_describe(self, target_group_arn, targets)
        tg = self.target_groups[target_group_arn]
        if not targets:  # the registered ones, and those still draining, as AWS lists them
            known = {(h.instance_id, int(h.port)) for h in listed}
            for ip, port in CHECKER.draining(target_group_arn):
                if (ip, port) not in known:
                    listed.append(elb_models.FakeHealthStatus(ip, port, tg.health_check_port, "draining"))
        out = []
        for h in listed:
            st = CHECKER.health(target_group_arn, h.instance_id, h.port or tg.port or 80)
            if st is not None:
                h = elb_models.FakeHealthStatus(
                    h.instance_id, h.port, tg.health_check_port, st["state"], st["reason"], st["description"])
            elif h.instance_id in tg.targets and h.status == "healthy":
                h = elb_models.FakeHealthStatus(
                    h.instance_id, h.port, tg.health_check_port, "initial", "Elb.RegistrationInProgress",
                    "Target registration is in progress")
            out.append(h)
        return out

    B.describe_target_health = describe_target_health
    CHECKER.start()
