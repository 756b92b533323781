#!/usr/bin/env python3
"""Fast self-check of the testbed (plain asserts, no pytest): run tests/testbed/up.sh first.

    python3 tests/testbed/selftest.py [-k NAME]

Every check uses unique names and cleans up after itself.  The last line is
`testbed selftest: N passed, M failed`.
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import re
import shlex
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed  # noqa: E402

seed.load_env()
import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.credentials  # noqa: E402
import botocore.exceptions  # noqa: E402
import docker  # noqa: E402

ecr = boto3.client("ecr")
ecs = boto3.client("ecs")
logs = boto3.client("logs")
sm = boto3.client("secretsmanager")
cw = boto3.client("cloudwatch")
dk = docker.from_env()
CONTROL = os.environ["MCP_TESTBED_CONTROL"]


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(what, fn, timeout=30, interval=0.2):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def describe(cluster, service):
    return ecs.describe_services(cluster=cluster, services=[service])["services"][0]


def stopped_tasks(cluster, service):
    arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED")["taskArns"]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def running_tasks(cluster, service):
    arns = ecs.list_tasks(cluster=cluster, serviceName=service)["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t["lastStatus"] == "RUNNING"]


def log_messages(group, stream):
    try:
        return [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]]
    except logs.exceptions.ResourceNotFoundException:
        return []


def make_service(name, **kw):
    args = argparse.Namespace(
        cluster=name, service=name, repository=None, container="mcp", circuit_breaker=kw.get("breaker", True),
        rollback=kw.get("rollback", True), rollout_delay=kw.get("delay", 0.5), failure_threshold=kw.get("threshold", 2),
        publish_ports=False, desired=kw.get("desired", 1), wait=True, timeout=60,
        load_balancer=kw.get("load_balancer", "none"),
    )
    return seed.seed_service(args)


def new_revision(info, **changes):
    """Register a new revision of the seeded family with container changes; return its ARN."""
    td = ecs.describe_task_definition(taskDefinition=info["task_definition_arn"])["taskDefinition"]
    container = dict(td["containerDefinitions"][0])
    container.update(changes)
    return seed.register_task_definition(ecs, td["family"], [container])["taskDefinitionArn"]


def cleanup(info):
    try:
        ecs.update_service(cluster=info["cluster"], service=info["service"], desiredCount=0)
        ecs.delete_service(cluster=info["cluster"], service=info["service"], force=True)
        wait_for("task containers removed", lambda: not dk.api.containers(
            all=True, filters={"label": f"mcp-testbed.service={info['service']}"}), timeout=20)
        ecr.delete_repository(repositoryName=info["repository"], force=True)
        logs.delete_log_group(logGroupName=info["log_group"])
        remove_local_tags(info["repository"])
    except Exception as exc:  # cleanup must not hide the real result
        print(f"  (cleanup of {info['service']} failed: {exc})")


# ---------------------------------------------------------------------------
def check_push_visible_in_ecr():
    repo = uniq("selftest/push")
    seed.ensure_repository(ecr, repo)
    try:
        t0 = time.time()
        digest = seed.push_image(ecr, repo, "v1")
        pushed = time.time()
        images = wait_for("image in DescribeImages", lambda: ecr.describe_images(repositoryName=repo)["imageDetails"], timeout=5, interval=0.05)
        visible = time.time()
        assert visible - pushed < 1.5, f"push took {visible - pushed:.2f}s to reach moto"
        assert images[0]["imageDigest"] == digest, (images, digest)
        assert images[0]["imageTags"] == ["v1"], images
        got = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])["images"][0]
        assert "sha256:" + hashlib.sha256(got["imageManifest"].encode()).hexdigest() == digest
        # second tag on the same manifest + a forced resync keep one image with both tags
        seed.push_image(ecr, repo, "v2")
        req = urllib.request.Request(f"{CONTROL}/sync", method="POST", data=b"")
        summary = json.loads(urllib.request.urlopen(req, timeout=30).read())
        assert "recorded" in summary, summary
        images = ecr.describe_images(repositoryName=repo)["imageDetails"]
        assert len(images) == 1 and sorted(images[0]["imageTags"]) == ["v1", "v2"], images
        print(f"  docker push {pushed - t0:.2f}s, visible in DescribeImages after {visible - pushed:.2f}s, digest {digest[:19]}")
    finally:
        ecr.delete_repository(repositoryName=repo, force=True)
        remove_local_tags(repo)


def check_seed_runs_real_container_with_logs():
    name = uniq("st-seed")
    info = make_service(name)
    try:
        svc = describe(name, name)
        assert svc["deployments"][0]["rolloutState"] == "COMPLETED" and svc["runningCount"] == 1, svc["deployments"]
        assert any("has reached a steady state" in e["message"] for e in svc["events"]), svc["events"]
        task = running_tasks(name, name)[0]
        task_id = task["taskArn"].split("/")[-1]
        ip = task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"]
        assert ip, task
        (container,) = dk.containers.list(filters={"label": f"mcp-testbed.task={task_id}"})
        env = container.attrs["Config"]["Env"]
        assert "APP_ENV=testbed" in env and "GREETING=hello" in env, env
        stream = f"ecs/mcp/{task_id}"
        wait_for("startup line in CloudWatch", lambda: any("serving on :8000" in m for m in log_messages(info["log_group"], stream)), timeout=5)
        # The server really serves (probed from inside the task: loopback only).
        rc, out = container.exec_run(["wget", "-q", "-O", "-", "http://127.0.0.1:8000/healthz"])
        assert rc == 0 and out.strip() == b"ok", (rc, out)
        # httpd -v logs each request ("...: response:200") on stderr: it must reach CloudWatch within ~1 s.
        t0 = time.time()
        wait_for("access log line in CloudWatch", lambda: any("response:200" in m for m in log_messages(info["log_group"], stream)), timeout=3, interval=0.1)
        print(f"  task {task_id[:8]} at {ip}, live log line after {time.time() - t0:.2f}s")
    finally:
        cleanup(info)


def check_unpullable_image_trips_breaker_and_rolls_back():
    name = uniq("st-pull")
    info = make_service(name, breaker=True, rollback=True, threshold=2)
    try:
        good_td = info["task_definition_arn"]
        good_dep = describe(name, name)["deployments"][0]["id"]
        bad_td = new_revision(info, image=f"{info['repository_uri']}:does-not-exist")
        resp = ecs.update_service(cluster=name, service=name, taskDefinition=bad_td)["service"]
        primary = resp["deployments"][0]
        assert primary["status"] == "PRIMARY" and primary["rolloutState"] == "IN_PROGRESS", primary
        assert primary["taskDefinition"] == bad_td and primary["id"] != good_dep, primary
        assert primary["id"].startswith("ecs-svc/") and len(primary["id"]) == len("ecs-svc/") + 19
        assert [d["status"] for d in resp["deployments"]] == ["PRIMARY", "ACTIVE"], resp["deployments"]
        bad_dep = primary["id"]

        def failed_seen():
            svc = describe(name, name)
            dep = next((d for d in svc["deployments"] if d["id"] == bad_dep), None)
            return dep if dep and dep["rolloutState"] == "FAILED" else None

        dep = wait_for("deployment FAILED", failed_seen, timeout=30, interval=0.1)
        assert dep["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start.", dep
        assert dep["failedTasks"] >= 2, dep
        stopped = [t for t in stopped_tasks(name, name) if t["startedBy"] == bad_dep]
        assert stopped and stopped[0]["stoppedReason"].startswith(
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): "), stopped[0]["stoppedReason"]
        assert stopped[0]["containers"][0]["reason"].startswith("CannotPullContainerError"), stopped[0]["containers"]
        svc = wait_for("rollback COMPLETED", lambda: (lambda s: s if s["deployments"][0]["rolloutState"] == "COMPLETED"
                       and s["deployments"][0]["id"] not in (good_dep, bad_dep) and len(s["deployments"]) == 1 else None)(describe(name, name)), timeout=30)
        assert svc["taskDefinition"] == good_td and svc["deployments"][0]["taskDefinition"] == good_td, svc
        messages = [e["message"] for e in svc["events"]]
        assert f"(service {name}) (deployment {bad_dep}) deployment failed: tasks failed to start." in messages, messages
        assert f"(service {name}) rolling back to deployment {good_dep}." in messages, messages
        assert svc["runningCount"] == 1
        print(f"  {bad_dep} FAILED after {dep['failedTasks']} failed tasks, rolled back to {good_td.split('/')[-1]}")
    finally:
        cleanup(info)


def check_exiting_container_without_breaker():
    name = uniq("st-exit")
    info = make_service(name, breaker=False)
    try:
        old_dep = describe(name, name)["deployments"][0]["id"]
        bad_td = new_revision(info, command=["sh", "-c", "echo about to fail; exit 3"])
        new_dep = ecs.update_service(cluster=name, service=name, taskDefinition=bad_td)["service"]["deployments"][0]["id"]
        tasks = wait_for("a stopped task", lambda: [t for t in stopped_tasks(name, name) if t["startedBy"] == new_dep and t["lastStatus"] == "STOPPED"], timeout=20)
        t = tasks[0]
        assert t["stoppedReason"] == "Essential container in task exited", t["stoppedReason"]
        assert t["stopCode"] == "EssentialContainerExited", t
        assert t["containers"][0]["exitCode"] == 3, t["containers"]
        task_id = t["taskArn"].split("/")[-1]
        assert "about to fail" in log_messages(info["log_group"], f"ecs/mcp/{task_id}")
        svc = wait_for("retries", lambda: (lambda s: s if s["deployments"][0]["failedTasks"] >= 2 else None)(describe(name, name)), timeout=20)
        assert svc["deployments"][0]["rolloutState"] == "IN_PROGRESS", svc["deployments"]  # no breaker: keeps trying
        assert [d["id"] for d in svc["deployments"]] == [new_dep, old_dep], svc["deployments"]
        assert svc["deployments"][1]["runningCount"] == 1  # the old deployment keeps serving
        print(f"  exitCode 3, failedTasks {svc['deployments'][0]['failedTasks']}, old deployment still running")
    finally:
        cleanup(info)


def check_secrets_injected():
    name = uniq("st-secret")
    info = make_service(name)
    secret = sm.create_secret(Name=f"{name}/db", SecretString=json.dumps({"password": "s3cr3t", "user": "app"}))
    plain = sm.create_secret(Name=f"{name}/token", SecretString="tok-123")
    try:
        td = new_revision(
            info,
            command=["sh", "-c", "echo pw=$DB_PASSWORD tok=$API_TOKEN; exec httpd -f -p 8000 -h /"],
            secrets=[
                {"name": "DB_PASSWORD", "valueFrom": f"{secret['ARN']}:password::"},
                {"name": "API_TOKEN", "valueFrom": plain["Name"]},
            ],
        )
        dep = ecs.update_service(cluster=name, service=name, taskDefinition=td)["service"]["deployments"][0]["id"]
        seed.wait_completed(ecs, name, name, timeout=30, deployment_id=dep)
        task_id = running_tasks(name, name)[0]["taskArn"].split("/")[-1]
        wait_for("secret values in the logs", lambda: "pw=s3cr3t tok=tok-123" in log_messages(info["log_group"], f"ecs/mcp/{task_id}"), timeout=5)
        # A missing secret fails the task before it starts.
        missing = new_revision(info, secrets=[{"name": "X", "valueFrom": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}/nope-AbCdEf"}])
        dep = ecs.update_service(cluster=name, service=name, taskDefinition=missing)["service"]["deployments"][0]["id"]
        tasks = wait_for("secret failure", lambda: [t for t in stopped_tasks(name, name) if t["startedBy"] == dep], timeout=20)
        assert tasks[0]["stoppedReason"].startswith("ResourceInitializationError: unable to pull secrets"), tasks[0]["stoppedReason"]
        print("  Secrets Manager values (plain + json key) injected; missing secret -> ResourceInitializationError")
    finally:
        cleanup(info)
        for s in (secret, plain):
            sm.delete_secret(SecretId=s["ARN"], ForceDeleteWithoutRecovery=True)


def check_scaling_and_no_op_updates():
    name = uniq("st-scale")
    info = make_service(name, desired=1)
    try:
        dep = describe(name, name)["deployments"][0]["id"]
        svc = ecs.update_service(cluster=name, service=name, taskDefinition=info["task_definition_arn"])["service"]
        assert [d["id"] for d in svc["deployments"]] == [dep], "same task definition must not start a deployment"
        ecs.update_service(cluster=name, service=name, desiredCount=2)
        wait_for("2 running", lambda: len(running_tasks(name, name)) == 2, timeout=20)
        ecs.update_service(cluster=name, service=name, desiredCount=0)
        wait_for("0 running", lambda: describe(name, name)["runningCount"] == 0 and not running_tasks(name, name), timeout=20)
        assert describe(name, name)["deployments"][0]["id"] == dep
        svc = ecs.update_service(cluster=name, service=name, desiredCount=1, forceNewDeployment=True)["service"]
        new = svc["deployments"][0]["id"]
        assert new != dep and svc["deployments"][0]["rolloutState"] == "IN_PROGRESS", svc["deployments"]
        seed.wait_completed(ecs, name, name, timeout=30, deployment_id=new)
        print("  no-op update kept the deployment; scaled 1 -> 2 -> 0; force created a new one")
    finally:
        cleanup(info)


def check_ecr_api_changes_reach_registry():
    """ECR API retag (PutImage) and delete (BatchDeleteImage) are mirrored in the real registry;
    the registry's TLS is trusted by the system store (what curl and rustls-platform-verifier read)."""
    import ssl

    repo = uniq("selftest/api")
    seed.ensure_repository(ecr, repo)
    host = os.environ["MCP_TESTBED_REGISTRY"]
    creds = seed.ecr_credentials(ecr)
    import base64

    auth = "Basic " + base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()

    def registry_get(path):
        # Default context = system trust store only: proves the CA is installed system-wide.
        ctx = ssl.create_default_context(cafile="/etc/ssl/certs/ca-certificates.crt")
        req = urllib.request.Request(f"https://{host}{path}", headers={
            "Authorization": auth, "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    try:
        digest = seed.push_image(ecr, repo, "v1")
        manifest = wait_for("image", lambda: ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])["images"], timeout=5)[0]["imageManifest"]
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="release")
        status, body = registry_get(f"/v2/{repo}/manifests/release")
        assert status == 200 and "sha256:" + hashlib.sha256(body).hexdigest() == digest, (status, body[:200])
        image = ecr.describe_images(repositoryName=repo)["imageDetails"][0]
        assert sorted(image["imageTags"]) == ["release", "v1"] and image["imageDigest"] == digest, image
        ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": digest}])
        status, _ = registry_get(f"/v2/{repo}/manifests/{digest}")
        assert status == 404, status
        assert ecr.describe_images(repositoryName=repo)["imageDetails"] == []
        print("  PutImage retag and BatchDeleteImage mirrored in the registry (system CA store trusted)")
    finally:
        ecr.delete_repository(repositoryName=repo, force=True)
        remove_local_tags(repo)


# ---------------------------------------------------------------------------
# Progressive delivery (progressive.py + lb.py)


def check_lb_weights_and_streaming():
    """lb.py alone: weighted rules, header conditions, SSE relayed as written, 503 without targets."""
    import http.server
    import socketserver
    import threading

    import lb

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/sse":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i in range(3):
                    self.wfile.write(f"data: {self.server.name}{i}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(0.4)
                self.close_connection = True
                return
            body = self.server.name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    servers = []

    def serve(name):
        srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads, srv.name = True, name
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv.server_address[1]

    reg = lb.Registry()
    try:
        reg.target_group("blue").set_targets([("127.0.0.1", serve("blue"))])
        reg.target_group("green").set_targets([("127.0.0.1", serve("green"))])
        ln = reg.listener("prod")
        header = [{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["1"]}}]
        ln.set_rules([lb.Rule(header, [("green", 1)], 1, "canary")], default=[("blue", 90), ("green", 10)])
        got = [urllib.request.urlopen(ln.url + "/", timeout=5).read().decode() for _ in range(20)]
        assert got.count("green") == 2 and got.count("blue") == 18, got  # smooth WRR: exactly 10 %
        req = urllib.request.Request(ln.url + "/", headers={"X-Canary": "1"})
        assert urllib.request.urlopen(req, timeout=5).read() == b"green"
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", ln.port, timeout=5)
        conn.request("GET", "/sse", headers={"X-Canary": "1"})
        resp = conn.getresponse()
        t0, arrivals = time.time(), []
        while True:
            data = resp.read1(1024)
            if not data:
                break
            arrivals.append((time.time() - t0, data))
        assert b"".join(d for _, d in arrivals) == b"data: green0\n\ndata: green1\n\ndata: green2\n\n", arrivals
        assert arrivals[0][0] < 0.3, f"first event buffered: {arrivals}"  # relayed as written, not at the end
        ln.set_rules([], default=[("blue", 0), ("green", 0)])
        try:
            urllib.request.urlopen(ln.url + "/", timeout=5)
            raise AssertionError("expected 503")
        except urllib.error.HTTPError as err:
            assert err.code == 503, err
        print(f"  10 % weight -> 2/20 requests, SSE first event after {arrivals[0][0]:.2f}s, no weight -> 503")
    finally:
        reg.close_all()
        for srv in servers:
            srv.shutdown()


def sd_of(arn):
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def get(url, path="/version"):
    try:
        with urllib.request.urlopen(url + path, timeout=5) as resp:
            return resp.read().decode().strip()
    except urllib.error.HTTPError as err:
        return f"HTTP {err.code}"


def lb_stats(name, which):
    query = urllib.parse.urlencode({"cluster": name, "service": name})
    with urllib.request.urlopen(f"{CONTROL}/service-lb?{query}", timeout=10) as resp:
        entry = json.loads(resp.read())["loadBalancers"][0]
    return entry[which]["stats"], entry


def progressive_service(name):
    """A rolling service behind the seeded ALB (advancedConfiguration set), first deployment COMPLETED."""
    info = make_service(name, load_balancer="advanced")
    urls = info["load_balancer"]
    wait_for("production listener serves blue", lambda: get(urls["production_url"]) == "v1", timeout=10)
    return info, urls["production_url"], urls["test_url"]


def start_progressive(info, version, **config):
    td = new_revision(info, environment=[{"name": "VERSION", "value": version}])
    svc = ecs.update_service(cluster=info["cluster"], service=info["service"], taskDefinition=td,
                             deploymentConfiguration=config)["service"]
    return td, svc["currentServiceDeployment"]


def pause_hook(minutes=10, action="ROLLBACK", stage="POST_TEST_TRAFFIC_SHIFT"):
    return {"targetType": "PAUSE", "lifecycleStages": [stage],
            "timeoutConfiguration": {"timeoutInMinutes": minutes, "action": action}}


def awaiting(arn, stage="POST_TEST_TRAFFIC_SHIFT"):
    sd = sd_of(arn)
    hooks = [h for h in sd.get("lifecycleHookDetails", []) if h["status"] == "AWAITING_ACTION"]
    return (sd, hooks[0]) if hooks and sd.get("lifecycleStage") == stage else None


def cleanup_lb(info):
    lbinfo = info.get("load_balancer") or {}
    try:
        elbv2 = boto3.client("elbv2")
        if lbinfo.get("load_balancer_arn"):
            for ln in elbv2.describe_listeners(LoadBalancerArn=lbinfo["load_balancer_arn"])["Listeners"]:
                elbv2.delete_listener(ListenerArn=ln["ListenerArn"])
            elbv2.delete_load_balancer(LoadBalancerArn=lbinfo["load_balancer_arn"])
        for key in ("target_group_a", "target_group_b"):
            if lbinfo.get(key):
                elbv2.delete_target_group(TargetGroupArn=lbinfo[key])
    except Exception as exc:
        print(f"  (load balancer cleanup failed: {exc})")


def check_blue_green_pause_continue_completes():
    name = uniq("st-bg")
    info, prod, test = progressive_service(name)
    try:
        blue_td = info["task_definition_arn"]
        green_td, arn = start_progressive(
            info, "green", strategy="BLUE_GREEN", bakeTimeInMinutes=1, lifecycleHooks=[pause_hook()])
        assert arn and ":service-deployment/" in arn, arn
        stages = []

        def paused():
            sd = sd_of(arn)
            if sd.get("lifecycleStage") and (not stages or stages[-1] != sd["lifecycleStage"]):
                stages.append(sd["lifecycleStage"])
            return awaiting(arn)

        sd, hook = wait_for("pause at POST_TEST_TRAFFIC_SHIFT", paused, timeout=40, interval=0.1)
        assert sd["status"] == "IN_PROGRESS" and hook["targetType"] == "PAUSE" and hook["hookId"].startswith("ecs-pause-"), sd
        assert hook["timeoutAction"] == "ROLLBACK" and hook["expiresAt"], hook
        assert sd["targetServiceRevision"]["requestedTestTrafficWeight"] == 100.0, sd["targetServiceRevision"]
        assert sd["targetServiceRevision"]["requestedProductionTrafficWeight"] == 0.0, sd["targetServiceRevision"]
        # The test listener reaches the green tasks, production still only blue.
        assert get(test) == "green", get(test)
        assert [get(prod) for _ in range(10)] == ["v1"] * 10
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"], action="CONTINUE")

        def done():
            sd = sd_of(arn)
            if sd.get("lifecycleStage") and stages[-1] != sd["lifecycleStage"]:
                stages.append(sd["lifecycleStage"])
            return sd if sd["status"] == "SUCCESSFUL" else None

        sd = wait_for("SUCCESSFUL", done, timeout=30, interval=0.1)
        assert [h["status"] for h in sd["lifecycleHookDetails"]] == ["SUCCEEDED"], sd["lifecycleHookDetails"]
        want = ["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
                "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]
        assert [s for s in want if s in stages] == want and stages == want, stages
        assert sd["finishedAt"] and sd["alarms"]["status"] == "DISABLED", sd
        assert get(prod) == "green" and get(test) == "green"
        svc = wait_for("blue stopped", lambda: (lambda s: s if len(s["deployments"]) == 1 and s["runningCount"] == 1 else None)(describe(name, name)), timeout=20)
        assert svc["taskDefinition"] == green_td and svc["deployments"][0]["rolloutState"] == "COMPLETED", svc["deployments"]
        assert svc["currentServiceDeployment"] == arn, svc.get("currentServiceDeployment")
        listed = ecs.list_service_deployments(cluster=name, service=name)["serviceDeployments"]
        assert listed[0]["serviceDeploymentArn"] == arn and listed[0]["status"] == "SUCCESSFUL", listed
        assert len(listed) == 2 and listed[1]["status"] == "SUCCESSFUL", listed  # the initial rolling deployment
        assert blue_td != green_td
        print(f"  stages {' > '.join(s.replace('_TRAFFIC', '').replace('POST_', '+') for s in stages)}")
    finally:
        cleanup(info)
        cleanup_lb(info)


def check_blue_green_rollback_at_pause_never_reaches_production():
    name = uniq("st-bgrb")
    info, prod, test = progressive_service(name)
    try:
        blue_td = info["task_definition_arn"]
        _, arn = start_progressive(info, "broken", strategy="BLUE_GREEN", bakeTimeInMinutes=1, lifecycleHooks=[pause_hook()])
        sd, hook = wait_for("pause", lambda: awaiting(arn), timeout=40, interval=0.1)
        green_tg = info["load_balancer"]["target_group_b"]
        assert get(test) == "broken"
        for _ in range(20):
            assert get(prod) == "v1"
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"], action="ROLLBACK")
        sd = wait_for("ROLLBACK_SUCCESSFUL", lambda: (lambda d: d if d["status"] == "ROLLBACK_SUCCESSFUL" else None)(sd_of(arn)), timeout=20, interval=0.1)
        assert sd["rollback"]["reason"] and sd["rollback"]["serviceRevisionArn"].endswith(
            describe(name, name)["deployments"][0]["id"].split("/")[-1]), sd["rollback"]
        assert sd["lifecycleHookDetails"][0]["status"] == "FAILED", sd["lifecycleHookDetails"]
        stats, entry = lb_stats(name, "production")
        assert green_tg not in stats and stats[info["load_balancer"]["target_group_a"]]["requests"] >= 21, stats
        assert get(test) == "v1" and get(prod) == "v1"
        svc = describe(name, name)
        assert svc["taskDefinition"] == blue_td and len(svc["deployments"]) == 1, svc["deployments"]
        assert not entry["targets"][green_tg], entry["targets"]
        with_err = None
        try:
            ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"], action="CONTINUE")
        except ecs.exceptions.InvalidParameterException as exc:
            with_err = exc
        assert with_err is not None, "continuing a rolled-back deployment must fail"
        print(f"  production served {stats[info['load_balancer']['target_group_a']]['requests']} requests, none by green; rolled back")
    finally:
        cleanup(info)
        cleanup_lb(info)


def check_canary_alarm_during_bake_rolls_back():
    name = uniq("st-canary")
    info, prod, test = progressive_service(name)
    alarm = f"{name}-errors"
    cw.put_metric_alarm(AlarmName=alarm, MetricName="5xx", Namespace="mcp", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
    try:
        _, arn = start_progressive(
            info, "canary", strategy="CANARY", bakeTimeInMinutes=1,
            canaryConfiguration={"canaryPercent": 20.0, "canaryBakeTimeInMinutes": 30},
            alarms={"alarmNames": [alarm], "enable": True, "rollback": True})
        sd = wait_for("canary traffic", lambda: (lambda d: d if d["targetServiceRevision"].get("requestedProductionTrafficWeight") == 20.0 else None)(sd_of(arn)), timeout=40, interval=0.1)
        assert sd["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT" and sd["alarms"]["status"] == "MONITORING", sd
        got = [get(prod) for _ in range(10)]
        assert got.count("canary") == 2 and got.count("v1") == 8, got
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="testbed")
        t0 = time.time()
        sd = wait_for("ROLLBACK_SUCCESSFUL", lambda: (lambda d: d if d["status"] == "ROLLBACK_SUCCESSFUL" else None)(sd_of(arn)), timeout=20, interval=0.1)
        assert sd["alarms"]["status"] == "TRIGGERED" and sd["alarms"]["triggeredAlarmNames"] == [alarm], sd["alarms"]
        assert alarm in sd["rollback"]["reason"], sd["rollback"]
        assert [get(prod) for _ in range(5)] == ["v1"] * 5
        print(f"  20 % canary served 2/10, alarm -> ROLLBACK_SUCCESSFUL in {time.time() - t0:.1f}s")
    finally:
        cleanup(info)
        cleanup_lb(info)
        cw.delete_alarms(AlarmNames=[alarm])


def check_stop_service_deployment_during_bake():
    name = uniq("st-stop")
    info, prod, test = progressive_service(name)
    try:
        _, arn = start_progressive(info, "green", strategy="BLUE_GREEN", bakeTimeInMinutes=60)
        sd = wait_for("BAKE_TIME", lambda: (lambda d: d if d.get("lifecycleStage") == "BAKE_TIME" else None)(sd_of(arn)), timeout=40, interval=0.1)
        assert sd["targetServiceRevision"]["requestedProductionTrafficWeight"] == 100.0, sd
        assert get(prod) == "green"
        assert len(describe(name, name)["deployments"]) == 2  # blue still running during the bake
        t0 = time.time()
        assert ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")["serviceDeploymentArn"] == arn
        assert get(prod) == "v1"  # production is back on blue at once
        sd = wait_for("ROLLBACK_SUCCESSFUL", lambda: (lambda d: d if d["status"] == "ROLLBACK_SUCCESSFUL" else None)(sd_of(arn)), timeout=20, interval=0.1)
        took = time.time() - t0
        try:
            ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
            raise AssertionError("stopping a finished deployment must fail")
        except ecs.exceptions.ConflictException:
            pass
        try:
            ecs.stop_service_deployment(serviceDeploymentArn=arn[:-3] + "xyz", stopType="ROLLBACK")
            raise AssertionError("unknown ARN must fail")
        except ecs.exceptions.ServiceDeploymentNotFoundException:
            pass
        print(f"  StopServiceDeployment during bake: production back on blue immediately, ROLLBACK_SUCCESSFUL after {took:.1f}s")
    finally:
        cleanup(info)
        cleanup_lb(info)


def check_hook_timeout_takes_its_action():
    name = uniq("st-hookto")
    info, prod, test = progressive_service(name)
    try:
        _, arn = start_progressive(info, "green", strategy="LINEAR", bakeTimeInMinutes=1,
                                   linearConfiguration={"stepPercent": 50.0, "stepBakeTimeInMinutes": 1},
                                   lifecycleHooks=[pause_hook(minutes=2)])
        sd, hook = wait_for("pause", lambda: awaiting(arn), timeout=40, interval=0.1)
        t0 = time.time()
        sd = wait_for("ROLLBACK_SUCCESSFUL", lambda: (lambda d: d if d["status"] == "ROLLBACK_SUCCESSFUL" else None)(sd_of(arn)), timeout=20, interval=0.1)
        assert sd["lifecycleHookDetails"][0]["status"] == "TIMED_OUT", sd["lifecycleHookDetails"]
        assert "timed out" in sd["rollback"]["reason"], sd["rollback"]
        assert get(prod) == "v1"
        print(f"  hook timed out after {time.time() - t0:.1f}s more (2 simulated minutes): ROLLBACK_SUCCESSFUL")
        # LINEAR good path: 50 % then 100 %.
        _, arn = start_progressive(info, "linear", strategy="LINEAR", bakeTimeInMinutes=1, lifecycleHooks=[],
                                   linearConfiguration={"stepPercent": 50.0, "stepBakeTimeInMinutes": 2})
        wait_for("50 %", lambda: sd_of(arn)["targetServiceRevision"].get("requestedProductionTrafficWeight") == 50.0, timeout=40, interval=0.1)
        got = [get(prod) for _ in range(10)]
        assert got.count("linear") == 5, got
        wait_for("SUCCESSFUL", lambda: sd_of(arn)["status"] == "SUCCESSFUL", timeout=30, interval=0.1)
        assert get(prod) == "linear"
    finally:
        cleanup(info)
        cleanup_lb(info)


def check_progressive_validation_errors():
    name = uniq("st-noadv")
    info = make_service(name, load_balancer="plain")
    try:
        td = new_revision(info, environment=[{"name": "VERSION", "value": "green"}])
        try:
            ecs.update_service(cluster=name, service=name, taskDefinition=td,
                               deploymentConfiguration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1})
            raise AssertionError("BLUE_GREEN without advancedConfiguration must fail")
        except ecs.exceptions.InvalidParameterException as exc:
            message = exc.response["Error"]["Message"]
            assert "advancedConfiguration" in message and "BLUE_GREEN" in message, message
        svc = describe(name, name)
        assert len(svc["deployments"]) == 1 and svc["taskDefinition"] == info["task_definition_arn"], "nothing may change"
        assert (svc["deploymentConfiguration"].get("strategy") or "ROLLING") == "ROLLING", svc["deploymentConfiguration"]
        lbinfo = seed.ensure_load_balancer(boto3.client("elbv2"), boto3.client("ec2"), name)
        lbs = seed.service_load_balancers(lbinfo, "mcp")
        lbs[0]["advancedConfiguration"]["productionListenerRule"] = lbinfo["production_listener"]
        try:
            ecs.update_service(cluster=name, service=name, loadBalancers=lbs,
                               deploymentConfiguration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1})
            raise AssertionError("a listener ARN as productionListenerRule must fail")
        except ecs.exceptions.InvalidParameterException as exc:
            assert "productionListenerRule has an invalid ARN format" in exc.response["Error"]["Message"], exc
        for bad, needle in (({"strategy": "SIDEWAYS"}, "SIDEWAYS"),
                            ({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.0}}, "canaryPercent"),
                            ({"strategy": "BLUE_GREEN", "lifecycleHooks": [pause_hook(stage="SCALE_UP")]}, "SCALE_UP")):
            try:
                ecs.update_service(cluster=name, service=name, loadBalancers=seed.service_load_balancers(lbinfo, "mcp"),
                                   deploymentConfiguration=bad)
                raise AssertionError(f"{bad} must fail")
            except ecs.exceptions.InvalidParameterException as exc:
                assert needle in exc.response["Error"]["Message"], exc
        try:
            ecs.continue_service_deployment(serviceDeploymentArn=svc["serviceArn"].replace(":service/", ":service-deployment/") + "/nope", hookId="x")
            raise AssertionError("unknown deployment must fail")
        except ecs.exceptions.ServiceDeploymentNotFoundException:
            pass
        print("  missing advancedConfiguration, listener ARN as rule, bad strategy/percent/hook stage all refused")
    finally:
        cleanup(info)
        cleanup_lb({"load_balancer": seed.ensure_load_balancer(boto3.client("elbv2"), boto3.client("ec2"), name)})


def remove_local_tags(repository):
    """Our pushes tag the base image locally as REGISTRY/REPO:TAG; do not let them pile up."""
    prefix = f"{os.environ['MCP_TESTBED_REGISTRY']}/{repository}:"
    for image in dk.images.list():
        for tag in image.tags:
            if tag.startswith(prefix):
                try:
                    dk.images.remove(tag, noprune=True)
                except docker.errors.APIError:
                    pass


# ---------------------------------------------------------------------------
# ECS Express Mode (express.py) and denied actions (deny.py)

iam = boto3.client("iam")
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
INFRASTRUCTURE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"
# busybox httpd answering /healthz and /greeting ($GREETING) on 8000.
EXPRESS_COMMAND = [
    "sh", "-c",
    "mkdir -p /www && echo ok > /www/healthz && echo \"$GREETING\" > /www/greeting "
    "&& echo \"express serving on :8000\" && exec httpd -f -v -p 8000 -h /www",
]


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]})


def ensure_role(name, principal, policy):
    """Find or create a role trusting `principal` with the AWS managed `policy` attached; return its ARN."""
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    assert policy in attached, attached
    return arn


def express_roles():
    return (
        ensure_role("selftestExpressExecution", "ecs-tasks.amazonaws.com", EXECUTION_POLICY),
        ensure_role("selftestExpressInfrastructure", "ecs.amazonaws.com", INFRASTRUCTURE_POLICY),
    )


def express_image(repo):
    seed.ensure_repository(ecr, repo)
    seed.push_image(ecr, repo, "v1")
    return f"{os.environ['MCP_TESTBED_REGISTRY']}/{repo}:v1"


def create_express(name, image, greeting="hello", **kw):
    execution, infrastructure = express_roles()
    return ecs.create_express_gateway_service(
        serviceName=name,
        executionRoleArn=execution,
        infrastructureRoleArn=infrastructure,
        healthCheckPath="/healthz",
        primaryContainer={
            "image": image,
            "containerPort": 8000,
            "command": EXPRESS_COMMAND,
            "environment": [{"name": "GREETING", "value": greeting}],
            "awsLogsConfiguration": {"logGroup": f"/ecs/{name}", "logStreamPrefix": "ecs"},
        },
        scalingTarget={"minTaskCount": 1, "maxTaskCount": 2},
        **kw,
    )["service"]


def express_url(arn):
    conf = ecs.describe_express_gateway_service(serviceArn=arn)["service"]["activeConfigurations"][0]
    return conf["ingressPaths"][0]["endpoint"]


def http_get(url, timeout=3):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except OSError:
        return None, ""


def wait_express_completed(name, deployment_id=None, timeout=60):
    def done():
        svc = describe("default", name)
        dep = svc["deployments"][0]
        if deployment_id and dep["id"] != deployment_id:
            return None
        return svc if dep["rolloutState"] == "COMPLETED" and svc["runningCount"] >= 1 else None
    return wait_for(f"deployment of {name} COMPLETED", done, timeout=timeout)


def cleanup_express(arn, name, repo):
    try:
        try:
            ecs.delete_express_gateway_service(serviceArn=arn)
        except ecs.exceptions.ServiceNotActiveException:
            pass
        wait_for("task containers removed", lambda: not dk.api.containers(
            all=True, filters={"label": f"mcp-testbed.service={name}"}), timeout=30)
        ecr.delete_repository(repositoryName=repo, force=True)
        try:
            logs.delete_log_group(logGroupName=f"/ecs/{name}")
        except logs.exceptions.ResourceNotFoundException:
            pass
        remove_local_tags(repo)
    except Exception as exc:  # cleanup must not hide the real result
        print(f"  (cleanup of {name} failed: {exc})")


def check_express_create_update_delete():
    name = uniq("st-express")
    repo = f"selftest/{name}"
    image = express_image(repo)
    t0 = time.time()
    svc = create_express(name, image, tags=[{"key": "team", "value": "selftest"}])
    arn = svc["serviceArn"]
    try:
        assert svc["status"]["statusCode"] == "ACTIVE", svc
        assert svc["serviceName"] == name and arn.endswith(f"/default/{name}"), svc
        conf = svc["activeConfigurations"][0]
        url = conf["ingressPaths"][0]["endpoint"]
        assert conf["ingressPaths"][0]["accessType"] == "PUBLIC" and url.startswith("http://127.0.0.1:"), conf
        assert conf["primaryContainer"]["containerPort"] == 8000 and conf["healthCheckPath"] == "/healthz", conf
        # A real ECS service underneath: the follower's view.  (boto3's model predates
        # activeConfigurations[].taskDefinitionArn, the Rust SDK reads it; take it from ECS.)
        ecs_svc = describe("default", name)
        first_td = ecs_svc["taskDefinition"]
        td = ecs.describe_task_definition(taskDefinition=first_td)["taskDefinition"]
        assert td["containerDefinitions"][0]["name"] == "Main" and td["requiresCompatibilities"] == ["FARGATE"], td
        assert ecs_svc["resourceManagementType"] == "ECS", ecs_svc.get("resourceManagementType")
        assert ecs_svc["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        first = wait_express_completed(name)["deployments"][0]["id"]
        status, body = wait_for("URL answers /healthz", lambda: (lambda r: r if r[0] == 200 else None)(http_get(url + "/healthz")))
        assert body.strip() == "ok", body
        ready = time.time()
        assert http_get(url + "/greeting")[1].strip() == "hello"
        assert http_get(url + "/nope")[0] == 404  # the target's answer, relayed
        described = ecs.describe_express_gateway_service(serviceArn=arn, include=["TAGS"])["service"]
        assert described["tags"] == [{"key": "team", "value": "selftest"}], described
        assert described["currentDeployment"].endswith(first.split("/")[-1]), described
        # Update: new task definition revision, new deployment the follower sees, URL serves it.
        upd = ecs.update_express_gateway_service(
            serviceArn=arn, primaryContainer={"image": image, "command": EXPRESS_COMMAND,
                                              "environment": [{"name": "GREETING", "value": "bonjour"}]})["service"]
        target = upd["targetConfiguration"]["primaryContainer"]
        assert target["environment"] == [{"name": "GREETING", "value": "bonjour"}], target
        # replaced whole, but the port and the log destination keep their values when omitted
        assert target["containerPort"] == 8000 and target["awsLogsConfiguration"]["logGroup"] == f"/ecs/{name}", target
        dep = describe("default", name)["deployments"][0]
        new_td = dep["taskDefinition"]
        assert new_td != first_td and new_td.endswith(":2"), (new_td, first_td)
        assert dep["id"] != first and dep["rolloutState"] == "IN_PROGRESS", dep
        wait_express_completed(name, deployment_id=dep["id"])
        wait_for("URL serves the update", lambda: http_get(url + "/greeting")[1].strip() == "bonjour")
        active = ecs.describe_express_gateway_service(serviceArn=arn)["service"]["activeConfigurations"]
        assert [c["serviceRevisionArn"] for c in active] == [upd["targetConfiguration"]["serviceRevisionArn"]], active
        # Scaling alone: no new deployment.
        ecs.update_express_gateway_service(serviceArn=arn, scalingTarget={"minTaskCount": 2})
        svc2 = describe("default", name)
        assert svc2["deployments"][0]["id"] == dep["id"] and svc2["desiredCount"] == 2, svc2["deployments"]
        # Delete: DRAINING, then INACTIVE; the URL stops answering.
        gone = ecs.delete_express_gateway_service(serviceArn=arn)["service"]
        assert gone["status"]["statusCode"] == "DRAINING", gone
        wait_for("INACTIVE", lambda: ecs.describe_express_gateway_service(serviceArn=arn)["service"]["status"]["statusCode"] == "INACTIVE", timeout=30)
        wait_for("URL closed", lambda: http_get(url + "/healthz", timeout=1)[0] is None, timeout=10)
        print(f"  {url} answered {ready - t0:.1f}s after CreateExpressGatewayService")
    finally:
        cleanup_express(arn, name, repo)


def check_express_failing_health_check_rolls_back():
    name = uniq("st-exhealth")
    repo = f"selftest/{name}"
    image = express_image(repo)
    arn = create_express(name, image)["serviceArn"]
    try:
        first = wait_express_completed(name)
        good_td = first["taskDefinition"]
        url = express_url(arn)
        # The new release serves no /healthz: ELB health checks fail, the breaker rolls back.
        broken = ["sh", "-c", "mkdir -p /www && echo broken > /www/index.html && exec httpd -f -p 8000 -h /www"]
        ecs.update_express_gateway_service(serviceArn=arn, primaryContainer={"image": image, "command": broken})
        bad = describe("default", name)["deployments"][0]
        assert bad["taskDefinition"] != good_td, bad
        stopped = wait_for("a task failing ELB health checks", lambda: [
            t for t in stopped_tasks("default", name) if "failed ELB health checks" in (t.get("stoppedReason") or "")], timeout=60)
        assert stopped[0]["taskDefinitionArn"] == bad["taskDefinition"], stopped[0]
        wait_for("rolled back", lambda: (lambda s: s["taskDefinition"] == good_td and s["deployments"][0]["rolloutState"] == "COMPLETED" and len(s["deployments"]) == 1)(describe("default", name)), timeout=90)
        events = [e["message"] for e in describe("default", name)["events"]]
        assert any("rolling back to deployment" in m for m in events), events
        assert http_get(url + "/healthz")[0] == 200  # production never lost its healthy target
    finally:
        cleanup_express(arn, name, repo)


def check_express_unpullable_image_fails_deployment():
    name = uniq("st-expull")
    repo = f"selftest/{name}"
    seed.ensure_repository(ecr, repo)
    image = f"{os.environ['MCP_TESTBED_REGISTRY']}/{repo}:missing"
    arn = create_express(name, image)["serviceArn"]  # ECS does not pull at API time
    try:
        dep = wait_for("deployment FAILED", lambda: (lambda d: d if d["rolloutState"] == "FAILED" else None)(
            describe("default", name)["deployments"][0]), timeout=60)
        assert "circuit breaker" in dep["rolloutStateReason"], dep
        reasons = [t.get("stoppedReason") or "" for t in stopped_tasks("default", name)]
        assert any(r.startswith("CannotPullContainerError") for r in reasons), reasons
        assert http_get(express_url(arn) + "/healthz")[0] == 503  # no healthy target behind the URL
    finally:
        cleanup_express(arn, name, repo)


def check_express_url_streams_posts_and_events():
    """What MCP streamable HTTP needs from the URL: a POST body in, an SSE stream out as it is written."""
    name = uniq("st-exsse")
    repo = f"selftest/{name}"
    image = express_image(repo)
    script = [
        "#!/bin/sh",
        'body=$(head -c "${CONTENT_LENGTH:-0}")',
        "printf 'Content-Type: text/event-stream\\r\\n\\r\\n'",
        "printf 'data: %s\\n\\n' \"$body\"",
        "sleep 1",
        "printf 'data: done\\n\\n'",
    ]
    command = ["sh", "-c",
               "mkdir -p /www/cgi-bin && echo ok > /www/healthz && printf '%s\\n' "
               + " ".join(shlex.quote(line) for line in script)
               + " > /www/cgi-bin/mcp && chmod +x /www/cgi-bin/mcp && exec httpd -f -p 8000 -h /www"]
    execution, infrastructure = express_roles()
    arn = ecs.create_express_gateway_service(
        serviceName=name, executionRoleArn=execution, infrastructureRoleArn=infrastructure, healthCheckPath="/healthz",
        primaryContainer={"image": image, "containerPort": 8000, "command": command})["service"]["serviceArn"]
    try:
        wait_express_completed(name)
        url = urllib.parse.urlsplit(express_url(arn))
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        payload = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize"})
        t0 = time.time()
        conn.request("POST", "/cgi-bin/mcp", body=payload, headers={"Content-Type": "application/json", "Accept": "text/event-stream"})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream", resp.getheaders()
        events = []
        for raw in resp:
            line = raw.decode().strip()
            if line.startswith("data: "):
                events.append((line[len("data: "):], time.time() - t0))
        conn.close()
        assert [e for e, _ in events] == [payload, "done"], events
        # The first event came through before the target finished the stream (no buffering).
        assert events[1][1] - events[0][1] >= 0.7, events
        print(f"  first event after {events[0][1]:.2f}s, last after {events[1][1]:.2f}s")
    finally:
        cleanup_express(arn, name, repo)


def expect_error(code, fn, *needles):
    try:
        fn()
    except botocore.exceptions.ClientError as err:
        got = err.response["Error"]
        assert got["Code"] == code, got
        for needle in needles:
            assert needle in got["Message"], (needle, got)
        return got["Message"]
    raise AssertionError(f"expected {code}")


def check_express_validation_errors():
    execution, infrastructure = express_roles()
    missing = f"arn:aws:iam::{os.environ['MCP_TESTBED_ACCOUNT']}:role/{uniq('no-such-role')}"
    container = {"image": os.environ["MCP_TESTBED_BASE_IMAGE"], "containerPort": 8000}
    name = uniq("st-exval")

    def create(**kw):
        args = dict(serviceName=name, executionRoleArn=execution, infrastructureRoleArn=infrastructure, primaryContainer=container)
        args.update(kw)
        return ecs.create_express_gateway_service(**args)

    expect_error("InvalidParameterException", lambda: create(infrastructureRoleArn=missing), "infrastructure role", missing)
    expect_error("InvalidParameterException", lambda: create(executionRoleArn=missing), "execution role", missing)
    # A role that exists but does not trust ecs-tasks.amazonaws.com cannot be the execution role.
    expect_error("InvalidParameterException", lambda: create(executionRoleArn=infrastructure), "ecs-tasks.amazonaws.com")
    expect_error("ClusterNotFoundException", lambda: create(cluster=uniq("no-such-cluster")))
    expect_error("ResourceNotFoundException", lambda: ecs.describe_express_gateway_service(
        serviceArn=f"arn:aws:ecs:us-east-1:{os.environ['MCP_TESTBED_ACCOUNT']}:service/default/{name}"))
    # A region without Express Mode refuses before creating anything.
    west = boto3.client("ecs", region_name="us-west-1")
    expect_error("UnsupportedFeatureException", lambda: west.create_express_gateway_service(
        serviceName=name, executionRoleArn=execution, infrastructureRoleArn=infrastructure, primaryContainer=container))
    assert not west.list_clusters()["clusterArns"] and not west.list_task_definitions()["taskDefinitionArns"]
    # Name conflict with an existing service.
    arn = create()["service"]["serviceArn"]
    try:
        expect_error("InvalidParameterException", create, "not idempotent")
    finally:
        ecs.delete_express_gateway_service(serviceArn=arn)
        wait_for("task containers removed", lambda: not dk.api.containers(
            all=True, filters={"label": f"mcp-testbed.service={name}"}), timeout=30)


def check_denied_actions_name_the_action():
    key = uniq("testing-deny")
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key="testing")
    denied_iam, denied_ecs = session.client("iam"), session.client("ecs")
    execution, infrastructure = express_roles()

    def control(method, payload):
        req = urllib.request.Request(f"{CONTROL}/deny", method=method, data=json.dumps(payload).encode())
        return json.loads(urllib.request.urlopen(req, timeout=10).read())

    role = uniq("denied-role")
    control("POST", {"actions": ["iam:CreateRole", "ecs:CreateExpressGatewayService"], "access_key_id": key})
    try:
        expect_error("AccessDenied", lambda: denied_iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust("ecs.amazonaws.com")),
                     "is not authorized to perform: iam:CreateRole", f"role/{role}")
        expect_error("AccessDeniedException", lambda: denied_ecs.create_express_gateway_service(
            serviceName=role, executionRoleArn=execution, infrastructureRoleArn=infrastructure,
            primaryContainer={"image": "x"}), "ecs:CreateExpressGatewayService")
        # Other callers and other actions are unaffected.
        assert iam.get_role(RoleName="selftestExpressExecution")["Role"]["Arn"] == execution
        denied_iam.get_role(RoleName="selftestExpressExecution")
        # ECS checks iam:PassRole on the roles it is handed.
        control("POST", {"actions": ["iam:PassRole"], "access_key_id": key})
        control("DELETE", {"access_key_id": key})
        control("POST", {"actions": ["iam:PassRole"], "access_key_id": key})
        expect_error("AccessDeniedException", lambda: denied_ecs.create_express_gateway_service(
            serviceName=role, executionRoleArn=execution, infrastructureRoleArn=infrastructure,
            primaryContainer={"image": "x"}), "iam:PassRole", infrastructure)
    finally:
        control("DELETE", {"access_key_id": key})
    assert not [r for r in control("GET", {})["rules"] if r["access_key_id"] == key]
    # No rule left: the same call goes through to moto (and fails there for its own reason).
    expect_error("NoSuchEntity", lambda: denied_iam.get_role(RoleName=role))


def check_fault_switches_break_only_the_chosen_calls_of_one_caller():
    key = uniq("testing-fault")
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key="testing")
    faulty = session.client("ecs", config=botocore.config.Config(retries={"max_attempts": 1}))

    def control(method, payload):
        req = urllib.request.Request(f"{CONTROL}/fault", method=method, data=json.dumps(payload).encode())
        return json.loads(urllib.request.urlopen(req, timeout=10).read())

    # The key is required: an unscoped fault would hit parallel runs.
    try:
        control("POST", {"actions": ["ecs:DescribeTasks"]})
        raise AssertionError("a fault without access_key_id was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400, e.code
    control("POST", {"actions": ["ecs:DescribeTasks"], "access_key_id": key, "kind": "unparseable"})
    control("POST", {"actions": ["ecs:ListClusters"], "access_key_id": key, "kind": "server-error"})
    try:
        # botocore shrugs at a body it cannot parse; look at the body itself.
        req = urllib.request.Request(
            os.environ["AWS_ENDPOINT_URL"], method="POST", data=b'{"tasks": ["x"]}',
            headers={
                "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeTasks",
                "Content-Type": "application/x-amz-json-1.1",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/ecs/aws4_request, "
                "SignedHeaders=host, Signature=0",
            })
        answer = urllib.request.urlopen(req, timeout=10)
        body = answer.read()
        assert answer.status == 200, answer.status
        try:
            json.loads(body)
            raise AssertionError(f"DescribeTasks answered parseable JSON: {body!r}")
        except ValueError:
            pass
        expect_error("ServerException", lambda: faulty.list_clusters())
        # Other actions of that caller, and the same action of others, are unaffected.
        faulty.list_task_definitions()
        boto3.client("ecs").list_clusters()
    finally:
        control("DELETE", {"access_key_id": key})
    assert not [r for r in control("GET", {})["rules"] if r["access_key_id"] == key]
    faulty.list_clusters()


# ---------------------------------------------------------------------------
# Lambda (lambda_sim): image functions, versions, aliases with weights, URLs
# ---------------------------------------------------------------------------
lam = boto3.client("lambda")

LAMBDA_MCP_CGI = r"""#!/bin/sh
# A tiny MCP-over-HTTP stand-in: initialize answers serverInfo.version = $VERSION;
# with STATEFUL=1 it hands out a session id kept in this instance's /tmp only.
body=$(head -c "${CONTENT_LENGTH:-0}")
mkdir -p /tmp/sessions
case "$body" in
*'"initialize"'*)
  sid=$(cat /proc/sys/kernel/random/uuid)
  touch "/tmp/sessions/$sid"
  echo "Content-Type: application/json"
  [ "$STATEFUL" = 1 ] && echo "Mcp-Session-Id: $sid"
  echo
  echo '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"lsim","version":"'"$VERSION"'"}}}'
  ;;
*)
  if [ "$STATEFUL" = 1 ] && [ ! -e "/tmp/sessions/$HTTP_MCP_SESSION_ID" ]; then
    echo "Status: 404 Not Found"; echo "Content-Type: application/json"; echo
    echo '{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}'
    exit 0
  fi
  echo "Content-Type: application/json"; echo
  echo '{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}'
  ;;
esac
"""
LAMBDA_CGIS = {
    "mcp": LAMBDA_MCP_CGI,
    "whoami": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nhostname\n",
    "fail": "#!/bin/sh\necho 'Status: 500 Internal Server Error'\necho 'Content-Type: text/plain'\necho\necho broken\n",
    "stream": "#!/bin/sh\necho 'Content-Type: text/event-stream'\necho\nfor i in 1 2 3; do echo \"data: $i\"; echo; sleep 0.2; done\n",
}
LAMBDA_ENV = {"AWS_LWA_PORT": "8000", "AWS_LWA_READINESS_CHECK_PATH": "/healthz"}


def lambda_push_host():
    """Where docker pushes for REGISTRY/repo: the registry's name (default instance) or its loopback address."""
    addr = os.environ.get("MCP_TESTBED_REGISTRY_ADDR", "127.0.0.1:443")
    return os.environ["MCP_TESTBED_REGISTRY"] if addr in ("127.0.0.1:443", "") else addr


def lambda_image(repo, tag, broken=False, adapter=True):
    """Build a tiny image from the base (busybox httpd + CGI scripts), push it, wait for it in ECR; -> (uri, digest)."""
    import tempfile

    base = os.environ.get("MCP_TESTBED_BASE_IMAGE", "mcp-testbed/busybox:latest")
    with tempfile.TemporaryDirectory() as ctx:
        os.makedirs(os.path.join(ctx, "www", "cgi-bin"))
        files = {f"cgi-bin/{name}": text for name, text in LAMBDA_CGIS.items()}
        files.update({"healthz": "ok\n", "version": f"{tag}\n"})
        for name, text in files.items():
            path = os.path.join(ctx, "www", name)
            with open(path, "w") as fh:
                fh.write(text)
            os.chmod(path, 0o755)
        cmd = '["sh","-c","echo cannot start >&2; exit 3"]' if broken else '["httpd","-f","-v","-p","8000","-h","/www"]'
        with open(os.path.join(ctx, "Dockerfile"), "w") as fh:
            adapter_image = os.environ.get("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE", "mcp-testbed/lambda-adapter:latest")
            copy_adapter = f"COPY --from={adapter_image} /lambda-adapter /opt/extensions/lambda-adapter\n" if adapter else ""
            # No RUN step: COPY alone builds without starting a container.
            fh.write(f"FROM {base}\nENV VERSION={tag}\nCOPY www /www\n{copy_adapter}CMD {cmd}\n")
        ref = f"{lambda_push_host()}/{repo}"
        dk.images.build(path=ctx, tag=f"{ref}:{tag}", rm=True)
    digest = None
    for line in dk.api.push(ref, tag=tag, auth_config=seed.ecr_credentials(ecr), stream=True, decode=True):
        if "error" in line:
            raise RuntimeError(f"docker push {ref}:{tag}: {line['error']}")
        digest = (line.get("aux") or {}).get("Digest", digest)
    wait_for(f"{repo}:{tag} in ECR", lambda: any(
        tag in (i.get("imageTags") or []) for i in ecr.describe_images(repositoryName=repo)["imageDetails"]), timeout=10)
    return f"{os.environ['MCP_TESTBED_REGISTRY']}/{repo}:{tag}", digest


def lambda_role():
    """The execution role (one per testbed); parallel checks may race to create it."""
    name = "testbed-lambda-exec"
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        pass
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def lambda_create(name, image, env=None, tags=None, timeout=10):
    fn = lam.create_function(FunctionName=name, PackageType="Image", Code={"ImageUri": image}, Role=lambda_role(),
                             Timeout=timeout, MemorySize=128, Environment={"Variables": {**LAMBDA_ENV, **(env or {})}},
                             Tags=tags or {})
    assert fn["State"] == "Pending" and fn["StateReasonCode"] == "Creating", fn
    return wait_for(f"{name} Active", lambda: (lambda c: c if c["State"] != "Pending" else None)(
        lam.get_function_configuration(FunctionName=name)), timeout=30)


def lambda_updated(name):
    return wait_for(f"{name} update done", lambda: (lambda c: c if c["LastUpdateStatus"] != "InProgress" else None)(
        lam.get_function_configuration(FunctionName=name)), timeout=30)


def lambda_public(name, qualifier=None):
    """What AuthType NONE needs (both actions, for URLs made since October 2025), per qualifier."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE", **extra)
    lam.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", Principal="*", **extra)


def lambda_containers(name):
    return dk.api.containers(all=True, filters={"label": [f"mcp-testbed.lambda={name}",
                                                          f"mcp-testbed.instance={os.path.abspath(os.environ['MCP_TESTBED_DIR'])}"]})


def lambda_cleanup(name, repo):
    try:
        lam.delete_function(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        pass  # the check deleted it
    except Exception as exc:
        print(f"  (cleanup of {name} failed: {exc})")
    try:
        wait_for("function containers removed", lambda: not lambda_containers(name), timeout=20)
    finally:
        try:
            ecr.delete_repository(repositoryName=repo, force=True)
            logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
        except Exception:
            pass
        for image in dk.images.list():
            for tag in image.tags:
                if f"/{repo}:" in tag:
                    dk.images.remove(tag, force=True, noprune=True)  # noprune: parents may be cache layers of a build running beside


def http_call(url, path="", method="GET", body=None, headers=None):
    """-> (status, headers, body bytes); never raises on an HTTP error status."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, "/" + path.lstrip("/"), body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def mcp_initialize(url, path="cgi-bin/mcp"):
    req = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "selftest", "version": "0"}}})
    status, headers, body = http_call(url, path, "POST", req, {"Content-Type": "application/json",
                                                              "Accept": "application/json, text/event-stream"})
    assert status == 200, (status, body)
    return json.loads(body)["result"], headers


def metric_sum(name, metric, dims):
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    points = cw.get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric, StartTime=end - datetime.timedelta(minutes=30), EndTime=end,
        Period=3600, Statistics=["Sum"], Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def expect_lambda_error(code, fn, *needles):
    try:
        fn()
    except botocore.exceptions.ClientError as exc:
        err = exc.response["Error"]
        assert err["Code"] == code, (err, code)
        for needle in needles:
            assert needle in err["Message"], (err["Message"], needle)
        return err["Message"]
    raise AssertionError(f"expected {code}")


def check_lambda_versions_alias_url_and_weights():
    name, repo = uniq("st-lambda"), uniq("st-lambda-repo")
    seed.ensure_repository(ecr, repo)
    try:
        v1, d1 = lambda_image(repo, "v1")
        v2, d2 = lambda_image(repo, "v2")
        expect_lambda_error("InvalidParameterValueException", lambda: lam.create_function(
            FunctionName=name, PackageType="Image", Code={"ImageUri": f"{os.environ['MCP_TESTBED_REGISTRY']}/{repo}:nope"},
            Role=lambda_role()), "does not exist")
        conf = lambda_create(name, v1, env={"AWS_LWA_INVOKE_MODE": "response_stream"})
        assert conf["State"] == "Active" and conf["LastUpdateStatus"] == "Successful", conf
        assert conf["CodeSha256"] == d1.split(":")[1], (conf["CodeSha256"], d1)
        one = lam.publish_version(FunctionName=name, Description="release v1")
        assert one["Version"] == "1", one
        updated = lam.update_function_code(FunctionName=name, ImageUri=v2)
        assert updated["LastUpdateStatus"] == "InProgress", updated
        assert lambda_updated(name)["LastUpdateStatus"] == "Successful"
        two = lam.publish_version(FunctionName=name, CodeSha256=d2.split(":")[1])
        assert two["Version"] == "2", two
        assert lam.publish_version(FunctionName=name)["Version"] == "2"  # nothing changed: no new version
        # Each version keeps its own code (moto alone would show $LATEST's image on version 1).
        got1 = lam.get_function(FunctionName=name, Qualifier="1")["Code"]
        got2 = lam.get_function(FunctionName=name, Qualifier="2")["Code"]
        assert got1["ImageUri"] == v1 and got1["ResolvedImageUri"].endswith("@" + d1), got1
        assert got2["ImageUri"] == v2 and got2["ResolvedImageUri"].endswith("@" + d2), got2
        versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
        assert versions == ["$LATEST", "1", "2"], versions

        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        url_conf = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE",
                                                  InvokeMode="RESPONSE_STREAM")
        url = url_conf["FunctionUrl"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), url
        assert url_conf["FunctionArn"].endswith(f":function:{name}:live"), url_conf
        assert lam.get_function_url_config(FunctionName=name, Qualifier="live")["FunctionUrl"] == url
        expect_lambda_error("ResourceConflictException", lambda: lam.create_function_url_config(
            FunctionName=name, Qualifier="live", AuthType="NONE"), "FunctionUrlConfig exists")
        expect_lambda_error("ResourceNotFoundException", lambda: lam.create_function_url_config(
            FunctionName=name, Qualifier="nope", AuthType="NONE"))
        expect_lambda_error("ResourceNotFoundException", lambda: lam.get_function_url_config(FunctionName=name))
        # AuthType NONE still needs the public resource-based policy, for this qualifier.
        assert http_call(url, "version")[0] == 403
        lambda_public(name)
        assert http_call(url, "version")[0] == 403, "the unqualified function's policy opened the alias URL"
        lambda_public(name, "live")
        policy = json.loads(lam.get_policy(FunctionName=name, Qualifier="live")["Policy"])
        assert {st["Resource"] for st in policy["Statement"]} == {f"{conf['FunctionArn']}:live"}, policy
        result, _ = mcp_initialize(url)
        assert result["serverInfo"]["version"] == "v1", result
        status, headers, body = http_call(url, "cgi-bin/stream")
        assert status == 200 and headers.get("transfer-encoding") == "chunked", headers  # RESPONSE_STREAM
        assert body.count(b"data: ") == 3, body
        # The live alias moves: the same URL answers from version 2 at once.
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        assert mcp_initialize(url)[0]["serverInfo"]["version"] == "v2"
        # Canary weights: 25 % to version 1, exactly every fourth request.
        alias = lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2",
                                 RoutingConfig={"AdditionalVersionWeights": {"1": 0.25}})
        assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"1": 0.25}, alias
        seen = [http_call(url, "version")[2].strip().decode() for _ in range(8)]
        assert sorted(seen) == ["v1", "v1"] + ["v2"] * 6, seen
        expect_lambda_error("ValidationException", lambda: lam.update_alias(
            FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 1.5}}))
        expect_lambda_error("ResourceNotFoundException", lambda: lam.update_alias(
            FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"9": 0.5}}))
        expect_lambda_error("InvalidParameterValueException", lambda: lam.update_alias(
            FunctionName=name, Name="live", FunctionVersion="$LATEST"), "$LATEST")
        expect_lambda_error("PreconditionFailedException", lambda: lam.update_alias(
            FunctionName=name, Name="live", FunctionVersion="2", RevisionId="stale"))
        expect_lambda_error("ResourceConflictException", lambda: lam.delete_function(FunctionName=name, Qualifier="1"),
                            "live")
        # Old versions' idle instances go once no alias routes to them; the routed version's stay.
        lam.tag_resource(Resource=conf["FunctionArn"], Tags={"testbed:idle-seconds": "1"})
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}})
        assert http_call(url, "version")[2].strip() == b"v2"
        by_version = lambda v: [c for c in lambda_containers(name) if c["Labels"].get("mcp-testbed.lambda-version") == v]  # noqa: E731
        wait_for("version 1's instances reaped", lambda: not by_version("1"), timeout=20)
        assert len(by_version("2")) == 2, lambda_containers(name)
        # An unqualified URL serves $LATEST (version 2's code), BUFFERED: one body with its length.
        latest_url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
        status, headers, body = http_call(latest_url, "cgi-bin/stream")
        assert status == 200 and headers.get("content-length") == str(len(body)) and body.count(b"data: ") == 3, headers
        urls = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
        assert sorted(u["FunctionUrl"] for u in urls) == sorted([url, latest_url]), urls
        # Metrics Lambda's way: per alias, and per executed version behind it.
        dims = {"FunctionName": name, "Resource": f"{name}:live"}
        assert metric_sum(name, "Invocations", {**dims, "ExecutedVersion": "1"}) == 1 + 1 + 2, "v1 invocations"
        assert metric_sum(name, "Invocations", {**dims, "ExecutedVersion": "2"}) == 1 + 6 + 1
        assert metric_sum(name, "Errors", dims) == 0
        streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]]
        assert any("[1]" in s for s in streams) and any("[2]" in s for s in streams), streams
        # Tags on the function (the release's tags).
        arn = conf["FunctionArn"]
        lam.tag_resource(Resource=arn, Tags={"mcp:git-sha": "abc123"})
        assert lam.list_tags(Resource=arn)["Tags"].get("mcp:git-sha") == "abc123"
        print(f"  versions 1/2 by digest, alias URL {url} moved v1 -> v2, weights 0.25 -> {seen.count('v1')}/8 to v1")
    finally:
        lambda_cleanup(name, repo)


def check_lambda_update_status_failed_and_in_progress():
    name, repo = uniq("st-lambda-upd"), uniq("st-lambda-upd-repo")
    seed.ensure_repository(ecr, repo)
    try:
        v1, d1 = lambda_image(repo, "v1")
        bad, _ = lambda_image(repo, "broken", broken=True)
        arn = lambda_create(name, v1)["FunctionArn"]
        lam.publish_version(FunctionName=name)
        lam.tag_resource(Resource=arn, Tags={"testbed:update-hold": "1"})
        resp = lam.update_function_code(FunctionName=name, ImageUri=bad)
        assert resp["LastUpdateStatus"] == "InProgress", resp
        # While it is in progress (held by the tag), Lambda refuses what depends on the code.
        assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "InProgress"
        expect_lambda_error("ResourceConflictException", lambda: lam.publish_version(FunctionName=name),
                            "An update is in progress for resource")
        expect_lambda_error("ResourceConflictException", lambda: lam.update_function_code(FunctionName=name, ImageUri=v1))
        expect_lambda_error("ResourceConflictException", lambda: lam.update_function_configuration(
            FunctionName=name, Description="x"))
        lam.untag_resource(Resource=arn, TagKeys=["testbed:update-hold"])
        done = lambda_updated(name)
        assert done["LastUpdateStatus"] == "Failed" and done["LastUpdateStatusReasonCode"] == "FunctionError", done
        assert "exited with status 3" in done["LastUpdateStatusReason"], done["LastUpdateStatusReason"]
        # The previous code stays: nothing new to publish.
        code = lam.get_function(FunctionName=name)["Code"]
        assert code["ImageUri"] == v1 and code["ResolvedImageUri"].endswith("@" + d1), code
        assert lam.publish_version(FunctionName=name)["Version"] == "1"
        # An image without the Lambda Web Adapter cannot be served.
        bare, _ = lambda_image(repo, "bare", adapter=False)
        lam.update_function_code(FunctionName=name, ImageUri=bare)
        done = lambda_updated(name)
        assert done["LastUpdateStatus"] == "Failed" and done["LastUpdateStatusReasonCode"] == "InvalidImage", done
        assert "/opt/extensions/" in done["LastUpdateStatusReason"], done
        expect_lambda_error("InvalidParameterValueException", lambda: lam.update_function_code(
            FunctionName=name, ImageUri=f"{os.environ['MCP_TESTBED_REGISTRY']}/{repo}:missing"), "does not exist")
        assert not [c for c in lambda_containers(name) if "update-check" in str(c.get("Labels"))], "check container left"
        print(f"  Failed: {done['LastUpdateStatusReason'][:90]}")
    finally:
        lambda_cleanup(name, repo)


def check_lambda_stateful_server_fails_and_deletion_leaves_nothing():
    name, repo = uniq("st-lambda-st"), uniq("st-lambda-st-repo")
    seed.ensure_repository(ecr, repo)
    try:
        v1, _ = lambda_image(repo, "v1")
        lambda_create(name, v1, env={"STATEFUL": "1"})
        url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
        lambda_public(name)
        hosts = [http_call(url, "cgi-bin/whoami")[2].strip() for _ in range(4)]
        assert len(set(hosts)) == 2 and hosts[0] != hosts[1] and hosts[0] == hosts[2], hosts  # two instances, alternately
        result, headers = mcp_initialize(url)
        sid = headers.get("mcp-session-id")
        assert sid, headers
        status, _, body = http_call(url, "cgi-bin/mcp", "POST", json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
                                    {"Content-Type": "application/json", "Mcp-Session-Id": sid})
        assert status == 404 and b"Session not found" in body, (status, body)  # the other instance never saw it
        # A RESPONSE_STREAM URL streams only when the adapter does too (AWS_LWA_INVOKE_MODE=response_stream).
        lam.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
        status, headers, body = http_call(url, "cgi-bin/stream")
        assert status == 200 and headers.get("content-length") == str(len(body)), headers
        # 5xx from the container counts as an error; reserved concurrency 0 throttles.
        assert http_call(url, "cgi-bin/fail")[0] == 500
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        status, headers, _ = http_call(url, "version")
        assert status == 429, status
        lam.delete_function_concurrency(FunctionName=name)
        assert metric_sum(name, "Errors", {"FunctionName": name}) == 1
        assert metric_sum(name, "Throttles", {"FunctionName": name}) == 1
        assert metric_sum(name, "Invocations", {"FunctionName": name}) == 4 + 2 + 1 + 1
        # AWS_IAM: unsigned is refused, a SigV4 signature (service lambda) passes.
        lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
        assert http_call(url, "version")[0] == 403
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        for secret, want in (("testing", 200), ("wrong", 403)):
            req = AWSRequest(method="GET", url=url + "version")
            SigV4Auth(botocore.credentials.Credentials("testing", secret), "lambda", os.environ["AWS_REGION"]).add_auth(req)
            assert http_call(url, "version", headers=dict(req.headers))[0] == want, secret
        # deny.py knows Lambda's REST routes: a denied caller gets Lambda's AccessDeniedException.
        key = uniq("testing-deny")
        req = urllib.request.Request(f"{CONTROL}/deny", method="POST", data=json.dumps(
            {"actions": ["lambda:UpdateAlias", "lambda:GetFunction"], "access_key_id": key}).encode())
        urllib.request.urlopen(req, timeout=10).read()
        try:
            denied = boto3.client("lambda", aws_access_key_id=key, aws_secret_access_key="testing")
            message = expect_lambda_error("AccessDeniedException", lambda: denied.get_function(FunctionName=name),
                                          "lambda:GetFunction on resource: arn:aws:lambda:")
            assert message.endswith(f":function:{name} because no identity-based policy allows the lambda:GetFunction action"), message
            denied.list_functions()  # not denied
            lam.get_function(FunctionName=name)  # another caller
        finally:
            req = urllib.request.Request(f"{CONTROL}/deny", method="DELETE", data=json.dumps({"access_key_id": key}).encode())
            urllib.request.urlopen(req, timeout=10).read()
        assert len(lambda_containers(name)) == 2, lambda_containers(name)
        lam.delete_function(FunctionName=name)
        wait_for("no container left", lambda: not lambda_containers(name), timeout=20)
        try:
            http_call(url, "version")
            raise AssertionError("the URL still answers after DeleteFunction")
        except (ConnectionError, OSError):
            pass
        print(f"  2 instances {hosts[0].decode()}/{hosts[1].decode()}: session {sid[:8]} unknown to the second (404)")
    finally:
        lambda_cleanup(name, repo)



def check_lambda_provisioned_concurrency():
    name, repo = uniq("st-lambda-pc"), uniq("st-lambda-pc-repo")
    seed.ensure_repository(ecr, repo)
    try:
        v1, _ = lambda_image(repo, "v1")
        lambda_create(name, v1)
        lam.publish_version(FunctionName=name)
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {**LAMBDA_ENV, "RELEASE": "2"}})
        lambda_updated(name)
        assert lam.publish_version(FunctionName=name)["Version"] == "2"
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        put = lambda q, n: lam.put_provisioned_concurrency_config(  # noqa: E731
            FunctionName=name, Qualifier=q, ProvisionedConcurrentExecutions=n)
        get = lambda q: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=q)  # noqa: E731
        expect_lambda_error("InvalidParameterValueException", lambda: put("$LATEST", 1), "unpublished function versions")
        expect_lambda_error("ResourceNotFoundException", lambda: put("nope", 1), "Cannot find alias arn")
        expect_lambda_error("ResourceNotFoundException", lambda: put("9", 1), f"function:{name}:9")
        expect_lambda_error("ProvisionedConcurrencyConfigNotFoundException", lambda: get("live"))
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")  # none: no error
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        expect_lambda_error("InvalidParameterValueException", lambda: put("live", 2), "reservedConcurrentExecution")
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
        assert not lambda_containers(name), "instances before any request or configuration"
        resp = put("live", 2)
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 202, resp
        assert (resp["Status"], resp["RequestedProvisionedConcurrentExecutions"],
                resp["AllocatedProvisionedConcurrentExecutions"]) == ("IN_PROGRESS", 2, 0), resp
        ready = wait_for("live READY", lambda: (lambda c: c if c["Status"] != "IN_PROGRESS" else None)(get("live")), 60)
        assert (ready["Status"], ready["AllocatedProvisionedConcurrentExecutions"],
                ready["AvailableProvisionedConcurrentExecutions"]) == ("READY", 2, 2), ready
        # Warm: version 1's instances run before any request.
        by_version = lambda v: [c for c in lambda_containers(name) if c["Labels"].get("mcp-testbed.lambda-version") == v]  # noqa: E731
        assert len(by_version("1")) == 2 and not by_version("2"), lambda_containers(name)
        expect_lambda_error("InvalidParameterValueException", lambda: lam.put_function_concurrency(
            FunctionName=name, ReservedConcurrentExecutions=1), "provisioned")
        expect_lambda_error("ResourceConflictException", lambda: put("1", 1), "pointed by a Provisioned Concurrency alias")
        lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="2",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
        expect_lambda_error("InvalidParameterValueException", lambda: put("canary", 1), "Alias with weights")
        configs = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
        assert [c["FunctionArn"].rsplit(":", 1)[1] for c in configs] == ["live"], configs
        # live moves to version 2: allocated anew, version 2's instances start without a request.
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        wait_for("live READY on version 2", lambda: get("live")["Status"] == "READY" and len(by_version("2")) == 2, 60)
        assert get("live")["RequestedProvisionedConcurrentExecutions"] == 2
        put("1", 1)  # no alias with a configuration points at it any more
        wait_for("version 1 READY", lambda: get("1")["Status"] == "READY", 60)
        expect_lambda_error("InvalidParameterValueException", lambda: put("live", 5), "reservedConcurrentExecution")
        assert len(lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]) == 2
        page = lam.list_provisioned_concurrency_configs(FunctionName=name, MaxItems=1)
        assert len(page["ProvisionedConcurrencyConfigs"]) == 1 and page.get("NextMarker"), page
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        expect_lambda_error("ProvisionedConcurrencyConfigNotFoundException", lambda: get("1"))
        lam.delete_alias(FunctionName=name, Name="live")
        expect_lambda_error("ResourceNotFoundException", lambda: get("live"))
        assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)  # nothing provisioned now
        print("  live: IN_PROGRESS -> READY (2 allocated) with version 1 warm, moved to 2 and READY again")
    finally:
        lambda_cleanup(name, repo)


CHECKS = [v for k, v in list(globals().items()) if k.startswith("check_")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", help="run only checks whose name contains this")
    args = ap.parse_args()
    passed = failed = 0
    for check in CHECKS:
        if args.k and args.k not in check.__name__:
            continue
        t0 = time.time()
        try:
            check()
            passed += 1
            print(f"PASS {check.__name__} ({time.time() - t0:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {check.__name__} ({time.time() - t0:.1f}s)", flush=True)
            traceback.print_exc()
    print(f"testbed selftest: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
