#!/usr/bin/env python3
"""Failed MCP calls behind a load balancer, stateful vs stateless (issue 23).

    python3 bench/alb_sessions.py [--clients 4] [--seconds 5]

Needs the testbed (its env file: $MCP_TESTBED_DIR/env, default
/tmp/mcp-testbed/env), `mcp` (MCP_BIN, default target/debug/mcp) and a static
examples/echo-server with `STATEFUL` (ECHO_SERVER, default the copy the
integration tests build from the current source, else
examples/echo-server/dist/echo-server from its build.sh: rebuild it if older).

What it measures: an ECS service with two tasks behind the testbed's ALB
(seed.py, round robin, no stickiness), running examples/echo-server on MCP
2025-11-25, once keeping sessions in memory (`STATEFUL=1`, the SDKs' default)
and once stateless. N clients each open a session (`initialize`) and call
`echo` in a loop, opening a new session whenever a call fails (as clients do
on "session not found"), while `mcp deploy` rolls out a new revision (ECS
rolling update: new tasks start, old ones are deregistered and stopped).
Printed: a Markdown table of calls and failed calls before, during and after.

Not measured: in-flight calls cut when a deregistration delay ends before
them (echo-server has no slow tool, and the testbed stops a task as soon as it
is deregistered, without the drain ECS waits for).
"""
import argparse
import json
import random
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import boto3

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_env():
    path = os.path.join(os.environ.get("MCP_TESTBED_DIR", "/tmp/mcp-testbed"), "env")
    with open(path) as fh:
        for line in fh:
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].strip().split("=", 1)
                os.environ[key] = value


def post(url, body, session=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2025-11-25"}
    if session:
        headers["Mcp-Session-Id"] = session
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers.get("Mcp-Session-Id"), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, None, err.read()
    except OSError:
        return 0, None, b""


class Client(threading.Thread):
    def __init__(self, url, stats):
        super().__init__(daemon=True)
        self.url, self.stats, self.stop = url, stats, threading.Event()
        self.session = None

    def open(self):
        status, session, _ = post(self.url, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
        if status != 200:
            return False
        self.session = session
        post(self.url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        return True

    def run(self):
        n = 0
        while not self.stop.is_set():
            if self.session is None and not self.open():
                self.stats.count(False)
                continue
            n += 1
            status, _, body = post(self.url, {"jsonrpc": "2.0", "id": n, "method": "tools/call",
                                              "params": {"name": "echo", "arguments": {"text": "hi"}}}, self.session)
            ok = status == 200 and b'"error"' not in body
            # The testbed's round robin is exact: clients in lockstep would each keep
            # meeting the same task. A little jitter, as real clients have.
            time.sleep(random.random() * 0.005)
            self.stats.count(ok)
            if not ok:
                self.session = None  # what a client does: open a new session


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "steady"
        self.calls = {}

    def count(self, ok):
        with self.lock:
            entry = self.calls.setdefault(self.phase, [0, 0])
            entry[0] += 1
            entry[1] += 0 if ok else 1


def project(seeded, url, stateful, tmp):
    """examples/echo-server as a project deploying to the seeded service."""
    import shutil

    d = os.path.join(tmp, "sf" if stateful else "sl")
    os.makedirs(os.path.join(d, "dist"))
    for f in ("Dockerfile", ".dockerignore"):
        shutil.copy(os.path.join(REPO, "examples/echo-server", f), d)
    binary = os.environ.get("ECHO_SERVER") or next(
        (p for p in (os.path.join(REPO, "target/tmp/echo-server/x86_64-unknown-linux-gnu/debug/echo-server"),
                     os.path.join(REPO, "examples/echo-server/dist/echo-server"))
         if os.path.exists(p)), None)
    if binary is None:
        sys.exit("no static echo-server: run examples/echo-server/build.sh (or set ECHO_SERVER)")
    shutil.copy(binary, os.path.join(d, "dist", "echo-server"))
    env = '[env]\nMCP_PROTOCOLS = "2025-11-25"\n' + ('STATEFUL = "1"\n' if stateful else "")
    with open(os.path.join(d, "mcp.toml"), "w") as fh:
        fh.write(f'name = "{seeded["service"]}"\nregion = "us-east-1"\n[ecr]\nrepository = "{seeded["repository"]}"\n'
                 f'[ecs]\ncluster = "{seeded["cluster"]}"\nservice = "{seeded["service"]}"\ncontainer = "mcp"\n'
                 f'{env}[deploy]\ntimeout = "120s"\nurl = "{url}/mcp"\nhealth_path = "/healthz"\nport = 8000\n')
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "x"]):
        subprocess.run(cmd, cwd=d, check=True)
    return d


def mcp(d, *args):
    binary = os.environ.get("MCP_BIN") or os.path.join(REPO, "target/debug/mcp")
    out = subprocess.run([binary, *args], cwd=d, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"mcp {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")


def wait_targets(control, tg, n, timeout=90):
    """Until the listener sends to `n` targets of `tg` (the deploy's tasks registered)."""
    deadline = time.time() + timeout
    while True:
        snap = json.loads(urllib.request.urlopen(f"{control}/lb", timeout=5).read())
        if len(snap["target_groups"].get(tg) or []) == n:
            return
        if time.time() > deadline:
            sys.exit(f"target group {tg}: not {n} targets after {timeout}s: {snap['target_groups'].get(tg)}")
        time.sleep(0.2)


def run(stateful, clients, seconds, tmp):
    seeded = json.loads(subprocess.run(
        [sys.executable, os.path.join(REPO, "tests/testbed/seed.py"), "service", "--cluster",
         f"bench-alb-{os.getpid()}-{int(stateful)}", "--service", f"bench-alb-{os.getpid()}-{int(stateful)}",
         "--load-balancer", "plain", "--desired", "2", "--wait"],
        capture_output=True, text=True, check=True).stdout)
    listener = seeded["load_balancer"]["production_listener"]
    control = os.environ["MCP_TESTBED_CONTROL"]
    url = json.loads(urllib.request.urlopen(f"{control}/lb", timeout=5).read())["listeners"][listener]["url"]
    d = project(seeded, url, stateful, tmp)
    # First release; --no-check: a stateful server on two tasks fails the check's session step.
    mcp(d, "deploy", "--no-check")
    tg = seeded["load_balancer"]["target_group_a"]
    wait_targets(control, tg, 2)
    stats = Stats()
    workers = [Client(f"{url}/mcp", stats) for _ in range(clients)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    stats.phase = "rolling deploy"
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "--allow-empty", "-m", "y"],
                   cwd=d, check=True)
    mcp(d, "deploy", "--no-check")  # a new revision (new image tag), rolled out by ECS
    wait_targets(control, tg, 2)
    stats.phase = "after"
    time.sleep(seconds)
    for w in workers:
        w.stop.set()
    for w in workers:
        w.join(timeout=10)
    boto3.client("ecs").delete_service(cluster=seeded["cluster"], service=seeded["service"], force=True)
    return stats.calls


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    load_env()
    print("### MCP sessions behind a load balancer (issue 23)\n")
    print(f"{args.clients} clients calling `echo` in a loop through the testbed's loopback ALB (round robin, "
          f"no stickiness) in front of an ECS service of 2 echo-server tasks (MCP 2025-11-25); {args.seconds:.0f} s "
          f"steady, during `mcp deploy` of a new revision (ECS rolling update), {args.seconds:.0f} s after. A failed call is any answer but a result (the client then "
          "opens a new session).\n")
    print(f"Load average at the start: {os.getloadavg()[0]:.1f} (2 cores, shared).\n")
    print("| server | phase | calls | failed | failed % |")
    print("| --- | --- | ---: | ---: | ---: |")
    import tempfile

    tmp = tempfile.mkdtemp(prefix="bench-alb-")
    for stateful in (True, False):
        calls = run(stateful, args.clients, args.seconds, tmp)
        for phase in ("steady", "rolling deploy", "after"):
            total, failed = calls.get(phase, [0, 0])
            share = 100.0 * failed / total if total else 0.0
            kind = "stateful (sessions in memory)" if stateful else "stateless"
            print(f"| {kind} | {phase} | {total} | {failed} | {share:.1f} |")


if __name__ == "__main__":
    main()
