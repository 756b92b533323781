#!/usr/bin/env bash
# The no-change redeploy: the tree is already built and in ECR; how long does
# each tool take to find that out (and, for a deploy, to roll it out again)?
#
#   mcp push                      a clean git tree whose tag is already in ECR:
#                                 one ECR lookup, nothing built, 0 bytes pushed
#   docker build && docker push   the classic builder answers from its cache,
#                                 push finds every layer there
#   mcp deploy                    the above + a new revision + a rollout
#   docker build && docker push && ecs deploy --image   the same, by hand
#
# The deploy rows include the testbed's simulated rollout (service tag
# testbed:rollout-delay = 1 s, plus starting a real container), the same for both.
#
# Output: a Markdown section on stdout. Knobs: MCP_BENCH_RUNS (default 5).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_RUNS:-5}"
DIR="$WORK/redeploy"
CLUSTER=mcp-bench
SERVICE=bench-redeploy

need_hyperfine
need_ecs_deploy
need_mcp
testbed_up

# The service, its repository (seeded with the base image) and a 1 s rollout.
# Idempotent: also what puts things back after another session restarted moto.
setup() {
    python3 "$REPO_DIR/tests/testbed/seed.py" service --cluster "$CLUSTER" --service "$SERVICE" \
        --repository "$SERVICE" --rollout-delay 1 --wait >/dev/null
    ecr_login
}
setup

# A committed project: a clean tree is what lets `mcp push` trust the tag in ECR.
if [[ ! -d "$DIR/.git" ]]; then
    mkdir -p "$DIR/app"
    printf 'FROM mcp-testbed/busybox:latest\nCOPY app /app\n' >"$DIR/Dockerfile"
    for i in $(seq 1 20); do echo "handler $i" >"$DIR/app/h$i.txt"; done
    cat >"$DIR/mcp.toml" <<TOML
name = "$SERVICE"

[ecs]
cluster = "$CLUSTER"
service = "$SERVICE"
container = "mcp"

[deploy]
timeout = "3m"
TOML
    git -C "$DIR" init -q
    git -C "$DIR" -c user.name=bench -c user.email=bench@example.invalid add -A
    git -C "$DIR" -c user.name=bench -c user.email=bench@example.invalid commit -q -m "bench project"
fi
cd "$DIR"
SHA="$(git rev-parse --short=12 HEAD)"
URI="$MCP_TESTBED_REGISTRY/$SERVICE:docker-$SHA"

# First push of each tool: the real one, not measured.
say "redeploy: first mcp push and docker push (not measured)"
"$MCP" push --no-progress >/dev/null
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$URI" . >/dev/null 2>&1
"$DOCKER" push -q "$URI" >/dev/null

# What the measured `mcp push` does, from its own report.
again="$("$MCP" push --no-progress -o json 2>/dev/null)"
skipped="$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("skipped=%s, pushed_bytes=%d" % (str(r["skipped"]).lower(), r["pushed_bytes"]))' "$again")"

docker_cmd="DOCKER_BUILDKIT=0 '$DOCKER' build -q -t '$URI' . >/dev/null 2>&1 && '$DOCKER' push -q '$URI'"
ecs_cmd="ecs deploy $CLUSTER $SERVICE --image mcp '$URI' --timeout 180"

# hyperfine stops at a failing command; one retry after re-seeding covers another
# session restarting the shared moto (which empties AWS state) mid-run.
measure() {
    local json="$1"; shift
    local attempt
    for attempt in 1 2; do
        if hyperfine --style basic "$@" --export-json "$json" >&2; then return 0; fi
        say "redeploy: hyperfine failed (attempt $attempt); re-seeding and retrying"
        setup
        "$MCP" push --no-progress >/dev/null
        "$DOCKER" push -q "$URI" >/dev/null
    done
    return 1
}

load_before="$(loadavg)"
push_json="$(mktemp)"; deploy_json="$(mktemp)"
say "redeploy: image path, 1 warmup + $RUNS runs"
measure "$push_json" --warmup 1 --runs "$RUNS" \
    -n "mcp push" "'$MCP' push --no-progress -q" \
    -n "docker build && docker push" "$docker_cmd"
say "redeploy: full redeploy incl. a 1 s simulated rollout, $RUNS runs"
measure "$deploy_json" --runs "$RUNS" \
    -n "mcp deploy" "'$MCP' deploy --no-progress -q" \
    -n "docker build && docker push && ecs deploy" "$docker_cmd >/dev/null && $ecs_cmd"
load_after="$(loadavg)"

cat <<MD
### No-change redeploy

A committed project (\`FROM mcp-testbed/busybox:latest\` + 20 small files), already pushed
once by each tool; then the same tree again. \`mcp push\` of it reports: $skipped.
The docker path uses the classic builder (cache hit) and \`docker push\` (all layers present).
hyperfine, wall seconds. Load average before/after: $load_before / $load_after.

Image only (1 warmup + $RUNS runs):

| command | mean ± σ (s) | median (s) | min (s) | max (s) | runs |
|---|---|---|---|---|---|
$(hyperfine_rows "$push_json")

Whole redeploy, including a new task-definition revision and a rollout the testbed
completes 1 s after the new task is RUNNING ($RUNS runs, no warmup: every run is a real rollout):

| command | mean ± σ (s) | median (s) | min (s) | max (s) | runs |
|---|---|---|---|---|---|
$(hyperfine_rows "$deploy_json")
MD
rm -f "$push_json" "$deploy_json"
