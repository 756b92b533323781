#!/usr/bin/env python3
"""Progressive delivery against rolling + post-rollout check, on the testbed.

Driven by bench/progressive.sh (which installs, logs in and builds the
images); prints a Markdown section on stdout, progress on stderr.

1. Failed client calls. A service runs a good MCP release (echo-server). A
   client makes MCP calls (initialize, notifications/initialized, tools/list:
   what a client does to list tools) against the *production* listener at a
   steady rate while `mcp deploy --image <bad>` ships a release that answers
   /healthz but not MCP (busybox httpd). Once with `deploy.strategy` rolling
   and `deploy.url` (today's behaviour: check after the rollout, then roll
   back), once blue/green with the gate (`deploy.test_url`). Every failed call
   is one a real client saw fail.

2. Timings per strategy (rolling, blue_green, canary, linear): wall time of
   `mcp deploy --image <good>` from start to full production traffic (mcp
   returns there: `--wait-until shifted`; for rolling, when the rollout
   completed), and of `mcp rollback` run right after, during the bake (for
   rolling: a new rolling deployment of the previous revision).

Simulated minutes last MCP_TESTBED_MINUTE_SECONDS (1 s by default) on the
testbed: bakes and canary/linear steps are written in testbed minutes.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(REPO, "tests", "testbed", "seed.py")


def say(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def seed(name, lb):
    out = subprocess.run(
        [sys.executable, SEED, "service", "--cluster", name, "--service", name, "--repository", name,
         "--load-balancer", lb, "--wait", "--timeout", "180"],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def listener_url(arn):
    """The loopback URL the testbed serves a listener on (seed.py gives URLs only with advancedConfiguration)."""
    with urllib.request.urlopen(os.environ["MCP_TESTBED_CONTROL"] + "/lb", timeout=10) as resp:
        return json.load(resp)["listeners"][arn]["url"]


def push(repo, images):
    """Tag the prepared local images into `repo` and push them (the shell logged in)."""
    registry = os.environ["MCP_TESTBED_REGISTRY"]
    docker = os.environ.get("MCP_BENCH_DOCKER", "/usr/local/bin/docker")
    uris = {}
    for tag, local in images.items():
        uri = f"{registry}/{repo}:{tag}"
        subprocess.run([docker, "tag", local, uri], check=True)
        subprocess.run([docker, "push", "-q", uri], check=True, capture_output=True)
        uris[tag] = uri
    # A moto of one's own is not told of pushes by the shared registry: sync it
    # (it reads the whole registry catalog: a minute when many sessions pushed).
    urllib.request.urlopen(urllib.request.Request(os.environ["MCP_TESTBED_CONTROL"] + "/sync", method="POST"), timeout=600).read()
    return uris


def project(info, deploy_toml):
    d = tempfile.mkdtemp(prefix="mcp-bench-progressive-")
    with open(os.path.join(d, "mcp.toml"), "w") as fh:
        fh.write(
            f'name = "{info["service"]}"\n\n[ecr]\nrepository = "{info["repository"]}"\n\n'
            f'[ecs]\ncluster = "{info["cluster"]}"\nservice = "{info["service"]}"\ncontainer = "{info["container"]}"\n\n'
            f'[deploy]\ntimeout = "5m"\n{deploy_toml}\n'
        )
    return d


def mcp(binary, cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_") or k.startswith("MCP_TESTBED_")}
    env.update(CI="true", NO_COLOR="1")
    t0 = time.monotonic()
    out = subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if os.environ.get("MCP_BENCH_VERBOSE"):
        sys.stderr.write(out.stderr)
    report = None
    if "-o" in args:
        try:
            report = json.loads(out.stdout)
        except json.JSONDecodeError:
            pass
    return out.returncode, wall, report, out.stderr


# --------------------------------------------------------------------------
# An MCP client calling tools/list at a steady rate
# --------------------------------------------------------------------------

HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
}


def _post(url, body, session=None, timeout=5):
    headers = dict(HEADERS)
    if session:
        headers["Mcp-Session-Id"] = session
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        text = resp.read().decode()
        session = resp.headers.get("Mcp-Session-Id") or session
        if not text.strip():
            return None, session
        if resp.headers.get("Content-Type", "").startswith("text/event-stream"):
            data = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
            text = data[-1] if data else "{}"
        return json.loads(text), session


def tools_list_call(url):
    """initialize, initialized, tools/list; True when tools came back."""
    try:
        init, session = _post(url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
        if not init or "result" not in init:
            return False
        _post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        listed, _ = _post(url, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
        return bool(listed and listed.get("result", {}).get("tools"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Client:
    """Calls at `rate` per second from a thread; records (time, ok)."""

    def __init__(self, url, rate):
        self.url, self.period = url, 1.0 / rate
        self.calls = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        next_at = time.monotonic()
        while not self._stop.is_set():
            ok = tools_list_call(self.url)
            self.calls.append((time.monotonic(), ok))
            next_at += self.period
            time.sleep(max(0.0, next_at - time.monotonic()))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def wait_idle(info, timeout=120):
    """Until the service has one deployment and no service deployment in progress."""
    import boto3

    ecs = boto3.client("ecs")
    deadline = time.time() + timeout
    while time.time() < deadline:
        svc = ecs.describe_services(cluster=info["cluster"], services=[info["service"]])["services"][0]
        arn = svc.get("currentServiceDeployment")
        busy = len(svc["deployments"]) > 1 or svc["deployments"][0].get("rolloutState") == "IN_PROGRESS"
        if arn:
            sd = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
            busy = busy or sd["status"] in ("PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
        if not busy:
            return
        time.sleep(0.5)
    raise TimeoutError(f"{info['service']} still busy after {timeout}s")


# --------------------------------------------------------------------------


def failed_calls(binary, images, rate, tail):
    rows = []
    for label, lb, toml in (
        ("rolling + check after the rollout (today)", "plain", 'url = "{prod}/mcp"'),
        ("blue/green + MCP gate", "advanced", 'strategy = "blue_green"\ntest_url = "{test}/mcp"'),
    ):
        name = f"bench-pg-{'roll' if lb == 'plain' else 'bg'}-{os.getpid()}-{int(time.time())}"
        say(f"failed calls: {label}: seeding {name}")
        info = seed(name, lb)
        uris = push(info["repository"], images)
        prod = listener_url(info["load_balancer"]["production_listener"])
        test = listener_url(info["load_balancer"]["test_listener"])
        d = project(info, toml.format(prod=prod, test=test))
        code, wall, report, err = mcp(binary, d, "deploy", "--image", uris["good-a"], "-o", "json")
        if code != 0:
            raise SystemExit(f"deploying the good release failed ({code}):\n{err}")
        wait_idle(info)
        say(f"failed calls: {label}: deploying the release that fails initialize, client at {rate}/s")
        with Client(f"{prod}/mcp", rate) as client:
            time.sleep(2)
            t0 = time.monotonic()
            code, wall, report, err = mcp(binary, d, "deploy", "--image", uris["bad"], "-o", "json")
            time.sleep(tail)
        calls = client.calls
        failed = [t for t, ok in calls if not ok]
        during = [c for c in calls if c[0] >= t0]
        window = (max(failed) - min(failed)) if failed else 0.0
        rows.append({
            "label": label, "exit": code, "status": (report or {}).get("status"), "wall": wall,
            "calls": len(calls), "calls_during": len(during), "failed": len(failed), "window": window,
            "reason": (report or {}).get("reason"),
        })
        say(f"failed calls: {label}: exit {code}, {len(failed)} of {len(calls)} calls failed")
    return rows


def timings(binary, images, runs, minute):
    rows = []
    bake = 'bake = "120m"\n'
    for strategy, toml in (
        ("rolling", 'strategy = "rolling"'),
        ("blue_green", 'strategy = "blue_green"\n{bake}test_url = "{test}/mcp"'),
        ("canary", 'strategy = "canary"\ncanary_percent = 10.0\ncanary_bake = "3m"\n{bake}test_url = "{test}/mcp"'),
        ("linear", 'strategy = "linear"\nlinear_step_percent = 25.0\nlinear_step_bake = "1m"\n{bake}test_url = "{test}/mcp"'),
    ):
        name = f"bench-pt-{strategy.replace('_', '')}-{os.getpid()}-{int(time.time())}"
        say(f"timings: {strategy}: seeding {name}")
        info = seed(name, "advanced")
        uris = push(info["repository"], images)
        test = info["load_balancer"]["test_url"]
        # The service first runs a good release (no bake, to the end), so each
        # run replaces one MCP server by another.
        d = project(info, toml.format(test=test, bake=""))
        code, _, _, err = mcp(binary, d, "deploy", "--image", uris["good-a"], "--wait-until", "complete", "-o", "json")
        if code != 0:
            raise SystemExit(f"{strategy}: first deploy failed ({code}):\n{err}")
        wait_idle(info)
        d = project(info, toml.format(test=test, bake=bake))
        shifts, rollbacks = [], []
        for i in range(runs):
            code, wall, report, err = mcp(binary, d, "deploy", "--image", uris["good-b"], "-o", "json")
            if code != 0:
                raise SystemExit(f"{strategy}: deploy failed ({code}):\n{err}")
            shifts.append(wall)
            code, wall, report, err = mcp(binary, d, "rollback", "-o", "json")
            if code != 0:
                raise SystemExit(f"{strategy}: rollback failed ({code}):\n{err}")
            rollbacks.append(wall)
            say(f"timings: {strategy} run {i + 1}: shifted in {shifts[-1]:.1f}s, rolled back in {wall:.1f}s")
            wait_idle(info)
        rows.append({"strategy": strategy, "shift": shifts, "rollback": rollbacks})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcp", required=True)
    ap.add_argument("--good-a", required=True)
    ap.add_argument("--good-b", required=True)
    ap.add_argument("--bad", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--tail", type=float, default=3.0)
    ap.add_argument("--raw")
    args = ap.parse_args()
    images = {"good-a": args.good_a, "good-b": args.good_b, "bad": args.bad}
    minute = float(os.environ.get("MCP_TESTBED_MINUTE_SECONDS", "1"))
    load_before = open("/proc/loadavg").read().split()[:3]
    calls = failed_calls(args.mcp, images, args.rate, args.tail)
    times = timings(args.mcp, images, args.runs, minute)
    load_after = open("/proc/loadavg").read().split()[:3]
    if args.raw:
        with open(args.raw, "w") as fh:
            json.dump({"failed_calls": calls, "timings": times}, fh, indent=2)

    print("### Progressive delivery: what clients see of a release that fails the MCP handshake\n")
    print(
        f"One service per row, seeded fresh, running a good MCP release (examples/echo-server). A client\n"
        f"calls the **production** listener at {args.rate:g} calls/s (each call: `initialize`,\n"
        f"`notifications/initialized`, `tools/list`) from 2 s before `mcp deploy --image <bad>` until\n"
        f"{args.tail:g} s after it exits. The bad release is busybox httpd: `/healthz` answers 200,\n"
        f"`/mcp` does not speak MCP. Load average before/after: {' '.join(load_before)} / {' '.join(load_after)}.\n"
    )
    print("| deploy | exit | mcp deploy wall (s) | client calls | failed calls | failures spread over (s) |")
    print("|---|---|---|---|---|---|")
    for r in calls:
        print(f"| {r['label']} | {r['exit']} ({r['status']}) | {r['wall']:.1f} | {r['calls']} | **{r['failed']}** | {r['window']:.1f} |")
    print()
    print(
        f"Timings per strategy, {args.runs} runs each (median, min-max), on services seeded with the\n"
        f"load balancer's advancedConfiguration. *Start → full production traffic*: wall time of\n"
        f"`mcp deploy --image` (it returns once production traffic is all on the new release, the gate\n"
        f"passed; rolling: once the rollout completed). *Rollback during bake*: `mcp rollback` right after\n"
        f"(blue/green, canary, linear: `StopServiceDeployment` ROLLBACK, the old release still runs;\n"
        f"rolling: a new rolling deployment of the previous revision). Canary: 10 % for 3 testbed minutes;\n"
        f"linear: 25 % steps, 1 testbed minute each; a testbed minute lasts {minute:g} s, and every\n"
        f"lifecycle stage stays visible at least {os.environ.get('MCP_TESTBED_STAGE_SECONDS', '0.3')} s.\n"
    )
    print("| strategy | start → full production traffic (s) | rollback during bake (s) |")
    print("|---|---|---|")

    def cell(xs):
        return f"{statistics.median(xs):.1f} ({min(xs):.1f}–{max(xs):.1f})"

    for r in times:
        print(f"| {r['strategy']} | {cell(r['shift'])} | {cell(r['rollback'])} |")


if __name__ == "__main__":
    main()
