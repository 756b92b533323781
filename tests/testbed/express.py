"""ECS Express Mode for the testbed: Create/Update/Describe/DeleteExpressGatewayService.

moto 5.2 has no Express Mode.  Real Express turns "an image, an execution
role and an infrastructure role" into a task definition, an ECS service, an
ALB with a health-checked target group and an HTTPS URL.  This module does
the same on top of ecs_sim's services, so everything a client does to an
ordinary service afterwards (DescribeServices deployments, ListTasks, logs,
UpdateService, rollback by circuit breaker) works unchanged:

* CreateExpressGatewayService validates like ECS (roles exist in moto's IAM
  and trust the right principal, iam:PassRole, cluster, name conflicts, a
  region without Express Mode), registers a task definition (family = the
  service name, one essential container `Main`, awsvpc/FARGATE, awslogs),
  creates the ECS service (desiredCount = scalingTarget.minTaskCount, circuit
  breaker with rollback, `resourceManagementType: ECS`) and opens its "load
  balancer": a loopback HTTP listener on 127.0.0.1:<free port>.
* The URL.  Real Express answers https://<name>.ecs.<region>.on.aws; the
  testbed cannot own that name or a certificate for it, so the endpoint in
  `activeConfigurations[].ingressPaths[]` is `http://127.0.0.1:<port>` (plain
  HTTP, loopback only).  Clients must take the URL from the API, never build it.
* The listener (lb.py, the testbed's loopback load balancer) forwards each
  request round-robin to the service's healthy targets: RUNNING tasks' `Main`
  container, published on 127.0.0.1 (task containers sit on docker's bridge;
  only loopback traffic is allowed here).  Bodies stream both ways (SSE for
  MCP streamable HTTP passes through); no healthy target -> 503, a target that
  refuses -> 502, like an ALB.  A task asked to stop (a finished deployment's
  old tasks, a rollback's failed ones) leaves the targets at once, as an ALB
  deregisters it when ECS starts stopping it, not at the next health tick.
* Health checks, like the ALB target group: GET <healthCheckPath> every
  MCP_TESTBED_HEALTH_INTERVAL s (default 1); healthy after 1 answer 200,
  unhealthy after MCP_TESTBED_UNHEALTHY_THRESHOLD (default 3) failures in a
  row once the grace period (MCP_TESTBED_HEALTH_GRACE, default 5 s after the
  task started) is over.  A deployment of an Express service completes only
  when its tasks are healthy (ecs_sim's `_tb_healthy` hook), and an unhealthy
  task is stopped by the scheduler ("Task failed ELB health checks in
  (target-group ...)"), counted as a failed task, so a release whose health
  check fails trips the circuit breaker and rolls back.
* UpdateExpressGatewayService replaces the members it is given (a given
  `primaryContainer` replaces the old one whole -- its `image` is required --
  except `containerPort` and `awsLogsConfiguration`, which keep their previous
  values when omitted; `scalingTarget` members merge); a changed task
  configuration registers a new task definition revision and UpdateService
  starts a new deployment (what a follower of DescribeServices sees); scaling
  and health path changes alone do not.
* Several services at once, each with its own listener and URL.  Tags given
  to CreateExpressGatewayService (checked as the ECS API reference's `Tag`
  says: at most 50, key 1-128 and value 0-256 characters, no `aws:` prefix)
  are the ECS service's own, as on AWS: DescribeServices with include=TAGS,
  ListTagsForResource and TagResource on the service ARN see and change the
  same tags, and DescribeExpressGatewayService with include=TAGS shows them.
  Express has no List call; a client finds services by tag with ListServices
  and DescribeServices (include=TAGS).
* DeleteExpressGatewayService: service DRAINING while its tasks stop, then
  INACTIVE; the listener closes once no task is left.
* An image that cannot be pulled is not an API error (ECS does not pull at
  CreateExpressGatewayService time): its tasks stop with
  CannotPullContainerError and the deployment fails by circuit breaker.

Knobs: MCP_TESTBED_EXPRESS_UNSUPPORTED_REGIONS (comma-separated, default
`us-west-1`: Express calls there raise UnsupportedFeatureException before
anything is created), the health check variables above.
"""
import datetime
import http.client
import json
import logging
import os
import random
import re
import threading
import urllib.parse

from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import (
    ClusterNotFoundException,
    ECSException,
    InvalidParameterException,
    ServiceNotFoundException,
)
from moto.logs import models as logs_models

import common
import deny
import ecs_sim
import lb

log = logging.getLogger("testbed.express")

UNSUPPORTED_REGIONS = {
    r.strip() for r in os.environ.get("MCP_TESTBED_EXPRESS_UNSUPPORTED_REGIONS", "us-west-1").split(",") if r.strip()
}
HEALTH_INTERVAL = ecs_sim._env_float("MCP_TESTBED_HEALTH_INTERVAL", 1)
HEALTH_GRACE = ecs_sim._env_float("MCP_TESTBED_HEALTH_GRACE", 5)
UNHEALTHY_THRESHOLD = int(ecs_sim._env_float("MCP_TESTBED_UNHEALTHY_THRESHOLD", 3))
CONTAINER = "Main"  # the container name Express gives its task definitions
EXECUTION_PRINCIPAL = "ecs-tasks.amazonaws.com"
INFRASTRUCTURE_PRINCIPAL = "ecs.amazonaws.com"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


class AccessDeniedException(ECSException):
    def __init__(self, message):
        super().__init__("AccessDeniedException", message)


class UnsupportedFeatureException(ECSException):
    def __init__(self, message):
        super().__init__("UnsupportedFeatureException", message)


class ResourceNotFoundException(ECSException):
    def __init__(self, message):
        super().__init__("ResourceNotFoundException", message)


class ServiceNotActiveException(ECSException):
    def __init__(self):
        super().__init__("ServiceNotActiveException", "Service was not ACTIVE.")


# --------------------------------------------------------------------------
# The "load balancer": one loopback listener per Express service (lb.py)
# --------------------------------------------------------------------------


class ExpressLoadBalancer:
    """The service's ALB: one lb.py listener whose default action forwards to one target group."""

    def __init__(self, service_arn):
        self.key = f"express/{service_arn}"
        self.tg_key = f"express-tg/{service_arn}"
        self._tg = lb.REGISTRY.target_group(self.tg_key)
        self._listener = lb.REGISTRY.listener(self.key)
        self._listener.set_rules([], default=[(self.tg_key, 1)])
        self.url = self._listener.url

    def set_targets(self, targets):
        self._tg.set_targets(targets)

    def targets(self):
        return self._tg.targets()

    def deregister(self, host, port):
        self._tg.deregister(host, port)

    def close(self):
        def stop():
            lb.REGISTRY.close_listener(self.key)
            lb.REGISTRY.drop_target_group(self.tg_key)

        threading.Thread(target=stop, name=f"lb-close-{self.key[-12:]}", daemon=True).start()


# --------------------------------------------------------------------------
# Express services
# --------------------------------------------------------------------------


class ExpressService:
    """What Express adds to an ECS service: its configurations (revisions) and its listener."""

    def __init__(self, backend, service, infrastructure_role_arn, tags, listener):
        self.backend = backend
        self.service = service
        self.arn = service.arn
        self.name = service.name
        self.cluster = service.cluster_name
        self.region = backend.region_name
        self.account = backend.account_id
        self.infrastructure_role_arn = infrastructure_role_arn
        service.tags = list(tags or [])
        self.listener = listener
        self.status = "ACTIVE"
        self.status_reason = None
        self.created_at = ecs_sim.utcnow()
        self.updated_at = self.created_at
        self.configurations = []  # oldest first
        self.health = {}  # task arn -> {"healthy": bool | None, "fails": int}

    # ---- views ----
    @property
    def tags(self):
        # The service's own tags: TagResource / UntagResource on its ARN (moto's ECS) change them.
        return self.service.tags or []

    def configuration_for(self, td_arn):
        for conf in reversed(self.configurations):
            if conf["taskDefinitionArn"] == td_arn:
                return conf
        return None

    def current(self):
        return self.configurations[-1]

    def active_configurations(self):
        seen, out = set(), []
        for dep in self.service.deployments or []:
            conf = self.configuration_for(dep["taskDefinition"])
            if conf is not None and id(conf) not in seen:
                seen.add(id(conf))
                out.append(conf)
        if not out and self.configurations:
            conf = self.configuration_for(self.service.task_definition) or self.current()
            out.append(conf)
        return out

    def current_deployment(self):
        deps = self.service.deployments or []
        if not deps:
            return None
        dep_id = deps[0]["id"].split("/")[-1]
        return f"arn:aws:ecs:{self.region}:{self.account}:service-deployment/{self.cluster}/{self.name}/{dep_id}"

    def status_obj(self):
        out = {"statusCode": self.status}
        if self.status_reason:
            out["statusReason"] = self.status_reason
        return out

    def describe(self, include_tags=False):
        out = {
            "cluster": self.service.cluster_arn,
            "serviceName": self.name,
            "serviceArn": self.arn,
            "infrastructureRoleArn": self.infrastructure_role_arn,
            "status": self.status_obj(),
            "activeConfigurations": [_wire(c) for c in self.active_configurations()],
            "createdAt": _ts(self.created_at),
            "updatedAt": _ts(self.updated_at),
        }
        current = self.current_deployment()
        if current:
            out["currentDeployment"] = current
        if include_tags:
            out["tags"] = self.tags
        return out

    def updated(self, target):
        return {
            "serviceArn": self.arn,
            "cluster": self.service.cluster_arn,
            "serviceName": self.name,
            "status": self.status_obj(),
            "targetConfiguration": _wire(target),
            "createdAt": _ts(self.created_at),
            "updatedAt": _ts(self.updated_at),
        }

    # ---- health / targets (called by the health thread) ----
    def healthy(self, task):
        state = self.health.get(task.task_arn)
        return bool(state and state["healthy"])


SERVICES = {}  # service ARN -> ExpressService (INACTIVE ones stay, like ECS shows them for a while)


def _ts(dt):
    return dt.timestamp() if isinstance(dt, datetime.datetime) else dt


def _wire(conf):
    return {k: (_ts(v) if k == "createdAt" else v) for k, v in conf.items() if v is not None and not k.startswith("_")}


def _revision_arn(rec):
    return (
        f"arn:aws:ecs:{rec.region}:{rec.account}:service-revision/{rec.cluster}/{rec.name}/"
        f"{random.randint(10**18, 10**19 - 1)}"
    )


# ---- validation ----


def _check_region(backend):
    if backend.region_name in UNSUPPORTED_REGIONS:
        raise UnsupportedFeatureException(
            f"ECS Express Mode is not supported in the {backend.region_name} Region."
        )


def _iam():
    from moto.iam.models import iam_backends

    return iam_backends


def _check_role(access_key, member, arn, principal, kind):
    """The role exists in moto's IAM, trusts `principal`, and the caller may pass it."""
    if not arn:
        raise InvalidParameterException(f"{member} must be specified.")
    m = ROLE_ARN_RE.match(arn)
    if not m:
        raise InvalidParameterException(f"{member} '{arn}' is not a valid IAM role ARN.")
    if deny.is_denied(access_key, "iam:PassRole"):
        raise AccessDeniedException(deny.message(access_key, "iam:PassRole", arn))
    account, name = m.group(1), m.group(2)
    role = None
    try:
        for r in _iam()[account]["aws"].get_roles():
            if r.arn == arn or (r.name == name and arn.endswith(f":role{r.path}{r.name}")):
                role = r
                break
    except Exception:  # unknown account etc.
        role = None
    hint = f"Verify that the role exists and that its trust policy allows {principal} to assume it."
    if role is None:
        raise InvalidParameterException(f"Unable to assume the {kind} role {arn}. {hint}")
    if not _trusts(role, principal):
        raise InvalidParameterException(f"Unable to assume the {kind} role {arn}. {hint}")
    return role


def _trusts(role, principal):
    doc = role.assume_role_policy_document
    if isinstance(doc, str):
        try:
            doc = json.loads(urllib.parse.unquote(doc))
        except ValueError:
            return False
    statements = doc.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        actions = st.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        services = (st.get("Principal") or {}).get("Service") if isinstance(st.get("Principal"), dict) else None
        services = [services] if isinstance(services, str) else services or []
        if principal in services:
            return True
    return False


def _check_container(pc, member="primaryContainer"):
    if not isinstance(pc, dict) or not pc.get("image"):
        raise InvalidParameterException(f"{member}.image must be specified.")
    port = pc.get("containerPort")
    if port is not None and not (isinstance(port, int) and 1 <= port <= 65535):
        raise InvalidParameterException(f"{member}.containerPort must be between 1 and 65535.")


def _check_health_path(path):
    if path is not None and not str(path).startswith("/"):
        raise InvalidParameterException("healthCheckPath must start with a forward slash.")


TAG_KEY_RE = re.compile(r"^[\w\s+=.:/@-]{1,128}$")
TAG_VALUE_RE = re.compile(r"^[\w\s+=.:/@-]{0,256}$")


def _check_tags(tags):
    """Tag rules of the ECS API reference (Tag): at most 50, key 1-128 and value 0-256
    characters of letters, digits, spaces and + - = . _ : / @, no `aws:` prefix."""
    if len(tags) > 50:
        raise InvalidParameterException("A resource can have at most 50 tags.")
    seen = set()
    for tag in tags:
        key, value = tag.get("key"), tag.get("value", "")
        if not isinstance(key, str) or not TAG_KEY_RE.match(key):
            raise InvalidParameterException(f"Invalid tag key: {key!r}.")
        if not isinstance(value, str) or not TAG_VALUE_RE.match(value):
            raise InvalidParameterException(f"Invalid tag value for key {key}.")
        if key.lower().startswith("aws:"):
            raise InvalidParameterException("Tag keys starting with 'aws:' are reserved for AWS use.")
        if key in seen:
            raise InvalidParameterException(f"Duplicate tag key: {key}.")
        seen.add(key)


def _check_scaling(st):
    if not st:
        return
    lo, hi = st.get("minTaskCount"), st.get("maxTaskCount")
    if lo is not None and lo < 0:
        raise InvalidParameterException("scalingTarget.minTaskCount must be 0 or more.")
    if lo is not None and hi is not None and hi < lo:
        raise InvalidParameterException("scalingTarget.maxTaskCount must be greater than or equal to minTaskCount.")


# ---- building blocks ----


def _default_log_group(cluster, name):
    return f"/aws/ecs/{cluster}/{name}"


def _container_definition(conf, region):
    pc = conf["primaryContainer"]
    port = pc.get("containerPort") or 80
    logs = pc.get("awsLogsConfiguration") or {}
    container = {
        "name": CONTAINER,
        "image": pc["image"],
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp", "name": f"port-{port}"}],
        "environment": pc.get("environment") or [],
        "secrets": pc.get("secrets") or [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": logs["logGroup"],
                "awslogs-region": region,
                "awslogs-stream-prefix": logs.get("logStreamPrefix") or "ecs",
                "awslogs-create-group": "true",
            },
        },
    }
    if pc.get("command"):
        container["command"] = pc["command"]
    if pc.get("repositoryCredentials"):
        container["repositoryCredentials"] = pc["repositoryCredentials"]
    return container


def _task_shape(conf):
    """What a task definition depends on: a change here needs a new revision and deployment."""
    return json.dumps(
        {k: conf.get(k) for k in ("primaryContainer", "cpu", "memory", "executionRoleArn", "taskRoleArn")},
        sort_keys=True,
    )


def _register(backend, rec_name, cluster, conf):
    if conf.get("_customer_td"):
        return conf["taskDefinitionArn"]
    td = backend.register_task_definition(
        family=rec_name,
        container_definitions=[_container_definition(conf, backend.region_name)],
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        cpu=conf["cpu"],
        memory=conf["memory"],
        task_role_arn=conf.get("taskRoleArn"),
        execution_role_arn=conf.get("executionRoleArn"),
        tags=[{"key": "AmazonECSManaged", "value": "true"}],
    )
    return td.arn


def _ensure_log_group(backend, conf):
    group = ((conf.get("primaryContainer") or {}).get("awsLogsConfiguration") or {}).get("logGroup")
    if not group:
        return
    logs = logs_models.logs_backends[backend.account_id][backend.region_name]
    if group not in logs.groups:
        logs.create_log_group(group, {})


def _network(backend, given):
    """(awsvpc networkConfiguration, its Express form): the request's subnets and security
    groups, else the default VPC's subnets and default security group (Express's defaults).
    Checked like CreateService checks them, before anything is created."""
    given = given or {}
    subnets, groups = list(given.get("subnets") or []), list(given.get("securityGroups") or [])
    try:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[backend.account_id][backend.region_name]
        if not subnets:
            subnets = sorted(s.id for s in ec2.describe_subnets() if str(getattr(s, "default_for_az", "")).lower() == "true")
        if not groups:
            vpc = next((v for v in ec2.describe_vpcs() if getattr(v, "is_default", False)), None)
            groups = [g.id for g in ec2.describe_security_groups() if g.name == "default" and vpc and g.vpc_id == vpc.id][:1]
    except Exception as exc:  # no default VPC: the request must name its network
        log.debug("default network: %s", exc)
    conf = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": groups, "assignPublicIp": "ENABLED"}}
    probe = type("NetworkProbe", (), {"_account_id": backend.account_id, "region_name": backend.region_name})()
    ecs_models.Service._validate_network(probe, conf)
    return conf, {"subnets": subnets, "securityGroups": groups}


def _caller(response):
    m = re.search(r"Credential=([^/,\s]+)/", response.headers.get("Authorization", "") if response.headers else "")
    return m.group(1) if m else None


def _find(backend, arn, not_found):
    if not arn:
        raise InvalidParameterException("serviceArn must be specified.")
    if not arn.startswith("arn:"):
        raise InvalidParameterException(f"serviceArn '{arn}' is not a valid ARN.")
    rec = SERVICES.get(arn)
    if rec is None or rec.region != backend.region_name or rec.account != backend.account_id:
        raise not_found()
    return rec


# ---- operations (under common.LOCK: server.py holds it for every moto request) ----


def create(response):
    backend = response.ecs_backend
    _check_region(backend)
    p = response._get_param
    key = _caller(response)
    name = p("serviceName") or f"express-{random.randint(10**7, 10**8 - 1)}"
    if not NAME_RE.match(name):
        raise InvalidParameterException(
            "serviceName can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens."
        )
    cluster_str = p("cluster") or "default"
    td_arn = p("taskDefinitionArn")
    pc = p("primaryContainer")
    if td_arn:
        for member in ("primaryContainer", "executionRoleArn", "taskRoleArn", "cpu", "memory"):
            if p(member):
                raise InvalidParameterException(f"{member} cannot be specified together with taskDefinitionArn.")
    else:
        _check_container(pc)
    _check_role(key, "infrastructureRoleArn", p("infrastructureRoleArn"), INFRASTRUCTURE_PRINCIPAL, "infrastructure")
    if not td_arn:
        _check_role(key, "executionRoleArn", p("executionRoleArn"), EXECUTION_PRINCIPAL, "execution")
    if p("taskRoleArn"):
        _check_role(key, "taskRoleArn", p("taskRoleArn"), EXECUTION_PRINCIPAL, "task")
    _check_health_path(p("healthCheckPath"))
    _check_scaling(p("scalingTarget"))
    _check_tags(p("tags") or [])

    cluster_name = cluster_str.split("/")[-1]
    if cluster_name not in backend.clusters:
        if cluster_name != "default":
            raise ClusterNotFoundException()
        backend.create_cluster("default")  # Express creates the default cluster when missing
    existing = backend.services.get(f"{cluster_name}:{name}")
    if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
        raise InvalidParameterException("Creation of service was not idempotent.")

    if td_arn:
        td = backend.describe_task_definition(td_arn)
        if not any(c.get("name") == CONTAINER for c in td.container_definitions):
            raise InvalidParameterException(f"The task definition must have a container named {CONTAINER}.")
        main = next(c for c in td.container_definitions if c.get("name") == CONTAINER)
        ports = main.get("portMappings") or []
        if len(ports) != 1:
            raise InvalidParameterException(
                f"Container {CONTAINER} must have a single TCP port mapping with a container port and port name."
            )
        conf = {
            "executionRoleArn": td.execution_role_arn,
            "taskRoleArn": td.task_role_arn,
            "taskDefinitionArn": td.arn,
            "cpu": td.cpu,
            "memory": td.memory,
            "primaryContainer": {"image": main.get("image"), "containerPort": ports[0]["containerPort"]},
            "_customer_td": True,
        }
    else:
        pc = dict(pc)
        pc.setdefault("containerPort", 80)
        logs = dict(pc.get("awsLogsConfiguration") or {})
        logs.setdefault("logGroup", _default_log_group(cluster_name, name))
        logs.setdefault("logStreamPrefix", "ecs")
        pc["awsLogsConfiguration"] = logs
        conf = {
            "executionRoleArn": p("executionRoleArn"),
            "taskRoleArn": p("taskRoleArn"),
            "cpu": str(p("cpu") or "256"),
            "memory": str(p("memory") or "512"),
            "primaryContainer": pc,
        }
    scaling = dict(p("scalingTarget") or {})
    scaling.setdefault("minTaskCount", 1)
    scaling.setdefault("maxTaskCount", max(20, scaling["minTaskCount"]))
    scaling.setdefault("autoScalingMetric", "AVERAGE_CPU")
    scaling.setdefault("autoScalingTargetValue", 60)
    network, network_wire = _network(backend, p("networkConfiguration"))
    conf.update(
        {
            "healthCheckPath": p("healthCheckPath") or "/ping",
            "scalingTarget": scaling,
            "networkConfiguration": network_wire,
        }
    )

    # Everything validated: from here on, resources are made.
    _ensure_log_group(backend, conf)
    conf["taskDefinitionArn"] = _register(backend, name, cluster_name, conf)
    tags = p("tags") or []
    service = backend.create_service(
        cluster_name,
        name,
        scaling["minTaskCount"],
        conf["taskDefinitionArn"],
        None,
        None,
        list(tags),
        None,
        "FARGATE",
        network_configuration=network,
    )
    service.deployment_configuration.update(
        {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100}
    )
    listener = ExpressLoadBalancer(service.arn)
    service.resource_management_type = "ECS"
    service.health_check_grace_period_seconds = int(HEALTH_GRACE)
    service._tb_publish = True  # the listener reaches tasks over 127.0.0.1 only
    rec = ExpressService(backend, service, p("infrastructureRoleArn"), tags, listener)
    service._tb_healthy = rec.healthy
    conf["serviceRevisionArn"] = _revision_arn(rec)
    conf["ingressPaths"] = [{"accessType": "PUBLIC", "endpoint": listener.url}]
    conf["createdAt"] = ecs_sim.utcnow()
    rec.configurations.append(conf)
    previous = SERVICES.get(rec.arn)  # an earlier, deleted service of the same name
    if previous is not None and previous.listener is not None:
        previous.listener.close()
    SERVICES[rec.arn] = rec
    log.info("express service %s: %s -> %s", name, listener.url, conf["taskDefinitionArn"])
    return json.dumps({"service": rec.describe(include_tags=True)})


def update(response):
    backend = response.ecs_backend
    _check_region(backend)
    p = response._get_param
    key = _caller(response)
    rec = _find(backend, p("serviceArn"), ServiceNotFoundException)
    if rec.status != "ACTIVE" or rec.service.status != "ACTIVE":
        raise ServiceNotActiveException()
    old = rec.current()
    if old.get("_customer_td") and any(p(m) for m in ("primaryContainer", "executionRoleArn", "taskRoleArn", "cpu", "memory")):
        raise InvalidParameterException("This Express service uses a customer task definition; update it with UpdateService.")
    conf = json.loads(json.dumps({k: v for k, v in old.items() if k not in ("createdAt",)}, default=str))
    if p("executionRoleArn"):
        _check_role(key, "executionRoleArn", p("executionRoleArn"), EXECUTION_PRINCIPAL, "execution")
        conf["executionRoleArn"] = p("executionRoleArn")
    if p("taskRoleArn"):
        _check_role(key, "taskRoleArn", p("taskRoleArn"), EXECUTION_PRINCIPAL, "task")
        conf["taskRoleArn"] = p("taskRoleArn")
    if p("primaryContainer") is not None:
        # The container is one value (its `image` is required): the given one replaces
        # the old, except the wiring the load balancer and logs depend on, which
        # keeps its previous value when omitted.
        pc = dict(p("primaryContainer"))
        _check_container(pc)
        previous = conf["primaryContainer"]
        pc.setdefault("containerPort", previous.get("containerPort") or 80)
        pc.setdefault("awsLogsConfiguration", previous.get("awsLogsConfiguration"))
        conf["primaryContainer"] = pc
    for member in ("cpu", "memory"):
        if p(member):
            conf[member] = str(p(member))
    if p("healthCheckPath") is not None:
        _check_health_path(p("healthCheckPath"))
        conf["healthCheckPath"] = p("healthCheckPath")
    if p("scalingTarget"):
        scaling = dict(conf["scalingTarget"])
        scaling.update(p("scalingTarget"))
        _check_scaling(scaling)
        conf["scalingTarget"] = scaling
    network = None
    if p("networkConfiguration"):
        network, conf["networkConfiguration"] = _network(backend, p("networkConfiguration"))

    new_td = _task_shape(conf) != _task_shape(old)
    if new_td:
        _ensure_log_group(backend, conf)
        conf["taskDefinitionArn"] = _register(backend, rec.name, rec.cluster, conf)
    conf["serviceRevisionArn"] = _revision_arn(rec)
    conf["createdAt"] = ecs_sim.utcnow()
    rec.configurations.append(conf)
    rec.updated_at = conf["createdAt"]
    props = {
        "cluster": rec.cluster,
        "service": rec.name,
        "desired_count": conf["scalingTarget"]["minTaskCount"],
        "task_definition": conf["taskDefinitionArn"] if new_td else None,
    }
    if network:
        props["network_configuration"] = network
    backend.update_service(props)
    log.info("express service %s updated (new deployment: %s)", rec.name, new_td)
    return json.dumps({"service": rec.updated(conf)})


def describe(response):
    backend = response.ecs_backend
    _check_region(backend)
    arn = response._get_param("serviceArn")
    rec = _find(backend, arn, lambda: ResourceNotFoundException(f"The Express service {arn} was not found."))
    include = response._get_param("include") or []
    return json.dumps({"service": rec.describe(include_tags="TAGS" in include)})


def delete(response):
    backend = response.ecs_backend
    _check_region(backend)
    rec = _find(backend, response._get_param("serviceArn"), ServiceNotFoundException)
    if rec.status != "ACTIVE":
        raise ServiceNotActiveException()
    rec.service.desired_count = 0
    backend.delete_service(rec.cluster, rec.name, True)
    rec.status = "DRAINING"
    rec.updated_at = ecs_sim.utcnow()
    log.info("express service %s deleted (draining)", rec.name)
    return json.dumps({"service": rec.describe()})


# --------------------------------------------------------------------------
# Health checks and draining (one background thread for all Express services)
# --------------------------------------------------------------------------


class HealthChecker:
    def __init__(self):
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="express-health", daemon=True)
        self._thread.start()

    def shutdown(self):
        self._stop.set()
        for rec in list(SERVICES.values()):
            if rec.listener is not None:
                rec.listener.close()

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("express health tick failed")
            self._stop.wait(HEALTH_INTERVAL)

    def tick(self):
        probes = []
        with common.LOCK:
            live_backends = {id(b) for b in ecs_sim._all_ecs_backends()}
            for rec in list(SERVICES.values()):
                if id(rec.backend) not in live_backends or rec.backend.services.get(f"{rec.cluster}:{rec.name}") is not rec.service:
                    # /moto-api/reset (or a new service under the name): the record is gone with its backend.
                    if rec.listener is not None:
                        rec.listener.close()
                    SERVICES.pop(rec.arn, None)
                    continue
                if rec.listener is None:
                    continue
                tasks = ecs_sim.ENGINE._service_tasks(rec.backend, rec.service)
                live = [t for t in tasks if t.desired_status == "RUNNING" and t.last_status == "RUNNING"]
                if rec.status == "DRAINING" and all(t.last_status == "STOPPED" for t in tasks):
                    rec.status = "INACTIVE"
                    rec.updated_at = ecs_sim.utcnow()
                    rec.listener.close()
                    rec.listener = None
                    log.info("express service %s INACTIVE", rec.name)
                    continue
                live_arns = {t.task_arn for t in live}
                for arn in list(rec.health):
                    if arn not in live_arns:
                        del rec.health[arn]
                for task in live:
                    conf = rec.configuration_for(task.task_definition_arn) or rec.current()
                    port = (conf.get("primaryContainer") or {}).get("containerPort") or 80
                    binding = _binding(task, port)
                    if binding is None:
                        continue
                    probes.append((rec, task, binding, rec.current()["healthCheckPath"]))
        results = [(rec, task, binding, _probe(binding, path)) for rec, task, binding, path in probes]
        with common.LOCK:
            for rec, task, binding, ok in results:
                if task.desired_status != "RUNNING":
                    continue
                state = rec.health.setdefault(task.task_arn, {"healthy": None, "fails": 0})
                if ok:
                    state["healthy"], state["fails"] = True, 0
                    task.health_status = "HEALTHY"
                    continue
                state["fails"] += 1
                started = task.started_at or task.created_at
                in_grace = (ecs_sim.utcnow() - started).total_seconds() < HEALTH_GRACE
                if state["fails"] >= UNHEALTHY_THRESHOLD and not in_grace:
                    state["healthy"] = False
                    task.health_status = "UNHEALTHY"
                    tg = f"arn:aws:elasticloadbalancing:{rec.region}:{rec.account}:targetgroup/ecs-express-{rec.name[:12]}/{abs(hash(rec.arn)) % 10**16:016x}"
                    ecs_sim.ENGINE._task_failed(task, f"Task failed ELB health checks in (target-group {tg})", "ServiceSchedulerInitiated")
                    ecs_sim.ENGINE.request_stop(task, task.stopped_reason)
                    ecs_sim.add_event(
                        rec.service,
                        f"(service {rec.name}) (port {binding[2]}) is unhealthy in (target-group {tg}) due to "
                        f"(reason Health checks failed).",
                    )
            for rec in list(SERVICES.values()):
                if rec.listener is None:
                    continue
                targets = []
                for task in ecs_sim.ENGINE._service_tasks(rec.backend, rec.service):
                    if task.desired_status == "RUNNING" and rec.healthy(task):
                        conf = rec.configuration_for(task.task_definition_arn) or rec.current()
                        binding = _binding(task, (conf.get("primaryContainer") or {}).get("containerPort") or 80)
                        if binding:
                            targets.append(binding[:2])
                rec.listener.set_targets(targets)


def _binding(task, container_port):
    for c in task.containers:
        if c.name != CONTAINER:
            continue
        for b in c.network_bindings or []:
            if b.get("containerPort") == container_port:
                return ("127.0.0.1", b["hostPort"], container_port)
    return None


def _probe(binding, path):
    conn = http.client.HTTPConnection(binding[0], binding[1], timeout=2)
    try:
        conn.request("GET", path, headers={"User-Agent": "ELB-HealthChecker/2.0"})
        resp = conn.getresponse()
        resp.read()
        return resp.status == 200
    except OSError:
        return False
    finally:
        conn.close()


HEALTH = HealthChecker()


def _deregister_stopping(task):
    """Under LOCK: a task asked to stop leaves its service's listener at once, as an ALB
    deregisters a target when ECS starts stopping its task (new requests go to the others;
    the health thread would only notice at its next tick)."""
    for rec in SERVICES.values():
        if rec.listener is None:
            continue
        conf = rec.configuration_for(task.task_definition_arn) or rec.current()
        binding = _binding(task, (conf.get("primaryContainer") or {}).get("containerPort") or 80)
        if binding and binding[:2] in rec.listener.targets():
            rec.listener.deregister(*binding[:2])


ecs_sim.STOP_HOOKS.append(_deregister_stopping)


def debug_state():
    with common.LOCK:
        return {
            "services": [
                {
                    "serviceArn": rec.arn,
                    "status": rec.status,
                    "url": rec.listener.url if rec.listener else None,
                    "targets": [f"{h}:{p}" for h, p in rec.listener.targets()] if rec.listener else [],
                    "health": rec.health,
                }
                for rec in SERVICES.values()
            ]
        }


def install():
    """Teach moto's ECS JSON handler the four Express operations (and IAM its managed policies)."""
    # AttachRolePolicy of arn:aws:iam::aws:policy/... needs moto's copy of the AWS managed policies.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    R = ecs_responses.EC2ContainerServiceResponse
    R.create_express_gateway_service = create
    R.update_express_gateway_service = update
    R.describe_express_gateway_service = describe
    R.delete_express_gateway_service = delete
