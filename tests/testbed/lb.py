"""A loopback load balancer for the testbed: ALB-like listeners that really forward HTTP.

ECS blue/green, canary and linear deployments (and Express Mode) move traffic by
changing the weights of target groups in load balancer listener rules.  moto
keeps ELBv2 objects as records; nothing listens.  This module makes them real,
on 127.0.0.1 only:

* `Listener`: one local port (chosen free) with ALB-style rules evaluated in
  priority order (`path-pattern`, `host-header`, `http-header`,
  `http-request-method` conditions; a rule with a condition we do not know never
  matches) and a default action; each rule forwards to target groups with
  weights.  The target group of a request is picked by smooth weighted
  round-robin, so "10 % to green" is exactly every tenth request, and the
  target inside the group round-robin.  No target -> 503, target refuses ->
  502, target silent for the idle timeout -> 504 (like an ALB).
* `TargetGroup`: a set of `(host, port)` targets.  Only loopback hosts are ever
  dialled; the ECS simulator publishes task ports on 127.0.0.1 and tells us
  which loopback address stands for which task IP (`map_address`).
* Bodies are streamed both ways: a response without Content-Length (SSE, MCP
  streamable HTTP) is relayed chunk by chunk as the target writes it.
* Threaded and bounded: at most `MAX_CONNECTIONS` client connections at once
  per listener (more get an immediate 503), request bodies up to
  `MAX_BODY` bytes (more -> 413).
* `ElbMirror.sync()` (called by the ECS engine every tick, under common.LOCK)
  mirrors moto's ELBv2 state: every moto listener gets a local Listener
  whose rules are moto's rules, every target group the targets registered in
  moto (task IPs, translated to their loopback addresses).  So ModifyRule /
  ModifyListener / RegisterTargets through the API move real traffic within
  one tick, and `productionListenerRule` / `testListenerRule` ARNs resolve.

Plain Python use (no moto), e.g. for Express Mode:

    tg = REGISTRY.target_group("green"); tg.set_targets([("127.0.0.1", 32771)])
    ln = REGISTRY.listener("prod"); ln.set_rules([], default=[("green", 1)])
    ln.url  # http://127.0.0.1:<port>

Stdlib only (http.server, http.client): the testbed must not grow dependencies
for something this small, and we need exact control over streaming.
"""
import fnmatch
import http.client
import http.server
import logging
import socket
import socketserver
import threading

log = logging.getLogger("testbed.lb")

MAX_CONNECTIONS = 128  # per listener
MAX_BODY = 16 * 1024 * 1024
IDLE_TIMEOUT = 60.0  # ALB default idle timeout (s)
CHUNK = 64 * 1024

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
    "transfer-encoding", "upgrade", "proxy-connection",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class TargetGroup:
    def __init__(self, key):
        self.key = key
        self._lock = threading.Lock()
        self._targets = []
        self._next = 0

    def set_targets(self, targets):
        targets = [(str(h), int(p)) for h, p in targets]
        for host, _ in targets:
            if host not in LOOPBACK:
                raise ValueError(f"target group {self.key}: {host} is not a loopback address")
        with self._lock:
            if targets != self._targets:
                self._targets = targets

    def register(self, host, port):
        with self._lock:
            current = list(self._targets)
        if (host, int(port)) not in current:
            self.set_targets(current + [(host, int(port))])

    def deregister(self, host, port):
        with self._lock:
            self._targets = [t for t in self._targets if t != (host, int(port))]

    def targets(self):
        with self._lock:
            return list(self._targets)

    def pick(self):
        with self._lock:
            if not self._targets:
                return None
            self._next = (self._next + 1) % len(self._targets)
            return self._targets[self._next]


class Rule:
    """conditions: ELBv2 `Conditions` (dicts as the API takes them); forward: [(tg_key, weight)]."""

    def __init__(self, conditions, forward, priority=0, arn=None):
        self.conditions = conditions or []
        self.forward = [(k, max(0, int(w))) for k, w in forward]
        self.priority = priority
        self.arn = arn

    def matches(self, method, path, headers):
        for cond in self.conditions:
            field = cond.get("Field")
            if field == "path-pattern":
                values = (cond.get("PathPatternConfig") or {}).get("Values") or cond.get("Values") or []
                if not any(fnmatch.fnmatchcase(path.split("?", 1)[0], v) for v in values):
                    return False
            elif field == "host-header":
                values = (cond.get("HostHeaderConfig") or {}).get("Values") or cond.get("Values") or []
                host = (headers.get("Host") or "").split(":", 1)[0].lower()
                if not any(fnmatch.fnmatch(host, v.lower()) for v in values):
                    return False
            elif field == "http-header":
                cfg = cond.get("HttpHeaderConfig") or {}
                got = headers.get(cfg.get("HttpHeaderName") or "")
                if got is None or not any(fnmatch.fnmatch(got.lower(), v.lower()) for v in cfg.get("Values") or []):
                    return False
            elif field == "http-request-method":
                values = (cond.get("HttpRequestMethodConfig") or {}).get("Values") or []
                if method not in values:
                    return False
            else:  # query-string, source-ip, ...: not simulated -> never matches
                return False
        return True


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, listener, port):
        self.listener = listener
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            finally:
                self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awselb/2.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def log_message(self, fmt, *args):  # werkzeug-style access logs are noise
        log.debug("%s %s", self.server.listener.key, fmt % args)

    def _reply(self, status, text):
        body = f"<html><body><h1>{status} {http.client.responses.get(status, '')}</h1><p>{text}</p></body></html>\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    raise ValueError("body too large")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else None

    def _proxy(self):
        listener = self.server.listener
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            return self._reply(413, "request body too large")
        tg_key, target = listener.route(self.command, self.path, self.headers)
        if target is None:
            listener.count(tg_key, 503)
            return self._reply(503, "no target available")
        # Set below: a client's own spelling (`content-length`, as hyper sends it) would
        # go out beside ours, and Node answers a doubled Content-Length with 400.
        ours = {"content-length", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-port"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | ours}
        peer = self.client_address[0]
        headers["X-Forwarded-For"] = ", ".join(filter(None, [self.headers.get("X-Forwarded-For"), peer]))
        headers["X-Forwarded-Proto"] = "http"
        headers["X-Forwarded-Port"] = str(listener.port)
        if body is not None:
            headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(target[0], target[1], timeout=IDLE_TIMEOUT)
        try:
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
            except (ConnectionError, OSError) as exc:
                status = 504 if isinstance(exc, socket.timeout) else 502
                listener.count(tg_key, status)
                return self._reply(status, f"target {target[0]}:{target[1]}: {exc}")
            listener.count(tg_key, resp.status)
            self.send_response(resp.status, resp.reason)
            length = resp.getheader("Content-Length")
            no_body = self.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            chunked = not no_body and length is None
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            if resp.will_close and length is None and not chunked:
                self.close_connection = True
            self.end_headers()
            self.wfile.flush()
            if no_body:
                return
            while True:
                data = resp.read1(CHUNK)
                if not data:
                    break
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
                self.wfile.flush()  # SSE events must not wait for more bytes
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (ConnectionError, OSError) as exc:  # client or target went away mid-stream
            log.debug("%s: stream to %s ended: %s", listener.key, target, exc)
            self.close_connection = True
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _proxy


class Listener:
    def __init__(self, registry, key, port=0):
        self.registry = registry
        self.key = key
        self._lock = threading.Lock()
        self._rules = []
        self._default = []
        self._wrr = {}  # smooth weighted round-robin state per rule
        self._stats = {}
        self._server = _Server(self, port)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"lb-{self.port}", daemon=True)
        self._thread.start()

    def set_rules(self, rules, default):
        """rules: [Rule] (any order; sorted by priority); default: [(tg_key, weight)]."""
        rules = sorted(rules, key=lambda r: r.priority)
        default = [(k, max(0, int(w))) for k, w in default]
        with self._lock:
            old = [(r.arn, r.conditions, r.forward) for r in self._rules] + [self._default]
            if old != [(r.arn, r.conditions, r.forward) for r in rules] + [default]:
                self._rules, self._default = rules, default
                self._wrr = {}

    def forward_of(self, rule_arn=None):
        with self._lock:
            if rule_arn is None:
                return list(self._default)
            return next((list(r.forward) for r in self._rules if r.arn == rule_arn), None)

    def route(self, method, path, headers):
        """-> (tg_key, (host, port) | None)."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(method, path, headers)), None)
            forward = rule.forward if rule else self._default
            key = rule.arn if rule else "default"
            state = self._wrr.setdefault(key, {})
            live = [(k, w) for k, w in forward if w > 0]
            if not live:
                return None, None
            total = sum(w for _, w in live)
            for k, w in live:
                state[k] = state.get(k, 0) + w
            chosen = max(live, key=lambda kw: state[kw[0]])[0]
            state[chosen] -= total
        tg = self.registry.target_groups.get(chosen)
        return chosen, (tg.pick() if tg else None)

    def count(self, tg_key, status):
        with self._lock:
            entry = self._stats.setdefault(tg_key or "none", {"requests": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0})
            entry["requests"] += 1
            entry[f"{status // 100}xx"] = entry.get(f"{status // 100}xx", 0) + 1

    def stats(self):
        with self._lock:
            return {k: dict(v) for k, v in self._stats.items()}

    def snapshot(self):
        with self._lock:
            return {
                "url": self.url,
                "port": self.port,
                "rules": [{"arn": r.arn, "priority": r.priority, "conditions": r.conditions, "forward": r.forward} for r in self._rules],
                "default": list(self._default),
                "stats": {k: dict(v) for k, v in self._stats.items()},
            }

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class Registry:
    """All local listeners and target groups of this process, by key (moto ARNs for mirrored ones)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.listeners = {}
        self.target_groups = {}
        self._addresses = {}  # (task ip, container port) -> ("127.0.0.1", host port)

    def listener(self, key, port=0):
        with self._lock:
            ln = self.listeners.get(key)
            if ln is None:
                ln = self.listeners[key] = Listener(self, key, port)
                log.info("listener %s on %s", key, ln.url)
            return ln

    def close_listener(self, key):
        with self._lock:
            ln = self.listeners.pop(key, None)
        if ln:
            ln.close()

    def target_group(self, key):
        with self._lock:
            tg = self.target_groups.get(key)
            if tg is None:
                tg = self.target_groups[key] = TargetGroup(key)
            return tg

    def drop_target_group(self, key):
        with self._lock:
            self.target_groups.pop(key, None)

    def map_address(self, ip, port, loopback):
        """Task IP:containerPort (what ECS registers) is reachable at loopback=(127.0.0.1, hostPort)."""
        with self._lock:
            if loopback is None:
                self._addresses.pop((ip, int(port)), None)
            else:
                self._addresses[(ip, int(port))] = (loopback[0], int(loopback[1]))

    def translate(self, ip, port):
        with self._lock:
            hit = self._addresses.get((ip, int(port)))
        if hit:
            return hit
        return (ip, int(port)) if ip in LOOPBACK else None  # never dial outside loopback

    def snapshot(self):
        with self._lock:
            listeners = dict(self.listeners)
            tgs = dict(self.target_groups)
        return {
            "listeners": {k: ln.snapshot() for k, ln in listeners.items()},
            "target_groups": {k: tg.targets() for k, tg in tgs.items()},
        }

    def close_all(self):
        for key in list(self.listeners):
            self.close_listener(key)


REGISTRY = Registry()


# --------------------------------------------------------------------------
# moto ELBv2 mirror
# --------------------------------------------------------------------------


def _forward_of_actions(actions):
    """ELBv2 actions -> [(tg_arn, weight)] (first forward action; others serve nothing here)."""
    for action in actions or []:
        data = getattr(action, "data", action)
        if data.get("Type") != "forward":
            continue
        cfg = data.get("ForwardConfig") or {}
        if cfg.get("TargetGroups"):
            return [(tg["TargetGroupArn"], int(tg.get("Weight", 1))) for tg in cfg["TargetGroups"]]
        if data.get("TargetGroupArn"):
            return [(data["TargetGroupArn"], 1)]
    return []


def _all_elbv2_backends():
    from moto.elbv2.models import elbv2_backends

    for account in list(dict.keys(elbv2_backends)):
        regions = dict.__getitem__(elbv2_backends, account)
        for region in list(dict.keys(regions)):
            yield dict.__getitem__(regions, region)


class ElbMirror:
    """Keeps REGISTRY in agreement with moto's ELBv2 backends (call under common.LOCK)."""

    def __init__(self, registry):
        self.registry = registry
        self._mirrored = set()
        self._mirrored_tgs = set()

    def sync(self):
        seen, seen_tgs = set(), set()
        for backend in _all_elbv2_backends():
            for tg_arn, tg in backend.target_groups.items():
                seen_tgs.add(tg_arn)
                targets = []
                for t in tg.targets.values():
                    addr = self.registry.translate(t["Id"], t.get("Port") or tg.port or 80)
                    if addr:
                        targets.append(addr)
                self.registry.target_group(tg_arn).set_targets(targets)
            for lb in backend.load_balancers.values():
                for ln_arn, ln in lb.listeners.items():
                    if (ln.protocol or "HTTP").upper() not in ("HTTP", "HTTPS", "TCP"):
                        continue
                    seen.add(ln_arn)
                    local = self.registry.listener(ln_arn)
                    rules = [
                        Rule(r.conditions, _forward_of_actions(r.actions), int(r.priority), r.arn)
                        for r in ln.rules.values()
                        if not r.is_default
                    ]
                    default_rule = next((r for r in ln.rules.values() if r.is_default), None)
                    local.set_rules(rules, _forward_of_actions(default_rule.actions if default_rule else ln.default_actions))
        for arn in self._mirrored - seen:
            self.registry.close_listener(arn)
        for arn in self._mirrored_tgs - seen_tgs:
            self.registry.drop_target_group(arn)
        self._mirrored, self._mirrored_tgs = seen, seen_tgs

    def listener_url(self, listener_arn):
        ln = self.registry.listeners.get(listener_arn)
        return ln.url if ln else None


MIRROR = ElbMirror(REGISTRY)


def listener_of_rule(rule_arn):
    """A listener-rule ARN (or a listener ARN, NLB style) -> (backend, listener, rule or None)."""
    for backend in _all_elbv2_backends():
        for lb in backend.load_balancers.values():
            for ln_arn, ln in lb.listeners.items():
                if ln_arn == rule_arn:
                    return backend, ln, None
                for rule in ln.rules.values():
                    if rule.arn == rule_arn:
                        return backend, ln, rule
    return None, None, None


def set_rule_weights(rule_arn, weights):
    """Rewrite the forward action of a listener rule (or listener default action) with new weights.

    weights: {tg_arn: weight}.  Same effect as ELBv2 ModifyRule/ModifyListener (what ECS does)."""
    from moto.elbv2.models import FakeAction

    backend, ln, rule = listener_of_rule(rule_arn)
    if ln is None:
        raise KeyError(rule_arn)
    actions = rule.actions if rule is not None else ln.default_actions
    new = []
    for action in actions:
        data = dict(getattr(action, "data", action))
        if data.get("Type") == "forward":
            current = _forward_of_actions([data])
            tgs = {arn: w for arn, w in current}
            tgs.update(weights)
            data.pop("TargetGroupArn", None)
            cfg = dict(data.get("ForwardConfig") or {})
            cfg["TargetGroups"] = [{"TargetGroupArn": arn, "Weight": int(w)} for arn, w in tgs.items()]
            data["ForwardConfig"] = cfg
        new.append(FakeAction(data))
    if rule is not None:
        rule.actions = new
    else:
        ln.default_actions = new
        for r in ln.rules.values():
            if r.is_default:
                r.actions = new


def rule_weights(rule_arn):
    backend, ln, rule = listener_of_rule(rule_arn)
    if ln is None:
        return {}
    return dict(_forward_of_actions(rule.actions if rule is not None else ln.default_actions))
