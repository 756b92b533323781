#!/usr/bin/env python3
"""Set up a realistic Fargate service on the testbed in one call (idempotent per name).

    python3 tests/testbed/seed.py service --cluster C --service S [--repository R]
        [--container mcp] [--circuit-breaker/--no-circuit-breaker] [--rollback/--no-rollback]
        [--rollout-delay SECONDS] [--failure-threshold N] [--publish-ports] [--desired 1]
        [--load-balancer none|plain|advanced] [--wait] [--timeout 90]

Creates the ECR repository (pushing the base image as tag `base` through the
Docker engine with the ECR credentials), log group /ecs/S, task definition
family S, cluster C and service S; prints one JSON object on stdout.
With --load-balancer, also an ALB `S` with target groups `S-a` / `S-b`, a
production listener (80) and a test listener (8080), each with a rule
forwarding to `S-a`; `advanced` attaches them to the service as
`loadBalancers[].advancedConfiguration` (what blue/green, canary and linear
need), `plain` only as `targetGroupArn`.  The listeners' loopback URLs are in
the output (`load_balancer.production_url` / `test_url`).

Talks to the testbed through boto3 with the variables from
$MCP_TESTBED_DIR/env (read automatically when AWS_ENDPOINT_URL is unset).
"""
import argparse
import base64
import json
import os
import sys
import time

import boto3
import docker

CONTAINER_PORT = 8000
# busybox httpd in the foreground, verbose (access log on stderr -> CloudWatch).
SERVE_COMMAND = [
    "sh",
    "-c",
    "mkdir -p /www && echo ok > /www/healthz && echo \"${VERSION:-v1}\" > /www/version "
    "&& echo \"serving on :8000 ($APP_ENV)\" "
    "&& exec httpd -f -v -p 8000 -h /www",
]


def load_env():
    """Source $MCP_TESTBED_DIR/env into os.environ unless the caller already did."""
    path = os.path.join(os.environ.get("MCP_TESTBED_DIR", "/tmp/mcp-testbed"), "env")
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                line = line.strip()
                if line.startswith("export ") and "=" in line:
                    key, value = line[len("export "):].split("=", 1)
                    if key.startswith("MCP_TESTBED_") or key not in os.environ:
                        os.environ.setdefault(key, value)
    if "AWS_ENDPOINT_URL" not in os.environ:
        sys.exit(f"seed: {path} not found: run tests/testbed/up.sh first")


def clients():
    load_env()
    return {name: boto3.client(name) for name in ("ecr", "ecs", "logs", "ec2", "secretsmanager", "elbv2")}


def ensure_load_balancer(elbv2, ec2, name, port=CONTAINER_PORT):
    """ALB + two ip target groups + production (80) and test (8080) listeners with one rule each.

    Both rules forward to target group A (weight 1) and B (weight 0), as ECS blue/green expects."""
    account = os.environ.get("MCP_TESTBED_ACCOUNT", "123456789012")
    network = default_network(ec2)["awsvpcConfiguration"]
    vpc = ec2.describe_subnets(SubnetIds=network["subnets"][:1])["Subnets"][0]["VpcId"]
    found = elbv2.describe_load_balancers()["LoadBalancers"]
    alb = next((x for x in found if x["LoadBalancerName"] == name[:32]), None) or elbv2.create_load_balancer(
        Name=name[:32], Subnets=network["subnets"], SecurityGroups=network["securityGroups"], Type="application",
    )["LoadBalancers"][0]
    groups = {}
    for suffix in ("a", "b"):
        tg_name = f"{name[:30]}-{suffix}"
        existing = [t for t in elbv2.describe_target_groups()["TargetGroups"] if t["TargetGroupName"] == tg_name]
        groups[suffix] = (existing[0] if existing else elbv2.create_target_group(
            Name=tg_name, Protocol="HTTP", Port=port, VpcId=vpc, TargetType="ip", HealthCheckPath="/healthz",
        )["TargetGroups"][0])["TargetGroupArn"]
    forward = [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": groups["a"], "Weight": 1}, {"TargetGroupArn": groups["b"], "Weight": 0}]}}]
    rules = {}
    listeners = {ln["Port"]: ln for ln in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]}
    for key, lport in (("production", 80), ("test", 8080)):
        ln = listeners.get(lport) or elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=lport,
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )["Listeners"][0]
        existing = [r for r in elbv2.describe_rules(ListenerArn=ln["ListenerArn"])["Rules"] if not r["IsDefault"]]
        rule = existing[0] if existing else elbv2.create_rule(
            ListenerArn=ln["ListenerArn"], Priority=1,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}], Actions=forward,
        )["Rules"][0]
        rules[key] = {"listener": ln["ListenerArn"], "rule": rule["RuleArn"]}
    return {
        "load_balancer_arn": alb["LoadBalancerArn"],
        "target_group_a": groups["a"],
        "target_group_b": groups["b"],
        "production_listener": rules["production"]["listener"],
        "production_rule": rules["production"]["rule"],
        "test_listener": rules["test"]["listener"],
        "test_rule": rules["test"]["rule"],
        "role_arn": f"arn:aws:iam::{account}:role/ecsInfrastructureRoleForLoadBalancers",
    }


def service_load_balancers(lbinfo, container, advanced=True):
    entry = {"targetGroupArn": lbinfo["target_group_a"], "containerName": container, "containerPort": CONTAINER_PORT}
    if advanced:
        entry["advancedConfiguration"] = {
            "alternateTargetGroupArn": lbinfo["target_group_b"],
            "productionListenerRule": lbinfo["production_rule"],
            "testListenerRule": lbinfo["test_rule"],
            "roleArn": lbinfo["role_arn"],
        }
    return [entry]


def listener_urls(cluster, service, timeout=10):
    """Loopback URLs of a service's production and test listeners (GET $MCP_TESTBED_CONTROL/service-lb)."""
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"cluster": cluster, "service": service})
    deadline = time.time() + timeout
    while True:
        with urllib.request.urlopen(f"{os.environ['MCP_TESTBED_CONTROL']}/service-lb?{query}", timeout=10) as resp:
            info = json.loads(resp.read())
        entry = (info.get("loadBalancers") or [{}])[0]
        urls = {k: (entry.get(k) or {}).get("url") for k in ("production", "test")}
        if all(urls.values()) or time.time() > deadline:
            return urls
        time.sleep(0.2)


def registry():
    return os.environ["MCP_TESTBED_REGISTRY"]


def ecr_credentials(ecr):
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    return {"username": user, "password": password}


def ensure_repository(ecr, name):
    try:
        return ecr.create_repository(repositoryName=name)["repository"]
    except ecr.exceptions.RepositoryAlreadyExistsException:
        return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]


def push_image(ecr, repository, tag, source=None):
    """docker tag SOURCE REGISTRY/REPO:TAG && docker push (with ECR credentials). Returns the digest."""
    source = source or os.environ.get("MCP_TESTBED_BASE_IMAGE", "mcp-testbed/busybox:latest")
    client = docker.from_env()
    ref = f"{registry()}/{repository}"
    client.images.get(source).tag(ref, tag)
    digest = None
    for line in client.api.push(ref, tag=tag, auth_config=ecr_credentials(ecr), stream=True, decode=True):
        if "error" in line:
            raise RuntimeError(f"docker push {ref}:{tag}: {line['error']}")
        digest = (line.get("aux") or {}).get("Digest", digest)
    return digest


def default_network(ec2):
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]]
    groups = [g["GroupId"] for g in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]]
    return {"awsvpcConfiguration": {"subnets": subnets[:2], "securityGroups": groups[:1], "assignPublicIp": "DISABLED"}}


def container_definition(name, image, log_group, region, **extra):
    definition = {
        "name": name,
        "image": image,
        "essential": True,
        "command": SERVE_COMMAND,
        "portMappings": [{"containerPort": CONTAINER_PORT, "hostPort": CONTAINER_PORT, "protocol": "tcp"}],
        "environment": [{"name": "APP_ENV", "value": "testbed"}, {"name": "GREETING", "value": "hello"}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": "ecs"},
        },
    }
    definition.update(extra)
    return definition


def register_task_definition(ecs, family, containers):
    account = os.environ.get("MCP_TESTBED_ACCOUNT", "123456789012")
    return ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        executionRoleArn=f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
        taskRoleArn=f"arn:aws:iam::{account}:role/{family}-task",
        containerDefinitions=containers,
    )["taskDefinition"]


def wait_completed(ecs, cluster, service, timeout=90, deployment_id=None):
    """Wait until the PRIMARY deployment is COMPLETED with all tasks running; return the service."""
    deadline = time.time() + timeout
    while True:
        svc = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
        primary = svc["deployments"][0] if svc["deployments"] else None
        if (
            primary
            and (deployment_id is None or primary["id"] == deployment_id)
            and primary["rolloutState"] == "COMPLETED"
            and primary["runningCount"] == svc["desiredCount"]
            and len(svc["deployments"]) == 1
        ):
            return svc
        if time.time() > deadline:
            raise TimeoutError(f"service {service}: first deployment not COMPLETED after {timeout}s: {primary}")
        time.sleep(0.3)


def seed_service(args):
    c = clients()
    ecr, ecs, logs = c["ecr"], c["ecs"], c["logs"]
    region = os.environ.get("AWS_REGION", "us-east-1")
    repo_name = args.repository or args.service
    repo = ensure_repository(ecr, repo_name)
    tagged = ecr.list_images(repositoryName=repo_name, filter={"tagStatus": "TAGGED"})["imageIds"]
    if not any(i.get("imageTag") == "base" for i in tagged):
        push_image(ecr, repo_name, "base")
    log_group = f"/ecs/{args.service}"
    try:
        logs.create_log_group(logGroupName=log_group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass

    image = f"{repo['repositoryUri']}:base"
    wanted = container_definition(args.container, image, log_group, region)
    try:
        current = ecs.describe_task_definition(taskDefinition=args.service)["taskDefinition"]
        same = [
            {k: d.get(k) for k in wanted} for d in current["containerDefinitions"]
        ] == [wanted]
    except ecs.exceptions.ClientException:
        current, same = None, False
    td = current if same else register_task_definition(ecs, args.service, [wanted])

    clusters = ecs.describe_clusters(clusters=[args.cluster])["clusters"]
    cluster = next((x for x in clusters if x["status"] == "ACTIVE"), None) or ecs.create_cluster(clusterName=args.cluster)["cluster"]

    existing = ecs.describe_services(cluster=args.cluster, services=[args.service])["services"]
    service = next((s for s in existing if s["status"] == "ACTIVE"), None)
    if service is None:
        tags = []
        if args.rollout_delay is not None:
            tags.append({"key": "testbed:rollout-delay", "value": str(args.rollout_delay)})
        if args.failure_threshold is not None:
            tags.append({"key": "testbed:failure-threshold", "value": str(args.failure_threshold)})
        if args.publish_ports:
            tags.append({"key": "testbed:publish-ports", "value": "true"})
        kwargs = {"tags": tags} if tags else {}
        lb_mode = getattr(args, "load_balancer", "none") or "none"
        if lb_mode != "none":
            lbinfo = ensure_load_balancer(c["elbv2"], c["ec2"], args.service)
            kwargs["loadBalancers"] = service_load_balancers(lbinfo, args.container, advanced=lb_mode == "advanced")
        service = ecs.create_service(
            cluster=args.cluster,
            serviceName=args.service,
            taskDefinition=td["taskDefinitionArn"],
            desiredCount=args.desired,
            launchType="FARGATE",
            networkConfiguration=default_network(c["ec2"]),
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": args.circuit_breaker, "rollback": args.circuit_breaker and args.rollback},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            **kwargs,
        )["service"]
    if args.wait:
        service = wait_completed(ecs, args.cluster, args.service, timeout=args.timeout)

    extra = {}
    if service.get("loadBalancers"):
        lbinfo = ensure_load_balancer(c["elbv2"], c["ec2"], args.service)
        lbinfo.update({f"{k}_url": v for k, v in listener_urls(args.cluster, args.service).items()})
        extra["load_balancer"] = lbinfo
    return {
        **extra,
        "cluster": args.cluster,
        "service": args.service,
        "cluster_arn": cluster["clusterArn"],
        "service_arn": service["serviceArn"],
        "task_definition_arn": service["taskDefinition"],
        "repository": repo_name,
        "repository_uri": repo["repositoryUri"],
        "log_group": log_group,
        "container": args.container,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("service", help="ECR repo + image, log group, task definition, cluster and service")
    s.add_argument("--cluster", required=True)
    s.add_argument("--service", required=True)
    s.add_argument("--repository", help="ECR repository (default: the service name)")
    s.add_argument("--container", default="mcp", help="container name (default: mcp)")
    s.add_argument("--circuit-breaker", action=argparse.BooleanOptionalAction, default=True)
    s.add_argument("--rollback", action=argparse.BooleanOptionalAction, default=True,
                   help="circuit breaker rolls back (only with --circuit-breaker)")
    s.add_argument("--rollout-delay", type=float, help="seconds before a deployment COMPLETES (service tag)")
    s.add_argument("--failure-threshold", type=int, help="circuit-breaker threshold (service tag)")
    s.add_argument("--publish-ports", action="store_true", help="publish container ports on 127.0.0.1")
    s.add_argument("--desired", type=int, default=1)
    s.add_argument("--load-balancer", choices=["none", "plain", "advanced"], default="none",
                   help="attach an ALB: target group only (plain) or with advancedConfiguration for blue/green")
    s.add_argument("--wait", action="store_true", help="wait until the first deployment is COMPLETED")
    s.add_argument("--timeout", type=float, default=90)
    args = ap.parse_args(argv)
    result = seed_service(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
