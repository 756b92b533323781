#!/usr/bin/env python3
"""Deploy and rollback on a Lambda stage, next to ECS rolling and blue/green, on the testbed.

    python3 bench/lambda_timing.py --mcp BIN --echo-bin PATH \
        --ecs-a LOCAL_IMAGE --ecs-b LOCAL_IMAGE --runs N [--raw FILE] [--keep]

Driven by bench/lambda.sh (which picks the binary, logs in to the testbed's
ECR and builds the two local echo-server images); prints a Markdown table on
stdout, progress on stderr. Everything it makes it removes at the end (unless
--keep): the function, its role and repository, the two ECS services with
their clusters, load balancers, task definitions, repositories and log groups.

Three targets, all running examples/echo-server (a real MCP server), two
builds that differ by a label, so every deploy ships a new image:

* lambda: a function made with the SDK from an image `mcp push` built (the
  adapter added), as Terraform would have made it, then one untimed
  `mcp deploy --image A` (creates `live`, `candidate` and their URLs).
  Timed: `mcp deploy --image <the other image>` (UpdateFunctionCode, wait,
  PublishVersion, the gate on the `candidate` URL, `live` moved, the check of
  the live URL), then `mcp rollback` (`live` back, the check).
* rolling: a service seeded by tests/testbed/seed.py with a plain ALB,
  `deploy.url` on its production listener. Timed: `mcp deploy --image`
  (new revision, rollout until COMPLETED, the check), then `mcp rollback`
  (a new rolling deployment of the previous revision, the check).
* blue_green: a service seeded with the ALB's advancedConfiguration,
  `strategy = "blue_green"`, `test_url` (the gate) and a 120-minute bake.
  Timed: `mcp deploy --image` (returns once production traffic is all on the
  new release), then `mcp rollback` during the bake (StopServiceDeployment
  ROLLBACK: the old tasks still run).

Each round runs the three targets one after the other, the order rotating
between rounds. Besides the wall time of each process, a thread polls every
0.1 s where requests are sent: for Lambda the versions of the `candidate` and
`live` aliases, for blue/green the target-group weights of the test and the
production listener rules. The first poll that sees the gate's URL (Lambda:
`candidate`, moved once the version is published; blue/green: the test
listener, moved once the new tasks are up) change gives "start -> gate
starts", the first that sees production change "start -> traffic moved" (so
both are late by up to 0.1 s plus one API call). Rolling has no such single
switch (tasks are swapped behind one target group), so it has neither.
Failed runs are counted and listed, never folded into the figures.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
import botocore.exceptions

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(REPO, "tests", "testbed", "seed.py")
DOCKER = os.environ.get("MCP_BENCH_DOCKER", "/usr/local/bin/docker")
TARGETS = ("lambda", "rolling", "blue_green")
ROLLOUT_DELAY = 2  # s; the testbed's default (MCP_TESTBED_ROLLOUT_DELAY), set as the service tag


def say(msg):
    print(f"bench: lambda: {msg}", file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest-rank percentile: with N <= 20, p95 is the largest value."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def mcp(binary, cwd, *args):
    """Run mcp as a user would in CI; (exit code, wall seconds, JSON report or None, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_") or k.startswith("MCP_TESTBED_")}
    env.update(CI="true", NO_COLOR="1", AWS_EC2_METADATA_DISABLED="true")
    t0 = time.monotonic()
    out = subprocess.run([binary, *args, "--no-progress", "--yes", "-o", "json"], cwd=cwd, env=env,
                         capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        report = None
    return out.returncode, wall, report, out.stderr


def tail(text, n=3):
    return " / ".join(line.strip() for line in text.strip().splitlines()[-n:]) or "no output"


def sync(repository):
    """Have moto's ECR read the registry's copy of `repository` now."""
    url = f"{os.environ['MCP_TESTBED_CONTROL']}/sync?repository={repository}"
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=120).read()


class Poller:
    """Polls `read()` every 0.1 s from a thread; `at[name]` is the monotonic time of the
    first value `checks[name]` accepts (None when none did)."""

    def __init__(self, read, **checks):
        self.read, self.checks = read, checks
        self.at = dict.fromkeys(checks)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set() and None in self.at.values():
            try:
                value = self.read()
                now = time.monotonic()
                for name, check in self.checks.items():
                    if self.at[name] is None and check(value):
                        self.at[name] = now
            except Exception:  # noqa: BLE001 - a poll that failed is retried; the run's own checks judge it
                pass
            self._stop.wait(0.1)

    def since(self, t0):
        return {name: (t - t0 if t is not None else None) for name, t in self.at.items()}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------


class LambdaTarget:
    name = "lambda"

    def __init__(self, args, suffix):
        self.args = args
        self.fn = f"bench-lam-{suffix}"
        self.role_name = f"bench-lam-exec-{suffix}"
        self.dir = tempfile.mkdtemp(prefix="mcp-bench-lambda-")
        self.images = []
        self.lam = boto3.client("lambda")
        self.made = []

    def _write(self, variant):
        with open(os.path.join(self.dir, "Dockerfile"), "w") as fh:
            fh.write("FROM scratch\nCOPY dist/echo-server /echo-server\n"
                     f"LABEL bench.variant={variant}\nEXPOSE 8000\nENTRYPOINT [\"/echo-server\"]\n")

    def setup(self):
        d = self.dir
        os.makedirs(os.path.join(d, "dist"))
        shutil.copy(self.args.echo_bin, os.path.join(d, "dist", "echo-server"))
        with open(os.path.join(d, ".dockerignore"), "w") as fh:
            fh.write("*\n!dist/echo-server\n")
        with open(os.path.join(d, "mcp.toml"), "w") as fh:
            fh.write(
                f'name = "{self.fn}"\nregion = "{os.environ["AWS_REGION"]}"\ntarget = "lambda"\n\n'
                f'[ecr]\nrepository = "{self.fn}"\ncreate = true\n\n'
                f'[lambda]\nfunction = "{self.fn}"\nmemory = 256\ntimeout = "30s"\n'
                f'adapter_image = "{os.environ["MCP_TESTBED_LAMBDA_ADAPTER_IMAGE"]}"\n\n'
                f'[deploy]\ntimeout = "120s"\n\n[env]\nALLOWED_HOSTS = "*"\n'
            )
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run(git + ["init", "-q"], cwd=d, check=True)
        self.made.append("repository")
        for variant in ("a", "b"):
            self._write(variant)
            subprocess.run(git + ["add", "-A"], cwd=d, check=True)
            subprocess.run(git + ["commit", "-qm", variant], cwd=d, check=True)
            for attempt in range(3):  # set-up, not measured: the shared engine's BuildKit fails now and then
                code, _, report, err = mcp(self.args.mcp, d, "push", "--tag", f"bench-{variant}")
                if code == 0 and report:
                    break
                say(f"mcp push ({variant}) failed ({code}), attempt {attempt + 1} of 3: {tail(err, 1)}")
                time.sleep(5)
            else:
                raise SystemExit(f"lambda: mcp push ({variant}) failed ({code}): {tail(err)}")
            self.images.append(report["image"])
        sync(self.fn)
        iam = boto3.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        self.made.append("role")
        name_part, digest = self.images[0].split("@", 1)
        repo = name_part.rsplit(":", 1)[0]
        self.lam.create_function(
            FunctionName=self.fn, PackageType="Image", Code={"ImageUri": f"{repo}@{digest}"}, Role=role,
            Timeout=30, MemorySize=256,
            Environment={"Variables": {"ALLOWED_HOSTS": "*", "AWS_LWA_PORT": "8000",
                                       "AWS_LWA_READINESS_CHECK_PATH": "/healthz"}},
        )
        self.made.append("function")
        deadline = time.time() + 120
        while time.time() < deadline:
            cfg = self.lam.get_function_configuration(FunctionName=self.fn)
            if cfg.get("State") == "Active":
                break
            if cfg.get("State") == "Failed":
                raise SystemExit(f"lambda: the function failed to start: {cfg.get('StateReason')}")
            time.sleep(0.5)
        else:
            raise SystemExit("lambda: the function did not become Active within 120 s")
        # The first deploy makes `live`, `candidate` and their URLs: not what is timed.
        code, wall, report, err = mcp(self.args.mcp, d, "deploy", "--image", self.images[0])
        if code != 0:
            raise SystemExit(f"lambda: first deploy failed ({code}): {tail(err)}")
        say(f"{self.fn}: function made, first deploy in {wall:.1f}s (untimed)")

    def live(self):
        return self.lam.get_alias(FunctionName=self.fn, Name="live")["FunctionVersion"]

    def current_image(self):
        return self.lam.get_function(FunctionName=self.fn)["Code"].get("ResolvedImageUri", "")

    def aliases(self, client):
        """(candidate's version, live's version)."""
        return tuple(client.get_alias(FunctionName=self.fn, Name=a)["FunctionVersion"] for a in ("candidate", "live"))

    def deploy(self):
        candidate, before = self.aliases(self.lam)
        running = self.current_image()
        digest_a = self.images[0].split("@", 1)[1]
        target = self.images[1] if running.endswith(digest_a) else self.images[0]
        poll = boto3.client("lambda")
        # `candidate` moves once the new version is published (the gate starts), `live` once it passed.
        with Poller(lambda: self.aliases(poll), gate=lambda v: v[0] != candidate, moved=lambda v: v[1] != before) as p:
            t0 = time.monotonic()
            code, wall, report, err = mcp(self.args.mcp, self.dir, "deploy", "--image", target)
        after = self.live()
        if code != 0 or (report or {}).get("status") != "succeeded" or after == before:
            return {"ok": False, "why": f"exit {code}, live {before} -> {after}: {tail(err)}"}
        self.before = before
        return {"ok": True, "wall": wall, **p.since(t0), "detail": f"live {before} -> {after}"}

    def rollback(self):
        now, want = self.live(), self.before
        poll = boto3.client("lambda")
        with Poller(lambda: self.aliases(poll)[1], moved=lambda v: v == want) as p:
            t0 = time.monotonic()
            code, wall, report, err = mcp(self.args.mcp, self.dir, "rollback")
        after = self.live()
        if code != 0 or after != want:
            return {"ok": False, "why": f"exit {code}, live {now} -> {after} (wanted {want}): {tail(err)}"}
        return {"ok": True, "wall": wall, **p.since(t0), "detail": f"live {now} -> {after}"}

    def settle(self):
        pass

    def exists(self):
        try:
            self.lam.get_function(FunctionName=self.fn)
            return True
        except botocore.exceptions.ClientError:
            return False

    def cleanup(self):
        if "function" in self.made:
            try:
                self.lam.delete_function(FunctionName=self.fn)
            except botocore.exceptions.ClientError as exc:
                say(f"could not delete function {self.fn}: {exc}")
            try:
                boto3.client("logs").delete_log_group(logGroupName=f"/aws/lambda/{self.fn}")
            except botocore.exceptions.ClientError:
                pass
        if "role" in self.made:
            try:
                boto3.client("iam").delete_role(RoleName=self.role_name)
            except botocore.exceptions.ClientError:
                pass
        delete_repository(self.fn)
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------
# ECS (rolling and blue/green), services seeded by tests/testbed/seed.py
# --------------------------------------------------------------------------


def delete_repository(name):
    """The ECR repository, and this engine's tags of it (by name: never an image id, which other tags share)."""
    try:
        boto3.client("ecr").delete_repository(repositoryName=name, force=True)
    except botocore.exceptions.ClientError:
        pass
    registry = os.environ["MCP_TESTBED_REGISTRY"]
    for ref in (f"{registry}/{name}", name):  # `mcp push` also tags its local build NAME:TAG
        out = subprocess.run([DOCKER, "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={ref}"],
                             capture_output=True, text=True)
        for tagged in sorted(set(out.stdout.split())):
            if not tagged.startswith(f"{ref}:"):
                continue
            # The last tag of an image a just-removed Lambda instance ran: the engine may still hold
            # the container for a moment.
            for _ in range(20):
                if subprocess.run([DOCKER, "rmi", "--no-prune", tagged], capture_output=True).returncode == 0:
                    break
                time.sleep(0.5)


def tag(image):
    """The tag of REGISTRY/REPO:TAG[@sha256:...]."""
    return image.split("@")[0].rsplit(":", 1)[1]


def listener_url(arn):
    with urllib.request.urlopen(os.environ["MCP_TESTBED_CONTROL"] + "/lb", timeout=10) as resp:
        return json.load(resp)["listeners"][arn]["url"]


class EcsTarget:
    def __init__(self, args, name, suffix):
        self.args = args
        self.name = name
        self.svc = f"bench-lam-{'roll' if name == 'rolling' else 'bg'}-{suffix}"
        self.ecs = boto3.client("ecs")
        self.elbv2 = boto3.client("elbv2")
        self.dir = tempfile.mkdtemp(prefix=f"mcp-bench-{name}-")
        self.info = None

    def setup(self):
        lb = "plain" if self.name == "rolling" else "advanced"
        out = subprocess.run(
            [sys.executable, SEED, "service", "--cluster", self.svc, "--service", self.svc, "--repository", self.svc,
             "--load-balancer", lb, "--rollout-delay", str(ROLLOUT_DELAY), "--wait", "--timeout", "180"],
            capture_output=True, text=True)
        # seed.py may have made part of it before failing: cleanup goes by name, so it is safe.
        self.info = {"cluster": self.svc, "service": self.svc}
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: seed.py failed: {tail(out.stderr)}")
        self.info = json.loads(out.stdout)
        lbinfo = self.info["load_balancer"]
        prod = listener_url(lbinfo["production_listener"])
        self.rules = (self._rule(lbinfo["test_listener"]), self._rule(lbinfo["production_listener"]))
        registry = os.environ["MCP_TESTBED_REGISTRY"]
        self.images = []
        for local in (self.args.ecs_a, self.args.ecs_b):
            uri = f"{registry}/{self.svc}:{local.rsplit(':', 1)[1]}"
            subprocess.run([DOCKER, "tag", local, uri], check=True)
            subprocess.run([DOCKER, "push", "-q", uri], check=True, capture_output=True)
            self.images.append(uri)
        sync(self.svc)
        if self.name == "rolling":
            deploy = f'strategy = "rolling"\nurl = "{prod}/mcp"\n'
        else:
            test = listener_url(lbinfo["test_listener"])
            deploy = f'strategy = "blue_green"\nurl = "{prod}/mcp"\ntest_url = "{test}/mcp"\n'
        self._project(deploy)
        # The service runs busybox until a first, untimed deploy puts echo-server A in (no bake).
        code, wall, _, err = mcp(self.args.mcp, self.dir, "deploy", "--image", self.images[0],
                                 *(["--wait-until", "complete"] if self.name == "blue_green" else []))
        if code != 0:
            raise SystemExit(f"{self.name}: first deploy failed ({code}): {tail(err)}")
        self.settle()
        if self.name == "blue_green":
            self._project(deploy + 'bake = "120m"\n')
        say(f"{self.svc}: seeded, first deploy in {wall:.1f}s (untimed)")

    def _project(self, deploy):
        c = self.info.get("container", "mcp")
        with open(os.path.join(self.dir, "mcp.toml"), "w") as fh:
            fh.write(f'name = "{self.svc}"\n\n[ecr]\nrepository = "{self.svc}"\n\n'
                     f'[ecs]\ncluster = "{self.svc}"\nservice = "{self.svc}"\ncontainer = "{c}"\n\n'
                     f'[deploy]\ntimeout = "5m"\n{deploy}')

    def _rule(self, listener):
        return next(r["RuleArn"] for r in self.elbv2.describe_rules(ListenerArn=listener)["Rules"] if not r["IsDefault"])

    def weights(self, client=None):
        """The target-group weights of (the test listener's rule, the production listener's rule)."""
        out = []
        for rule in (client or self.elbv2).describe_rules(RuleArns=list(self.rules))["Rules"]:
            groups = rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
            out.append((rule["RuleArn"], tuple(sorted((g["TargetGroupArn"], g.get("Weight", 0)) for g in groups))))
        by_rule = dict(out)
        return tuple(by_rule[r] for r in self.rules)

    def service(self):
        return self.ecs.describe_services(cluster=self.svc, services=[self.svc])["services"][0]

    def image(self):
        return self.revision()[1]

    def revision(self):
        """(revision number, image) of the task definition the service runs."""
        td = self.ecs.describe_task_definition(taskDefinition=self.service()["taskDefinition"])["taskDefinition"]
        return td["revision"], td["containerDefinitions"][0]["image"]

    def exists(self):
        try:
            return self.service().get("status") == "ACTIVE"
        except (botocore.exceptions.ClientError, IndexError):
            return False

    def settle(self, timeout=180):
        """Until one deployment remains and no service deployment is in progress (untimed)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            svc = self.service()
            busy = len(svc["deployments"]) > 1 or svc["deployments"][0].get("rolloutState") == "IN_PROGRESS"
            arn = svc.get("currentServiceDeployment")
            if arn and not busy:
                sd = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
                busy = sd["status"] in ("PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
            if not busy:
                return
            time.sleep(0.5)
        raise SystemExit(f"{self.svc} still busy after {timeout}s")

    def _timed(self, args, **checks):
        """Run mcp; for blue/green, when the listener rules changed as `checks` want (s since start)."""
        if self.name == "blue_green":
            poll = boto3.client("elbv2")
            with Poller(lambda: self.weights(poll), **checks) as p:
                t0 = time.monotonic()
                code, wall, report, err = mcp(self.args.mcp, self.dir, *args)
            return code, wall, report, err, p.since(t0)
        code, wall, report, err = mcp(self.args.mcp, self.dir, *args)
        return code, wall, report, err, {}

    def deploy(self):
        self.before_image = self.image()
        weights = self.weights()
        target = self.images[1] if self.before_image.startswith(self.images[0]) else self.images[0]
        # The test listener moves to the new tasks when the gate starts, production when it passed.
        code, wall, report, err, times = self._timed(["deploy", "--image", target], gate=lambda w: w[0] != weights[0],
                                                     moved=lambda w: w[1] != weights[1])
        self.before_weights = weights
        self.deployed, now = self.revision()
        if code != 0 or (report or {}).get("status") != "succeeded" or not now.startswith(target):
            return {"ok": False, "why": f"exit {code}, runs {now}: {tail(err)}"}
        return {"ok": True, "wall": wall, **times, "detail": f"-> revision {self.deployed}, {tag(target)}"}

    def rollback(self):
        want, weights = self.before_image, self.before_weights
        code, wall, report, err, times = self._timed(["rollback"], moved=lambda w: w[1] == weights[1])
        self.settle()
        revision, now = self.revision()
        # A rollback puts an older revision back. Which one is mcp's choice (rolling: "the newest
        # older revision whose rollout completed"); whether it runs the image live before is noted.
        if code != 0 or revision >= self.deployed:
            return {"ok": False, "why": f"exit {code}, runs revision {revision} {tag(now)} "
                                        f"(deployed {self.deployed}): {tail(err)}"}
        return {"ok": True, "wall": wall, **times, "image_live_before": tag(now) == tag(want),
                "detail": f"-> revision {revision}, {tag(now)}"}

    def cleanup(self):
        if self.info is None:  # seed.py never ran
            shutil.rmtree(self.dir, ignore_errors=True)
            return
        ecs, elbv2 = self.ecs, self.elbv2
        try:
            ecs.update_service(cluster=self.svc, service=self.svc, desiredCount=0)
            ecs.delete_service(cluster=self.svc, service=self.svc, force=True)
        except botocore.exceptions.ClientError as exc:
            say(f"could not delete service {self.svc}: {exc}")
        for attempt in range(20):
            try:
                ecs.delete_cluster(cluster=self.svc)
                break
            except botocore.exceptions.ClientError:
                time.sleep(0.5)
        try:
            for arn in ecs.list_task_definitions(familyPrefix=self.svc)["taskDefinitionArns"]:
                ecs.deregister_task_definition(taskDefinition=arn)
        except botocore.exceptions.ClientError:
            pass
        try:
            lbs = [x for x in elbv2.describe_load_balancers()["LoadBalancers"] if x["LoadBalancerName"] == self.svc[:32]]
            for lb in lbs:
                for ln in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
                    elbv2.delete_listener(ListenerArn=ln["ListenerArn"])
                elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
            for tg in elbv2.describe_target_groups()["TargetGroups"]:
                if tg["TargetGroupName"] in (f"{self.svc[:30]}-a", f"{self.svc[:30]}-b"):
                    elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        except botocore.exceptions.ClientError as exc:
            say(f"could not delete the load balancer of {self.svc}: {exc}")
        try:
            boto3.client("logs").delete_log_group(logGroupName=f"/ecs/{self.svc}")
        except botocore.exceptions.ClientError:
            pass
        delete_repository(self.svc)
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcp", required=True)
    ap.add_argument("--echo-bin", required=True, help="a static examples/echo-server binary")
    ap.add_argument("--ecs-a", required=True, help="local image of echo-server, variant a (NAME:TAG)")
    ap.add_argument("--ecs-b", required=True, help="local image of echo-server, variant b (NAME:TAG)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--raw", help="write every run as JSON here")
    ap.add_argument("--keep", action="store_true", help="leave the function and services in place")
    args = ap.parse_args()

    def make():
        suffix = f"{os.getpid()}-{int(time.time()) % 100000}"
        made = [LambdaTarget(args, suffix), EcsTarget(args, "rolling", suffix), EcsTarget(args, "blue_green", suffix)]
        everything.extend(made)
        for t in made:
            say(f"setting up {t.name}")
            t.setup()
        return made

    everything = []  # every target made, cleaned up at the end
    results = {name: {"deploy": [], "rollback": []} for name in TARGETS}
    resets = 0
    load_before = open("/proc/loadavg").read().split()[:3]
    started = time.time()
    try:
        targets = make()
        for i in range(args.runs):
            k = i % len(targets)
            reset = False
            for t in targets[k:] + targets[:k]:
                for op in ("deploy", "rollback"):
                    try:
                        r = getattr(t, op)()
                    except (botocore.exceptions.ClientError, SystemExit, IndexError, KeyError) as exc:
                        r = {"ok": False, "why": f"{type(exc).__name__}: {exc}"}
                    if not r["ok"] and not all(x.exists() for x in targets):
                        # Another session restarted the shared moto (AWS state emptied): not mcp's
                        # doing. Drop the run, make everything again under new names (bounded), go on.
                        reset = True
                        break
                    results[t.name][op].append(r)
                    marks = "".join(f", {m} at {r[m]:.2f}s" for m in ("gate", "moved") if r.get(m) is not None)
                    shown = (f"{r['wall']:.2f}s{marks}"
                             + f" ({r['detail']})") if r["ok"] else f"FAILED: {r['why']}"
                    say(f"round {i + 1}/{args.runs} {t.name} {op}: {shown}")
                    if op == "deploy" and not r["ok"]:
                        break  # no rollback of a deploy that did not happen
                if not reset and t.name != "lambda":
                    try:
                        t.settle()
                    except (botocore.exceptions.ClientError, SystemExit) as exc:
                        say(f"{t.name} did not settle: {exc}")
                        reset = not all(x.exists() for x in targets)
                if reset:
                    break
            if reset:
                resets += 1
                say(f"round {i + 1}: the testbed lost this run's function or services (moto restarted by "
                    f"another session?); the run is dropped and everything made again ({resets} of at most 3)")
                if resets > 3:
                    raise SystemExit("lambda: the testbed keeps being reset; giving up")
                targets = make()
            if args.raw:
                with open(args.raw, "w") as fh:
                    json.dump(results, fh, indent=1)
    finally:
        load_after = open("/proc/loadavg").read().split()[:3]
        if args.keep:
            say("--keep: leaving the function and services in place")
        else:
            for t in everything:
                say(f"cleaning up {t.name}")
                try:
                    t.cleanup()
                except Exception as exc:  # noqa: BLE001 - clean the others anyway, and say what was left
                    say(f"cleanup of {t.name} failed: {exc}")
    if args.raw:
        with open(args.raw, "w") as fh:
            json.dump(results, fh, indent=1)

    def cell(runs, key):
        v = [r[key] for r in runs if r["ok"] and r.get(key) is not None]
        return f"{statistics.median(v):.2f} / {percentile(v, 95):.2f}" if v else "–"

    labels = {"lambda": "Lambda", "rolling": "ECS rolling", "blue_green": "ECS blue/green"}
    print(f"Load average before/after: {' '.join(load_before)} / {' '.join(load_after)}; "
          f"{args.runs} rounds in {(time.time() - started) / 60:.1f} min"
          + (f"; {resets} run(s) dropped because the shared testbed lost the function or a service mid-run (another "
             "session restarting moto does that), after which everything was made again" if resets else "") + ".\n")
    print("| target | command | ok/runs | wall | start → gate starts | start → traffic moved |")
    print("|---|---|---|---|---|---|")
    for name in TARGETS:
        for op, cmd in (("deploy", "`mcp deploy --image`"), ("rollback", "`mcp rollback`")):
            runs = results[name][op]
            ok = sum(1 for r in runs if r["ok"])
            print(f"| {labels[name]} | {cmd} | {ok}/{len(runs)} | {cell(runs, 'wall')} | {cell(runs, 'gate')} | {cell(runs, 'moved')} |")
    for name in TARGETS:
        for op in ("deploy", "rollback"):
            for r in results[name][op]:
                if not r["ok"]:
                    print(f"\nFailed run, {labels[name]} {op}: {r['why']}")
    for name in TARGETS:
        back = [r for r in results[name]["rollback"] if r["ok"]]
        other = [r for r in back if r.get("image_live_before") is False]
        if other:
            print(f"\n{labels[name]}: {len(other)} of {len(back)} `mcp rollback` runs went back to an older "
                  "revision that runs the image just deployed, not the one live before the deploy (" +
                  "; ".join(r["detail"].lstrip("-> ") for r in other) + "). On a rolling service "
                  "`mcp rollback` takes the newest older revision whose rollout completed; after an "
                  "earlier rollback that is the revision rolled back from. Each is still a full rolling "
                  "deployment, so the times stand; Lambda's rollback follows the `mcp:live` tag instead.")
    lam = [r for r in results["lambda"]["rollback"] if r["ok"]]
    if lam:
        walls = [r["wall"] for r in lam]
        moved = [r["moved"] for r in lam if r.get("moved") is not None]
        verdict = "under" if max(walls) < 5 else "**not** under"
        print(f"\n**Issue 29's \"Done when\", rollback under 5 s:** over {len(lam)} runs of `mcp rollback` on "
              f"the Lambda stage, `live` was back on the previous version "
              + (f"{statistics.median(moved):.2f} s after the start (median; {max(moved):.2f} s the slowest), "
                 if moved else "")
              + f"and the whole command, the check of the live URL included, took {statistics.median(walls):.2f} s "
              f"(median), {max(walls):.2f} s the slowest: {verdict} 5 s on the testbed.")


if __name__ == "__main__":
    main()
