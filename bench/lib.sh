# Shared helpers for the benchmarks under bench/. Sourced, not run.
#
# Every benchmark installs what it needs, brings the testbed up itself and
# prints a Markdown section on stdout; progress and tool chatter go to stderr
# so `bench/run.sh` can paste stdout straight into BENCHMARKS.md.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# Scratch space for generated trees and projects; never inside the repository.
WORK="${MCP_BENCH_WORK:-/tmp/mcp-bench}"
# The release binary: benchmarks measure what users run, not a debug build.
MCP="${MCP_BENCH_BIN:-$REPO_DIR/target/release/mcp}"
# The docker CLI the brief names (28.x); the engine is the testbed's dockerd.
DOCKER="${MCP_BENCH_DOCKER:-/usr/local/bin/docker}"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need_hyperfine() {
    command -v hyperfine >/dev/null 2>&1 && return
    say "installing hyperfine (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >&2
}

need_ecs_deploy() {
    command -v ecs >/dev/null 2>&1 && python3 -c 'import ecs_deploy' 2>/dev/null && return
    say "installing ecs-deploy (pip)"
    pip install -q ecs-deploy >&2
}

need_mcp() {
    if [[ ! -x "$MCP" ]]; then
        say "building the release binary (several minutes on 2 cores)"
        (cd "$REPO_DIR" && CARGO_TARGET_DIR="$REPO_DIR/target" cargo build --release >&2)
    fi
    [[ -x "$MCP" ]] || die "no release binary at $MCP"
}

# The testbed. It is shared by every session on this machine, and up.sh
# restarts moto (emptying everyone's AWS state) whenever the running server's
# code differs from this checkout's tests/testbed. So: use a testbed that is
# already up and answering, and run up.sh only when it is not.
testbed_up() {
    local env="${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/env" code
    if [[ -f "$env" ]]; then
        # shellcheck disable=SC1090
        . "$env"
        code="$(curl -s -m 3 -o /dev/null -w '%{http_code}' "https://$MCP_TESTBED_REGISTRY/v2/" || true)"
        if curl -fs -m 3 "$MCP_TESTBED_CONTROL/health" >/dev/null && [[ "$code" == 401 || "$code" == 200 ]] &&
            "$DOCKER" info >/dev/null 2>&1; then
            say "testbed already up (moto: $(testbed_server))"
            return
        fi
    fi
    bash "$REPO_DIR/tests/testbed/up.sh" >&2
    # shellcheck disable=SC1090
    . "$env"
}

# Which checkout's testbed/server.py is serving (it may be another worktree's).
testbed_server() {
    local pid
    pid="$(cat "${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/moto.pid" 2>/dev/null || true)"
    [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | awk '{print $2}' || echo unknown
}

# `docker login` to the testbed's ECR registry with the token ECR hands out.
# The password goes through stdin and is never echoed.
ecr_login() {
    python3 - <<'PY' | "$DOCKER" login -u AWS --password-stdin "$MCP_TESTBED_REGISTRY" >/dev/null 2>&1
import base64, boto3
token = boto3.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
print(base64.b64decode(token).decode().split(":", 1)[1])
PY
}

# The machine is shared with other sessions' builds and tests: record how busy
# it was, so a reader can judge the noise in the figures.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# hyperfine's JSON export -> one Markdown row per command:
# | name | mean ± sd | median | min | max | runs |
hyperfine_rows() {
    python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    name = r["command"]
    print(f"| {name} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {r['median']:.3f} "
          f"| {r['min']:.3f} | {r['max']:.3f} | {len(r['times'])} |")
PY
}
