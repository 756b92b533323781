#!/usr/bin/env bash
# Wall time of deploying four services with `mcp deploy --all` (one shared
# build, rollouts in parallel) against deploying them one after another, on
# the testbed, in one run. Every run deploys a real change (a new commit), so
# each one builds, pushes and rolls out.
#
#   bash bench/fleet.sh            prints a Markdown table on stdout
#
# Each simulated rollout takes ROLLOUT_DELAY seconds (the testbed's
# `testbed:rollout-delay` service tag), as a small Fargate service would.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROLLOUT_DELAY="${ROLLOUT_DELAY:-5}"
RUNS="${RUNS:-3}"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
bash "$here/tests/testbed/up.sh" >&2
set -a; . "${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/env"; set +a
cargo build --release --quiet --manifest-path "$here/Cargo.toml" >&2
mcp="${CARGO_TARGET_DIR:-$here/target}/release/mcp"

work="$(mktemp -d /tmp/mcp-bench-fleet.XXXXXX)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cluster="bench-fleet-$$"
services=(slack workspace github jira)
{
  echo "name = \"$cluster\""
  echo
  echo "[ecs]"
  echo "cluster = \"$cluster\""
  echo "container = \"mcp\""
  echo
  echo "[deploy]"
  echo "timeout = \"5m\""
  for s in "${services[@]}"; do
    python3 "$here/tests/testbed/seed.py" service --cluster "$cluster" --service "$cluster-$s" \
      --repository "$cluster-$s" --rollout-delay "$ROLLOUT_DELAY" --wait >/dev/null
    echo
    echo "[services.$s]"
    echo "ecr = { repository = \"$cluster-$s\" }"
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

change='date +%s%N > change.txt && git -c user.name=bench -c user.email=bench@localhost commit -qam change'
sequential="for s in ${services[*]}; do $mcp deploy \$s -q >/dev/null 2>>$work/sequential.err || exit 1; done"
hyperfine --runs "$RUNS" --export-markdown "$work/fleet.md" \
  --prepare "$change" \
  -n "mcp deploy --all (4 services)" "$mcp deploy --all -q >/dev/null" \
  -n "mcp deploy, one service after another" "bash -c '$sequential'" >&2
echo "### Four services: deploy --all against one after another"
echo
echo "Four seeded services in one cluster, one shared Dockerfile, a new commit before every run"
echo "(so each run builds, pushes and rolls out). Rollout time per service on the testbed:"
echo "${ROLLOUT_DELAY}s; ${RUNS} runs each; load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
cat "$work/fleet.md"
