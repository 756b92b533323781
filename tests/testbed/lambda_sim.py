"""AWS Lambda for the testbed: image functions whose versions, aliases and URLs really serve.

moto 5.2's Lambda keeps functions as records: a published version shares
$LATEST's code, LastUpdateStatus is always Successful, function URLs take no
Qualifier and answer nothing, alias routing weights are stored and ignored.
This module patches moto's Lambda backend so that, for PackageType Image:

* Code.  CreateFunction / UpdateFunctionCode resolve `Code.ImageUri` (tag or
  digest, in the testbed registry) against moto's ECR, which registry_sync keeps
  in agreement with the registry: an image that is not there is refused like
  Lambda does (InvalidParameterValueException "Source image ... does not
  exist").  CodeSha256 is the manifest digest, GetFunction's ResolvedImageUri
  is `repo@sha256:...`.  PublishVersion snapshots the code: a version keeps its
  image when $LATEST moves on.  Unchanged code and configuration publish
  nothing new (the last version comes back), `CodeSha256` and `RevisionId`
  preconditions are checked.
* States.  CreateFunction answers `State: Pending` (StateReasonCode Creating),
  UpdateFunctionCode `LastUpdateStatus: InProgress`; a worker pulls the image
  by digest and starts it once, as the Lambda Web Adapter would run it (see
  below), then sets Active / Successful, or Failed with a reason and a reason
  code: `ImageAccessDenied` (cannot be pulled), `InvalidImage` (no entrypoint
  or command), `FunctionError` (the process exited, or was not ready within
  MCP_TESTBED_LAMBDA_INIT_TIMEOUT s, default 10: Lambda's init limit).  A
  failed update puts the previous code back, as Lambda does.  While Pending or
  InProgress, UpdateFunctionCode / UpdateFunctionConfiguration / PublishVersion
  answer ResourceConflictException ("The operation cannot be performed at this
  time. An update is in progress for resource: ARN").  While the function
  carries the tag `testbed:update-hold` (any value; at most 5 minutes) the
  check waits: a test sees the in-between state for sure, then untags.
* Aliases.  RoutingConfig is validated (one additional version, weight 0..1,
  published versions only, not the primary one); UpdateAlias changes the
  RevisionId and honours the `RevisionId` precondition; DeleteFunction of a
  version an alias points at is a ResourceConflictException.
* Provisioned concurrency.  Put/Get/Delete/ListProvisionedConcurrencyConfig(s)
  per function + qualifier (an alias or a published version).  Put answers 202
  `Status: IN_PROGRESS` with nothing allocated and starts the version's
  instances at once (the simulator's two, not N); the configuration turns
  READY (Allocated = Available = Requested) when they are up, FAILED with a
  StatusReason if they cannot start.  The reaper keeps them while the
  configuration exists; UpdateAlias to another version allocates anew
  (IN_PROGRESS, then READY).  Refused as Lambda does: $LATEST, an unknown
  alias or version, an alias with routing weights, an alias over a version
  with its own configuration (and the reverse), more than the reserved
  concurrency (and PutFunctionConcurrency below the provisioned total).  Get
  of none is ProvisionedConcurrencyConfigNotFoundException; Delete of none
  succeeds.  DeleteAlias / DeleteFunction remove the configurations.
* Function URLs.  Create/Get/Update/Delete/ListFunctionUrlConfigs with
  `Qualifier` (an alias name; none = $LATEST); each URL is a loopback HTTP
  listener and `FunctionUrl` is `http://127.0.0.1:<port>/`.  A request is
  routed by the alias's weights (smooth weighted round-robin: weight 0.25 is
  exactly every fourth request) to a version, and within the version
  alternately to its two instances (containers), so a server that keeps
  sessions in memory fails as on Lambda.  Instances start on the first request
  (a cold start) and are reaped when their version has been idle for
  MCP_TESTBED_LAMBDA_IDLE s (default 30; the function tag
  `testbed:idle-seconds` overrides it) and no alias routes to it, at once
  when the version or function is deleted.
* The adapter.  An image must carry an extension in /opt/extensions/ (the
  adapter; up.sh builds an inert stand-in, $MCP_TESTBED_LAMBDA_ADAPTER_IMAGE,
  with the public image's layout: /lambda-adapter), else its check fails
  (InvalidImage).  The simulator plays the Lambda Web Adapter: the container runs
  the image (ImageConfig overrides, the function's environment, AWS_LAMBDA_*
  variables, MemorySize as memory limit), listening on AWS_LWA_PORT / PORT
  (default 8080, from the function's or the image's environment), ready when
  AWS_LWA_READINESS_CHECK_PATH (default /) answers below
  AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS (default 500), or accepts a
  connection with AWS_LWA_READINESS_CHECK_PROTOCOL=tcp.  Each request is
  forwarded to the instance's port published on 127.0.0.1; the body is relayed
  as it is written when the URL's InvokeMode is RESPONSE_STREAM and the
  adapter's AWS_LWA_INVOKE_MODE is response_stream, else sent whole (6 MB limit).  A request longer than the function's Timeout is cut (502 when
  nothing was sent yet).  AuthType NONE answers 403 until the qualifier's
  resource-based policy (AddPermission with that Qualifier) lets Principal "*"
  call lambda:InvokeFunctionUrl and lambda:InvokeFunction, as Lambda does for
  URLs made since October 2025.  AuthType AWS_IAM wants a SigV4 signature of service
  `lambda` (checked against the key's secret when the key is moto's `testing`
  or an IAM access key moto knows) or answers 403; PutFunctionConcurrency
  limits concurrent requests (429 beyond).
* Metrics and logs.  Each request puts `Invocations`, `Errors` (a 5xx from the
  container, or no answer), `Throttles` and `Duration` into moto's CloudWatch
  (namespace AWS/Lambda) with the dimensions Lambda uses: {FunctionName},
  {FunctionName, Resource=NAME:QUALIFIER} and, through an alias,
  {FunctionName, Resource=NAME:ALIAS, ExecutedVersion=N}; an unqualified URL
  uses Resource=NAME and ExecutedVersion=$LATEST.  Container output goes to
  /aws/lambda/NAME, stream `YYYY/MM/DD/[VERSION]<id>` per instance, with
  START / END / REPORT lines per request.

Containers carry ecs_sim's labels (`mcp-testbed=1`, `mcp-testbed.instance`) plus
`mcp-testbed.lambda=<function>`: up.sh and server restarts remove them with
the ECS task containers of the same instance, never another instance's.
All moto state is touched under common.LOCK; Docker calls and HTTP run outside it.
"""
import copy
import datetime
import hashlib
import http.client
import http.server
import json
import logging
import os
import re
import socket
import socketserver
import threading
import time
import urllib.parse
import uuid

import docker
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.awslambda import urls as lambda_urls
from moto.awslambda.exceptions import (
    GenericResourcNotFound,
    InvalidParameterValueException,
    LambdaClientError,
    PreconditionFailedException,
)

import common
import ecs_sim

log = logging.getLogger("testbed.lambda")

INIT_TIMEOUT = ecs_sim._env_float("MCP_TESTBED_LAMBDA_INIT_TIMEOUT", 10)
IDLE_SECONDS = ecs_sim._env_float("MCP_TESTBED_LAMBDA_IDLE", 30)
INSTANCES = int(ecs_sim._env_float("MCP_TESTBED_LAMBDA_INSTANCES", 2))
BUFFERED_LIMIT = 6 * 1024 * 1024
MAX_BODY = 6 * 1024 * 1024
CHUNK = 64 * 1024
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
    "transfer-encoding", "upgrade", "proxy-connection",
}
LABEL = f"{ecs_sim.LABEL}.lambda"


class ResourceConflictException(LambdaClientError):
    code = 409

    def __init__(self, message):
        super().__init__("ResourceConflictException", message)


class ResourceNotFoundException(LambdaClientError):
    code = 404

    def __init__(self, message):
        super().__init__("ResourceNotFoundException", message)


class ValidationError(LambdaClientError):
    def __init__(self, message):
        super().__init__("ValidationException", message)


def base_arn(fn):
    return f"arn:aws:lambda:{fn.region}:{fn.account_id}:function:{fn.function_name}"


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


# --------------------------------------------------------------------------
# Per-function state (keyed by the unqualified ARN: moto's version objects
# are shallow copies of $LATEST, so nothing may hang off them shared)
# --------------------------------------------------------------------------


class FunctionState:
    def __init__(self):
        self.state, self.state_reason, self.state_code = "Active", None, None
        self.update, self.update_reason, self.update_code = "Successful", None, None
        self.generation = 0
        self.revision = str(uuid.uuid4())
        self.inflight = 0
        self.wrr = {}  # qualifier -> {version: credit}

    def busy(self, arn):
        if self.state == "Pending":
            return ResourceConflictException(
                "The operation cannot be performed at this time. The function is currently in the following state: Pending"
            )
        if self.update == "InProgress":
            return ResourceConflictException(
                f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
            )
        return None


STATES = {}  # unqualified function ARN -> FunctionState


def state_of(fn):
    return STATES.setdefault(base_arn(fn), FunctionState())


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------


def parse_image_uri(uri):
    """'host/repo:tag' or 'host/repo@sha256:...' -> (host, repo, tag, digest)."""
    host, _, rest = (uri or "").partition("/")
    if not rest:
        raise InvalidParameterValueException(f"Source image {uri} is not valid. Provide a valid source image.")
    if "@" in rest:
        repo, digest = rest.split("@", 1)
        return host, repo, None, digest
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = rest.rsplit(":", 1)
        return host, repo, tag, None
    return host, rest, "latest", None


def resolve_image(account, region, uri):
    """Under LOCK: the image's manifest digest and config size, from moto's ECR (the registry's mirror)."""
    from moto.ecr.models import ecr_backends

    missing = InvalidParameterValueException(f"Source image {uri} does not exist. Provide a valid source image.")
    host, repo, tag, digest = parse_image_uri(uri)
    if host != common.REGISTRY_HOST:
        raise InvalidParameterValueException(
            f"Source image {uri} is not valid: the testbed serves only images in {common.REGISTRY_HOST}. Provide a valid source image."
        )
    repository = ecr_backends[account][region].repositories.get(repo)
    if repository is None:
        raise missing
    for image in repository.images:
        if (digest and image.get_image_digest() == digest) or (tag and tag in (image.image_tags or [])):
            try:
                size = json.loads(image.image_manifest).get("config", {}).get("size", 0)
            except (ValueError, AttributeError):
                size = 0
            return image.get_image_digest(), size, f"{host}/{repo}@{image.get_image_digest()}"
    raise missing


def pull_ref(resolved):
    """What dockerd pulls for 'REGISTRY_HOST/repo@digest': the registry by name (default instance,
    trusted through certs.d), or by its loopback address (a second instance: dockerd treats
    127.0.0.0/8 registries as insecure, so no system-wide trust is needed)."""
    addr = urllib.parse.urlsplit(common.REGISTRY_URL).netloc
    if addr in ("127.0.0.1:443", "127.0.0.1", ""):
        return resolved
    return addr + resolved[len(common.REGISTRY_HOST):]


# --------------------------------------------------------------------------
# Instances: one version's containers
# --------------------------------------------------------------------------


class StartError(Exception):
    """str() is the reason; .code the LastUpdateStatusReasonCode."""

    def __init__(self, message, code="FunctionError"):
        super().__init__(message)
        self.code = code


def _docker():
    return ecs_sim.ENGINE.docker()


def _plan(fn, qualifier_version):
    """Under LOCK: everything needed to run one version (a LambdaFunction object)."""
    env = dict(fn.environment_vars or {})
    ic = fn.image_config.response() if getattr(fn, "image_config", None) else {}
    return {
        "function": fn.function_name,
        "arn": base_arn(fn),
        "account": fn.account_id,
        "region": fn.region,
        "version": str(qualifier_version),
        "resolved": fn.code.get("_resolved"),
        "digest": "sha256:" + (fn.code_sha_256 or ""),
        "env": env,
        "entrypoint": ic.get("EntryPoint") or None,
        "command": ic.get("Command") or None,
        "workdir": ic.get("WorkingDirectory") or None,
        "memory": int(fn.memory_size or 128),
        "timeout": float(fn.timeout or 3),
        "idle": _idle_seconds(fn),
    }


def _idle_seconds(fn):
    try:
        return float((fn.tags or {}).get("testbed:idle-seconds") or IDLE_SECONDS)
    except ValueError:
        return IDLE_SECONDS


def _plan_key(plan):
    raw = json.dumps([plan["arn"], plan["version"], plan["digest"], plan["env"], plan["entrypoint"], plan["command"],
                      plan["workdir"], plan["memory"]], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _pull(plan):
    """Pull the version's image by digest; return its config (Env, Entrypoint, Cmd)."""
    if not plan["resolved"]:
        raise StartError("Lambda can't find the function's image.", "ImageDeleted")
    api = _docker().api
    errors = []
    # A second instance's own registry first, then the registry by name (where a
    # client that pushes by name put it).
    for ref in dict.fromkeys([pull_ref(plan["resolved"]), plan["resolved"]]):
        try:
            api.inspect_image(ref)
            break
        except (ImageNotFound, NotFound, APIError):
            pass
        failed = False
        try:
            for line in api.pull(ref, auth_config={"username": common.REGISTRY_USER, "password": common.REGISTRY_PASSWORD},
                                 stream=True, decode=True):
                if "error" in line:
                    errors.append(line["error"])
                    failed = True
        except (APIError, DockerException) as exc:
            errors.append(getattr(exc, "explanation", None) or str(exc))
            failed = True
        if not failed:
            break
    else:
        raise StartError(f"Lambda was unable to pull the image {plan['resolved']}: {errors[-1]}", "ImageAccessDenied")
    try:
        return api.inspect_image(ref).get("Config") or {}, ref
    except (APIError, NotFound) as exc:
        raise StartError(f"Lambda was unable to inspect the image {plan['resolved']}: {exc}", "ImageAccessDenied")


def _adapter_settings(plan, image_config):
    env = {}
    for item in image_config.get("Env") or []:
        key, _, value = item.partition("=")
        env[key] = value
    env.update(plan["env"])
    port = int(env.get("AWS_LWA_PORT") or env.get("PORT") or 8080)
    return {
        "port": port,
        "ready_port": int(env.get("AWS_LWA_READINESS_CHECK_PORT") or port),
        "ready_path": env.get("AWS_LWA_READINESS_CHECK_PATH") or "/",
        "ready_protocol": (env.get("AWS_LWA_READINESS_CHECK_PROTOCOL") or "http").lower(),
        "unhealthy": int(env.get("AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS") or 500),
        "base_path": env.get("AWS_LWA_REMOVE_BASE_PATH") or "",
        "invoke_mode": (env.get("AWS_LWA_INVOKE_MODE") or "buffered").lower(),
    }


class Instance:
    def __init__(self, cid, port, stream):
        self.cid = cid
        self.port = port
        self.stream = stream
        self.follower = None


def _start_instance(plan, image_config, ref, adapter, purpose="instance"):
    """Create, start and wait for one container to be ready. Returns an Instance or raises StartError."""
    if not (plan["entrypoint"] or plan["command"] or image_config.get("Entrypoint") or image_config.get("Cmd")):
        raise StartError(
            f"The image {plan['resolved']} has neither an entrypoint nor a command: Lambda cannot start it.", "InvalidImage"
        )
    env = dict(plan["env"])
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": plan["function"],
        "AWS_LAMBDA_FUNCTION_VERSION": plan["version"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(plan["memory"]),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{plan['function']}",
        "AWS_REGION": plan["region"],
        "AWS_DEFAULT_REGION": plan["region"],
        "AWS_EXECUTION_ENV": "AWS_Lambda_Image",
    })
    stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{plan['version']}]{uuid.uuid4().hex}"
    env["AWS_LAMBDA_LOG_STREAM_NAME"] = stream
    ports = {f"{adapter['port']}/tcp": ("127.0.0.1", None)}
    if adapter["ready_port"] != adapter["port"]:
        ports[f"{adapter['ready_port']}/tcp"] = ("127.0.0.1", None)
    client = _docker()
    try:
        container = client.containers.create(
            ref,
            entrypoint=plan["entrypoint"],
            command=plan["command"],
            working_dir=plan["workdir"],
            environment=env,
            labels={
                ecs_sim.LABEL: "1",
                ecs_sim.INSTANCE_LABEL: os.path.abspath(common.STATE_DIR),
                LABEL: plan["function"],
                f"{LABEL}-version": plan["version"],
                f"{LABEL}-purpose": purpose,
            },
            name=f"mcp-testbed-lambda-{plan['function'][:40]}-{uuid.uuid4().hex[:8]}",
            ports=ports,
            mem_limit=f"{max(plan['memory'], 64)}m",
            detach=True,
        )
    except (APIError, DockerException) as exc:
        raise StartError(f"Lambda could not start the image {plan['resolved']}: {exc}", "InvalidImage")
    try:
        # Served through the Lambda Web Adapter only: it must be in the image, as an extension.
        try:
            archive, _ = container.get_archive("/opt/extensions/")
            entries = _tar_names(archive)
        except (NotFound, APIError):
            entries = []
        if not [e for e in entries if e.strip("/") not in ("extensions", "")]:
            raise StartError(
                f"The image {plan['resolved']} has no extension in /opt/extensions/: the testbed serves image "
                "functions through the Lambda Web Adapter only (COPY --from=<adapter image> /lambda-adapter "
                "/opt/extensions/lambda-adapter; $MCP_TESTBED_LAMBDA_ADAPTER_IMAGE stands in for it).",
                "InvalidImage",
            )
        container.start()
        container.reload()
    except StartError:
        _remove(container.id)
        raise
    except (APIError, DockerException) as exc:
        _remove(container.id)
        raise StartError(f"Lambda could not start the image {plan['resolved']}: {exc}", "InvalidImage")
    instance = Instance(container.id, None, stream)
    try:
        bound = container.attrs.get("NetworkSettings", {}).get("Ports") or {}

        def host_port(p):
            binding = bound.get(f"{p}/tcp")
            return int(binding[0]["HostPort"]) if binding else None

        instance.port = host_port(adapter["port"])
        ready_port = host_port(adapter["ready_port"])
        deadline = time.time() + INIT_TIMEOUT
        while True:
            container.reload()
            if container.status in ("exited", "dead"):
                code = container.attrs.get("State", {}).get("ExitCode")
                tail = container.logs(tail=5).decode("utf-8", "replace").strip().replace("\n", " | ")
                raise StartError(
                    f"Runtime.ExitError: the container of {plan['resolved']} exited with status {code} before it was "
                    f"ready (readiness check on port {adapter['ready_port']}){': ' + tail if tail else ''}"
                )
            if ready_port and _ready(ready_port, adapter):
                return instance
            if time.time() > deadline:
                raise StartError(
                    f"Sandbox.Timedout: the container of {plan['resolved']} was not ready within {INIT_TIMEOUT:g} s "
                    f"(readiness check {adapter['ready_protocol']} port {adapter['ready_port']} path {adapter['ready_path']})"
                )
            time.sleep(0.1)
    except BaseException:
        _remove(instance.cid)
        raise


def _tar_names(chunks):
    import io
    import tarfile

    data = b"".join(chunks)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.getnames()


def _ready(port, adapter):
    try:
        if adapter["ready_protocol"] == "tcp":
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", adapter["ready_path"])
            return conn.getresponse().status < adapter["unhealthy"]
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return False


def _remove(cid):
    try:
        _docker().api.remove_container(cid, force=True)
    except (APIError, NotFound, DockerException):
        pass


class Pool:
    """A version's instances: started on first use, used alternately."""

    def __init__(self, key, plan):
        self.key = key
        self.plan = plan
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.instances = []
        self.adapter = None
        self.error = None
        self.started = False
        self.closed = False
        self.next = 0
        self.last_used = time.time()

    def get(self):
        with self.lock:
            if not self.started:
                self.started = True
                threading.Thread(target=self._start, name=f"lambda-start-{self.plan['function'][:16]}", daemon=True).start()
        if not self.ready.wait(INIT_TIMEOUT + 120):
            raise StartError("Sandbox.Timedout: the instances did not start")
        with self.lock:
            if self.error:
                raise self.error
            self.last_used = time.time()
            instance = self.instances[self.next % len(self.instances)]
            self.next += 1
            return instance

    def _start(self):
        try:
            image_config, ref = _pull(self.plan)
            self.adapter = _adapter_settings(self.plan, image_config)
            results, errors = [None] * INSTANCES, []

            def one(i):
                try:
                    results[i] = _start_instance(self.plan, image_config, ref, self.adapter)
                except StartError as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(INSTANCES)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            started = [r for r in results if r]
            if errors:
                for inst in started:
                    _remove(inst.cid)
                raise errors[0]
            for inst in started:
                inst.follower = _follow(self.plan, inst)
            with self.lock:
                self.instances = started
                if self.closed:  # reaped while starting
                    threading.Thread(target=self.close, daemon=True).start()
        except StartError as exc:
            self.error = exc
            _log_lines(self.plan, f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{self.plan['version']}]{uuid.uuid4().hex}",
                       [f"INIT_REPORT Init Duration: 0 ms Phase: init Status: error Error Type: {str(exc).split(':')[0]}",
                        str(exc)])
            POOLS.pop(self.key, None)
        except Exception as exc:  # never leave a request waiting
            log.exception("lambda pool %s failed to start", self.key)
            self.error = StartError(f"InternalError: {exc}")
            POOLS.pop(self.key, None)
        finally:
            self.ready.set()

    def close(self):
        with self.lock:
            self.closed = True
            instances, self.instances = self.instances, []
        for inst in instances:
            _remove(inst.cid)
        for inst in instances:
            if inst.follower:
                inst.follower.join(timeout=5)


def _retire_if_dead(pool, inst):
    """An instance whose process exited is discarded with its pool: the next request starts anew (a cold start)."""
    try:
        running = _docker().api.inspect_container(inst.cid).get("State", {}).get("Running")
    except (APIError, NotFound, DockerException):
        running = False
    if not running:
        with POOLS_LOCK:
            if POOLS.get(pool.key) is pool:
                del POOLS[pool.key]
        threading.Thread(target=pool.close, daemon=True).start()


POOLS = {}  # plan key -> Pool
POOLS_LOCK = threading.Lock()


def pool_for(plan):
    key = _plan_key(plan)
    with POOLS_LOCK:
        pool = POOLS.get(key)
        if pool is None:
            pool = POOLS[key] = Pool(key, plan)
        return pool


# --------------------------------------------------------------------------
# Logs and metrics
# --------------------------------------------------------------------------


def _logs_backend(plan):
    from moto.logs.models import logs_backends

    return logs_backends[plan["account"]][plan["region"]]


def _log_lines(plan, stream, lines, timestamps=None):
    now = int(time.time() * 1000)
    events = [{"timestamp": (timestamps[i] if timestamps else now), "message": line} for i, line in enumerate(lines)]
    events.sort(key=lambda e: e["timestamp"])
    group = f"/aws/lambda/{plan['function']}"
    with common.LOCK:
        try:
            backend = _logs_backend(plan)
            backend.ensure_log_group(group)
            backend.ensure_log_stream(group, stream)
            backend.put_log_events(group, stream, events)
        except Exception as exc:  # group deleted under us, ...
            log.debug("lambda logs %s: %s", group, exc)


def _follow(plan, inst):
    def run():
        api = docker.APIClient(base_url=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"), timeout=None)
        buf = b""

        def ship(lines):
            if lines:
                stamps = [ecs_sim._docker_ts_ms(line.partition(b" ")[0]) for line in lines]
                msgs = [line.partition(b" ")[2].decode("utf-8", "replace").rstrip("\r") for line in lines]
                _log_lines(plan, inst.stream, msgs, stamps)

        try:
            for chunk in api.logs(inst.cid, stream=True, follow=True, timestamps=True, stdout=True, stderr=True):
                buf += chunk
                *lines, buf = buf.split(b"\n")
                ship(lines)
            if buf:
                ship([buf])
        except Exception as exc:
            log.debug("lambda follow %s: %s", inst.cid[:12], exc)
        finally:
            api.close()

    thread = threading.Thread(target=run, name=f"lambda-logs-{inst.cid[:8]}", daemon=True)
    thread.start()
    return thread


def put_metrics(plan, qualifier, executed, values):
    """values: {MetricName: (value, unit)}; dimensions as Lambda reports an invocation."""
    from moto.cloudwatch.models import cloudwatch_backends

    name = plan["function"]
    resource = f"{name}:{qualifier}" if qualifier else name
    sets = [
        [{"Name": "FunctionName", "Value": name}],
        [{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": resource}],
        [{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": resource},
         {"Name": "ExecutedVersion", "Value": executed}],
    ]
    data = [
        {"MetricName": metric, "Value": float(value), "Unit": unit, "Dimensions": dims}
        for metric, (value, unit) in values.items()
        for dims in sets
    ]
    with common.LOCK:
        try:
            cloudwatch_backends[plan["account"]][plan["region"]].put_metric_data("AWS/Lambda", data)
        except Exception as exc:
            log.debug("lambda metrics: %s", exc)


# --------------------------------------------------------------------------
# Function URLs
# --------------------------------------------------------------------------


class UrlConfig:
    def __init__(self, fn, qualifier, body):
        self.account, self.region, self.function = fn.account_id, fn.region, fn.function_name
        self.arn = base_arn(fn)
        self.qualifier = qualifier
        self.auth_type = body.get("AuthType")
        self.cors = body.get("Cors")
        self.invoke_mode = body.get("InvokeMode") or "BUFFERED"
        self.created = self.modified = _now_iso()
        self.server = _UrlServer(self)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        threading.Thread(target=self.server.serve_forever, name=f"lambda-url-{self.port}", daemon=True).start()
        log.info("function URL %s%s on %s", self.function, f":{qualifier}" if qualifier else "", self.url)

    def to_dict(self, created=False):
        out = {
            "FunctionUrl": self.url,
            "FunctionArn": f"{self.arn}:{self.qualifier}" if self.qualifier else self.arn,
            "AuthType": self.auth_type,
            "CreationTime": self.created,
            "InvokeMode": self.invoke_mode,
        }
        if self.cors:
            out["Cors"] = self.cors
        if not created:
            out["LastModifiedTime"] = self.modified
        return out

    def close(self):
        def stop():
            self.server.shutdown()
            self.server.server_close()

        threading.Thread(target=stop, name=f"lambda-url-close-{self.port}", daemon=True).start()


URLS = {}  # (unqualified ARN, qualifier or None) -> UrlConfig


def _validate_url_body(body, partial=False):
    auth = body.get("AuthType")
    if auth is None and not partial:
        raise ValidationError("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null")
    if auth is not None and auth not in ("NONE", "AWS_IAM"):
        raise ValidationError(
            f"1 validation error detected: Value '{auth}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]"
        )
    mode = body.get("InvokeMode")
    if mode is not None and mode not in ("BUFFERED", "RESPONSE_STREAM"):
        raise ValidationError(
            f"1 validation error detected: Value '{mode}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]"
        )


def _split_qualifier(name, qualifier):
    """FunctionName may carry the qualifier (name:alias, or an ARN ending in :alias)."""
    tail = name.split(":function:")[-1] if name.startswith("arn:") else name
    if ":" in tail and not name.startswith("arn:") and tail.count(":") == 1:
        name, q = tail.split(":")
        return name, qualifier or q
    if name.startswith("arn:") and ":" in tail:
        return name.rsplit(":", 1)[0], qualifier or tail.split(":")[1]
    return name, qualifier


def _url_target(backend, name, qualifier, create=False):
    name, qualifier = _split_qualifier(name, qualifier)
    fn = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
    if qualifier is not None:
        if qualifier == "$LATEST" and not create:
            qualifier = None
        elif re.fullmatch(r"\d+", qualifier) or qualifier == "$LATEST":
            raise ValidationError(
                f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
                r"Member must satisfy regular expression pattern: ((?!^\d+$)^[0-9a-zA-Z-_]+$)"
            )
        else:
            backend._lambdas.get_alias(qualifier, fn.function_name)  # ResourceNotFoundException
    return fn, qualifier


def create_url(backend, name, qualifier, body):
    fn, qualifier = _url_target(backend, name, qualifier, create=True)
    _validate_url_body(body)
    key = (base_arn(fn), qualifier)
    if key in URLS:
        arn = f"{key[0]}:{qualifier}" if qualifier else key[0]
        raise ResourceConflictException(
            f"Failed to create function url config for [functionArn = {arn}]. Error message:  FunctionUrlConfig exists for this Lambda function"
        )
    URLS[key] = UrlConfig(fn, qualifier, body)
    return URLS[key]


def get_url(backend, name, qualifier):
    fn, qualifier = _url_target(backend, name, qualifier)
    cfg = URLS.get((base_arn(fn), qualifier))
    if cfg is None:
        raise GenericResourcNotFound()
    return cfg


def update_url(backend, name, qualifier, body):
    cfg = get_url(backend, name, qualifier)
    _validate_url_body(body, partial=True)
    if body.get("AuthType"):
        cfg.auth_type = body["AuthType"]
    if "Cors" in body:
        cfg.cors = body["Cors"]
    if body.get("InvokeMode"):
        cfg.invoke_mode = body["InvokeMode"]
    cfg.modified = _now_iso()
    return cfg


def delete_url(backend, name, qualifier):
    cfg = get_url(backend, name, qualifier)
    URLS.pop((cfg.arn, cfg.qualifier), None)
    cfg.close()


def _close_urls(arn, qualifier=Ellipsis):
    for key in [k for k in URLS if k[0] == arn and (qualifier is Ellipsis or k[1] == qualifier)]:
        URLS.pop(key).close()


class _UrlServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, cfg):
        self.cfg = cfg
        super().__init__(("127.0.0.1", 0), _UrlHandler)


def _choose_version(st, qualifier, alias):
    """The version an alias request runs: smooth weighted round-robin over primary + additional."""
    weights = ((alias.routing_config or {}).get("AdditionalVersionWeights") or {})
    extra = {str(v): float(w) for v, w in weights.items() if float(w) > 0}
    if not extra:
        return str(alias.function_version)
    live = {str(alias.function_version): 1.0 - sum(extra.values()), **extra}
    live = {v: w for v, w in live.items() if w > 0}
    state = st.wrr.setdefault(qualifier, {})
    for v in list(state):
        if v not in live:
            del state[v]
    for v, w in live.items():
        state[v] = state.get(v, 0.0) + w
    chosen = max(live, key=lambda v: (state[v], v))
    state[chosen] -= sum(live.values())
    return chosen


def _route(cfg):
    """Under LOCK: -> (plan, executed version, function state, reserved concurrency) or raise (status, message)."""
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[cfg.account][cfg.region]
    try:
        latest = backend._lambdas.get_function_by_name_forbid_qualifier(cfg.function)
    except Exception:
        raise _Reply(404, "Function not found")
    if base_arn(latest) != cfg.arn or URLS.get((cfg.arn, cfg.qualifier)) is not cfg:
        raise _Reply(404, "Function not found")
    st = state_of(latest)
    if st.state != "Active":
        raise _Reply(502, f"The function is {st.state}: {st.state_reason or ''}".strip())
    if cfg.qualifier is None:
        version, fn = "$LATEST", latest
    else:
        try:
            alias = backend._lambdas.get_alias(cfg.qualifier, cfg.function)
        except Exception:
            raise _Reply(404, "Function not found")
        version = _choose_version(st, cfg.qualifier, alias)
        fn = latest if version == "$LATEST" else backend._lambdas._get_version(cfg.function, version)
        if fn is None:
            raise _Reply(502, "Internal Server Error")
    if latest.package_type != "Image":
        raise _Reply(502, "Internal Server Error (the testbed serves function URLs of PackageType Image only)")
    reserved = latest.reserved_concurrency
    return _plan(fn, version), version, st, (None if reserved is None else int(reserved))


class _Reply(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _sigv4_ok(cfg, handler, body):
    """AuthType AWS_IAM: a SigV4 signature for service lambda; verified when we know the key's secret."""
    auth = handler.headers.get("Authorization") or ""
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)", auth)
    if not m or not handler.headers.get("X-Amz-Date"):
        return False
    akid, _, region, service, signed, signature = m.groups()
    if service != "lambda" or region != cfg.region:
        return False
    secret = _secret_for(akid)
    if secret is None:
        return True  # a key moto does not know: the shape is all we can check
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {k: v for k, v in handler.headers.items() if k.lower() in signed.split(";")}
    req = AWSRequest(method=handler.command, url=f"http://{handler.headers.get('Host')}{handler.path}", headers=headers,
                     data=body or b"")
    req.context["timestamp"] = handler.headers.get("X-Amz-Date")
    signer = SigV4Auth(Credentials(akid, secret, handler.headers.get("X-Amz-Security-Token")), "lambda", region)
    signer.headers_to_sign = lambda request: _headers_subset(request, signed)
    if "X-Amz-Content-SHA256" in handler.headers:
        signer._should_sha256_sign_payload = lambda request: True
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    return expected == signature


def _headers_subset(request, signed):
    from botocore.awsrequest import HTTPHeaders

    out = HTTPHeaders()
    for name in signed.split(";"):
        value = request.headers.get(name)
        if value is not None:
            out[name] = " ".join(str(value).split())
    return out


def _statements_for(latest, qualifier):
    """The function's resource-based policy statements for one qualifier (None: the unqualified function)."""
    want = base_arn(latest) + (f":{qualifier}" if qualifier and qualifier != "$LATEST" else "")
    return [st for st in latest.policy.statements if st.get("Resource") == want]


def _public(cfg):
    """Under LOCK: AuthType NONE serves only when the qualifier's resource-based policy lets
    Principal "*" call both lambda:InvokeFunctionUrl and lambda:InvokeFunction (new URLs
    since October 2025 need both)."""
    from moto.awslambda.models import lambda_backends

    try:
        latest = lambda_backends[cfg.account][cfg.region]._lambdas.get_function_by_name_forbid_qualifier(cfg.function)
    except Exception:
        return True  # _route answers 404
    actions = set()
    for st in _statements_for(latest, cfg.qualifier):
        if st.get("Effect", "Allow") != "Allow" or st.get("Principal") not in ("*", {"AWS": "*"}):
            continue
        action = st.get("Action")
        actions.update(action if isinstance(action, list) else [action])
    wild = {"*", "lambda:*"}
    return bool(actions & (wild | {"lambda:InvokeFunctionUrl"})) and bool(actions & (wild | {"lambda:InvokeFunction"}))


def _secret_for(akid):
    if akid == "testing":  # the testbed's credentials (tests/testbed/up.sh's env file)
        return "testing"
    try:
        from moto.iam.models import iam_backends

        with common.LOCK:
            for account in list(dict.keys(iam_backends)):
                for backend in dict.__getitem__(iam_backends, account).values():
                    for key in getattr(backend, "access_keys", {}).values():
                        if getattr(key, "access_key_id", None) == akid:
                            return key.secret_access_key
    except Exception:
        pass
    return None


class _UrlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sys_version = ""
    server_version = ""
    timeout = 120

    def log_message(self, fmt, *args):
        log.debug("url %s: %s", self.server.cfg.url, fmt % args)

    def version_string(self):
        return ""

    def _json(self, status, message, request_id, extra_headers=None):
        body = json.dumps({"Message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", request_id)
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
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

    def _serve(self):
        cfg = self.server.cfg
        request_id = str(uuid.uuid4())
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            return self._json(413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation", request_id)
        if cfg.auth_type == "AWS_IAM" and not _sigv4_ok(cfg, self, body):
            return self._json(403, "Forbidden", request_id)
        if cfg.auth_type == "NONE":
            with common.LOCK:
                public = _public(cfg)
            if not public:
                return self._json(403, "Forbidden", request_id)
        try:
            with common.LOCK:
                plan, version, st, reserved = _route(cfg)
                if reserved is not None and st.inflight >= reserved:
                    throttled = True
                else:
                    throttled = False
                    st.inflight += 1
        except _Reply as reply:
            return self._json(reply.status, str(reply), request_id)
        if throttled:
            put_metrics(plan, cfg.qualifier, version, {"Throttles": (1, "Count")})
            return self._json(429, "Rate Exceeded.", request_id, {"x-amzn-ErrorType": "TooManyRequestsException"})
        t0 = time.time()
        status = None
        try:
            status = self._invoke(cfg, plan, version, body, request_id, t0)
        finally:
            with common.LOCK:
                st.inflight -= 1
            duration = (time.time() - t0) * 1000
            error = status is None or status >= 500
            put_metrics(plan, cfg.qualifier, version, {
                "Invocations": (1, "Count"), "Errors": (1 if error else 0, "Count"), "Duration": (duration, "Milliseconds"),
            })

    def _invoke(self, cfg, plan, version, body, request_id, t0):
        pool = pool_for(plan)
        try:
            inst = pool.get()
        except StartError as exc:
            self._json(502, "Internal Server Error", request_id)
            log.info("function %s:%s cannot start: %s", plan["function"], version, exc)
            return None
        _log_lines(plan, inst.stream, [f"START RequestId: {request_id} Version: {version}"])
        status = None
        try:
            status = self._forward(cfg, plan, pool, inst, body, request_id, t0)
        finally:
            duration = (time.time() - t0) * 1000
            lines = []
            if status is None and time.time() - t0 >= plan["timeout"]:
                lines.append(f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())}Z {request_id} Task timed out after {plan['timeout']:.2f} seconds")
            lines += [
                f"END RequestId: {request_id}",
                f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
                f"Memory Size: {plan['memory']} MB\tMax Memory Used: {plan['memory'] // 2} MB",
            ]
            _log_lines(plan, inst.stream, lines)
        return status

    def _forward(self, cfg, plan, pool, inst, body, request_id, t0):
        path = self.path
        base = pool.adapter.get("base_path") if pool.adapter else ""
        if base and path.startswith(base):
            path = path[len(base):] or "/"
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP | {"content-length", "host"}}
        headers["Host"] = self.headers.get("Host") or f"127.0.0.1:{cfg.port}"
        headers["x-amzn-request-context"] = json.dumps({"requestId": request_id, "apiId": cfg.function, "stage": "$default"})
        headers["x-amzn-lambda-context"] = json.dumps({"request_id": request_id, "invoked_function_arn": f"{cfg.arn}:{cfg.qualifier}" if cfg.qualifier else cfg.arn})
        if body is not None:
            headers["Content-Length"] = str(len(body))
        remaining = max(plan["timeout"] - (time.time() - t0), 0.05)
        conn = http.client.HTTPConnection("127.0.0.1", inst.port, timeout=remaining)
        deadline = t0 + plan["timeout"]
        try:
            try:
                conn.request(self.command, path, body=body, headers=headers)
                sock = conn.sock  # the response takes it over (conn.sock becomes None)
                resp = conn.getresponse()
            except (ConnectionError, OSError, http.client.HTTPException) as exc:
                log.info("function %s:%s instance %s: %s", plan["function"], plan["version"], inst.cid[:12], exc)
                _retire_if_dead(pool, inst)
                self._json(502, "Internal Server Error", request_id)
                return None
            no_body = self.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
            out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
            # The adapter streams only in its response_stream mode, and the URL only in RESPONSE_STREAM.
            streaming = cfg.invoke_mode == "RESPONSE_STREAM" and (pool.adapter or {}).get("invoke_mode") == "response_stream"
            if not streaming:
                data = b""
                if not no_body:
                    while True:
                        left = deadline - time.time()
                        if left <= 0:
                            self._json(502, "Internal Server Error", request_id)
                            return None
                        sock.settimeout(left)
                        chunk = resp.read1(CHUNK)
                        if not chunk:
                            break
                        data += chunk
                        if len(data) > BUFFERED_LIMIT:
                            self._json(502, "Internal Server Error", request_id)
                            return None
                self.send_response(resp.status, resp.reason)
                for k, v in out_headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", request_id)
                self.end_headers()
                if data:
                    self.wfile.write(data)
                return resp.status
            self.send_response(resp.status, resp.reason)
            for k, v in out_headers:
                self.send_header(k, v)
            self.send_header("x-amzn-RequestId", request_id)
            if not no_body:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            if no_body:
                return resp.status
            while True:
                left = deadline - time.time()
                if left <= 0:  # Lambda ends the stream at the timeout
                    self.close_connection = True
                    return None
                sock.settimeout(left)
                try:
                    chunk = resp.read1(CHUNK)
                except (socket.timeout, TimeoutError):
                    self.close_connection = True
                    return None
                if not chunk:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return resp.status
        except (socket.timeout, TimeoutError):
            self._json(502, "Internal Server Error", request_id)
            return None
        except (ConnectionError, OSError) as exc:  # the client went away mid-stream
            log.debug("url %s: stream ended: %s", cfg.url, exc)
            self.close_connection = True
            return None
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


# --------------------------------------------------------------------------
# Update worker and reaper
# --------------------------------------------------------------------------


def _check_image(plan):
    """Pull and start the image once, as an update does; raise StartError."""
    image_config, ref = _pull(plan)
    adapter = _adapter_settings(plan, image_config)
    inst = _start_instance(plan, image_config, ref, adapter, purpose="update-check")
    _remove(inst.cid)


def start_check(fn, kind, previous=None):
    """Under LOCK: mark the function Pending (create) or InProgress (update) and check its image."""
    st = state_of(fn)
    st.generation += 1
    generation = st.generation
    if kind == "create":
        st.state, st.state_reason, st.state_code = "Pending", "The function is being created.", "Creating"
    else:
        st.update, st.update_reason, st.update_code = "InProgress", "The function is being updated.", "InProgress"
    plan = _plan(fn, "$LATEST")

    def held():
        with common.LOCK:
            return "testbed:update-hold" in (fn.tags or {}) and st.generation == generation

    def run():
        error = None
        try:
            deadline = time.time() + 300
            while held() and time.time() < deadline:  # see the module docstring
                time.sleep(0.1)
            _check_image(plan)
        except StartError as exc:
            error = exc
        except Exception as exc:
            log.exception("lambda image check failed")
            error = StartError(f"InternalError: {exc}", "InternalError")
        with common.LOCK:
            if st.generation != generation:
                return
            st.revision = str(uuid.uuid4())
            if kind == "create":
                if error:
                    st.state, st.state_reason, st.state_code = "Failed", str(error), error.code
                else:
                    st.state, st.state_reason, st.state_code = "Active", None, None
            elif error:
                st.update, st.update_reason, st.update_code = "Failed", str(error), error.code
                if previous:  # Lambda keeps the previous code and configuration
                    fn.code, fn.code_sha_256, fn.code_size, fn.code_or_config_updated = previous
            else:
                st.update, st.update_reason, st.update_code = "Successful", None, None
        log.info("lambda %s %s: %s", plan["function"], kind, error or "ok")

    threading.Thread(target=run, name=f"lambda-{kind}-{fn.function_name[:16]}", daemon=True).start()


def _all_lambda_backends():
    from moto.awslambda.models import lambda_backends

    for account in list(dict.keys(lambda_backends)):
        regions = dict.__getitem__(lambda_backends, account)
        for region in list(dict.keys(regions)):
            yield dict.__getitem__(regions, region)


def _wanted():
    """Under LOCK: plan keys that still describe a live version, and those an alias routes to;
    idle limits by key (the function's tag testbed:idle-seconds, else MCP_TESTBED_LAMBDA_IDLE)."""
    live, routed, idle = set(), set(), {}
    for backend in _all_lambda_backends():
        for name, group in list(backend._lambdas._functions.items()):
            latest = group.get("latest")
            if latest is None:
                continue
            fns = [("$LATEST", latest)] + [(str(v.version), v) for v in group.get("versions", [])]
            keys = {version: _plan_key(_plan(fn, version)) for version, fn in fns}
            live.update(keys.values())
            for key in keys.values():
                idle[key] = _idle_seconds(latest)
            arn = base_arn(latest)
            for alias in backend._lambdas._aliases.get(arn, {}).values():
                targets = {str(alias.function_version)} | set(((alias.routing_config or {}).get("AdditionalVersionWeights") or {}).keys())
                routed.update(keys[t] for t in targets if t in keys)
            routed.update(keys[q] for (a, q) in PROVISIONED if a == arn and q in keys)  # kept warm
    return live, routed, idle


class Reaper:
    def __init__(self):
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="lambda-reaper", daemon=True)
        self._thread.start()

    def shutdown(self):
        self._stop.set()
        with POOLS_LOCK:
            pools = list(POOLS.values())
            POOLS.clear()
        for pool in pools:
            pool.close()
        for cfg in list(URLS.values()):
            cfg.close()
        URLS.clear()

    def _loop(self):
        while not self._stop.wait(1.0):
            try:
                self.tick()
            except Exception:
                log.exception("lambda reaper tick failed")

    def tick(self):
        with common.LOCK:
            live, routed, idle = _wanted()
            arns = {base_arn(g["latest"]) for b in _all_lambda_backends() for g in b._lambdas._functions.values() if g.get("latest")}
            for key in [k for k in URLS if k[0] not in arns]:  # moto reset, or a function deleted by other means
                URLS.pop(key).close()
        now = time.time()
        doomed = []
        with POOLS_LOCK:
            for key, pool in list(POOLS.items()):
                if not pool.ready.is_set():
                    continue
                if key not in live or (key not in routed and now - pool.last_used > idle.get(key, IDLE_SECONDS)):
                    doomed.append(POOLS.pop(key))
        for pool in doomed:
            log.info("lambda: reaping %s:%s (%d instances)", pool.plan["function"], pool.plan["version"], len(pool.instances))
            pool.close()


REAPER = Reaper()


def debug_state():
    with POOLS_LOCK:
        pools = [
            {"function": p.plan["function"], "version": p.plan["version"], "digest": p.plan["digest"],
             "instances": [{"container": i.cid[:12], "port": i.port, "stream": i.stream} for i in p.instances],
             "error": str(p.error) if p.error else None, "idle": round(time.time() - p.last_used, 1)}
            for p in POOLS.values()
        ]
    with common.LOCK:
        urls = [{"function": c.function, "qualifier": c.qualifier, "url": c.url, "invoke_mode": c.invoke_mode,
                 "auth_type": c.auth_type} for c in URLS.values()]
        states = {arn: vars(st) for arn, st in STATES.items()}
        provisioned = [{"function": a, "qualifier": q, **c.to_dict()} for (a, q), c in PROVISIONED.items()]
    return {"pools": pools, "urls": urls, "functions": states, "provisioned_concurrency": provisioned}


# --------------------------------------------------------------------------
# Provisioned concurrency (moto 5.2 has none of its four calls)
# --------------------------------------------------------------------------


class ProvisionedConcurrencyConfigNotFoundException(LambdaClientError):
    code = 404

    def __init__(self, message):
        super().__init__("ProvisionedConcurrencyConfigNotFoundException", message)


class ProvisionedConfig:
    """One qualifier's configuration: IN_PROGRESS until the version's instances are up, then READY
    (or FAILED with the start error as StatusReason)."""

    def __init__(self, requested):
        self.requested = requested
        self.allocated = 0
        self.status, self.reason = "IN_PROGRESS", None
        self.modified = _now_iso()

    def to_dict(self):
        out = {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": self.allocated,
            "AllocatedProvisionedConcurrentExecutions": self.allocated,
            "Status": self.status,
            "LastModified": self.modified,
        }
        if self.reason:
            out["StatusReason"] = self.reason
        return out


PROVISIONED = {}  # (unqualified ARN, alias name or version) -> ProvisionedConfig


def _pc_target(backend, name, qualifier, latest_message):
    """Under LOCK: -> (latest, unqualified ARN, qualifier, alias or None), or Lambda's error."""
    name, qualifier = _split_qualifier(name, qualifier)
    latest = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)  # ResourceNotFoundException
    arn = base_arn(latest)
    if not qualifier:
        raise ValidationError("1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null")
    if qualifier == "$LATEST":
        raise InvalidParameterValueException(latest_message)
    if re.fullmatch(r"[0-9]+", qualifier):
        if backend._lambdas._get_version(latest.function_name, qualifier) is None:
            raise ResourceNotFoundException(f"Function not found: {arn}:{qualifier}")
        return latest, arn, qualifier, None
    alias = backend._lambdas._aliases.get(arn, {}).get(qualifier)
    if alias is None:
        raise ResourceNotFoundException(f"Cannot find alias arn: {arn}:{qualifier}")
    return latest, arn, qualifier, alias


def _allocate(lambdas, latest, qualifier, cfg):
    """Under LOCK: start the instances of the version the qualifier names (at once, not on the first
    request); the configuration turns READY when they are up, FAILED if they cannot start."""
    alias = lambdas._aliases.get(base_arn(latest), {}).get(qualifier)
    version = str(alias.function_version) if alias is not None else qualifier
    fn = lambdas._get_version(latest.function_name, version)
    if fn is None:
        cfg.status, cfg.reason = "FAILED", f"Version {version} of {latest.function_name} does not exist."
        return
    cfg.status, cfg.reason, cfg.allocated = "IN_PROGRESS", None, 0
    pool = pool_for(_plan(fn, version))

    def run():
        with pool.lock:
            if not pool.started:
                pool.started = True
                threading.Thread(target=pool._start, name=f"lambda-start-{latest.function_name[:16]}", daemon=True).start()
        pool.ready.wait(INIT_TIMEOUT + 120)
        with common.LOCK:
            if cfg.status != "IN_PROGRESS":  # replaced, moved or deleted meanwhile
                return
            if pool.error or not pool.ready.is_set():
                cfg.status, cfg.reason = "FAILED", f"FUNCTION_ERROR_INIT_FAILURE: {pool.error or 'the instances did not start'}"
            else:
                cfg.status, cfg.allocated = "READY", cfg.requested
                pool.last_used = time.time()
        log.info("provisioned concurrency %s:%s (version %s): %s", latest.function_name, qualifier, version, cfg.status)

    threading.Thread(target=run, name=f"lambda-pc-{latest.function_name[:16]}", daemon=True).start()


def _forget_provisioned(arn, qualifier=Ellipsis):
    for key in [k for k in PROVISIONED if k[0] == arn and (qualifier is Ellipsis or k[1] == qualifier)]:
        PROVISIONED.pop(key).status = "DELETED"  # stops an allocation in flight


def put_provisioned(backend, name, qualifier, body):
    count = body.get("ProvisionedConcurrentExecutions")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValidationError(
            f"1 validation error detected: Value '{count}' at 'provisionedConcurrentExecutions' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )
    latest, arn, qualifier, alias = _pc_target(
        backend, name, qualifier, "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    if alias is not None:
        if (alias.routing_config or {}).get("AdditionalVersionWeights"):
            raise InvalidParameterValueException("Alias with weights can not be used with Provisioned Concurrency")
        if (arn, str(alias.function_version)) in PROVISIONED:
            raise ResourceConflictException(
                "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version")
    else:
        pointing = [a.name for a in backend._lambdas._aliases.get(arn, {}).values()
                    if str(a.function_version) == qualifier and (arn, a.name) in PROVISIONED]
        if pointing:
            raise ResourceConflictException("Version is pointed by a Provisioned Concurrency alias")
    others = sum(c.requested for (a, q), c in PROVISIONED.items() if a == arn and q != qualifier)
    reserved = latest.reserved_concurrency
    if reserved is not None and int(reserved) < others + count:
        raise InvalidParameterValueException(
            "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
    previous = PROVISIONED.get((arn, qualifier))
    if previous is not None:
        previous.status = "REPLACED"
    cfg = PROVISIONED[(arn, qualifier)] = ProvisionedConfig(count)
    response = cfg.to_dict()  # as Lambda answers: nothing allocated yet
    _allocate(backend._lambdas, latest, qualifier, cfg)
    return response


def get_provisioned(backend, name, qualifier):
    _, arn, qualifier, _ = _pc_target(
        backend, name, qualifier, "The function resource provided must be an alias or a published version.")
    cfg = PROVISIONED.get((arn, qualifier))
    if cfg is None:
        raise ProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for this function")
    return cfg


def delete_provisioned(backend, name, qualifier):
    """Idempotent, as Lambda is: its reference lists no not-found error for this call."""
    _, arn, qualifier, _ = _pc_target(
        backend, name, qualifier, "The function resource provided must be an alias or a published version.")
    _forget_provisioned(arn, qualifier)


def list_provisioned(backend, name, marker, max_items):
    name, _ = _split_qualifier(name, None)
    arn = base_arn(backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name))
    items = [{"FunctionArn": f"{a}:{q}", **c.to_dict()} for (a, q), c in sorted(PROVISIONED.items()) if a == arn]
    start = int(marker) if marker and marker.isdigit() else 0
    size = max(1, min(int(max_items or 50), 50))
    out = {"ProvisionedConcurrencyConfigs": items[start:start + size]}
    if start + size < len(items):
        out["NextMarker"] = str(start + size)
    return out


def install_provisioned(S, B, R):
    """The four calls, and what other calls do to the configurations: DeleteAlias, DeleteFunction
    (of the function or the version) remove them; UpdateAlias to another version allocates anew;
    PutFunctionConcurrency below the provisioned total is refused."""

    def _pc_name(self):
        return urllib.parse.unquote(self.path.split("?")[0].rstrip("/").split("/")[-2])

    def _pc_query(self, key):
        return (self.querystring.get(key) or [None])[0]

    def resp_put(self):
        body = put_provisioned(self.backend, _pc_name(self), _pc_query(self, "Qualifier"), json.loads(self.body or "{}"))
        return 202, {"status": 202}, json.dumps(body)

    def resp_get_or_list(self):
        # One path and method for two operations, told apart by List=ALL.
        if _pc_query(self, "List"):
            body = list_provisioned(self.backend, _pc_name(self), _pc_query(self, "Marker"), _pc_query(self, "MaxItems"))
        else:
            body = get_provisioned(self.backend, _pc_name(self), _pc_query(self, "Qualifier")).to_dict()
        return 200, {"status": 200}, json.dumps(body)

    def resp_delete(self):
        delete_provisioned(self.backend, _pc_name(self), _pc_query(self, "Qualifier"))
        return 204, {"status": 204}, ""

    R.put_provisioned_concurrency_config = resp_put
    R.get_provisioned_concurrency_config = resp_get_or_list
    R.list_provisioned_concurrency_configs = resp_get_or_list
    R.delete_provisioned_concurrency_config = resp_delete
    lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/provisioned-concurrency/?$"] = R.dispatch

    prev_create = B.create_function

    def create_function(self, spec):
        name = (spec.get("FunctionName") or "").rsplit(":", 1)[-1]
        _forget_provisioned(f"arn:aws:lambda:{self.region_name}:{self.account_id}:function:{name}")  # a moto reset
        return prev_create(self, spec)

    B.create_function = create_function

    prev_del = S.del_function

    def del_function(self, name_or_arn, qualifier=None):
        fn = self.get_function_by_name_or_arn_with_qualifier(name_or_arn, qualifier)
        arn, version = base_arn(fn), str(fn.version)
        prev_del(self, name_or_arn, qualifier)
        if fn.function_name not in self._functions:
            _forget_provisioned(arn)
        elif version != "$LATEST":
            _forget_provisioned(arn, version)

    S.del_function = del_function

    prev_delete_alias = S.delete_alias

    def delete_alias(self, name, function_name):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(function_name)
        prev_delete_alias(self, name, function_name)
        _forget_provisioned(base_arn(fn), name)

    S.delete_alias = delete_alias

    prev_update_alias = S.update_alias

    def update_alias(self, name, function_name, function_version, description, routing_config, revision_id=None):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(function_name)
        before = str(self.get_alias(name, fn.function_name).function_version)
        alias = prev_update_alias(self, name, function_name, function_version, description, routing_config, revision_id)
        cfg = PROVISIONED.get((base_arn(fn), name))
        if cfg is not None and str(alias.function_version) != before:
            _allocate(self, fn, name, cfg)
        return alias

    S.update_alias = update_alias

    prev_reserve = B.put_function_concurrency

    def put_function_concurrency(self, function_name, reserved_concurrency):
        fn = self._lambdas.get_function_by_name_or_arn_forbid_qualifier(function_name)
        provisioned = sum(c.requested for (a, _), c in PROVISIONED.items() if a == base_arn(fn))
        if reserved_concurrency is not None and int(reserved_concurrency) < provisioned:
            raise InvalidParameterValueException(
                f"Specified ReservedConcurrentExecutions for function is less than the function's provisioned "
                f"concurrency [{provisioned}] (the testbed's wording)"
            )
        return prev_reserve(self, function_name, reserved_concurrency)

    B.put_function_concurrency = put_function_concurrency


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def install():
    F = lambda_models.LambdaFunction
    S = lambda_models.LambdaStorage
    B = lambda_models.LambdaBackend
    R = lambda_responses.LambdaResponse

    orig_set_code = F._set_function_code

    def _set_function_code(self, updated_spec):
        if "ImageUri" not in updated_spec:
            return orig_set_code(self, updated_spec)
        from_update = updated_spec is not self.code
        if from_update and updated_spec.get("DryRun"):
            return
        digest, size, resolved = resolve_image(self.account_id, self.region, updated_spec["ImageUri"])
        self.code_sha_256 = digest.split(":", 1)[1]
        self.code_size = size
        # A new dict: published versions keep the one they were published with.
        code = dict(self.code)
        code["ImageUri"] = updated_spec["ImageUri"]
        code["_resolved"] = resolved
        self.code = code

    F._set_function_code = _set_function_code

    orig_get_configuration = F.get_configuration

    def get_configuration(self, on_create=False):
        config = orig_get_configuration(self, on_create)
        st = STATES.get(base_arn(self))
        if st is None:
            return config
        config["RevisionId"] = st.revision
        if str(self.version) == "$LATEST" or on_create:
            config["State"] = st.state
            for key, value in (("StateReason", st.state_reason), ("StateReasonCode", st.state_code)):
                if value:
                    config[key] = value
            if not on_create:
                config["LastUpdateStatus"] = st.update
                for key, value in (("LastUpdateStatusReason", st.update_reason),
                                   ("LastUpdateStatusReasonCode", st.update_code)):
                    if value:
                        config[key] = value
        else:
            config["State"], config["LastUpdateStatus"] = "Active", "Successful"
        return config

    F.get_configuration = get_configuration

    orig_get_code = F.get_code

    def get_code(self):
        resp = orig_get_code(self)
        if "ImageUri" in self.code and self.code.get("_resolved"):
            resp["Code"]["ResolvedImageUri"] = self.code["_resolved"]
        return resp

    F.get_code = get_code

    orig_create = B.create_function

    def create_function(self, spec):
        if spec.get("PackageType") == "Image" and not (spec.get("Code") or {}).get("ImageUri"):
            raise InvalidParameterValueException("Please provide ImageUri when PackageType is Image.")
        name = (spec.get("FunctionName") or "").rsplit(":", 1)[-1]
        arn = f"arn:aws:lambda:{self.region_name}:{self.account_id}:function:{name}"
        STATES.pop(arn, None)
        fn = orig_create(self, spec)
        latest = self._lambdas.get_function_by_name_forbid_qualifier(name)
        STATES[arn] = FunctionState()
        if latest.package_type == "Image":
            start_check(latest, "create")
        return fn

    B.create_function = create_function

    orig_update_code = B.update_function_code

    def update_function_code(self, function_name, qualifier, body):
        fn = self._lambdas.get_function_by_name_or_arn_forbid_qualifier(function_name)
        busy = state_of(fn).busy(base_arn(fn))
        if busy:
            raise busy
        if "ImageUri" in body and fn.package_type != "Image":
            raise InvalidParameterValueException("Please don't provide ImageUri when updating a function with packageType Zip.")
        if fn.package_type == "Image" and "ImageUri" not in body:
            raise InvalidParameterValueException("Please provide ImageUri when updating a function with packageType Image.")
        previous = (fn.code, fn.code_sha_256, fn.code_size, fn.code_or_config_updated)
        result = orig_update_code(self, function_name, qualifier, body)
        if "ImageUri" in body and not body.get("DryRun"):
            start_check(fn, "update", previous)
            if not body.get("Publish"):
                result = fn.get_configuration()
        return result

    B.update_function_code = update_function_code

    orig_update_config = B.update_function_configuration

    def update_function_configuration(self, function_name, qualifier, body):
        fn = self._lambdas.get_function_by_name_or_arn_forbid_qualifier(function_name)
        busy = state_of(fn).busy(base_arn(fn))
        if busy:
            raise busy
        result = orig_update_config(self, function_name, qualifier, body)
        state_of(fn).revision = str(uuid.uuid4())
        return fn.get_configuration() if result else result

    B.update_function_configuration = update_function_configuration

    orig_publish = S.publish_version

    def publish_version(self, name_or_arn, description=""):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
        busy = state_of(fn).busy(base_arn(fn))
        if busy:
            raise busy
        before = list(self._functions[fn.function_name]["versions"])
        version = orig_publish(self, name_or_arn, description)
        if version is not None and version not in before:
            version.code = copy.deepcopy(version.code)
            version.environment_vars = dict(version.environment_vars or {})
            version.image_config = copy.deepcopy(version.image_config)
        return version

    S.publish_version = publish_version

    orig_resp_publish = R.publish_version

    def resp_publish_version(self):
        name = urllib.parse.unquote(self.path.split("/")[-2])
        body = json.loads(self.body or "{}")
        fn = self.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
        if body.get("CodeSha256") and body["CodeSha256"] != fn.code_sha_256:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({body['CodeSha256']}) is different from current CodeSHA256 in $LATEST ({fn.code_sha_256}). "
                "Please try publishing again with the CodeSHA256 of $LATEST."
            )
        if body.get("RevisionId") and body["RevisionId"] != state_of(fn).revision:
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
            )
        return orig_resp_publish(self)

    R.publish_version = resp_publish_version

    orig_del = S.del_function

    def del_function(self, name_or_arn, qualifier=None):
        fn = self.get_function_by_name_or_arn_with_qualifier(name_or_arn, qualifier)
        arn = base_arn(fn)
        version = str(fn.version)
        if version != "$LATEST" and (qualifier or ":" in name_or_arn.split(":function:")[-1]):
            users = sorted(
                a.name for a in self._aliases.get(arn, {}).values()
                if str(a.function_version) == version
                or version in ((a.routing_config or {}).get("AdditionalVersionWeights") or {})
            )
            if users:
                raise ResourceConflictException(
                    f"Unable to delete version because the following aliases reference it: {json.dumps(users)}"
                )
            return orig_del(self, name_or_arn, qualifier)
        orig_del(self, name_or_arn, qualifier)
        if fn.function_name not in self._functions:
            _close_urls(arn)
            self._aliases.pop(arn, None)
            STATES.pop(arn, None)

    S.del_function = del_function

    def check_routing(self, function_name, function_version, routing_config):
        weights = (routing_config or {}).get("AdditionalVersionWeights") or {}
        if not weights:
            return
        if len(weights) > 1:
            raise InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1")
        for version, weight in weights.items():
            try:
                weight = float(weight)
            except (TypeError, ValueError):
                weight = -1
            if not 0.0 <= weight <= 1.0:
                raise ValidationError(
                    f"1 validation error detected: Value '{weight}' at 'routingConfig.additionalVersionWeights' failed to satisfy "
                    "constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                    "Member must have value greater than or equal to 0.0]"
                )
            if not re.fullmatch(r"[0-9]+", str(version)):
                raise ValidationError(
                    f"1 validation error detected: Value '{version}' at 'routingConfig.additionalVersionWeights' failed to "
                    "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]"
                )
            if function_version is not None and str(function_version) == "$LATEST":
                raise InvalidParameterValueException("$LATEST is not supported for an alias pointing to more than 1 version")
            if function_version is not None and str(version) == str(function_version):
                raise InvalidParameterValueException(
                    f"Invalid function version {version}. Function version {version} is already included in routing configuration."
                )
            if self._get_version(function_name, str(version)) is None:
                raise ResourceNotFoundException(
                    f"Function not found: arn:aws:lambda:{self.region_name}:{self.account_id}:function:{function_name}:{version}"
                )

    orig_put_alias = S.put_alias

    def put_alias(self, name, function_name, function_version, description, routing_config):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(function_name)
        if function_version is None:
            raise ValidationError("1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null")
        self.get_function_by_name_or_arn_with_qualifier(fn.function_name, str(function_version))
        check_routing(self, fn.function_name, function_version, routing_config)
        if name in self._aliases.get(base_arn(fn), {}):
            raise ResourceConflictException(f"Alias already exists: {base_arn(fn)}:{name}")
        return orig_put_alias(self, name, fn.function_name, function_version, description, routing_config)

    S.put_alias = put_alias

    orig_update_alias = S.update_alias

    def update_alias(self, name, function_name, function_version, description, routing_config, revision_id=None):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(function_name)
        alias = self.get_alias(name, fn.function_name)
        if revision_id and revision_id != alias.revision_id:
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
            )
        target = function_version if function_version is not None else alias.function_version
        if function_version is not None:
            self.get_function_by_name_or_arn_with_qualifier(fn.function_name, str(function_version))
        check_routing(self, fn.function_name, target, routing_config if routing_config is not None else alias.routing_config)
        alias = orig_update_alias(self, name, fn.function_name, target, description, routing_config)
        alias.revision_id = str(uuid.uuid4())
        return alias

    S.update_alias = update_alias

    def resp_update_alias(self):
        function_name = urllib.parse.unquote(self.path.rsplit("/")[-3])
        alias_name = urllib.parse.unquote(self.path.rsplit("/", 2)[-1])
        params = json.loads(self.body or "{}")
        alias = self.backend._lambdas.update_alias(
            alias_name, function_name, params.get("FunctionVersion"), params.get("Description"),
            params.get("RoutingConfig"), params.get("RevisionId"),
        )
        return 200, {"status": 200}, json.dumps(alias.to_json())

    R.update_alias = resp_update_alias

    orig_delete_alias = S.delete_alias

    def delete_alias(self, name, function_name):
        fn = self.get_function_by_name_or_arn_forbid_qualifier(function_name)
        orig_delete_alias(self, name, function_name)
        _close_urls(base_arn(fn), name)
        state_of(fn).wrr.pop(name, None)

    S.delete_alias = delete_alias

    # ---- resource-based policy, per qualifier ----
    # moto files a statement added with an alias Qualifier under "<version ARN>:<alias>"
    # and GetPolicy returns every qualifier's statements; Lambda keeps one policy per
    # qualifier, with Resource = the (qualified) function ARN.
    def add_permission(self, function_name, qualifier, raw):
        name, q = _split_qualifier(function_name, qualifier)
        self._lambdas.get_function_by_name_or_arn_with_qualifier(name, q)  # ResourceNotFoundException
        latest = self._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
        body = json.loads(raw or "{}")
        body["Resource"] = base_arn(latest) + (f":{q}" if q and q != "$LATEST" else "")
        url_auth = body.pop("FunctionUrlAuthType", None)
        via_url = body.pop("InvokedViaFunctionUrl", None)
        statement, _ = latest.policy.add_statement(json.dumps(body), None)
        if url_auth:
            statement.setdefault("Condition", {}).setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = url_auth
        if via_url is not None:
            statement.setdefault("Condition", {}).setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = str(via_url).lower()
        return statement

    B.add_permission = add_permission

    def get_policy(self, function_name, qualifier=None):
        name, q = _split_qualifier(function_name, qualifier)
        self._lambdas.get_function_by_name_or_arn_with_qualifier(name, q)
        latest = self._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
        statements = _statements_for(latest, q)
        if not statements:
            raise GenericResourcNotFound()
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
        return json.dumps({"Policy": json.dumps(policy), "RevisionId": latest.policy.revision})

    B.get_policy = get_policy

    # ---- function URLs with Qualifier ----
    def _q(self):
        return (self.querystring.get("Qualifier") or [None])[0]

    def _name(self):
        return urllib.parse.unquote(self.path.split("?")[0].rstrip("/").split("/")[-2])

    R.create_function_url_config = lambda self: (
        201, {"status": 201}, json.dumps(create_url(self.backend, _name(self), _q(self), self.json_body).to_dict(created=True))
    )
    R.get_function_url_config = lambda self: (
        200, {"status": 200}, json.dumps(get_url(self.backend, _name(self), _q(self)).to_dict())
    )
    R.update_function_url_config = lambda self: (
        200, {"status": 200}, json.dumps(update_url(self.backend, _name(self), _q(self), self.json_body).to_dict())
    )

    def resp_delete_url(self):
        delete_url(self.backend, _name(self), _q(self))
        return 204, {"status": 204}, ""

    R.delete_function_url_config = resp_delete_url

    def resp_list_urls(self):
        fn = self.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(_name(self))
        arn = base_arn(fn)
        configs = [c.to_dict() for (a, _), c in sorted(URLS.items(), key=lambda kv: kv[0][1] or "") if a == arn]
        return 200, {"status": 200}, json.dumps({"FunctionUrlConfigs": configs})

    R.list_function_url_configs = resp_list_urls

    # CloudWatch matches a GetMetricStatistics query to datapoints with exactly its
    # dimensions; moto matches any superset, which would count each Lambda datapoint
    # once per dimension set it is reported under.  Exact, for AWS/Lambda only.
    from moto.cloudwatch.models import CloudWatchBackend, Dimension

    orig_statistics = CloudWatchBackend.get_metric_statistics

    def get_metric_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit=None):
        if namespace != "AWS/Lambda":
            return orig_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)
        want = sorted(Dimension(d["Name"], d.get("Value")) for d in dimensions or [])
        everything = self.get_all_metrics
        self.get_all_metrics = lambda: [
            md for md in everything() if md.namespace != namespace or sorted(md.dimensions) == want
        ]
        try:
            return orig_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)
        finally:
            del self.get_all_metrics

    CloudWatchBackend.get_metric_statistics = get_metric_statistics
    lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"] = R.dispatch
    install_provisioned(S, B, R)
