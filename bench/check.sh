#!/usr/bin/env bash
# How long `mcp check` takes to its verdict, per MCP revision and topology, and
# what smoke calls and a contract diff add (issue 28 item 6), side by side with
# the MCP Inspector's CLI (`@modelcontextprotocol/inspector`, npm) listing tools.
#
# Servers, all on loopback, started and stopped here:
#   - examples/echo-server (rmcp, stateless): 2026-07-28 (negotiated, the
#     default) and pinned with --protocol 2025-11-25;
#   - tests/interop/py_mcp1.py (the MCP Python SDK 1.x, sessions in memory):
#     one task (the check's session step included), and two tasks behind
#     tests/interop/spread.py (round robin, no affinity): the time to the
#     failing `session` verdict;
#   - py_mcp1.py --stateless on two tasks behind spread.py (healthy);
#   - on the echo server: three smoke calls (--call), a --baseline diff against
#     a --save-contract file and against a second running server (URL), and all.
# Every command runs through hyperfine (warm-up runs first); the verdict column
# is one extra run's exit status and failed step.
#
# Needs: hyperfine (apt, installed if missing), node and npm, the interop SDKs
# (tests/testbed/interop.sh, run here: nothing to do when present), the echo
# server's static binary (examples/echo-server/build.sh, run when missing).
# No AWS part of the testbed is used.
#
# Output: a Markdown section on stdout. Knobs: MCP_BENCH_CHECK_RUNS (default
# 15), MCP_BENCH_BIN (the mcp binary; default the release build),
# MCP_BENCH_BUILD (say `debug` when MCP_BENCH_BIN is a debug build outside
# target/debug), MCP_BENCH_ECHO (the echo server binary), MCP_BENCH_NO_PEER=1 (skip the
# Inspector).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_CHECK_RUNS:-15}"
DIR="$WORK/check"
INSPECTOR_VERSION=2.12.0
example="$REPO_DIR/examples/echo-server"
ECHO="${MCP_BENCH_ECHO:-$example/dist/echo-server}"

need_hyperfine
need_mcp
mkdir -p "$DIR"
# A copy: other sessions rebuild target/ while this runs.
cp "$MCP" "$DIR/mcp"
build="${MCP_BENCH_BUILD:-release}"
[[ "$MCP" == */debug/* ]] && build="debug"
echo_build="release, static"
[[ "$ECHO" == */debug/* ]] && echo_build="debug"
if [[ ! -x "$ECHO" ]]; then
    say "check: building the echo server (examples/echo-server/build.sh)"
    bash "$example/build.sh" >&2
fi
bash "$REPO_DIR/tests/testbed/interop.sh" >&2
INTEROP="${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/interop"

peer=""
if [[ "${MCP_BENCH_NO_PEER:-}" != 1 ]]; then
    if [[ ! -x "$DIR/inspector/node_modules/.bin/mcp-inspector" ]]; then
        say "check: installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION (npm)"
        mkdir -p "$DIR/inspector"
        if ! (cd "$DIR/inspector" && timeout 300 npm install --no-audit --no-fund --loglevel=error --prefix . \
            "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2); then
            say "check: the Inspector did not install; no peer column"
        fi
    fi
    [[ -x "$DIR/inspector/node_modules/.bin/mcp-inspector" ]] && peer="$DIR/inspector/node_modules/.bin/mcp-inspector"
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME READY-TEXT COMMAND... -> sets $port (the server's) once it printed READY-TEXT
start() {
    local name="$1" ready="$2" log="$DIR/$1.log"
    shift 2
    port="$(free_port)"
    "$@" "$port" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 600); do
        grep -q "$ready" "$log" && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; die "$name exited"; }
        sleep 0.1
    done
    cat "$log" >&2
    die "$name did not start"
}
# `exec`: the background job's pid is the server's own, so the EXIT trap stops it.
echo_server() { PORT="$1" exec "$ECHO"; }
py1() { PYTHONUNBUFFERED=1 exec "$INTEROP/py1/bin/python" "$REPO_DIR/tests/interop/py_mcp1.py" "$1" ${STATELESS:+--stateless}; }
spread() { # PORT PORT -> sets $port (the balancer's)
    local log="$DIR/spread-$1-$2.log"
    PYTHONUNBUFFERED=1 python3 "$REPO_DIR/tests/interop/spread.py" "$1" "$2" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        port="$(grep -o "http://127.0.0.1:[0-9]*" "$log" | head -1 | cut -d: -f3 || true)"
        [[ -n "$port" ]] && return 0
        sleep 0.1
    done
    cat "$log" >&2
    die "spread.py did not start"
}

start echo "listening on" echo_server
echo_url="http://127.0.0.1:$port/mcp"
start echo-baseline "listening on" echo_server
baseline_url="http://127.0.0.1:$port/mcp"
start py1 "Uvicorn running on" py1
py1_url="http://127.0.0.1:$port/mcp"
start py1-b "Uvicorn running on" py1
py1_b="$port"
spread "$(echo "$py1_url" | cut -d: -f3 | cut -d/ -f1)" "$py1_b"
py1_two="http://127.0.0.1:$port/mcp"
export STATELESS=1
start py1s-a "Uvicorn running on" py1
a="$port"
start py1s-b "Uvicorn running on" py1
spread "$a" "$port"
py1s_two="http://127.0.0.1:$port/mcp"
unset STATELESS

contract="$DIR/echo-contract.json"
"$DIR/mcp" check --url "$baseline_url" --save-contract "$contract" -q >/dev/null 2>&1 || die "saving the echo server's contract failed"
py1_contract="$DIR/py1-contract.json"
"$DIR/mcp" check --url "$py1_url" --save-contract "$py1_contract" -q >/dev/null 2>&1 || die "saving the Python server's contract failed"

M="cd $DIR && NO_COLOR=1 $DIR/mcp check -q"
calls="--call 'echo={\"text\":\"a\"}' --call 'add={\"a\":1,\"b\":2}' --call 'echo={\"text\":\"b\"}'"
# name|command
cases=(
    "echo-server, 2026-07-28 (default)|$M --url $echo_url"
    "echo-server, --protocol 2025-11-25|$M --url $echo_url --protocol 2025-11-25"
    "Python SDK 1.x, one task (session step)|$M --url $py1_url"
    "Python SDK 1.x, two tasks (fails at session)|$M --url $py1_two"
    "Python SDK 1.x --stateless, two tasks|$M --url $py1s_two"
    "echo-server + 3 smoke calls|$M --url $echo_url $calls"
    "echo-server + --baseline FILE|$M --url $echo_url --baseline $contract"
    "echo-server + --baseline URL|$M --url $echo_url --baseline $baseline_url"
    "echo-server + 3 calls + --baseline FILE|$M --url $echo_url $calls --baseline $contract"
    "Python SDK 1.x, one task + 3 smoke calls|$M --url $py1_url $calls"
)
if [[ -n "$peer" ]]; then
    I="cd $DIR && $peer --cli"
    cases+=(
        "Inspector: echo-server, tools/list|$I $echo_url --transport http --method tools/list"
        "Inspector: echo-server, tools/call echo|$I $echo_url --transport http --method tools/call --tool-name echo --tool-arg text=a"
        "Inspector: Python SDK 1.x, one task, tools/list|$I $py1_url --transport http --method tools/list"
        "Inspector: Python SDK 1.x, two tasks, tools/list|$I $py1_two --transport http --method tools/list"
        "Inspector: Python SDK 1.x --stateless, two tasks, tools/list|$I $py1s_two --transport http --method tools/list"
    )
fi

load_before="$(loadavg)"
verdicts="$DIR/verdicts.tsv"
: >"$verdicts"
args=()
for case in "${cases[@]}"; do
    name="${case%%|*}" cmd="${case#*|}"
    # The verdict: one run outside hyperfine (JSON for mcp, the exit status for the peer).
    if [[ "$name" == Inspector* ]]; then
        if bash -c "$cmd" >"$DIR/last.out" 2>&1; then v="exit 0"; else v="exit $? ($(grep -m1 -io 'session[^"\\]*' "$DIR/last.out" | cut -c1-60 || true))"; fi
    else
        v="$({ bash -c "$cmd -o json" 2>/dev/null || true; } | python3 -c '
import json, sys
r = json.load(sys.stdin)
c = r.get("contract") or {}
calls = r.get("calls") or []
bits = ["healthy" if r["healthy"] else "fails at " + str(r["failed_step"])]
bits.append(str(r.get("protocol")) + ", " + str(r.get("session")))
if calls:
    bits.append("%d/%d calls ok" % (sum(1 for x in calls if x["ok"]), len(calls)))
if c:
    bits.append("%d breaking, %d compatible" % (len(c.get("breaking", [])), len(c.get("compatible", []))))
print("; ".join(bits))' || echo "no JSON")"
    fi
    printf '%s\t%s\n' "$name" "$v" >>"$verdicts"
    args+=(-n "$name" "$cmd")
done
say "check: hyperfine, ${#cases[@]} commands x $RUNS runs"
hyperfine -i --warmup 2 --runs "$RUNS" --export-json "$DIR/hyperfine.json" "${args[@]}" >&2

# Inside one check: each step's own latency (`steps` of --output json), so
# what the calls and the diff add is seen apart from process start-up noise.
steps="$DIR/steps.jsonl"
: >"$steps"
breakdown=(
    "echo-server, 2026-07-28 + 3 calls + --baseline FILE|$M --url $echo_url $calls --baseline $contract"
    "echo-server, 2025-11-25 + 3 calls + --baseline FILE|$M --url $echo_url --protocol 2025-11-25 $calls --baseline $contract"
    "Python SDK 1.x, one task + 3 calls + --baseline FILE|$M --url $py1_url $calls --baseline $py1_contract"
)
for case in "${breakdown[@]}"; do
    name="${case%%|*}" cmd="${case#*|}"
    for _ in $(seq 1 "$RUNS"); do
        { bash -c "$cmd -o json" 2>/dev/null || true; } | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(json.dumps({"name": sys.argv[1], "total": r["latency_ms"],
                  "steps": [[s["step"], s["latency_ms"]] for s in r["steps"]]}))' "$name" >>"$steps"
    done
done
load_after="$(loadavg)"

mcp_version="$("$DIR/mcp" --version)"
peer_version="none installed"
[[ -n "$peer" ]] && peer_version="@modelcontextprotocol/inspector $INSPECTOR_VERSION (its CLI mode, Node $(node --version))"
py1_version="$("$INTEROP/py1/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')"

cat <<EOF
### mcp check: time to the verdict, per revision and topology (issue 28 item 6)

\`bash bench/check.sh\`: \`mcp check --url\` against servers on loopback, no AWS part: the
rmcp echo server (examples/echo-server, $echo_build build, stateless) and the MCP Python SDK
$py1_version server of tests/interop (\`py_mcp1.py\`, sessions in memory unless \`--stateless\`);
"two tasks" is two processes behind tests/interop/spread.py (round robin per request, no
affinity, as an ALB target group without stickiness). Each check runs health, the revision's
handshake (\`server/discover\` on 2026-07-28; \`initialize\` + \`notifications/initialized\` on
2025-11-25), \`tools/list\` and, when the server issues \`Mcp-Session-Id\`, the session step
(several requests of the session); smoke calls are \`--call\` (echo, add, echo); \`--baseline
FILE\` compares with a \`--save-contract\` file, \`--baseline URL\` reads a second running echo
server's contract first. Peer: $peer_version, one process per command as a user runs it
(it lists or calls; it neither checks health nor tests a session).
Binary: \`mcp\` $build build ($mcp_version, copied from \`${MCP#"$REPO_DIR"/}\`).
hyperfine ($(hyperfine --version | cut -d' ' -f2)), $RUNS runs after 2 warm-up runs, failures
counted (\`-i\`): the verdict column is one extra run's. Load average before/after:
$load_before / $load_after.

| command | mean ± sd (s) | median (s) | min (s) | max (s) | runs | verdict |
|---|---|---|---|---|---|---|
EOF
python3 - "$DIR/hyperfine.json" "$verdicts" <<'PY'
import json, sys
verdicts = dict(line.rstrip("\n").split("\t", 1) for line in open(sys.argv[2]))
for r in json.load(open(sys.argv[1]))["results"]:
    name = r["command"]
    print(f"| {name} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {r['median']:.3f} "
          f"| {r['min']:.3f} | {r['max']:.3f} | {len(r['times'])} | {verdicts.get(name, '')} |")
PY

cat <<EOF

Inside one check (the same servers, $RUNS runs each; median ms of each step as \`--output json\`
reports it in \`steps\`; \`tools/call\` is the three calls together; \`contract\` reads the
contract to the end and compares it, after \`tools/list\`; \`total\` is the check's own
\`latency_ms\`, without process start-up and without reading the baseline):

EOF
python3 - "$steps" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    per = {}
    for step, ms in r["steps"]:
        per[step] = per.get(step, 0) + ms
    per["total"] = r["total"]
    runs.setdefault(r["name"], []).append(per)
order = ["health", "server/discover", "initialize", "tools/list", "session", "tools/call", "contract", "total"]
present = {k for ps in runs.values() for p in ps for k in p}
cols = [c for c in order if c in present] + sorted(present - set(order))
print("| check | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for name, ps in runs.items():
    cells = []
    for c in cols:
        vals = [p[c] for p in ps if c in p]
        cells.append(f"{statistics.median(vals):.1f}" if vals else "")
    print(f"| {name} | " + " | ".join(cells) + " |")
PY
