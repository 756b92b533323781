#!/usr/bin/env bash
# A fleet of SERVICES services (default 20) in one cluster sharing one image
# (one Dockerfile, one ECR repository): `mcp deploy --all --jobs SERVICES`
# against the same services deployed one after another, on the testbed. Every
# run deploys a real change (a new commit), so each builds once, pushes once
# and rolls every service out. Also: the ECS API calls per second while the
# fleet's rollouts are followed, counted by the testbed
# (GET /_testbed/requests, added with issue 17).
#
#   bash bench/fleet.sh            prints a Markdown section on stdout
#
# Each simulated rollout takes ROLLOUT_DELAY seconds (the testbed's
# `testbed:rollout-delay` service tag). up.sh restarts moto when server.py
# changed: run this only where that disturbs no one (bench/run.sh does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROLLOUT_DELAY="${ROLLOUT_DELAY:-2}"
SERVICES="${SERVICES:-20}"

# BENCH_NO_UP=1: the testbed is up already (or a private moto is, with
# AWS_ENDPOINT_URL and MCP_TESTBED_CONTROL pointing at it after the env file).
[[ -n "${BENCH_NO_UP:-}" ]] || bash "$here/tests/testbed/up.sh" >&2
overrides="$(env | grep -E '^(AWS_ENDPOINT_URL|MCP_TESTBED_CONTROL)=' || true)"
set -a; . "${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/env"; [[ -z "${BENCH_NO_UP:-}" ]] || eval "$overrides"; set +a
mcp="${MCP_BENCH_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/mcp}"
[[ -x "$mcp" ]] || cargo build --release --quiet --manifest-path "$here/Cargo.toml" >&2
control="${MCP_TESTBED_CONTROL:-http://127.0.0.1:5055/_testbed}"

work="$(mktemp -d /tmp/mcp-bench-fleet.XXXXXX)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cluster="bench-fleet-$$"
names=()
{
  echo "name = \"$cluster\""
  echo
  echo "[ecr]"
  echo "repository = \"$cluster\""
  echo
  echo "[ecs]"
  echo "cluster = \"$cluster\""
  echo "container = \"mcp\""
  echo
  echo "[deploy]"
  echo "timeout = \"5m\""
  for i in $(seq -w 1 "$SERVICES"); do
    s="s$i"; names+=("$s")
    python3 "$here/tests/testbed/seed.py" service --cluster "$cluster" --service "$cluster-$s" \
      --repository "$cluster" --rollout-delay "$ROLLOUT_DELAY" --wait >/dev/null
    echo
    echo "[services.$s]"
    echo "ecs = { service = \"$cluster-$s\" }"
  done
} > "$work/mcp.toml"
cat > "$work/Dockerfile" <<DOCKERFILE
FROM $MCP_TESTBED_BASE_IMAGE
COPY change.txt /app/change.txt
DOCKERFILE
cd "$work"
echo 0 > change.txt
git init -q && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm init
change() { date +%s%N > change.txt && git -c user.name=bench -c user.email=bench@localhost commit -qam change; }

# ECS calls between two instants: total, and per second over the span.
calls() { # since until
  curl -fsS "$control/requests?since=$1" | python3 -c '
import json, sys
until = float(sys.argv[1]); d = json.load(sys.stdin)
ecs = [(t, n) for t, n in d["times"] if t <= until and n.startswith("ecs:")]
follow = [t for t, n in ecs if n in ("ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks")]
desc = [t for t, n in ecs if n == "ecs:DescribeServices"]
updates = [t for t, n in ecs if n == "ecs:UpdateService"]
start = min(updates) if updates else (min(follow) if follow else until)
span = max(until - start, 1e-9)
in_follow = [t for t in follow if t >= start]
peak = max((sum(1 for u in in_follow if s <= u < s + 1) for s in in_follow), default=0)
print(f"{len(ecs)} | {len([t for t in desc if t >= start])} | {len(in_follow)/span:.1f} | {peak}")
' "$2"
}

measure() { # label command...
  local label="$1"; shift
  change
  local t0 t1
  t0="$(python3 -c 'import time; print(time.time())')"
  "$@" >/dev/null 2>>"$work/bench.err" || { echo "bench: $label failed, see $work/bench.err" >&2; KEEP=1; exit 1; }
  t1="$(python3 -c 'import time; print(time.time())')"
  printf '| %s | %.1f | %s |\n' "$label" "$(python3 -c "print($t1 - $t0)")" "$(calls "$t0" "$t1")"
}
one_by_one() { for s in "${names[@]}"; do "$mcp" deploy "$s" -q || return 1; done; }

echo "### $SERVICES services sharing one image: deploy --all against one after another"
echo
echo "$SERVICES seeded services in one cluster, one Dockerfile and one ECR repository, a new"
echo "commit before every run (so each run builds, pushes and rolls out). Rollout time per"
echo "service on the testbed: ${ROLLOUT_DELAY}s. ECS calls counted by the testbed; \"follow\" counts"
echo "DescribeServices, ListTasks and DescribeTasks from the first UpdateService to the end."
echo "Load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| run | wall time (s) | ECS calls | DescribeServices while following | follow calls/s | peak calls in 1 s |"
echo "|---|---|---|---|---|---|"
# The target (issue 17): the whole fleet within one build + one push + one
# rollout + 2 s, which is what deploying one service of it takes.
measure "mcp deploy s01 (one service: one build, one push, one rollout)" "$mcp" deploy s01 -q
measure "mcp deploy --all --jobs $SERVICES" "$mcp" deploy --all --jobs "$SERVICES" -q
[[ -n "${BENCH_ONLY_ALL:-}" ]] || measure "mcp deploy, one service after another" one_by_one
