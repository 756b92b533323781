#!/usr/bin/env bash
# The Lambda target (issue 29): wall times of `mcp deploy --image` and
# `mcp rollback` on a Lambda stage, next to the same two commands on an ECS
# rolling service and an ECS blue/green service of the same testbed, in one
# run. The work is bench/lambda_timing.py (it seeds the function and the two
# services, runs the rounds, prints the table, removes what it made); this
# script picks the binary, finds the echo-server, builds the two local images
# the ECS services get, and prints the Markdown section.
#
#   bash bench/lambda.sh [--runs N] [--keep]
#
# Knobs: --runs N or MCP_BENCH_LAMBDA_RUNS (rounds, default 10: under 10 minutes
# with set-up and clean-up on the shared 2-core machine); MCP_BENCH_BIN (the
# mcp binary; default the release build when there is one, else target/debug/mcp,
# built when missing: a release build takes many minutes on 2 cores);
# MCP_BENCH_ECHO_BIN (a static echo-server, as bench/progressive.sh).
# The binary is copied first, so a rebuild of the tree during the run cannot
# swap it half-way.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_LAMBDA_RUNS:-10}"
KEEP=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --keep) KEEP=(--keep); shift ;;
    *) die "unknown argument $1 (bench/lambda.sh [--runs N] [--keep])" ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive whole number, got '$RUNS'"
DIR="$WORK/lambda"
mkdir -p "$DIR"

if [[ -z "${MCP_BENCH_BIN:-}" && ! -x "$MCP" ]]; then
    MCP="$REPO_DIR/target/debug/mcp"
    if [[ ! -x "$MCP" ]]; then
        say "building target/debug/mcp"
        (cd "$REPO_DIR" && cargo build >&2)
    fi
fi
[[ -x "$MCP" ]] || die "no mcp binary at $MCP (set MCP_BENCH_BIN)"
cp "$MCP" "$DIR/mcp"
built="$(date -u -r "$MCP" '+%Y-%m-%d %H:%M UTC')"
tree="$(cd "$REPO_DIR" && git rev-parse --short HEAD)"
[[ -n "$(cd "$REPO_DIR" && git status --porcelain --untracked-files=no)" ]] && tree="$tree with uncommitted changes"
profile=release
[[ "$MCP" == */debug/* ]] && profile=debug

testbed_up
curl -fs -m 5 "$MCP_TESTBED_CONTROL/lambda" >/dev/null ||
    die "this testbed has no Lambda simulator (no /_testbed/lambda): it was started from a checkout without tests/testbed/lambda_sim.py"
curl -fs -m 5 "$MCP_TESTBED_CONTROL/lb" >/dev/null ||
    die "this testbed's simulator has no load balancers (no /_testbed/lb): blue/green cannot be measured on it"

echo_bin="${MCP_BENCH_ECHO_BIN:-}"
for candidate in "$REPO_DIR/examples/echo-server/dist/echo-server" \
    "$REPO_DIR/target/tmp/echo-server/x86_64-unknown-linux-gnu/debug/echo-server"; do
    [[ -z "$echo_bin" && -x "$candidate" ]] && echo_bin="$candidate"
done
if [[ -z "$echo_bin" ]]; then
    say "building examples/echo-server (static)"
    bash "$REPO_DIR/examples/echo-server/build.sh" >&2
    echo_bin="$REPO_DIR/examples/echo-server/dist/echo-server"
fi

say "building the ECS images (echo-server, variants a and b)"
rm -rf "$DIR/echo" && mkdir -p "$DIR/echo"
cp "$echo_bin" "$DIR/echo/echo-server"
trap '"$DOCKER" rmi mcp-bench/lambda-echo:a mcp-bench/lambda-echo:b >/dev/null 2>&1 || true' EXIT
for variant in a b; do
    printf 'FROM scratch\nCOPY echo-server /echo-server\nLABEL bench.variant=%s\nENTRYPOINT ["/echo-server"]\n' "$variant" >"$DIR/echo/Dockerfile"
    DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "mcp-bench/lambda-echo:$variant" "$DIR/echo" >/dev/null
done
ecr_login

say "$RUNS rounds of Lambda, ECS rolling, ECS blue/green (deploy + rollback each)"
table="$(MCP_BENCH_DOCKER="$DOCKER" python3 "$BENCH_DIR/lambda_timing.py" --mcp "$DIR/mcp" \
    --echo-bin "$echo_bin" --ecs-a mcp-bench/lambda-echo:a --ecs-b mcp-bench/lambda-echo:b \
    --runs "$RUNS" --raw "$WORK/lambda-runs.json" "${KEEP[@]}")"

cat <<MD
### Lambda: deploy and rollback on the testbed, next to ECS rolling and blue/green

Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash bench/lambda.sh --runs $RUNS\` with
\`$("$DIR/mcp" --version)\`, the $profile build at \`${MCP#"$REPO_DIR"/}\` (built $built; tree at $tree).
Raw runs: \`$WORK/lambda-runs.json\`.

One Lambda function and two ECS services, made by the script on the shared testbed and
removed after it, all serving examples/echo-server (an MCP server); two builds that differ
by a label alternate, so every deploy ships another image. The function is made with the SDK
from an image \`mcp push\` built (adapter added), as Terraform would have it; the services are
seeded by tests/testbed/seed.py with an ALB (rolling: \`deploy.url\` on the production listener;
blue/green: the ALB's advancedConfiguration, \`test_url\` for the gate, \`bake = "120m"\`). One
untimed first deploy each, then $RUNS rounds; a round runs the three targets in turn (the order
rotating), each \`mcp deploy --image <the other image>\` then \`mcp rollback\` at once. Each cell
is **median / p95** in seconds (p95 by nearest rank: up to 20 runs, the slowest).
$table

What each figure includes:

* *wall*: the whole \`mcp\` process, as a user waits for it.
  * Lambda deploy: reading the function and \`live\`, the live release's contract (\`tools/list\`
    on the live URL), \`UpdateFunctionCode\` by digest and the wait for \`LastUpdateStatus\`
    (the simulator pulls the image from the loopback registry and starts it once, until the
    adapter's readiness path answers), \`PublishVersion\`, \`candidate\` moved, the gate (the MCP
    check on the \`candidate\` URL: the new version's instances start cold, \`initialize\`,
    \`tools/list\`, the contract), \`live\` moved, the check of the live URL.
  * Lambda rollback: finding the version live before (the \`mcp:live\` tag), \`UpdateAlias\`
    \`live\`, the check of the live URL (the old version's instances are still warm: the
    simulator reaps them after 30 s idle).
  * ECS rolling deploy: a new task-definition revision, \`UpdateService\`, the simulator starting
    the new task (pull + \`docker run\`) and marking the deployment COMPLETED 2 s after it runs
    (service tag \`testbed:rollout-delay\`, the testbed's default), mcp noticing it, the check of
    \`deploy.url\`. Rolling rollback: the same, a rolling deployment of an older revision.
  * ECS blue/green deploy: revision, \`UpdateService\`, the green task started, the test listener
    moved to it and the MCP gate on \`test_url\`, production shifted; mcp returns there (the bake
    goes on). Rollback: during the bake, \`StopServiceDeployment\` ROLLBACK sends production back
    to the blue task, which still runs; mcp follows it and checks.
* *start → gate starts*: the first poll (every 0.1 s, from the script) that sees the gate's URL
  serve the new release: Lambda's \`candidate\` alias moved (the version is published),
  blue/green's test listener rule moved to the green target group.
* *start → traffic moved*: the first poll that sees production move: the \`live\` alias, or the
  production listener rule's weights. From there to *wall*: the check of the production URL
  and exit. Rolling swaps tasks behind one target group, with no single switch to see.

What the testbed does not model, so read these as floors and as a comparison of what \`mcp\`
adds, not as AWS times:

* Lambda's real update. On AWS an image function stays \`InProgress\` while Lambda fetches
  and prepares the image from ECR, which takes longer than the simulator's one pull from a
  loopback registry and one container start; real cold starts (a microVM, the image loaded
  lazily, the adapter's start) differ too. The deploy figure grows with both. A rollback moves
  no code (one \`UpdateAlias\` and a check), so it is the figure least changed on AWS.
* The ECS simulator's rollout delay. 2 s stand in for what takes minutes on AWS: Fargate
  provisioning and image pull, the target group's health checks (interval × healthy threshold)
  and the old tasks' connection draining (deregistration delay, 300 s by default). Blue/green's
  lifecycle stages last at least 0.3 s each here; the bake is in testbed minutes (1 s each).
* Everything runs on loopback on one shared 2-core machine: no network latency to the AWS APIs,
  and other sessions' builds and tests ran at the same time (load averages above).

Re-run: \`bash bench/lambda.sh\` (10 rounds, under 10 minutes here) or \`--runs N\` for more;
\`MCP_BENCH_BIN\` picks the binary (default: the release build when there is one, else
\`target/debug/mcp\`); \`--keep\` leaves the function and services in place. It needs the testbed
up (\`tests/testbed/up.sh\`; a shared one that answers is used as it is).
MD
