#!/usr/bin/env bash
# Progressive delivery (issue 13): how many MCP calls a client sees fail while a
# release that passes /healthz but fails the MCP handshake is deployed, rolling
# with the check after the rollout (today) against blue/green with the MCP gate;
# and, per strategy, the time to full production traffic and the rollback time
# during the bake. The work is bench/progressive_bench.py; this script prepares
# the three images (two good echo-server builds that differ by a label, and the
# bad busybox httpd) and prints its Markdown section.
#
# Needs a testbed whose simulator has progressive delivery (tests/testbed/
# progressive.py; point MCP_TESTBED_DIR at another instance's directory to use
# that one). Knobs: MCP_BENCH_PROGRESSIVE_RUNS (default 3), MCP_BENCH_RATE
# (client calls per second, default 10), MCP_BENCH_ECHO_BIN (a static
# echo-server binary; default: examples/echo-server/dist/echo-server, else the
# one the integration tests built, else examples/echo-server/build.sh builds it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_PROGRESSIVE_RUNS:-3}"
RATE="${MCP_BENCH_RATE:-10}"
DIR="$WORK/progressive"

need_mcp
testbed_up
curl -fs -m 5 "$MCP_TESTBED_CONTROL/lb" >/dev/null ||
    die "this testbed's simulator has no load balancers (no /_testbed/lb): restart it from a checkout with tests/testbed/progressive.py"

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

say "progressive: building the images"
rm -rf "$DIR" && mkdir -p "$DIR/good" "$DIR/bad"
cp "$echo_bin" "$DIR/good/echo-server"
for variant in a b; do
    printf 'FROM scratch\nCOPY echo-server /echo-server\nLABEL bench.variant=%s\nENTRYPOINT ["/echo-server"]\n' "$variant" >"$DIR/good/Dockerfile"
    DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "mcp-bench/echo:$variant" "$DIR/good" >/dev/null
done
# ENTRYPOINT: the seeded task definition's `command` only replaces CMD.
printf 'FROM %s\nENTRYPOINT ["sh", "-c", "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8000 -h /www"]\n' \
    "$MCP_TESTBED_BASE_IMAGE" >"$DIR/bad/Dockerfile"
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t mcp-bench/not-mcp:latest "$DIR/bad" >/dev/null
ecr_login

MCP_BENCH_DOCKER="$DOCKER" python3 "$BENCH_DIR/progressive_bench.py" --mcp "$MCP" \
    --good-a mcp-bench/echo:a --good-b mcp-bench/echo:b --bad mcp-bench/not-mcp:latest \
    --runs "$RUNS" --rate "$RATE" --raw "$WORK/progressive-runs.json"
echo
echo "mcp: \`$MCP\` ($("$MCP" --version)). Raw runs: \`$WORK/progressive-runs.json\`."
