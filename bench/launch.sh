#!/usr/bin/env bash
# From nothing to a checked public MCP URL: `mcp launch` of examples/echo-server
# in a fresh clone (a git repository with the example's Dockerfile, .dockerignore,
# mcp.toml and its static binary in dist/), on the testbed's ECS Express Mode.
#
# Measured per run: the wall time of `mcp launch --yes` from start to exit (it
# exits after the MCP check of <url>/mcp passed), and what launch itself
# reports (`duration_s`), and how many flags or answers it needed. Each run
# launches a new service (a unique --name keeps runs apart; a user needs none)
# and `mcp destroy --all-resources --yes` removes it afterwards. The IAM roles
# are shared by all Express services, so only the first launch on a fresh
# testbed creates them.
#
# The pushed image reaches the simulator's ECR through the registry's
# notification to the shared moto; for another instance (MCP_TESTBED_DIR
# pointing at its env) a background loop calls its /_testbed/sync meanwhile.
#
# Output: a Markdown section on stdout. Knobs: MCP_BENCH_LAUNCH_RUNS (default 3).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_LAUNCH_RUNS:-3}"
DIR="$WORK/launch"

need_mcp
testbed_up

example="$REPO_DIR/examples/echo-server"
if [[ ! -x "$example/dist/echo-server" ]]; then
    say "launch: building the example's static binary (examples/echo-server/build.sh)"
    bash "$example/build.sh" >&2
fi

(while true; do curl -s -m 5 -o /dev/null -X POST "$MCP_TESTBED_CONTROL/sync" || true; sleep 0.3; done) &
sync_pid=$!
trap 'kill "$sync_pid" 2>/dev/null || true' EXIT

load_before="$(loadavg)"
rows=()
for i in $(seq 1 "$RUNS"); do
    name="bench-launch-$$-$i"
    project="$DIR/$name"
    rm -rf "$project" && mkdir -p "$project/dist"
    cp "$example"/{Dockerfile,.dockerignore,.gitignore,mcp.toml} "$project/"
    cp "$example/dist/echo-server" "$project/dist/"
    git -C "$project" init -q
    git -C "$project" add -A
    git -C "$project" -c user.name=bench -c user.email=bench@localhost commit -qm clone
    say "launch: run $i/$RUNS ($name)"
    start="$(date +%s.%N)"
    if ! (cd "$project" && CI=true "$MCP" launch --name "$name" --yes -o json </dev/null >"$project/launch.json" 2>"$project/launch.err"); then
        cat "$project/launch.err" >&2
        die "mcp launch failed (run $i)"
    fi
    end="$(date +%s.%N)"
    row="$(python3 - "$project/launch.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
check = r.get("check") or {}
tools = ", ".join(check.get("tools") or [])
made = len(r.get("created") or [])
print(f"| {wall:.1f} | {r['duration_s']:.1f} | {'yes' if check.get('healthy') else 'NO'} ({tools}) | {made} |")
PY
)"
    rows+=("| $i $row")
    (cd "$project" && CI=true "$MCP" destroy --all-resources --yes -q >/dev/null 2>"$project/destroy.err") ||
        { cat "$project/destroy.err" >&2; die "mcp destroy failed (run $i)"; }
done
load_after="$(loadavg)"

cat <<EOF
### From nothing to a checked URL: mcp launch

\`mcp launch --yes\` of examples/echo-server in a fresh clone (Dockerfile, .dockerignore,
mcp.toml, static binary), on the testbed's ECS Express Mode: ECR repository, image build
and push, IAM roles (first run on a fresh testbed only), log group, Express service, its
first deployment (the simulator's load balancer health-checks the task), the URL, and the
MCP check of \`<url>/mcp\`; then \`mcp destroy --all-resources --yes\` (not timed).
Binary: \`${MCP#"$REPO_DIR"/}\`. Load average before/after: $load_before / $load_after.

Flags or answers a user must give: **none beyond \`--yes\`** (it allows creating the IAM
roles outside a terminal; on a terminal launch asks instead). The \`--name\` here only keeps
the runs apart.

| run | wall (s) | launch's duration_s | MCP check (tools) | resources created |
|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
EOF
