"""Make moto's ECS behave like real ECS for services: real containers, real rollouts.

moto 5.2's ECS keeps services as static records: CreateService invents one
deployment, UpdateService just swaps the task definition string, nothing ever
runs.  This module patches the backend (EC2ContainerServiceBackend) and adds a
background engine that, like the ECS service scheduler:

* gives every CreateService / UpdateService (new task definition or
  forceNewDeployment) a new PRIMARY deployment `ecs-svc/<19 digits>`; the
  previous PRIMARY becomes ACTIVE and keeps its tasks until the new one is done;
* launches the deployment's tasks as real containers on the local Docker
  engine (image pulled from the testbed registry with the ECR credentials,
  environment + Secrets Manager / SSM secrets injected, command, entryPoint,
  workingDirectory), and ships their output line by line to CloudWatch Logs
  (awslogs driver semantics: `<prefix>/<container>/<task-id>`);
* marks the deployment COMPLETED once all desired tasks have been RUNNING for
  the rollout delay, then stops the old deployment's tasks and drops it;
* counts failed tasks (image pull failures, secrets that cannot be resolved,
  essential containers that exit) and retries them; with the deployment
  circuit breaker enabled it fails the deployment after `threshold` failures
  and, with rollback, starts a new deployment of the last COMPLETED task
  definition.

Knobs (service tags, read at every tick so TagResource works too):
  testbed:rollout-delay      seconds all tasks must run before COMPLETED (default
                             $MCP_TESTBED_ROLLOUT_DELAY or 2)
  testbed:failure-threshold  circuit-breaker threshold (default 3)
  testbed:publish-ports      "true": publish containerPorts on 127.0.0.1:<random>
                             (reported as containers[].networkBindings)

All moto state is touched only under common.LOCK; Docker calls run outside it.
"""
import datetime
import logging
import os
import random
import threading
import time
import uuid

import docker
from docker.errors import APIError, DockerException, ImageNotFound, NotFound

from moto.core.common_models import BaseModel
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import ECSException, InvalidParameterException
from moto.logs import models as logs_models
from moto.moto_api._internal.managed_state_model import ManagedState

import common
import lb
import progressive

log = logging.getLogger("testbed.ecs")

LABEL = "mcp-testbed"
# Which testbed a container belongs to (its state folder): a second instance on
# the same engine (another port and MCP_TESTBED_DIR) must never remove the
# containers of the first. Containers without it predate the label; only the
# default instance treats them as its own.
INSTANCE_LABEL = f"{LABEL}.instance"
DEFAULT_STATE_DIR = "/tmp/mcp-testbed"


def is_ours(labels):
    """Is a container with these labels a task container of this testbed instance?"""
    if labels.get(LABEL) != "1":
        return False
    instance = labels.get(INSTANCE_LABEL)
    if instance is None:
        return os.path.abspath(common.STATE_DIR) == DEFAULT_STATE_DIR
    return instance == os.path.abspath(common.STATE_DIR)
TICK = 0.2  # engine period (s): keeps "visible within ~1 s" promises cheap


def _env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return float(default)


DEFAULT_ROLLOUT_DELAY = _env_float("MCP_TESTBED_ROLLOUT_DELAY", 2)
DEFAULT_FAILURE_THRESHOLD = int(_env_float("MCP_TESTBED_FAILURE_THRESHOLD", 3))
RETRY_DELAY = _env_float("MCP_TESTBED_RETRY_DELAY", 1)  # ECS also throttles relaunches
STOP_TIMEOUT = int(_env_float("MCP_TESTBED_STOP_TIMEOUT", 2))  # ECS default is 30 s; tests want speed
STOPPED_TASK_TTL = 3600  # ECS shows STOPPED tasks for about an hour
# Called (under LOCK) with a task the moment it is asked to stop: a load balancer in
# front of it deregisters its target then, before the task is gone (express.py).
STOP_HOOKS = []


class ServiceNotActiveException(ECSException):
    def __init__(self):
        super().__init__("ServiceNotActiveException", "Service was not ACTIVE.")


def new_deployment_id():
    # Real ids look like ecs-svc/1234567890123456789 (19 digits).
    return f"ecs-svc/{random.randint(10**18, 10**19 - 1)}"


def _tag(service, key):
    for tag in service.tags or []:
        if tag.get("key") == key:
            return tag.get("value")
    return None


def _short(task_or_arn):
    arn = task_or_arn if isinstance(task_or_arn, str) else task_or_arn.task_arn
    return arn.split("/")[-1]


def add_event(service, message):
    """ECS service events: newest first, each {id, createdAt, message}."""
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
    del service.events[100:]


class StartFailure(Exception):
    """A task could not start; str() is the ECS stoppedReason."""


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class SimContainer(BaseModel):
    """Serialises as an ECS `Container` (moto picks camelCase or snake_case attrs)."""

    # moto's model metaclass files classes under the service named by the
    # second component of __module__ ("moto.ecs...."); ours live outside moto.
    __module__ = "moto.ecs.testbed_sim"

    def __init__(self, task, container_def):
        self.container_arn = (
            f"arn:aws:ecs:{task.region_name}:{task._account_id}:container/"
            f"{task.cluster_name}/{task.id}/{uuid.uuid4()}"
        )
        self.task_arn = task.task_arn
        self.name = container_def.get("name")
        self.image = container_def.get("image")
        self.image_digest = None
        self.runtime_id = None
        self.last_status = "PENDING"
        self.exit_code = None  # absent until the container stopped, like ECS
        self.reason = None
        self.network_bindings = []
        self.network_interfaces = []
        self.health_status = "UNKNOWN"
        self.cpu = str(container_def.get("cpu", 0))
        self.memory = str(container_def["memory"]) if container_def.get("memory") else None
        self.essential = container_def.get("essential", True)
        self._def = container_def
        self._docker_id = None


class SimTask(ecs_models.Task):
    """A service task backed by real containers.

    moto's Task derives lastStatus from a ManagedState that advances on every
    DescribeTasks call (RUNNING -> DEACTIVATING -> ... -> STOPPED); ours is a
    plain attribute driven by the engine, so we do not call Task.__init__ (it
    would also demand an EC2 subnet/ENI for awsvpc).
    """

    __module__ = "moto.ecs.testbed_sim"  # see SimContainer

    def __init__(self, backend, cluster, service, task_definition, deployment_id):
        ManagedState.__init__(self, "ecs::task", [("RUNNING", "STOPPED")])
        self.id = uuid.uuid4().hex  # real ECS task ids are 32 hex chars
        self._backend = backend
        self._account_id = backend.account_id
        self.region_name = cluster.region_name
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.container_instance_arn = None
        self.task_definition_arn = task_definition.arn
        self.started_by = deployment_id
        self.group = f"service:{service.name}"
        self.launch_type = service.launch_type or "FARGATE"
        self.platform_version = "1.4.0" if self.launch_type == "FARGATE" else None
        self.platform_family = "Linux"
        self.cpu = task_definition.cpu
        self.memory = task_definition.memory
        self.tags = []
        self.resource_requirements = None
        self.overrides = {
            "containerOverrides": [{"name": c.get("name")} for c in task_definition.container_definitions],
            "inferenceAcceleratorOverrides": [],
        }
        self.desired_status = "RUNNING"
        self._last_status = "PROVISIONING"
        self.stopped_reason = None
        self.stop_code = None
        self.availability_zone = f"{cluster.region_name}a"
        self.connectivity = "CONNECTED"
        now = utcnow()
        self.created_at = now
        self.connectivity_at = now
        self.pull_started_at = None
        self.pull_stopped_at = None
        self.started_at = None
        self.stopping_at = None
        self.stopped_at = None
        self.execution_stopped_at = None
        self.health_status = "UNKNOWN"
        self.version = 1
        self.attachments = []
        self.containers = [SimContainer(self, c) for c in task_definition.container_definitions]
        # engine bookkeeping (never serialised: no such API member)
        self._service = service
        self._td = task_definition
        self._teardown_started = False
        self._followers = []
        self._counted_failure = False

    @property
    def last_status(self):
        return self._last_status

    @last_status.setter
    def last_status(self, value):
        self._last_status = value
        self.version += 1

    def advance(self):  # moto's DescribeTasks calls this; our state is engine-driven
        pass


# --------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------


def _all_ecs_backends():
    for account in list(dict.keys(ecs_models.ecs_backends)):
        regions = dict.__getitem__(ecs_models.ecs_backends, account)
        for region in list(dict.keys(regions)):
            yield dict.__getitem__(regions, region)


class Engine:
    def __init__(self):
        self._thread = None
        self._stop = threading.Event()
        self._docker = None
        self._all_tasks = {}  # every SimTask ever launched and not yet STOPPED (see _reap_orphans)

    # ---- lifecycle ----
    def docker(self):
        if self._docker is None:
            self._docker = docker.DockerClient(
                base_url=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
                timeout=300,
                max_pool_size=64,
            )
        return self._docker

    def start(self):
        self._cleanup_leftovers()
        self._thread = threading.Thread(target=self._loop, name="ecs-engine", daemon=True)
        self._thread.start()

    def alive(self):
        return bool(self._thread and self._thread.is_alive())

    def shutdown(self):
        self._stop.set()
        self._cleanup_leftovers()

    def _cleanup_leftovers(self):
        """Containers of a previous server process belong to tasks nobody knows any more."""
        try:
            for c in self.docker().containers.list(all=True, filters={"label": f"{LABEL}=1"}):
                if is_ours(c.labels):
                    c.remove(force=True)
        except DockerException as exc:
            log.warning("cannot clean up old task containers: %s", exc)

    def _loop(self):
        while not self._stop.is_set():
            try:
                with common.LOCK:
                    for backend in _all_ecs_backends():
                        self._reconcile_backend(backend)
                    self._reap_orphans()
                    lb.MIRROR.sync()
            except Exception:  # keep the scheduler alive whatever happens
                log.exception("engine tick failed")
            self._stop.wait(TICK)

    def _reap_orphans(self):
        """moto's /moto-api/reset drops backends wholesale: stop containers nobody can see any more."""
        known = set()
        for backend in _all_ecs_backends():
            for tasks in backend.tasks.values():
                known.update(id(t) for t in tasks.values())
        for key, task in list(self._all_tasks.items()):
            if task.last_status == "STOPPED":
                del self._all_tasks[key]
            elif key not in known and task.desired_status == "RUNNING":
                self.request_stop(task, "Task stopped by testbed reset", stop_code="UserInitiated")

    # ---- API hooks (called under LOCK from patched backend methods) ----
    def on_create(self, backend, service):
        service.deployment_configuration = {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        }
        service.running_count = 0
        service.pending_count = 0
        service._tb = {"deps": {}, "last_completed": None}
        template = service.deployments[0] if service.deployments else {}
        service.deployments = []
        service._tb["template"] = {
            k: template.get(k)
            for k in ("launchType", "platformVersion", "networkConfiguration")
        }
        # moto says "FARGATE"; ECS reports the OS family of Fargate tasks.
        service._tb["template"]["platformFamily"] = "Linux" if service.launch_type == "FARGATE" else None
        if service.task_definition:
            self._new_deployment(service, service.task_definition)

    def on_update(self, backend, service, td_arn, force):
        primary = service.deployments[0] if service.deployments else None
        if td_arn is not None:
            service.task_definition = td_arn
        if primary is None or force or (td_arn is not None and td_arn != primary["taskDefinition"]):
            self._new_deployment(service, service.task_definition)
        else:
            primary["desiredCount"] = service.desired_count
            primary["updatedAt"] = utcnow()

    def _new_deployment(self, service, td_arn, rollback_from=None):
        now = utcnow()
        for dep in service.deployments:
            if dep["status"] == "PRIMARY":
                dep["status"] = "ACTIVE"
                dep["updatedAt"] = now
        dep_id = new_deployment_id()
        dep = dict(service._tb["template"])
        dep.update(
            {
                "id": dep_id,
                "status": "PRIMARY",
                "taskDefinition": td_arn,
                "desiredCount": service.desired_count,
                "pendingCount": 0,
                "runningCount": 0,
                "failedTasks": 0,
                "createdAt": now,
                "updatedAt": now,
                "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": f"ECS deployment {dep_id} in progress.",
            }
        )
        if service.network_configuration:
            dep["networkConfiguration"] = service.network_configuration
        service.deployments.insert(0, dep)
        service._tb["deps"][dep_id] = {"steady_since": None, "next_launch": 0.0}
        if rollback_from:
            add_event(service, f"(service {service.name}) rolling back to deployment {rollback_from}.")
        progressive.on_new_deployment(self, service, dep, rollback_from=rollback_from)
        return dep

    # ---- scheduler ----
    def _reconcile_backend(self, backend):
        services = list(backend.services.values())
        live_services = {id(s) for s in services if s.status == "ACTIVE"}
        now = time.time()
        for cluster_name, tasks in backend.tasks.items():
            for arn, task in list(tasks.items()):
                if not isinstance(task, SimTask):
                    continue
                # tasks of deleted / replaced services drain
                if task.desired_status == "RUNNING" and id(task._service) not in live_services:
                    self.request_stop(task, f"Scaling activity initiated by (deployment {task.started_by})")
                # ECS forgets STOPPED tasks after a while
                if task.last_status == "STOPPED" and task.stopped_at is not None:
                    age = (utcnow() - task.stopped_at).total_seconds()
                    if age > STOPPED_TASK_TTL:
                        del tasks[arn]
        for service in services:
            if getattr(service, "_tb", None) is not None and service.status == "ACTIVE":
                self._reconcile_service(backend, service, now)
                progressive.tick_rollbacks(self, backend, service)
            elif getattr(service, "_tb", None) is not None:
                self._count(backend, service)
            if getattr(service, "_tb", None) is not None:
                progressive.sync_targets(backend, service, self._service_tasks(backend, service))
        for cluster in backend.clusters.values():
            tasks = [t for t in backend.tasks.get(cluster.name, {}).values() if isinstance(t, SimTask)]
            cluster.running_tasks_count = sum(1 for t in tasks if t.last_status == "RUNNING")
            cluster.pending_tasks_count = sum(
                1 for t in tasks if t.desired_status == "RUNNING" and t.last_status != "RUNNING"
            )
            cluster.active_services_count = sum(
                1 for s in services if s.cluster_name == cluster.name and s.status == "ACTIVE"
            )

    def _service_tasks(self, backend, service):
        return [
            t
            for t in backend.tasks.get(service.cluster_name, {}).values()
            if isinstance(t, SimTask) and t._service is service
        ]

    def _count(self, backend, service):
        tasks = self._service_tasks(backend, service)
        total_running = total_pending = 0
        for dep in service.deployments:
            live = [t for t in tasks if t.started_by == dep["id"] and t.desired_status == "RUNNING"]
            running = sum(1 for t in live if t.last_status == "RUNNING")
            pending = len(live) - running
            if (dep["runningCount"], dep["pendingCount"]) != (running, pending):
                dep["runningCount"], dep["pendingCount"] = running, pending
                dep["updatedAt"] = utcnow()
            total_running += running
            total_pending += pending
        service.running_count = total_running
        service.pending_count = total_pending
        return tasks

    def _reconcile_service(self, backend, service, now):
        tb = service._tb
        if not service.deployments:
            return
        primary = service.deployments[0]
        if progressive.controls(service, primary):  # blue/green, canary, linear: the stage machine drives
            progressive.reconcile(self, backend, service, primary, now)
            return
        pid = primary["id"]
        pstate = tb["deps"].setdefault(pid, {"steady_since": None, "next_launch": 0.0})
        desired = int(service.desired_count or 0)
        primary["desiredCount"] = desired
        tasks = self._service_tasks(backend, service)
        plive = [t for t in tasks if t.started_by == pid and t.desired_status == "RUNNING"]

        # Circuit breaker (only while the deployment is rolling out, like ECS).
        breaker = (service.deployment_configuration or {}).get("deploymentCircuitBreaker") or {}
        threshold = int(_tag(service, "testbed:failure-threshold") or DEFAULT_FAILURE_THRESHOLD)
        if (
            primary["rolloutState"] == "IN_PROGRESS"
            and breaker.get("enable")
            and primary["failedTasks"] >= threshold
        ):
            self._fail_deployment(backend, service, primary, plive, rollback=bool(breaker.get("rollback")))
            return

        plive, running = self._scale(backend, service, primary, now)

        if primary["rolloutState"] == "IN_PROGRESS":
            if len(running) == desired and len(plive) == desired:
                if pstate["steady_since"] is None:
                    pstate["steady_since"] = now
                delay = float(_tag(service, "testbed:rollout-delay") or DEFAULT_ROLLOUT_DELAY)
                if now - pstate["steady_since"] >= delay:
                    self._complete(backend, service, primary, self._service_tasks(backend, service))
            else:
                pstate["steady_since"] = None

    def _scale(self, backend, service, dep, now, launch=True):
        """Scale one deployment to the service's desired count; -> (live tasks, RUNNING tasks)."""
        pid = dep["id"]
        pstate = service._tb["deps"].setdefault(pid, {"steady_since": None, "next_launch": 0.0})
        desired = int(service.desired_count or 0)
        dep["desiredCount"] = desired
        tasks = self._service_tasks(backend, service)
        plive = [t for t in tasks if t.started_by == pid and t.desired_status == "RUNNING"]
        if len(plive) > desired:
            extra = sorted(plive, key=lambda t: t.created_at, reverse=True)[: len(plive) - desired]
            for t in extra:
                self.request_stop(t, f"Scaling activity initiated by (deployment {pid})")
            add_event(
                service,
                f"(service {service.name}) has stopped {len(extra)} running tasks: "
                + " ".join(f"(task {_short(t)})" for t in extra)
                + ".",
            )
        elif launch and len(plive) < desired and dep["rolloutState"] != "FAILED" and now >= pstate["next_launch"]:
            started = [self._launch(backend, service, pid) for _ in range(desired - len(plive))]
            add_event(
                service,
                f"(service {service.name}) has started {len(started)} tasks: "
                + " ".join(f"(task {_short(t)})" for t in started)
                + ".",
            )
        tasks = self._count(backend, service)
        plive = [t for t in tasks if t.started_by == pid and t.desired_status == "RUNNING"]
        # Behind a load balancer (express.py) a task counts once its target is healthy.
        healthy = getattr(service, "_tb_healthy", None) or (lambda t: True)
        return plive, [t for t in plive if t.last_status == "RUNNING" and healthy(t)]

    def _complete(self, backend, service, primary, tasks):
        pid = primary["id"]
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {pid} completed."
        primary["updatedAt"] = utcnow()
        old = [d for d in service.deployments if d is not primary]
        stopped = []
        for dep in old:
            for t in tasks:
                if t.started_by == dep["id"] and t.desired_status == "RUNNING":
                    self.request_stop(t, f"Scaling activity initiated by (deployment {pid})")
                    stopped.append(t)
            service._tb["deps"].pop(dep["id"], None)
        service.deployments = [primary]
        service._tb["last_completed"] = (pid, primary["taskDefinition"])
        if stopped:
            add_event(
                service,
                f"(service {service.name}) has stopped {len(stopped)} running tasks: "
                + " ".join(f"(task {_short(t)})" for t in stopped)
                + ".",
            )
        add_event(service, f"(service {service.name}) (deployment {pid}) deployment completed.")
        add_event(service, f"(service {service.name}) has reached a steady state.")
        self._count(backend, service)
        progressive.on_rolling_completed(service, primary)
        log.info("%s: deployment %s completed", service.name, pid)

    def _fail_deployment(self, backend, service, primary, plive, rollback):
        pid = primary["id"]
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        primary["updatedAt"] = utcnow()
        add_event(service, f"(service {service.name}) (deployment {pid}) deployment failed: tasks failed to start.")
        log.info("%s: deployment %s failed (circuit breaker)", service.name, pid)
        last = service._tb.get("last_completed")
        progressive.on_rolling_failed(service, primary, rollback=bool(rollback and last and last[1] != primary["taskDefinition"]))
        if rollback and last and last[1] != primary["taskDefinition"]:
            for t in plive:
                self.request_stop(t, f"Scaling activity initiated by (deployment {pid})")
            service.task_definition = last[1]
            self._new_deployment(service, last[1], rollback_from=last[0])
        self._count(backend, service)

    # ---- tasks ----
    def _launch(self, backend, service, deployment_id):
        dep = next(d for d in service.deployments if d["id"] == deployment_id)
        td = backend.describe_task_definition(dep["taskDefinition"])
        cluster = backend._get_cluster(service.cluster_name)
        task = SimTask(backend, cluster, service, td, deployment_id)
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        self._all_tasks[id(task)] = task
        publish = (
            getattr(service, "_tb_publish", False)
            or str(_tag(service, "testbed:publish-ports") or "").lower() == "true"
            or progressive.publish_ports(service)
        )
        threading.Thread(
            target=self._run_task, args=(task, publish), name=f"task-{task.id[:8]}", daemon=True
        ).start()
        return task

    def _task_failed(self, task, reason, stop_code):
        """Under LOCK: a task stopped on its own; count it against its deployment."""
        if task.desired_status == "RUNNING":
            task.desired_status = "STOPPED"
            task.stopped_reason = reason
            task.stop_code = stop_code
            task.stopping_at = utcnow()
            task.last_status = "DEACTIVATING"
        if not task._counted_failure:
            task._counted_failure = True
            service = task._service
            for dep in service.deployments:
                if dep["id"] == task.started_by:
                    dep["failedTasks"] += 1
                    dep["updatedAt"] = utcnow()
            state = (getattr(service, "_tb", None) or {}).get("deps", {}).get(task.started_by)
            if state is not None:
                state["next_launch"] = time.time() + RETRY_DELAY
        log.info("task %s failed: %s", task.id, reason)

    def request_stop(self, task, reason, stop_code="ServiceSchedulerInitiated"):
        """Under LOCK: ask for a task to stop (scheduler, StopTask, deleted service)."""
        if task.desired_status == "RUNNING":
            task.desired_status = "STOPPED"
            task.stopped_reason = reason
            task.stop_code = stop_code
            task.stopping_at = utcnow()
            if task.last_status == "RUNNING":
                task.last_status = "DEACTIVATING"
            for hook in STOP_HOOKS:
                try:
                    hook(task)
                except Exception:
                    log.exception("stop hook failed for %s", task.task_arn)
        if task.last_status in ("RUNNING", "DEACTIVATING") or any(c._docker_id for c in task.containers):
            self._start_teardown(task)
        # else: the launcher thread notices desired_status and cleans up itself

    def _start_teardown(self, task):
        if task._teardown_started:
            return
        task._teardown_started = True
        threading.Thread(target=self._teardown, args=(task,), name=f"stop-{task.id[:8]}", daemon=True).start()

    def _teardown(self, task):
        """Stop and remove the task's containers, then mark it STOPPED (ECS: STOPPING -> STOPPED)."""
        with common.LOCK:
            if task.last_status not in ("STOPPED",):
                task.last_status = "STOPPING"
            containers = [(c, c._docker_id) for c in task.containers if c._docker_id]
        api = self.docker().api
        codes = {}
        for c, cid in containers:
            try:
                api.stop(cid, timeout=int(c._def.get("stopTimeout") or STOP_TIMEOUT))
                codes[c.name] = api.wait(cid, timeout=60).get("StatusCode")
            except (APIError, NotFound, DockerException) as exc:
                log.debug("stop %s: %s", cid, exc)
        for follower in list(task._followers):  # let the last lines reach CloudWatch
            follower.join(timeout=5)
        for c, cid in containers:
            try:
                api.remove_container(cid, force=True)
            except (APIError, NotFound, DockerException):
                pass
        with common.LOCK:
            now = utcnow()
            for c in task.containers:
                if c.exit_code is None and c.name in codes:
                    c.exit_code = codes[c.name]
                c.last_status = "STOPPED"
            for att in task.attachments:
                att["status"] = "DELETED"
            task.execution_stopped_at = task.execution_stopped_at or now
            task.stopped_at = now
            task.last_status = "STOPPED"

    def _stop_if_requested(self, task):
        """Launcher helper: the task was stopped while starting -> finish it here."""
        with common.LOCK:
            if task.desired_status == "RUNNING":
                return False
        self._start_teardown(task)
        return True

    def _run_task(self, task, publish):
        try:
            self._start_containers(task, publish)
        except StartFailure as exc:
            with common.LOCK:
                reason = str(exc)
                for c in task.containers:
                    if c.last_status != "STOPPED":
                        c.last_status = "STOPPED"
                        if c.reason is None and reason.startswith("CannotPull"):
                            c.reason = reason
                self._task_failed(task, reason, "TaskFailedToStart")
            self._start_teardown(task)
        except Exception as exc:  # never leave a task PENDING forever
            log.exception("task %s: unexpected launcher error", task.id)
            with common.LOCK:
                self._task_failed(task, f"ResourceInitializationError: {exc}", "TaskFailedToStart")
            self._start_teardown(task)

    def _start_containers(self, task, publish):
        client = self.docker()
        with common.LOCK:
            task.last_status = "PENDING"
            service = task._service
            # Everything ECS resolves before pulling: secrets and log groups.
            plans = [self._plan_container(task, c) for c in task.containers]
            task.pull_started_at = utcnow()
        for plan in plans:
            plan["digest"] = self._pull(plan["image"])
        with common.LOCK:
            task.pull_stopped_at = utcnow()
        if self._stop_if_requested(task):
            return
        for c, plan in zip(task.containers, plans):
            ports, bindings = {}, []
            if publish:
                for pm in c._def.get("portMappings") or []:
                    proto = pm.get("protocol", "tcp")
                    ports[f"{pm['containerPort']}/{proto}"] = ("127.0.0.1", None)
            created = client.containers.create(
                plan["image"],
                command=c._def.get("command"),
                entrypoint=c._def.get("entryPoint"),
                environment=plan["env"],
                working_dir=c._def.get("workingDirectory"),
                labels={
                    LABEL: "1",
                    INSTANCE_LABEL: os.path.abspath(common.STATE_DIR),
                    f"{LABEL}.cluster": task.cluster_name,
                    f"{LABEL}.service": service.name,
                    f"{LABEL}.task": task.id,
                    f"{LABEL}.container": c.name,
                },
                name=f"mcp-testbed-{task.id[:12]}-{c.name}"[:120],
                ports=ports or None,
                detach=True,
            )
            with common.LOCK:
                c._docker_id = created.id
                c.runtime_id = created.id
                c.image_digest = plan["digest"]
            created.start()
            created.reload()
            net = created.attrs.get("NetworkSettings", {})
            ip = net.get("IPAddress") or next(
                (n.get("IPAddress") for n in (net.get("Networks") or {}).values() if n.get("IPAddress")), None
            )
            for key, host in (net.get("Ports") or {}).items():
                if host:
                    cport, proto = key.split("/")
                    bindings.append(
                        {
                            "bindIP": host[0]["HostIp"],
                            "containerPort": int(cport),
                            "hostPort": int(host[0]["HostPort"]),
                            "protocol": proto,
                        }
                    )
            with common.LOCK:
                if plan["log"]:
                    self._ensure_stream(plan["log"])
                c.network_bindings = bindings
                c._ip = ip
            follower = threading.Thread(
                target=self._follow, args=(task, c, created.id, plan["log"]), name=f"logs-{task.id[:8]}-{c.name}", daemon=True
            )
            task._followers.append(follower)
            follower.start()
        with common.LOCK:
            if task.desired_status != "RUNNING":
                self._start_teardown(task)
                return
            attachment_id = str(uuid.uuid4())
            ip = next((getattr(c, "_ip", None) for c in task.containers if getattr(c, "_ip", None)), None)
            subnet = None
            netconf = (service.network_configuration or {}).get("awsvpcConfiguration") or {}
            if netconf.get("subnets"):
                subnet = netconf["subnets"][0]
            details = [
                {"name": "subnetId", "value": subnet or "subnet-testbed"},
                {"name": "networkInterfaceId", "value": "eni-" + task.id[:17]},
                {"name": "macAddress", "value": "02:42:ac:11:00:00"},
                {"name": "privateDnsName", "value": f"ip-{(ip or '0.0.0.0').replace('.', '-')}.ec2.internal"},
                {"name": "privateIPv4Address", "value": ip or ""},
            ]
            task.attachments = [
                {"id": attachment_id, "type": "ElasticNetworkInterface", "status": "ATTACHED", "details": details}
            ]
            for c in task.containers:
                c.network_interfaces = [{"attachmentId": attachment_id, "privateIpv4Address": getattr(c, "_ip", None) or ip}]
                if c.last_status != "STOPPED":
                    c.last_status = "RUNNING"
            task.started_at = utcnow()
            task.last_status = "RUNNING"
        log.info("task %s RUNNING (%s, ip %s)", task.id, service.name, ip)

    def _plan_container(self, task, c):
        """Under LOCK: resolve environment, secrets and log destination for one container."""
        env = {e["name"]: e.get("value", "") for e in c._def.get("environment") or []}
        for secret in c._def.get("secrets") or []:
            env[secret["name"]] = resolve_secret(secret["valueFrom"], task)
        logcfg = c._def.get("logConfiguration") or {}
        dest = None
        if logcfg.get("logDriver") == "awslogs":
            opts = logcfg.get("options") or {}
            group = opts.get("awslogs-group")
            region = opts.get("awslogs-region") or task.region_name
            prefix = opts.get("awslogs-stream-prefix")
            stream = f"{prefix}/{c.name}/{task.id}" if prefix else task.id
            logs = logs_models.logs_backends[task._account_id][region]
            if group not in logs.groups:
                if str(opts.get("awslogs-create-group", "")).lower() == "true":
                    logs.create_log_group(group, {})
                else:
                    raise StartFailure(
                        "ResourceInitializationError: failed to validate logger args: create stream has been "
                        "retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
                        "The specified log group does not exist. : exit status 1"
                    )
            dest = {"backend": logs, "group": group, "stream": stream}
        return {"image": c.image, "env": env, "log": dest}

    def _ensure_stream(self, dest):
        if dest["group"] in dest["backend"].groups:
            dest["backend"].ensure_log_stream(dest["group"], dest["stream"])

    def _pull(self, image):
        """Make `image` available locally; raise StartFailure like Fargate does."""
        api = self.docker().api
        first = image.split("/")[0]
        has_registry = "/" in image and ("." in first or ":" in first or first == "localhost")
        fail = "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {}: {}"
        if has_registry and first == common.REGISTRY_HOST:
            try:
                errors = []
                for line in api.pull(
                    image,
                    auth_config={"username": common.REGISTRY_USER, "password": common.REGISTRY_PASSWORD},
                    stream=True,
                    decode=True,
                ):
                    if "error" in line:
                        errors.append(line["error"])
                if errors:
                    raise StartFailure(fail.format(image, errors[-1]))
            except APIError as exc:
                raise StartFailure(fail.format(image, exc.explanation or str(exc)))
            try:
                info = api.inspect_image(image)
                digests = [d.split("@", 1)[1] for d in info.get("RepoDigests") or [] if d.startswith(image.split("@")[0].rsplit(":", 1)[0] + "@")]
                return digests[0] if digests else None
            except (APIError, NotFound):
                return None
        if has_registry and ".amazonaws.com" in first:
            # Another account/region: would be the real AWS -- never leave loopback.
            raise StartFailure(fail.format(image, f"{first}: no such host (testbed serves only {common.REGISTRY_HOST})"))
        try:  # local-only names (e.g. mcp-testbed/busybox:latest): no pulls from the internet
            api.inspect_image(image)
            return None
        except (ImageNotFound, NotFound, APIError):
            raise StartFailure(fail.format(image, f"{image}: not found (testbed never pulls from public registries)"))

    def _follow(self, task, c, cid, dest):
        """Ship the container's output to CloudWatch Logs as it is produced, then record its exit."""
        api = docker.APIClient(base_url=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"), timeout=None)
        buf = b""

        def ship(lines):
            if not dest or not lines:
                return
            events = []
            for line in lines:
                ts, _, msg = line.partition(b" ")
                events.append({"timestamp": _docker_ts_ms(ts), "message": msg.decode("utf-8", "replace").rstrip("\r")})
            events.sort(key=lambda e: e["timestamp"])  # PutLogEvents wants order
            with common.LOCK:
                try:
                    self._ensure_stream(dest)
                    dest["backend"].put_log_events(dest["group"], dest["stream"], events)
                except Exception as exc:  # log group deleted under us, ...
                    log.debug("log shipping %s: %s", dest, exc)

        try:
            for chunk in api.logs(cid, stream=True, follow=True, timestamps=True, stdout=True, stderr=True):
                buf += chunk
                *lines, buf = buf.split(b"\n")
                ship(lines)
            if buf:
                ship([buf])
            code = api.wait(cid, timeout=60).get("StatusCode")
        except (APIError, NotFound, DockerException, Exception) as exc:
            log.debug("follow %s: %s", cid, exc)
            code = None
        finally:
            api.close()
        with common.LOCK:
            if code is not None and c.exit_code is None:
                c.exit_code = code
            c.last_status = "STOPPED"
            if task.desired_status == "RUNNING" and c.essential:
                c.reason = None
                self._task_failed(task, "Essential container in task exited", "EssentialContainerExited")
                start = True
            else:
                start = task.desired_status != "RUNNING"
        if start:
            self._start_teardown(task)

    # ---- introspection ----
    def debug_state(self):
        out = []
        with common.LOCK:
            for backend in _all_ecs_backends():
                for service in backend.services.values():
                    tasks = [t for t in backend.tasks.get(service.cluster_name, {}).values() if isinstance(t, SimTask) and t._service is service]
                    out.append(
                        {
                            "service": service.arn,
                            "status": service.status,
                            "deployments": service.deployments,
                            "tasks": [
                                {"id": t.id, "deployment": t.started_by, "last": t.last_status, "desired": t.desired_status, "reason": t.stopped_reason}
                                for t in tasks
                            ],
                        }
                    )
        return {"services": out}


def _docker_ts_ms(raw):
    """Docker's RFC3339Nano timestamp ('2024-05-01T12:00:00.123456789Z') -> epoch ms."""
    try:
        text = raw.decode()
        main, _, frac = text.rstrip("Z").partition(".")
        dt = datetime.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        return int(dt.timestamp() * 1000) + int((frac + "000")[:3])
    except (ValueError, UnicodeDecodeError):
        return int(time.time() * 1000)


def resolve_secret(value_from, task):
    """ECS `secrets[].valueFrom`: Secrets Manager ARN/name (optionally ':json-key:stage:version') or SSM parameter."""
    from moto.secretsmanager.models import secretsmanager_backends
    from moto.ssm.models import ssm_backends

    account, region = task._account_id, task.region_name
    fail = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
        "failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch "
        "secret {} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."
    )
    if value_from.startswith("arn:") and ":ssm:" in value_from or (
        not value_from.startswith("arn:") and value_from.startswith("/")
    ):
        name = value_from.split(":parameter", 1)[1] if value_from.startswith("arn:") else value_from
        if value_from.startswith("arn:"):
            parts = value_from.split(":")
            account, region = parts[4], parts[3]
        try:
            param = ssm_backends[account][region].get_parameter(name)
        except Exception:
            param = None
        if param is None:
            raise StartFailure(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
                f"retrieval failed: unable to retrieve secrets from ssm: invalid parameters: {name}"
            )
        return param.value

    secret_id, json_key, stage, version = value_from, None, None, None
    if value_from.startswith("arn:"):
        parts = value_from.split(":")
        account, region = parts[4], parts[3]
        secret_id = ":".join(parts[:7])
        extra = parts[7:] + ["", "", ""]
        json_key, stage, version = extra[0] or None, extra[1] or None, extra[2] or None
    try:
        value = secretsmanager_backends[account][region].get_secret_value(secret_id, version, stage)
    except Exception:
        raise StartFailure(fail.format(value_from))
    text = value.get("SecretString")
    if text is None:
        raise StartFailure(fail.format(value_from))
    if json_key:
        import json

        try:
            return str(json.loads(text)[json_key])
        except (ValueError, KeyError, TypeError):
            raise StartFailure(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
                f"retrieval failed: unable to retrieve secret from asm: retrieved secret from Secrets Manager did "
                f"not contain json key {json_key}"
            )
    return text


ENGINE = Engine()


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def install():
    B = ecs_models.EC2ContainerServiceBackend
    R = ecs_responses.EC2ContainerServiceResponse

    orig_create_service = B.create_service

    def create_service(self, cluster_str, service_name, *args, **kwargs):
        cluster = self._get_cluster(cluster_str)
        existing = self.services.get(f"{cluster.name}:{service_name}")
        if existing is not None and existing.status == "ACTIVE":
            # moto silently overwrites; ECS refuses.
            raise InvalidParameterException("Creation of service was not idempotent.")
        service = orig_create_service(self, cluster_str, service_name, *args, **kwargs)
        if service.task_definition:
            # ECS stores the resolved ARN even when given "family" or "family:rev".
            service.task_definition = self.describe_task_definition(service.task_definition).arn
        ENGINE.on_create(self, service)
        return service

    B.create_service = create_service

    orig_resp_create = R.create_service

    def resp_create_service(self):
        # moto's handler drops these request members; the engine needs them.
        dc = self._get_param("deploymentConfiguration")
        progressive.validate(
            self.current_account, self.region, dc, self._get_param("loadBalancers"), self._get_param("deploymentController")
        )
        result = orig_resp_create(self)
        service = result.result["service"]
        if dc:
            service.deployment_configuration.update(dc)
            progressive.on_create_configured(service)
        for member, attr in (
            ("enableExecuteCommand", "enable_execute_command"),
            ("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
            ("capacityProviderStrategy", "capacity_provider_strategy"),
        ):
            value = self._get_param(member)
            if value is not None:
                setattr(service, attr, value)
        return result

    R.create_service = resp_create_service

    def update_service(self, service_properties):
        props = dict(service_properties)
        cluster_str = props.pop("cluster", "default")
        td_str = props.pop("task_definition", None)
        service_name = props.pop("service").split("/")[-1]
        force = bool(props.pop("force_new_deployment", False))
        service = self._get_service(cluster_str, service_name)
        if service.status != "ACTIVE":
            raise ServiceNotActiveException()
        td_arn = self.describe_task_definition(td_str).arn if td_str else None
        if props.get("deployment_configuration") is not None or props.get("load_balancers") is not None:
            merged = dict(getattr(service, "deployment_configuration", {}) or {})
            merged.update(props.get("deployment_configuration") or {})
            lbs = props["load_balancers"] if props.get("load_balancers") is not None else service.load_balancers
            progressive.validate(self.account_id, self.region_name, merged, lbs, service.deployment_controller)
        for name, value in props.items():
            if value is None:
                continue
            if name == "deployment_configuration":
                merged = dict(getattr(service, "deployment_configuration", {}) or {})
                merged.update(value)
                value = merged
            setattr(service, name, value)
        if getattr(service, "_tb", None) is None:
            ENGINE.on_create(self, service)
        ENGINE.on_update(self, service, td_arn, force)
        return service

    B.update_service = update_service

    # ---- service deployments (2024/2025 APIs moto does not know) ----
    def _p(self, name, default=None):
        value = self._get_param(name)
        return default if value is None else value

    R.describe_service_deployments = lambda self: ActionResult(
        progressive.describe_service_deployments(_p(self, "serviceDeploymentArns", []))
    )
    R.list_service_deployments = lambda self: ActionResult(
        progressive.list_service_deployments(
            self.ecs_backend, _p(self, "cluster", "default"), _p(self, "service", ""), _p(self, "status"),
            _p(self, "createdAt"), _p(self, "maxResults"), _p(self, "nextToken"),
        )
    )
    R.continue_service_deployment = lambda self: ActionResult(
        progressive.continue_service_deployment(
            ENGINE, _p(self, "serviceDeploymentArn"), _p(self, "hookId"), _p(self, "action")
        )
    )
    R.stop_service_deployment = lambda self: ActionResult(
        progressive.stop_service_deployment(ENGINE, _p(self, "serviceDeploymentArn"), _p(self, "stopType"))
    )
    R.describe_service_revisions = lambda self: ActionResult(
        progressive.describe_service_revisions(_p(self, "serviceRevisionArns", []))
    )

    orig_delete_service = B.delete_service

    def delete_service(self, cluster_name, service_name, force):
        service = orig_delete_service(self, cluster_name, service_name, force)
        service.desired_count = 0
        for task in ENGINE._service_tasks(self, service):
            ENGINE.request_stop(task, f"Scaling activity initiated by (deployment {task.started_by})")
        return service

    B.delete_service = delete_service

    orig_stop_task = B.stop_task

    def stop_task(self, cluster_str, task_str, reason):
        cluster = self._get_cluster(cluster_str)
        task_id = task_str.split("/")[-1]
        for arn, task in self.tasks.get(cluster.name, {}).items():
            if isinstance(task, SimTask) and arn.split("/")[-1] == task_id:
                ENGINE.request_stop(task, reason or "Task stopped by user", stop_code="UserInitiated")
                return task
        return orig_stop_task(self, cluster_str, task_str, reason)

    B.stop_task = stop_task

    orig_list_tasks = B.list_tasks

    def list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None,
                   service_name=None, desiredStatus=None):
        tasks = orig_list_tasks(self, cluster_str, container_instance, family, started_by, None, None)
        if service_name:  # moto ignores serviceName; tasks of a service carry group "service:NAME"
            name = service_name.split("/")[-1]
            tasks = [t for t in tasks if getattr(t, "group", None) == f"service:{name}"]
        # ECS: desiredStatus defaults to RUNNING.
        wanted = desiredStatus or "RUNNING"
        return [t for t in tasks if t.desired_status == wanted]

    B.list_tasks = list_tasks
