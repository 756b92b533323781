"""ECS progressive delivery for the simulator: blue/green, canary and linear service deployments.

Since 2025 ECS deploys a service with `deploymentConfiguration.strategy` =
ROLLING | BLUE_GREEN | CANARY | LINEAR.  The non-rolling strategies run the new
("green") service revision next to the old ("blue") one and move load balancer
traffic between two target groups (`loadBalancers[].targetGroupArn` and
`advancedConfiguration.alternateTargetGroupArn`) by rewriting the weights of
the production and test listener rules, through lifecycle stages:

  RECONCILE_SERVICE (only with more than one source revision) -> PRE_SCALE_UP ->
  SCALE_UP -> POST_SCALE_UP -> TEST_TRAFFIC_SHIFT -> POST_TEST_TRAFFIC_SHIFT ->
  PRODUCTION_TRAFFIC_SHIFT -> POST_PRODUCTION_TRAFFIC_SHIFT -> BAKE_TIME -> CLEAN_UP

moto knows none of it.  This module adds, on top of ecs_sim's engine:

* validation of the new members on CreateService / UpdateService
  (InvalidParameterException, as ECS answers synchronously);
* one *service deployment* record per deployment (every strategy, rolling
  included), with its ARN `...:service-deployment/<cluster>/<service>/<id>`,
  service revisions `...:service-revision/<cluster>/<service>/<n>`, status
  (PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED,
  ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL,
  ROLLBACK_FAILED), lifecycleStage, lifecycleHookDetails, rollback,
  deploymentCircuitBreaker and alarms monitors;
* the stage machine: green tasks are real containers (ecs_sim launches them),
  registered in the green target group of moto's ELBv2 while RUNNING (task
  IP + containerPort, as ECS registers awsvpc tasks; the loopback load
  balancer in lb.py dials the published 127.0.0.1 port); the test rule goes to
  green at TEST_TRAFFIC_SHIFT; production moves all at once (BLUE_GREEN), in
  two steps (CANARY: canaryPercent, canaryBakeTimeInMinutes, then 100) or in
  steps of stepPercent every stepBakeTimeInMinutes (LINEAR); BAKE_TIME keeps
  blue running; CLEAN_UP stops blue.
* PAUSE lifecycle hooks (hookId `ecs-pause-<43 chars>`, AWAITING_ACTION,
  expiresAt, timeoutAction), ContinueServiceDeployment (CONTINUE / ROLLBACK),
  the hook timeout taking its action (status TIMED_OUT); PRODUCTION_TRAFFIC_SHIFT
  hooks run at every traffic step.  AWS_LAMBDA hooks are refused (nothing
  could run them here).
* CloudWatch alarms (`deploymentConfiguration.alarms`, read from moto's
  CloudWatch every tick: `SetAlarmState ... ALARM` fires one) and the
  deployment circuit breaker roll a progressive deployment back;
  StopServiceDeployment ROLLBACK rolls back from any stage (blue is still
  running: production goes back to it at once), ABORT just stops.
* DescribeServiceDeployments, ListServiceDeployments,
  ContinueServiceDeployment, StopServiceDeployment, DescribeServiceRevisions.

Timing knobs (environment of server.py):
  MCP_TESTBED_MINUTE_SECONDS  seconds one simulated minute lasts (bake times,
                              canary/linear step bakes, hook timeouts); default 1
  MCP_TESTBED_STAGE_SECONDS   minimum time each lifecycle stage is visible; default 0.3

Every function here runs under common.LOCK (engine tick or moto request).
"""
import base64
import datetime
import logging
import os
import secrets
import time

from moto.core.utils import utcnow
from moto.ecs.exceptions import ECSException, InvalidParameterException

import lb

log = logging.getLogger("testbed.progressive")


def _env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return float(default)


MINUTE = _env_float("MCP_TESTBED_MINUTE_SECONDS", 1.0)
STAGE_DWELL = _env_float("MCP_TESTBED_STAGE_SECONDS", 0.3)

STRATEGIES = ("ROLLING", "BLUE_GREEN", "LINEAR", "CANARY")
STAGES = (
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
)
HOOK_STAGES = (
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
)
ACTIVE_STATUSES = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
FULL = 100.0

# every service deployment of this process, by ARN (records are plain dicts; `_`-keys are bookkeeping)
DEPLOYMENTS = {}
REVISIONS = {}  # service revision ARN -> record


class ServiceDeploymentNotFoundException(ECSException):
    def __init__(self, arn):
        super().__init__("ServiceDeploymentNotFoundException", f"Service deployment {arn} not found.")


class ConflictException(ECSException):
    def __init__(self, message):
        super().__init__("ConflictException", message)


# --------------------------------------------------------------------------
# Validation (CreateService / UpdateService)
# --------------------------------------------------------------------------


def _num(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidParameterException(f"{name} must be a number.")


def validate(account, region, config, load_balancers, controller):
    """Raise InvalidParameterException like ECS for a deployment configuration + load balancers."""
    config = config or {}
    strategy = config.get("strategy") or "ROLLING"
    if strategy not in STRATEGIES:
        raise InvalidParameterException(
            f"Invalid deployment strategy '{strategy}'. Valid values are ROLLING, BLUE_GREEN, LINEAR, CANARY."
        )
    bake = config.get("bakeTimeInMinutes")
    if bake is not None and not 0 <= _num(bake, "bakeTimeInMinutes") <= 1440:
        raise InvalidParameterException("bakeTimeInMinutes must be between 0 and 1440.")
    canary = config.get("canaryConfiguration")
    if canary is not None:
        pct = canary.get("canaryPercent")
        if pct is not None and not 0.1 <= _num(pct, "canaryPercent") <= 100.0:
            raise InvalidParameterException("canaryConfiguration.canaryPercent must be between 0.1 and 100.0.")
        cb = canary.get("canaryBakeTimeInMinutes")
        if cb is not None and not 0 <= _num(cb, "canaryBakeTimeInMinutes") <= 1440:
            raise InvalidParameterException("canaryConfiguration.canaryBakeTimeInMinutes must be between 0 and 1440.")
    linear = config.get("linearConfiguration")
    if linear is not None:
        step = linear.get("stepPercent")
        if step is not None and not 3.0 <= _num(step, "stepPercent") <= 100.0:
            raise InvalidParameterException("linearConfiguration.stepPercent must be between 3.0 and 100.0.")
        sb = linear.get("stepBakeTimeInMinutes")
        if sb is not None and not 0 <= _num(sb, "stepBakeTimeInMinutes") <= 1440:
            raise InvalidParameterException("linearConfiguration.stepBakeTimeInMinutes must be between 0 and 1440.")
    for i, hook in enumerate(config.get("lifecycleHooks") or []):
        where = f"deploymentConfiguration.lifecycleHooks[{i}]"
        target = hook.get("targetType") or ("AWS_LAMBDA" if hook.get("hookTargetArn") else None)
        if target not in ("PAUSE", "AWS_LAMBDA"):
            raise InvalidParameterException(f"{where}.targetType must be one of AWS_LAMBDA, PAUSE.")
        if target == "AWS_LAMBDA":
            if not hook.get("hookTargetArn") or not hook.get("roleArn"):
                raise InvalidParameterException(f"{where}: hookTargetArn and roleArn are required for AWS_LAMBDA hooks.")
            # Honest refusal: nothing in the testbed can invoke a Lambda function.
            raise InvalidParameterException(f"{where}: AWS_LAMBDA lifecycle hooks are not simulated by the testbed; use PAUSE.")
        stages = hook.get("lifecycleStages") or []
        if not stages:
            raise InvalidParameterException(f"{where}.lifecycleStages must contain at least one lifecycle stage.")
        for stage in stages:
            if stage not in HOOK_STAGES:
                raise InvalidParameterException(
                    f"{where}.lifecycleStages: lifecycle hooks are not supported for stage {stage}. "
                    f"Valid values are {', '.join(HOOK_STAGES)}."
                )
        timeout = hook.get("timeoutConfiguration") or {}
        minutes = timeout.get("timeoutInMinutes")
        if minutes is not None and not 1 <= _num(minutes, "timeoutInMinutes") <= 20160:
            raise InvalidParameterException(f"{where}.timeoutConfiguration.timeoutInMinutes must be between 1 and 20160.")
        if timeout.get("action") not in (None, "ROLLBACK", "CONTINUE"):
            raise InvalidParameterException(f"{where}.timeoutConfiguration.action must be one of ROLLBACK, CONTINUE.")
    if config.get("lifecycleHooks") and strategy == "ROLLING":
        raise InvalidParameterException("Lifecycle hooks are only supported with the BLUE_GREEN, LINEAR and CANARY deployment strategies.")
    if strategy == "ROLLING":
        return
    if (controller or {}).get("type", "ECS") != "ECS":
        raise InvalidParameterException(
            f"The {strategy} deployment strategy is only supported for services that use the ECS deployment controller."
        )
    if strategy in ("CANARY", "LINEAR") and not load_balancers:
        raise InvalidParameterException(
            f"The {strategy} deployment strategy requires a load balancer with advancedConfiguration "
            "(alternateTargetGroupArn, productionListenerRule, roleArn)."
        )
    for i, entry in enumerate(load_balancers or []):
        where = f"loadBalancers[{i}]"
        adv = entry.get("advancedConfiguration")
        if not adv:
            raise InvalidParameterException(
                f"{where}.advancedConfiguration is required when the deployment strategy is {strategy}. "
                "Specify alternateTargetGroupArn, productionListenerRule and roleArn."
            )
        for member in ("alternateTargetGroupArn", "productionListenerRule", "roleArn"):
            if not adv.get(member):
                raise InvalidParameterException(f"{where}.advancedConfiguration.{member} is required for the {strategy} deployment strategy.")
        for member in ("targetGroupArn", "alternateTargetGroupArn"):
            arn = entry.get("targetGroupArn") if member == "targetGroupArn" else adv.get(member)
            if not arn:
                raise InvalidParameterException(f"{where}.targetGroupArn is required.")
            if _target_group(account, region, arn) is None:
                raise InvalidParameterException(f"Unable to find target group {arn} ({where}.{member if member == 'targetGroupArn' else 'advancedConfiguration.' + member}).")
        if entry.get("targetGroupArn") == adv.get("alternateTargetGroupArn"):
            raise InvalidParameterException(f"{where}.advancedConfiguration.alternateTargetGroupArn must differ from targetGroupArn.")
        for member in ("productionListenerRule", "testListenerRule"):
            arn = adv.get(member)
            if not arn:
                continue
            if ":listener-rule/" not in arn and ":listener/net/" not in arn:
                # ECS's message, as documented in "Troubleshooting Amazon ECS blue/green deployments"
                raise InvalidParameterException(
                    f"{member} has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: {arn}"
                )
            _, ln, _ = lb.listener_of_rule(arn)
            if ln is None:
                raise InvalidParameterException(f"Unable to find listener rule {arn} ({where}.advancedConfiguration.{member}).")
            weights = lb.rule_weights(arn)
            missing = [tg for tg in (entry["targetGroupArn"], adv["alternateTargetGroupArn"]) if tg not in weights]
            if member == "productionListenerRule" and entry["targetGroupArn"] not in weights:
                raise InvalidParameterException(
                    f"The production listener rule {arn} does not forward to targetGroupArn {entry['targetGroupArn']}."
                )
            if missing and member == "testListenerRule" and len(missing) == 2:
                raise InvalidParameterException(
                    f"The test listener rule {arn} forwards to neither target group of {where}."
                )
        if not str(adv.get("roleArn", "")).startswith("arn:aws:iam::"):
            raise InvalidParameterException(f"{where}.advancedConfiguration.roleArn is not a valid IAM role ARN: {adv.get('roleArn')}")


def _target_group(account, region, arn):
    from moto.elbv2.models import elbv2_backends

    try:
        return elbv2_backends[account][region].target_groups.get(arn)
    except KeyError:
        return None


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


def _id22():
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")[:22]


def _prefix(service):
    arn = service.arn  # arn:aws:ecs:region:account:service/cluster/name
    head = arn.split(":service/")[0]
    return head, f"{service.cluster_name}/{service.name}"


def revision_arn(service, dep_id):
    head, path = _prefix(service)
    return f"{head}:service-revision/{path}/{dep_id.split('/')[-1]}"


def _strategy(service):
    return (service.deployment_configuration or {}).get("strategy") or "ROLLING"


def _new_revision(service, dep):
    arn = revision_arn(service, dep["id"])
    REVISIONS[arn] = {
        "serviceRevisionArn": arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": dep["taskDefinition"],
        "launchType": dep.get("launchType"),
        "platformVersion": dep.get("platformVersion"),
        "platformFamily": dep.get("platformFamily"),
        "loadBalancers": [dict(x) for x in (service.load_balancers or [])],
        "networkConfiguration": dep.get("networkConfiguration"),
        "createdAt": dep["createdAt"],
    }
    return arn


def on_new_deployment(engine, service, dep, rollback_from=None):
    """ecs_sim created a deployment (CreateService, UpdateService, circuit-breaker rollback)."""
    tb = service._tb
    _new_revision(service, dep)
    if rollback_from:  # a rolling circuit-breaker rollback belongs to the failed service deployment
        sd = _current(service)
        if sd is not None:
            sd["_rollback_dep"] = dep["id"]
        return
    previous = _current(service)
    if previous is not None and previous["status"] in ACTIVE_STATUSES:
        _supersede(engine, service, previous)
    now = utcnow()
    head, path = _prefix(service)
    arn = f"{head}:service-deployment/{path}/{_id22()}"
    sources = [d for d in service.deployments if d is not dep]
    sd = {
        "serviceDeploymentArn": arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": now,
        "startedAt": now,
        "updatedAt": now,
        "status": "IN_PROGRESS",
        "_service": service,
        "_target": dep["id"],
        "_sources": [d["id"] for d in sources],
        "_hooks": [],
        "_stage_index": None,
        "_stage_since": time.time(),
        "_weight": 0.0,  # green's production traffic %
        "_test_weight": 0.0,
        "_step": 0,
        "_step_since": None,
        "_bake_since": None,
    }
    _snapshot_config(sd, service)
    DEPLOYMENTS[arn] = sd
    tb["current_sd"] = arn
    service.current_service_deployment = arn
    if sd["_strategy"] != "ROLLING":
        blue_slot = tb.setdefault("slot", {}).get(sources[0]["id"], 0) if sources else None
        tb["slot"][dep["id"]] = 0 if blue_slot is None else 1 - blue_slot
        sd["_stage_index"] = 0 if len(sources) > 1 else 1
        sd["lifecycleStage"] = STAGES[sd["_stage_index"]]
    log.info("%s: service deployment %s (%s) for %s", service.name, arn, sd["_strategy"], dep["id"])
    return sd


def _snapshot_config(sd, service):
    """ECS uses the configuration of the service at the time the deployment started."""
    config = dict(service.deployment_configuration or {})
    sd["deploymentConfiguration"] = config
    sd["_strategy"] = config.get("strategy") or "ROLLING"
    breaker = config.get("deploymentCircuitBreaker") or {}
    alarms = config.get("alarms") or {}
    sd["deploymentCircuitBreaker"] = {
        "status": "MONITORING" if breaker.get("enable") else "DISABLED",
        "failureCount": 0,
        "threshold": None,
    }
    sd["alarms"] = {
        "status": "MONITORING" if alarms.get("enable") and alarms.get("alarmNames") else "DISABLED",
        "alarmNames": list(alarms.get("alarmNames") or []),
        "triggeredAlarmNames": [],
    }
    sd["_lbs"] = [dict(x) for x in (service.load_balancers or [])]


def on_create_configured(service):
    """CreateService: the request's deploymentConfiguration is applied after the first deployment exists."""
    sd = _current(service)
    if sd is None:
        return
    _snapshot_config(sd, service)
    if sd["_strategy"] != "ROLLING" and sd["_stage_index"] is None:
        service._tb.setdefault("slot", {})[sd["_target"]] = 0
        sd["_stage_index"] = 1
        sd["lifecycleStage"] = STAGES[1]


def _current(service):
    tb = getattr(service, "_tb", None) or {}
    return DEPLOYMENTS.get(tb.get("current_sd"))


def _dep(service, dep_id):
    return next((d for d in service.deployments if d["id"] == dep_id), None)


def controls(service, primary):
    """Is this PRIMARY deployment driven by a progressive service deployment (not the rolling engine)?"""
    sd = _current(service)
    # STOPPED (ABORT, alarm without rollback) stays where it stopped: the rolling engine must not finish it.
    return (sd is not None and sd["_strategy"] != "ROLLING" and sd["_target"] == primary["id"]
            and sd["status"] in ACTIVE_STATUSES + ("STOPPED",))


# ---- rolling deployments: statuses only ----
def on_rolling_completed(service, dep):
    sd = _current(service)
    if sd is None or sd["_strategy"] != "ROLLING":
        return
    now = utcnow()
    if sd["_target"] == dep["id"] and sd["status"] == "IN_PROGRESS":
        sd.update(status="SUCCESSFUL", statusReason=None, finishedAt=now, updatedAt=now)
        _monitors_complete(sd)
    elif sd.get("_rollback_dep") == dep["id"]:
        sd.update(status="ROLLBACK_SUCCESSFUL", finishedAt=now, updatedAt=now)


def on_rolling_failed(service, dep, rollback):
    sd = _current(service)
    if sd is None or sd["_target"] != dep["id"]:
        return
    now = utcnow()
    sd["deploymentCircuitBreaker"]["status"] = "TRIGGERED"
    sd["deploymentCircuitBreaker"]["failureCount"] = dep["failedTasks"]
    reason = "ECS deployment circuit breaker: tasks failed to start."
    if rollback:
        last = service._tb.get("last_completed")
        sd.update(status="ROLLBACK_IN_PROGRESS", statusReason=reason, updatedAt=now)
        sd["rollback"] = {"reason": reason, "startedAt": now,
                          "serviceRevisionArn": revision_arn(service, last[0]) if last else None}
    else:
        sd.update(status="STOPPED", statusReason=reason, stoppedAt=now, updatedAt=now)


def _monitors_complete(sd):
    for key in ("deploymentCircuitBreaker", "alarms"):
        if sd[key]["status"] == "MONITORING":
            sd[key]["status"] = "MONITORING_COMPLETE"


# --------------------------------------------------------------------------
# Traffic
# --------------------------------------------------------------------------


def _weights(percent):
    """green % -> integer ELBv2 weights (0..999 each) for (blue, green)."""
    if percent >= FULL:
        return 0, 1
    if percent <= 0:
        return 1, 0
    green = max(1, min(999, round(percent * 10)))
    return 1000 - green, green


def _tg_pair(entry):
    adv = entry.get("advancedConfiguration") or {}
    return [entry.get("targetGroupArn"), adv.get("alternateTargetGroupArn")]


def _shift(sd, which, percent):
    """Rewrite the production or test listener rule of every load balancer: `percent` to green."""
    service = sd["_service"]
    slots = service._tb.get("slot", {})
    green_slot = slots.get(sd["_target"], 1)
    for entry in sd["_lbs"]:
        rule = (entry.get("advancedConfiguration") or {}).get(which)
        pair = _tg_pair(entry)
        if not rule or not all(pair):
            continue
        blue_w, green_w = _weights(percent)
        try:
            lb.set_rule_weights(rule, {pair[1 - green_slot]: blue_w, pair[green_slot]: green_w})
        except KeyError:
            log.warning("%s: listener rule %s vanished", service.name, rule)
    if which == "productionListenerRule":
        sd["_weight"] = percent
    else:
        sd["_test_weight"] = percent
    lb.MIRROR.sync()  # traffic moves now, not at the next tick


def sync_targets(backend, service, tasks):
    """Register RUNNING tasks of the service in their target group (moto ELBv2 + loopback map)."""
    lbs = service.load_balancers or []
    tb = getattr(service, "_tb", None)
    if not lbs or tb is None:
        return
    from moto.elbv2.models import elbv2_backends

    elb = elbv2_backends[backend.account_id][backend.region_name]
    registered = tb.setdefault("registered", {})  # tg arn -> {ip: port} we registered
    want = {}
    slots = tb.get("slot", {})
    for entry in lbs:
        pair = _tg_pair(entry)
        cname, cport = entry.get("containerName"), entry.get("containerPort")
        for arn in pair:
            if arn:
                want.setdefault(arn, {})
        if not cport:
            continue
        for t in tasks:
            if service.status != "ACTIVE" or t.desired_status != "RUNNING" or t.last_status != "RUNNING":
                continue
            tg = pair[slots.get(t.started_by, 0)] or pair[0]
            c = next((c for c in t.containers if c.name == cname), None)
            ip = getattr(c, "_ip", None) if c else None
            host_port = next((b["hostPort"] for b in (c.network_bindings if c else []) if b["containerPort"] == int(cport)), None)
            if tg and ip and host_port:
                lb.REGISTRY.map_address(ip, cport, ("127.0.0.1", host_port))
                want[tg][ip] = int(cport)
    for arn, targets in want.items():
        group = elb.target_groups.get(arn)
        if group is None:
            continue
        mine = registered.setdefault(arn, {})
        gone = [{"Id": ip, "Port": port} for ip, port in mine.items() if targets.get(ip) != port]
        new = [{"Id": ip, "Port": port} for ip, port in targets.items() if mine.get(ip) != port]
        if gone:
            group.deregister(gone)
            for t in gone:
                mine.pop(t["Id"], None)
        if new:
            group.register(new)
            mine.update({t["Id"]: t["Port"] for t in new})


def publish_ports(service):
    """Load-balanced tasks publish their container ports on 127.0.0.1 so the loopback LB can reach them."""
    return bool(service.load_balancers)


# --------------------------------------------------------------------------
# The stage machine
# --------------------------------------------------------------------------


def _hook_id():
    return "ecs-pause-" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def _enter_hooks(sd, stage, key):
    """Instantiate the PAUSE hooks of `stage` once per (stage, step) key."""
    if key in sd.setdefault("_hooked", set()):
        return
    sd["_hooked"].add(key)
    for hook in sd["deploymentConfiguration"].get("lifecycleHooks") or []:
        if stage not in (hook.get("lifecycleStages") or []):
            continue
        timeout = hook.get("timeoutConfiguration") or {}
        minutes = float(timeout.get("timeoutInMinutes") or 1440)
        now = utcnow()
        sd["_hooks"].append({
            "hookId": _hook_id(),
            "targetType": "PAUSE",
            "status": "AWAITING_ACTION",
            "expiresAt": now + datetime.timedelta(minutes=minutes),
            "timeoutAction": timeout.get("action") or "ROLLBACK",
            "_stage": stage,
            "_deadline": time.time() + minutes * MINUTE,
        })
        add_event(sd, f"(service {sd['_service'].name}) (deployment {sd['_target']}) lifecycle hook is awaiting action at {stage}.")


def _hooks_waiting(sd):
    return [h for h in sd["_hooks"] if h["status"] == "AWAITING_ACTION"]


def add_event(sd, message):
    import ecs_sim

    ecs_sim.add_event(sd["_service"], message)


def reconcile(engine, backend, service, primary, now):
    """One engine tick for a progressive deployment (replaces the rolling completion logic)."""
    sd = _current(service)
    status = sd["status"]
    if status in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"):
        return
    if status == "STOP_REQUESTED":
        sd.update(status="STOPPED", statusReason="Service deployment stopped by a StopServiceDeployment request (ABORT).",
                  stoppedAt=utcnow(), updatedAt=utcnow())
    if sd["status"] == "STOPPED":  # keep what runs, launch nothing, move no traffic
        engine._scale(backend, service, primary, now, launch=False)
        return
    stage = STAGES[sd["_stage_index"]]
    launching = sd["_stage_index"] >= STAGES.index("SCALE_UP")
    plive, running = engine._scale(backend, service, primary, now, launch=launching)
    desired = int(service.desired_count or 0)

    # Monitors: circuit breaker (green tasks failing) and CloudWatch alarms.
    config = sd["deploymentConfiguration"]
    breaker = config.get("deploymentCircuitBreaker") or {}
    if breaker.get("enable"):
        import ecs_sim

        threshold = int(ecs_sim._tag(service, "testbed:failure-threshold") or ecs_sim.DEFAULT_FAILURE_THRESHOLD)
        sd["deploymentCircuitBreaker"].update(failureCount=primary["failedTasks"], threshold=threshold)
        if primary["failedTasks"] >= threshold:
            sd["deploymentCircuitBreaker"]["status"] = "TRIGGERED"
            reason = "ECS deployment circuit breaker: tasks failed to start."
            if breaker.get("rollback"):
                rollback(engine, backend, service, sd, reason)
            else:
                _fail_without_rollback(engine, service, sd, reason)
            return
    fired = _alarms_in_alarm(backend, sd)
    if fired:
        sd["alarms"].update(status="TRIGGERED", triggeredAlarmNames=fired)
        reason = f"Rolling back deployment because CloudWatch alarm(s) {', '.join(fired)} went into ALARM state."
        if (config.get("alarms") or {}).get("rollback"):
            rollback(engine, backend, service, sd, reason)
        else:
            _fail_without_rollback(engine, service, sd, f"CloudWatch alarm(s) {', '.join(fired)} went into ALARM state.")
        return

    # Hooks of this stage (PRODUCTION_TRAFFIC_SHIFT: of this step).
    hook_key = (stage, sd["_step"] if stage == "PRODUCTION_TRAFFIC_SHIFT" else 0)
    if stage in HOOK_STAGES:
        _enter_hooks(sd, stage, hook_key)
        for hook in _hooks_waiting(sd):
            if time.time() >= hook["_deadline"]:
                hook["status"] = "TIMED_OUT"
                if hook["timeoutAction"] == "ROLLBACK":
                    rollback(engine, backend, service, sd, f"Lifecycle hook {hook['hookId']} timed out at {hook['_stage']}.")
                    return
        if _hooks_waiting(sd):
            return
    if time.time() - sd["_stage_since"] < STAGE_DWELL:
        return

    done = True
    if stage == "SCALE_UP":
        done = len(running) == desired and len(plive) == desired
    elif stage == "TEST_TRAFFIC_SHIFT":
        _shift(sd, "testListenerRule", FULL)
    elif stage == "PRODUCTION_TRAFFIC_SHIFT":
        done = _production_step(sd, service, hook_key)
    elif stage == "BAKE_TIME":
        if sd["_bake_since"] is None:
            sd["_bake_since"] = time.time()
        done = time.time() - sd["_bake_since"] >= float(config.get("bakeTimeInMinutes") or 0) * MINUTE
    elif stage == "CLEAN_UP":
        _finish(engine, backend, service, sd, primary)
        return
    if done:
        _next_stage(sd)


def _production_step(sd, service, hook_key):
    """Apply the current traffic step; True once production is 100 % on green."""
    config = sd["deploymentConfiguration"]
    strategy = sd["_strategy"]
    if strategy == "CANARY":
        canary = config.get("canaryConfiguration") or {}
        plan = [float(canary.get("canaryPercent", 5.0)), FULL]
        bakes = [float(canary.get("canaryBakeTimeInMinutes", 10)), 0.0]
    elif strategy == "LINEAR":
        linear = config.get("linearConfiguration") or {}
        step = float(linear.get("stepPercent", 10.0))
        plan, pct = [], 0.0
        while pct < FULL:
            pct = min(FULL, round(pct + step, 1))
            plan.append(pct)
        bakes = [float(linear.get("stepBakeTimeInMinutes", 6))] * (len(plan) - 1) + [0.0]
    else:
        plan, bakes = [FULL], [0.0]
    i = sd["_step"]
    if sd["_step_since"] is None:
        _shift(sd, "productionListenerRule", plan[i])
        sd["_step_since"] = time.time()
        add_event(sd, f"(service {service.name}) (deployment {sd['_target']}) production traffic shifted: {plan[i]:g}% to the new service revision.")
    if time.time() - sd["_step_since"] < bakes[i] * MINUTE:
        return False
    if i + 1 < len(plan):
        sd["_step"] += 1
        sd["_step_since"] = None
        return False
    return True


def _next_stage(sd):
    sd["_stage_index"] += 1
    sd["_stage_since"] = time.time()
    sd["lifecycleStage"] = STAGES[sd["_stage_index"]]
    sd["updatedAt"] = utcnow()
    log.info("%s: %s -> %s", sd["_service"].name, sd["serviceDeploymentArn"].split("/")[-1], sd["lifecycleStage"])


def _finish(engine, backend, service, sd, primary):
    tasks = engine._service_tasks(backend, service)
    if sd["_test_weight"] < FULL:
        _shift(sd, "testListenerRule", FULL)
    engine._complete(backend, service, primary, tasks)  # stops blue, drops its deployment
    now = utcnow()
    sd.update(status="SUCCESSFUL", finishedAt=now, updatedAt=now)
    _monitors_complete(sd)


def _alarms_in_alarm(backend, sd):
    names = sd["alarms"]["alarmNames"]
    if sd["alarms"]["status"] != "MONITORING" or not names:
        return []
    from moto.cloudwatch.models import cloudwatch_backends

    try:
        cw = cloudwatch_backends[backend.account_id][backend.region_name]
    except KeyError:
        return []
    return [n for n in names if n in cw.alarms and cw.alarms[n].state_value == "ALARM"]


def _stop_green(engine, backend, service, sd, reason):
    for t in engine._service_tasks(backend, service):
        if t.started_by == sd["_target"] and t.desired_status == "RUNNING":
            engine.request_stop(t, reason)


def _fail_without_rollback(engine, service, sd, reason):
    now = utcnow()
    dep = _dep(service, sd["_target"])
    if dep:
        dep.update(rolloutState="FAILED", rolloutStateReason=reason, updatedAt=now)
    sd.update(status="STOPPED", statusReason=reason, stoppedAt=now, updatedAt=now)


def rollback(engine, backend, service, sd, reason):
    """Production (and test) traffic back to blue at once, green stopped, blue PRIMARY again."""
    now = utcnow()
    blue = next((d for d in service.deployments if d["id"] in sd["_sources"]), None)
    sd.update(status="ROLLBACK_IN_PROGRESS", statusReason=reason, updatedAt=now)
    sd["rollback"] = {"reason": reason, "startedAt": now,
                      "serviceRevisionArn": revision_arn(service, blue["id"]) if blue else None}
    for hook in _hooks_waiting(sd):
        hook["status"] = "FAILED"
    if sd["_weight"] > 0 or sd["_test_weight"] > 0:
        _shift(sd, "productionListenerRule", 0.0)
        _shift(sd, "testListenerRule", 0.0)
    green = _dep(service, sd["_target"])
    if green:
        green.update(rolloutState="FAILED", rolloutStateReason=reason, updatedAt=now, status="ACTIVE")
    _stop_green(engine, backend, service, sd, f"Scaling activity initiated by (deployment {sd['_target']})")
    add_event(sd, f"(service {service.name}) (deployment {sd['_target']}) deployment failed: {reason}")
    if blue is None:
        sd.update(status="ROLLBACK_FAILED", statusReason=f"{reason} No previous service revision to roll back to.", finishedAt=now)
        return
    blue.update(status="PRIMARY", updatedAt=now)
    service.deployments.sort(key=lambda d: d["status"] != "PRIMARY")
    service.task_definition = blue["taskDefinition"]
    add_event(sd, f"(service {service.name}) rolling back to deployment {blue['id']}.")
    log.info("%s: rolling back %s: %s", service.name, sd["_target"], reason)


def tick_rollbacks(engine, backend, service):
    """Finish rollbacks: once green's tasks are gone, drop its deployment (ROLLBACK_SUCCESSFUL)."""
    sd = _current(service)
    if sd is None or sd["_strategy"] == "ROLLING" or sd["status"] != "ROLLBACK_IN_PROGRESS":
        return
    live = [t for t in engine._service_tasks(backend, service) if t.started_by == sd["_target"] and t.last_status != "STOPPED"]
    if live:
        return
    service.deployments = [d for d in service.deployments if d["id"] != sd["_target"]]
    service._tb["deps"].pop(sd["_target"], None)
    now = utcnow()
    sd.update(status="ROLLBACK_SUCCESSFUL", finishedAt=now, updatedAt=now)
    _monitors_complete(sd)


def _supersede(engine, service, sd):
    """A newer deployment started while this one was in progress: it stops; its green goes away."""
    now = utcnow()
    sd.update(status="STOPPED", statusReason="Service deployment stopped: a newer service deployment started.",
              stoppedAt=now, updatedAt=now)
    if sd["_strategy"] == "ROLLING":
        return
    for hook in _hooks_waiting(sd):
        hook["status"] = "FAILED"
    if sd["_weight"] > 0 or sd["_test_weight"] > 0:
        _shift(sd, "productionListenerRule", 0.0)
        _shift(sd, "testListenerRule", 0.0)
    import ecs_sim

    for backend in ecs_sim._all_ecs_backends():
        for t in engine._service_tasks(backend, service):
            if t.started_by == sd["_target"] and t.desired_status == "RUNNING":
                engine.request_stop(t, f"Scaling activity initiated by (deployment {sd['_target']})")
    service.deployments = [d for d in service.deployments if d["id"] != sd["_target"]]


# --------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------


def _public(sd):
    service = sd["_service"]
    out = {k: v for k, v in sd.items() if not k.startswith("_") and v is not None}
    out["lifecycleHookDetails"] = [{k: v for k, v in h.items() if not k.startswith("_")} for h in sd["_hooks"]]
    counts = {}
    for dep in service.deployments:
        counts[dep["id"]] = dep
    green_pct = sd["_weight"]

    def summary(dep_id, prod, test):
        dep = counts.get(dep_id)
        return {
            "arn": revision_arn(service, dep_id),
            "requestedTaskCount": int(dep["desiredCount"]) if dep else 0,
            "runningTaskCount": int(dep["runningCount"]) if dep else 0,
            "pendingTaskCount": int(dep["pendingCount"]) if dep else 0,
            "requestedTestTrafficWeight": test,
            "requestedProductionTrafficWeight": prod,
        }

    progressive = sd["_strategy"] != "ROLLING"
    out["targetServiceRevision"] = summary(sd["_target"], green_pct if progressive else None, sd["_test_weight"] if progressive else None)
    out["sourceServiceRevisions"] = [
        summary(s, FULL - green_pct if progressive else None, FULL - sd["_test_weight"] if progressive else None)
        for s in sd["_sources"]
    ]
    for rev in [out["targetServiceRevision"], *out["sourceServiceRevisions"]]:
        for k in [k for k, v in rev.items() if v is None]:
            del rev[k]
    if not progressive:
        out.pop("lifecycleStage", None)
    return out


def _get(arn):
    sd = DEPLOYMENTS.get(arn)
    if sd is None:
        raise ServiceDeploymentNotFoundException(arn)
    return sd


def describe_service_deployments(arns):
    found, failures = [], []
    for arn in arns or []:
        sd = DEPLOYMENTS.get(arn)
        if sd is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(_public(sd))
    return {"serviceDeployments": found, "failures": failures}


def list_service_deployments(backend, cluster, service_name, statuses, created_at, max_results, next_token):
    service = backend._get_service(cluster or "default", service_name.split("/")[-1])
    rows = [sd for sd in DEPLOYMENTS.values() if sd["_service"] is service]
    if statuses:
        rows = [sd for sd in rows if sd["status"] in statuses]
    created_at = created_at or {}

    def ts(v):
        if isinstance(v, (int, float)):
            return datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
        if isinstance(v, str):
            return datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return v

    def aware(dt):
        return dt if dt.tzinfo else dt.replace(tzinfo=datetime.timezone.utc)

    if created_at.get("after") is not None:
        rows = [sd for sd in rows if aware(sd["createdAt"]) >= aware(ts(created_at["after"]))]
    if created_at.get("before") is not None:
        rows = [sd for sd in rows if aware(sd["createdAt"]) <= aware(ts(created_at["before"]))]
    rows.sort(key=lambda sd: sd["createdAt"], reverse=True)
    start = int(next_token or 0)
    size = int(max_results or 20)
    if not 1 <= size <= 100:
        raise InvalidParameterException("maxResults must be between 1 and 100.")
    page = rows[start:start + size]
    out = {
        "serviceDeployments": [
            {k: v for k, v in {
                "serviceDeploymentArn": sd["serviceDeploymentArn"],
                "serviceArn": sd["serviceArn"],
                "clusterArn": sd["clusterArn"],
                "startedAt": sd.get("startedAt"),
                "createdAt": sd["createdAt"],
                "finishedAt": sd.get("finishedAt"),
                "targetServiceRevisionArn": revision_arn(service, sd["_target"]),
                "status": sd["status"],
                "statusReason": sd.get("statusReason"),
            }.items() if v is not None}
            for sd in page
        ]
    }
    if start + size < len(rows):
        out["nextToken"] = str(start + size)
    return out


def continue_service_deployment(engine, arn, hook_id, action):
    sd = _get(arn)
    action = action or "CONTINUE"
    if action not in ("CONTINUE", "ROLLBACK"):
        raise InvalidParameterException(f"Invalid action '{action}'. Valid values are ROLLBACK, CONTINUE.")
    if sd["status"] != "IN_PROGRESS":
        raise InvalidParameterException(
            f"Service deployment {arn} is in status {sd['status']}; only IN_PROGRESS deployments can be continued."
        )
    hook = next((h for h in sd["_hooks"] if h["hookId"] == hook_id), None)
    if hook is None:
        raise InvalidParameterException(f"Lifecycle hook {hook_id} not found in service deployment {arn}.")
    if hook["status"] != "AWAITING_ACTION":
        raise InvalidParameterException(f"Lifecycle hook {hook_id} is in status {hook['status']}, not AWAITING_ACTION.")
    service = sd["_service"]
    if action == "CONTINUE":
        hook["status"] = "SUCCEEDED"
        sd["updatedAt"] = utcnow()
    else:
        hook["status"] = "FAILED"
        for backend in _backends_of(service):
            rollback(engine, backend, service, sd, f"Rollback requested through ContinueServiceDeployment at {hook['_stage']}.")
    return {"serviceDeploymentArn": arn}


def stop_service_deployment(engine, arn, stop_type):
    sd = _get(arn)
    stop_type = stop_type or "ROLLBACK"
    if stop_type not in ("ROLLBACK", "ABORT"):
        raise InvalidParameterException(f"Invalid stopType '{stop_type}'. Valid values are ABORT, ROLLBACK.")
    if sd["status"] in ("STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"):
        return {"serviceDeploymentArn": arn}  # "continues to stop / roll back"
    if sd["status"] not in ("PENDING", "IN_PROGRESS"):
        raise ConflictException(f"Service deployment {arn} is in status {sd['status']} and cannot be stopped.")
    service = sd["_service"]
    if sd["_strategy"] == "ROLLING":
        raise InvalidParameterException(
            "The testbed stops only BLUE_GREEN, CANARY and LINEAR service deployments; "
            "rolling deployments roll back through the circuit breaker."
        )
    if stop_type == "ABORT":
        sd.update(status="STOP_REQUESTED", updatedAt=utcnow())
        return {"serviceDeploymentArn": arn}
    sd.update(status="ROLLBACK_REQUESTED", updatedAt=utcnow())
    for backend in _backends_of(service):
        rollback(engine, backend, service, sd, "Service deployment rolled back because of a StopServiceDeployment request.")
    return {"serviceDeploymentArn": arn}


def describe_service_revisions(arns):
    found, failures = [], []
    for arn in arns or []:
        rev = REVISIONS.get(arn)
        if rev is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append({k: v for k, v in rev.items() if v is not None})
    return {"serviceRevisions": found, "failures": failures}


def _backends_of(service):
    import ecs_sim

    for backend in ecs_sim._all_ecs_backends():
        if any(s is service for s in backend.services.values()):
            yield backend


# --------------------------------------------------------------------------
# Control route: where a service's production and test traffic can be reached
# --------------------------------------------------------------------------


def service_lb(backend_iter, cluster, service_name):
    for backend in backend_iter:
        service = backend.services.get(f"{cluster}:{service_name}")
        if service is None:
            continue
        out = []
        for entry in service.load_balancers or []:
            adv = entry.get("advancedConfiguration") or {}
            item = {"targetGroupArn": entry.get("targetGroupArn"), "alternateTargetGroupArn": adv.get("alternateTargetGroupArn")}
            for which, key in (("productionListenerRule", "production"), ("testListenerRule", "test")):
                arn = adv.get(which)
                if not arn:
                    continue
                _, ln, _ = lb.listener_of_rule(arn)
                local = lb.REGISTRY.listeners.get(ln.arn) if ln else None
                item[key] = {
                    "rule": arn,
                    "listener": ln.arn if ln else None,
                    "url": local.url if local else None,
                    "weights": lb.rule_weights(arn),
                    "stats": local.stats() if local else {},
                }
            item["targets"] = {arn: lb.REGISTRY.target_groups[arn].targets()
                               for arn in _tg_pair(entry) if arn and arn in lb.REGISTRY.target_groups}
            out.append(item)
        sd = _current(service)
        return {"service": service.arn, "loadBalancers": out,
                "currentServiceDeployment": sd["serviceDeploymentArn"] if sd else None}
    return None
