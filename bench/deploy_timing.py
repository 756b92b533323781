#!/usr/bin/env python3
"""Time `mcp deploy --image` and `ecs deploy --image` on the same testbed service.

    python3 bench/deploy_timing.py --mcp BIN --project DIR --cluster C --service S \
        --images URI_A URI_B --delay SECONDS --runs N

Called by bench/deploy.sh after it has seeded the service and pushed the two
images. Each round runs both tools, one after the other (the order alternates
between rounds so neither always follows the other); each run deploys the
image the service is not running, so every run is a real change and a real
rollout. Per run it records, on this machine's one clock:

  t0         the tool is started
  created    the deployment's createdAt (DescribeServices, ms precision)
  completed  the deployment's updatedAt when the testbed marked it COMPLETED
  t1         the tool's process has exited

and prints a Markdown table of medians and p95s of
  wall = t1 - t0, wall - delay, start→created, created→completed (the
  simulator's rollout: a real container start + the delay) and
  completed→exit (how late the tool noticed and returned).
Runs that fail are counted and shown, never folded into the figures.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

import boto3
import botocore.exceptions

IDLE_TIMEOUT = 120  # s to wait for the service to settle between runs


class TestbedReset(Exception):
    """The service is gone: another session restarted the shared moto."""


def describe(ecs, cluster, service):
    try:
        found = ecs.describe_services(cluster=cluster, services=[service])["services"]
    except botocore.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] in ("ClusterNotFoundException", "ServiceNotFoundException"):
            raise TestbedReset() from exc
        raise
    if not found or found[0].get("status") != "ACTIVE":
        raise TestbedReset()
    return found[0]


def wait_idle(ecs, cluster, service):
    """Bounded wait until one deployment remains and it is COMPLETED."""
    deadline = time.time() + IDLE_TIMEOUT
    while time.time() < deadline:
        s = describe(ecs, cluster, service)
        deps = s["deployments"]
        if len(deps) == 1 and deps[0].get("rolloutState") == "COMPLETED":
            return s
        time.sleep(0.5)
    raise SystemExit(f"{service} did not settle within {IDLE_TIMEOUT} s")


def current_image(ecs, service_desc):
    td = ecs.describe_task_definition(taskDefinition=service_desc["taskDefinition"])["taskDefinition"]
    return next(c["image"] for c in td["containerDefinitions"] if c["name"] == "mcp")


def percentile(values, p):
    """Nearest-rank percentile: with N = 10, p95 is the largest value."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def one_run(args, ecs, tool):
    before = wait_idle(ecs, args.cluster, args.service)
    running = current_image(ecs, before)
    # The image the service does not run (mcp's taskdef may carry `tag@digest`).
    target = args.images[1] if running.startswith(args.images[0]) else args.images[0]
    if tool == "mcp":
        cmd = [args.mcp, "deploy", "--image", target, "--no-progress", "-o", "json", "--yes"]
        cwd = args.project
    else:
        cmd = ["ecs", "deploy", args.cluster, args.service, "--image", "mcp", target, "--timeout", "180"]
        cwd = None
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    t1 = time.time()
    after = describe(ecs, args.cluster, args.service)
    old_td = before["taskDefinition"]
    deps = [d for d in after["deployments"] if d["taskDefinition"] != old_td]
    ok = proc.returncode == 0 and len(deps) == 1 and deps[0].get("rolloutState") == "COMPLETED"
    if not ok:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"ok": False, "rc": proc.returncode, "why": " / ".join(tail) or "no COMPLETED deployment"}
    d = deps[0]
    created, completed = d["createdAt"].timestamp(), d["updatedAt"].timestamp()
    return {
        "ok": True,
        "wall": t1 - t0,
        "before": created - t0,
        "rollout": completed - created,
        "after": t1 - completed,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcp", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--images", nargs=2, required=True)
    ap.add_argument("--delay", type=float, required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--raw", help="write every run as JSON here")
    ap.add_argument("--setup", help="shell command that re-seeds the service after a testbed restart")
    args = ap.parse_args()
    ecs = boto3.client("ecs")

    tools = ["mcp", "ecs-deploy"]
    results = {t: [] for t in tools}
    resets = 0
    for i in range(args.runs):
        order = tools if i % 2 == 0 else tools[::-1]
        for tool in order:
            try:
                r = one_run(args, ecs, tool)
            except TestbedReset:
                # Not the tool's fault: drop the run, re-seed (bounded), go on.
                resets += 1
                print(f"bench: deploy: testbed state lost (moto restarted by someone); re-seeding", file=sys.stderr)
                if resets > 3 or not args.setup:
                    raise SystemExit("deploy: the testbed keeps being reset; giving up")
                subprocess.run(args.setup, shell=True, check=True, stdout=subprocess.DEVNULL)
                continue
            results[tool].append(r)
            shown = f"wall {r['wall']:.2f}s, after {r['after']:.2f}s" if r["ok"] else f"FAILED rc={r['rc']}: {r['why']}"
            print(f"bench: deploy round {i + 1}/{args.runs} {tool}: {shown}", file=sys.stderr)
    if args.raw:
        with open(args.raw, "w") as fh:
            json.dump(results, fh, indent=1)

    names = {"mcp": "`mcp deploy --image`", "ecs-deploy": "`ecs deploy --image`"}
    print("| tool | ok/runs | wall | wall − delay | start → deployment created "
          "| created → COMPLETED (simulator) | COMPLETED → tool exited |")
    print("|---|---|---|---|---|---|---|")
    for tool in tools:
        good = [r for r in results[tool] if r["ok"]]
        if not good:
            print(f"| {names[tool]} | 0/{len(results[tool])} | – | – | – | – | – |")
            continue

        def cell(key, minus=0.0):
            v = [r[key] - minus for r in good]
            return f"{statistics.median(v):.2f} / {percentile(v, 95):.2f}"

        print(f"| {names[tool]} | {len(good)}/{len(results[tool])} | {cell('wall')} | {cell('wall', args.delay)} "
              f"| {cell('before')} | {cell('rollout')} | {cell('after')} |")
    if resets:
        print(f"\n{resets} run(s) were dropped because another session restarted the shared moto "
              "mid-run (AWS state lost); the service was re-seeded and the rounds went on.")
    failures = [(t, r) for t in tools for r in results[t] if not r["ok"]]
    for tool, r in failures:
        print(f"\nFailed run of {names[tool]}: exit {r['rc']}: {r['why']}")


if __name__ == "__main__":
    main()
