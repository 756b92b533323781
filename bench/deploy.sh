#!/usr/bin/env bash
# What a deploy tool adds on top of the rollout itself: `mcp deploy --image`
# against `ecs deploy --image` (the ecs-deploy PyPI package, boto3, which honours
# AWS_ENDPOINT_URL) on the same testbed service, whose rollouts the simulator
# completes $DELAY s after the new task is RUNNING (service tag
# testbed:rollout-delay). Two images that differ (a label) alternate, so every
# run registers a new revision and rolls out a real container.
#
# The timing loop is deploy_timing.py: it reads the deployment's createdAt and
# the updatedAt the simulator stamps when it marks it COMPLETED (DescribeServices,
# millisecond precision, same clock as this machine), and compares them with
# the tool's start and exit.
#
# Output: a Markdown section on stdout. Knobs: MCP_BENCH_DEPLOY_RUNS (default 10,
# per tool), MCP_BENCH_DELAY (default 5).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_DEPLOY_RUNS:-10}"
DELAY="${MCP_BENCH_DELAY:-5}"
DIR="$WORK/deploy"
CLUSTER=mcp-bench
SERVICE=bench-deploy

need_ecs_deploy
need_mcp
testbed_up

# Service (delay set by tag), ECR login, and two images with different digests
# (the base image plus a label). Idempotent; `deploy.sh --setup` runs only this,
# which deploy_timing.py does when another session's moto restart emptied AWS.
setup() {
    python3 "$REPO_DIR/tests/testbed/seed.py" service --cluster "$CLUSTER" --service "$SERVICE" \
        --repository "$SERVICE" --rollout-delay "$DELAY" --wait >/dev/null
    # seed leaves an existing service's tags alone: set the delay explicitly.
    python3 - "$CLUSTER" "$SERVICE" "$DELAY" <<'PY'
import sys, boto3
cluster, service, delay = sys.argv[1:]
ecs = boto3.client("ecs")
arn = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["serviceArn"]
ecs.tag_resource(resourceArn=arn, tags=[{"key": "testbed:rollout-delay", "value": delay}])
PY
    ecr_login
    images=()
    local variant uri
    for variant in a b; do
        uri="$MCP_TESTBED_REGISTRY/$SERVICE:$variant"
        printf 'FROM mcp-testbed/busybox:latest\nLABEL bench.variant=%s\n' "$variant" |
            DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$uri" - >/dev/null 2>&1
        "$DOCKER" push -q "$uri" >/dev/null
        images+=("$uri")
    done
}
say "deploy: seeding the service, pushing images a and b"
setup
if [[ "${1:-}" == "--setup" ]]; then exit 0; fi

mkdir -p "$DIR"
cat >"$DIR/mcp.toml" <<TOML
name = "$SERVICE"

[ecs]
cluster = "$CLUSTER"
service = "$SERVICE"
container = "mcp"

[deploy]
timeout = "3m"
TOML

load_before="$(loadavg)"
say "deploy: $RUNS rounds of mcp + ecs-deploy, ${DELAY}s simulated rollout each"
table="$(python3 "$BENCH_DIR/deploy_timing.py" --mcp "$MCP" --project "$DIR" \
    --cluster "$CLUSTER" --service "$SERVICE" --images "${images[@]}" \
    --delay "$DELAY" --runs "$RUNS" --raw "$WORK/deploy-runs.json" \
    --setup "bash '$BENCH_DIR/deploy.sh' --setup")"
load_after="$(loadavg)"

cat <<MD
### Deploy overhead and how fast the end of a rollout is noticed

Same service, same two images alternating, $RUNS runs per tool interleaved (order
alternating per round). The testbed marks a deployment COMPLETED ${DELAY} s after its task is
RUNNING; starting the task (pull from the testbed registry + \`docker run\`) comes on top.
Each cell is **median / p95** in seconds (p95 by nearest rank: with 10 runs, the slowest).
Load average before/after: $load_before / $load_after. Raw runs: \`$WORK/deploy-runs.json\`.

$table

* *wall − delay*: what the brief asked for, the tool's time beyond the configured delay
  (it still contains the simulator's task start).
* *start → deployment created*: process start, reading the service and task definition,
  registering the revision, UpdateService.
* *COMPLETED → tool exited*: from the moment the simulator marked the deployment
  COMPLETED to the tool's exit: polling interval, the tool's own completion test, and exit.
MD
