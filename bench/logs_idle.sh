#!/usr/bin/env bash
# `mcp logs -f` after a pause (issue 25 item 4): how late the first event
# after 2-3 s without logs shows, and how many FilterLogEvents calls the
# follow makes per second, while probing and while idle. On the testbed's
# moto, through a counting proxy per follower (bench/logs_idle.py).
#
#   bash bench/logs_idle.sh        prints a Markdown section on stdout
#
# PROBES (default 30) events per round, ROUNDS (default 3), QUIET (default 60)
# seconds without events at the end. MCP_BENCH_BEFORE_BIN=PATH also runs that
# binary (e.g. a build of the commit before a change), side by side on the same
# events, labelled MCP_BENCH_BEFORE_LABEL.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROBES="${PROBES:-30}"
ROUNDS="${ROUNDS:-3}"
QUIET="${QUIET:-60}"

need_mcp
MCP_LABEL="${MCP_BENCH_LABEL:-$("$MCP" --version)}"
testbed_up
set -a; . "${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/env"; set +a

mkdir -p "$WORK"
work="$(mktemp -d "$WORK/logs-idle.XXXXXX")"
name="bench-idle-$(date +%s)"
group="/ecs/$name"
stream="ecs/mcp/$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
cleanup() {
    python3 "$BENCH_DIR/logs_bench.py" cleanup "$name" "$name" "$group" >&2 || true
}
trap cleanup EXIT

say "seeding service $name (its task definition logs to $group)"
python3 "$REPO_DIR/tests/testbed/seed.py" service --cluster "$name" --service "$name" \
    --repository "$name" --wait >"$work/seed.json"
cat >"$work/mcp.toml" <<TOML
name = "$name"
region = "us-east-1"

[ecs]
cluster = "$name"
service = "$name"
container = "mcp"
TOML

bins=("mcp=$MCP")
labels=("mcp=$MCP_LABEL")
if [[ -n "${MCP_BENCH_BEFORE_BIN:-}" ]]; then
    bins=("before=$MCP_BENCH_BEFORE_BIN" "${bins[@]}")
    labels=("before=${MCP_BENCH_BEFORE_LABEL:-$MCP_BENCH_BEFORE_BIN}" "${labels[@]}")
fi
load_before="$(loadavg)"
say "following $stream with ${#bins[@]} binaries: $ROUNDS rounds of $PROBES events, then ${QUIET}s quiet"
(cd "$work" && python3 "$BENCH_DIR/logs_idle.py" run "$group" "$stream" "$PROBES" "$ROUNDS" "$QUIET" \
    "$work/idle.json" -- "${bins[@]}")
load_after="$(loadavg)"

python3 - "$work" "$load_before" "$load_after" "${labels[@]}" <<'PY'
import json, sys
work, lb, la, *labels = sys.argv[1:]
label = dict(l.split("=", 1) for l in labels)
r = json.load(open(f"{work}/idle.json"))
n = r["probes"] * r["rounds"]
print("### Logs: the first events after a pause (`mcp logs -f`)")
print()
print(f"`mcp logs -f -o json --since 10s --task ID` on the stream of one task of a seeded service;"
      f" {r['rounds']} rounds of {r['probes']} single events written with PutLogEvents, each"
      f" {r['gap_min_s']:.1f}–{r['gap_max_s']:.1f} s after the one before (random, seeded), so each is the"
      f" first event after at least 2 s without logs. Latency = the time its line appeared on mcp's stdout"
      f" − the time PutLogEvents returned. Then {r['quiet_s']:.0f} s without events. Every follower runs at"
      f" the same time on the same events, each through a counting proxy of its own on loopback (the"
      f" testbed's request log is shared), which counts its FilterLogEvents calls. Load average"
      f" before/after: {lb} / {la}.")
print()
print(f"| mcp | events seen/sent | median (s) | p95 (s) | p95 per round of {r['probes']} (s) | max (s) | FilterLogEvents/s while probing | idle, first 30 s | idle, after 30 s |")
print("|---|---|---|---|---|---|---|---|---|")
for name, f in r["followers"].items():
    after = f["calls_per_s_quiet_after_30s"]
    print(f"| {label.get(name, name)} | {f['seen']}/{f['sent']} | {f['median_s']:.3f} | **{f['p95_s']:.3f}** |"
          f" {' / '.join(f'{x:.2f}' for x in f['p95_per_round_s'])} | {f['max_s']:.3f} |"
          f" {f['calls_per_s_probing']:.2f} | {f['calls_per_s_quiet_first_30s']:.2f} |"
          f" {'–' if after is None else f'{after:.2f}'} |")
print()
print(f"Raw data: `{work}/idle.json`.")
PY
