#!/usr/bin/env bash
# `mcp logs` against 100,000 CloudWatch Logs events in four streams of one
# group, on the testbed's moto: wall time and peak memory of mcp (json and
# text) next to the bare FilterLogEvents paging from Python (the floor),
# `aws logs filter-log-events` and `awslogs get`; then follow-mode latency.
#
#   bash bench/logs.sh            prints a Markdown section on stdout
#
# RUNS (default 3) hyperfine runs per command; PROBES (default 30) events
# written one by one while `mcp logs -f` runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
PROBES="${PROBES:-30}"
EVENTS="${EVENTS:-100000}"  # lower only for a smoke test: the heading says 100,000
STREAMS=4
VENV="${MCP_BENCH_LOGS_VENV:-/tmp/mcp-bench-logs-venv}"

need_hyperfine
[[ -x /usr/bin/time ]] || { say "installing time (apt)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2; }
need_mcp
testbed_up
set -a; . "${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/env"; set +a

# The Python tools go into their own venv, so the system's boto3/moto stay as they are.
if [[ ! -x "$VENV/bin/awslogs" || ! -x "$VENV/bin/aws" ]]; then
    say "installing awscli, awslogs, boto3 into $VENV (pip)"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q awscli awslogs boto3 >&2
fi
PY="$VENV/bin/python"
helper="$BENCH_DIR/logs_bench.py"

mkdir -p "$WORK"
work="$(mktemp -d "$WORK/logs.XXXXXX")"
name="bench-logs-$(date +%s)"
group="/ecs/$name"
cleanup() { "$PY" "$helper" cleanup "$name" "$name" "$group" >&2 || true; }
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

say "writing $EVENTS events into $STREAMS streams"
"$PY" "$helper" seed "$group" "$STREAMS" "$EVENTS" 50 >"$work/events.json"
stream0="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["streams"][0])' "$work/events.json")"
start_ms=$(( $(date +%s) * 1000 - 3600 * 1000 ))
# The seeded task's own container also logs to the group (busybox httpd, a few lines).
total="$("$PY" "$helper" floor "$group" "$start_ms" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["events"])')"
say "the group holds $total events in the last hour"

cd "$work"
mcp_json="$MCP logs --since 1h -o json --no-progress"
mcp_text="$MCP logs --since 1h --no-progress"
floor="$PY $helper floor $group $start_ms"
raw="$PY $helper raw $group $start_ms"
awscli="$VENV/bin/aws logs filter-log-events --log-group-name $group --start-time $start_ms --interleaved"
awslogs="$VENV/bin/awslogs get $group ALL --start=1h --aws-endpoint-url $AWS_ENDPOINT_URL"

# What each command printed (lines) and its peak memory, one run each.
declare -A cmd=([raw]="$raw" [mcp_json]="$mcp_json" [mcp_text]="$mcp_text" [floor]="$floor" [awscli]="$awscli" [awslogs]="$awslogs")
declare -A label=([raw]="FilterLogEvents paging, plain HTTP (server + loopback)" [mcp_json]="mcp logs --since 1h -o json" [mcp_text]="mcp logs --since 1h (text)"
    [floor]="FilterLogEvents paging, Python/boto3 (floor)" [awscli]="aws logs filter-log-events"
    [awslogs]="awslogs get GROUP ALL --start=1h")
order=(raw floor mcp_json mcp_text awscli awslogs)
load_before="$(loadavg)"
for k in "${order[@]}"; do
    say "peak memory: ${label[$k]}"
    if /usr/bin/time -v -o "$work/$k.time" bash -c "${cmd[$k]} >$work/$k.out 2>$work/$k.err"; then
        echo ok >"$work/$k.status"
    else
        echo "failed (exit $?)" >"$work/$k.status"
    fi
done
hf=()
for k in "${order[@]}"; do
    # hyperfine sends stdout to /dev/null itself.
    [[ "$(cat "$work/$k.status")" == ok ]] && hf+=(-n "${label[$k]}" "${cmd[$k]}")
done
say "hyperfine, $RUNS runs each"
hyperfine --runs "$RUNS" --warmup 0 --export-json "$work/hyperfine.json" "${hf[@]}" >&2
# The floors' own paging times (without Python start-up), over the same runs.
for _ in $(seq 1 "$RUNS"); do $floor; done >"$work/floor-runs.jsonl"
for _ in $(seq 1 "$RUNS"); do $raw; done >"$work/raw-runs.jsonl"
load_after="$(loadavg)"

say "follow latency: $PROBES events, one at a time"
"$PY" "$helper" follow "$group" "$stream0" "$PROBES" "$work/follow.json" -- \
    "$MCP" logs -f -o json --since 10s --no-progress >/dev/null
load_follow="$(loadavg)"

# ---- the section ----
"$PY" - "$work" "$RUNS" "$PROBES" "$total" "$load_before" "$load_after" "$load_follow" "$("$MCP" --version)" \
    "$("$VENV/bin/aws" --version 2>&1 | cut -d' ' -f1)" "$("$VENV/bin/pip" show awslogs | awk '/^Version/ {print $2}')" <<'PY'
import json, os, re, statistics, sys
work, runs, probes, total, lb, la, lf, mcpv, awsv, awslogsv = sys.argv[1:]
hf = {r["command"]: r for r in json.load(open(f"{work}/hyperfine.json"))["results"]}
ev = json.load(open(f"{work}/events.json"))
fol = json.load(open(f"{work}/follow.json"))
order = ["raw", "floor", "mcp_json", "mcp_text", "awscli", "awslogs"]
label = {"raw": "FilterLogEvents paging, plain HTTP (server + loopback)", "mcp_json": "`mcp logs --since 1h -o json`", "mcp_text": "`mcp logs --since 1h` (text)",
         "floor": "FilterLogEvents paging, Python/boto3 (floor)", "awscli": "`aws logs filter-log-events`",
         "awslogs": "`awslogs get GROUP ALL --start=1h`"}
hname = {"raw": "FilterLogEvents paging, plain HTTP (server + loopback)", "mcp_json": "mcp logs --since 1h -o json", "mcp_text": "mcp logs --since 1h (text)",
         "floor": "FilterLogEvents paging, Python/boto3 (floor)", "awscli": "aws logs filter-log-events",
         "awslogs": "awslogs get GROUP ALL --start=1h"}

def maxrss(k):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/{k}.time").read())
    return int(m.group(1)) / 1024 if m else None

def count(k):
    p = f"{work}/{k}.out"
    try:
        if k in ("floor", "raw"):
            return json.load(open(p))["events"]
        if k == "awscli":
            return len(json.load(open(p))["events"])
        return sum(1 for _ in open(p, "rb"))
    except Exception:
        return None

floor_runs = [json.loads(l)["fetch_s"] for l in open(f"{work}/floor-runs.jsonl")]
floor_fetch = statistics.median(floor_runs)
raw_fetch = statistics.median(json.loads(l)["fetch_s"] for l in open(f"{work}/raw-runs.jsonl"))
print("### Logs: 100,000 events in four streams")
print()
print(f"One log group (`/ecs/<service>`, the group of a service seeded with `tests/testbed/seed.py`),"
      f" {ev['events']:,} events written with PutLogEvents into {len(ev['streams'])} streams named like ECS's"
      f" (`ecs/mcp/<32-hex task id>`), {ev['message_bytes'] / ev['events']:.0f} bytes per message on average"
      f" ({ev['message_bytes'] / 1e6:.1f} MB), timestamps spread over the 50 minutes before the run, in time order"
      f" per stream ({ev['put_calls']} PutLogEvents calls of at most 10,000 events / 1 MB). The seeded task's own"
      f" container adds a few lines, so the group holds {int(total):,} events of the last hour."
      f" Every tool reads the last hour of the whole group from moto on loopback and writes to /dev/null."
      f" mcp finds the group from the service's task definition (an `mcp.toml` with `[ecs]` cluster/service/container);"
      f" moto answers FilterLogEvents with pages of 10,000 events.")
print()
print(f"mcp: `{mcpv}` (the installed release binary); aws-cli {awsv.split('/')[-1] if '/' in awsv else awsv},"
      f" awslogs {awslogsv}, in a venv. hyperfine, {runs} runs each, no warmup (one untimed run per command"
      f" came first, under `/usr/bin/time -v`). Load average before/after: {lb} / {la}.")
print()
print("| command | mean ± σ (s) | median (s) | min (s) | max (s) | runs | events printed | peak RSS (MiB) |")
print("|---|---|---|---|---|---|---|---|")
for k in order:
    r = hf.get(hname[k])
    rss = maxrss(k)
    rss_s = f"{rss:.0f}" if rss is not None else "–"
    c = count(k)
    c_s = f"{c:,}" if c is not None else "–"
    status = open(f"{work}/{k}.status").read().strip()
    if r is None:
        print(f"| {label[k]} | {status} | | | | | {c_s} | {rss_s} |")
        continue
    print(f"| {label[k]} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {r['median']:.3f} | {r['min']:.3f} "
          f"| {r['max']:.3f} | {len(r['times'])} | {c_s} | {rss_s} |")
print()
fl = hf.get(hname["floor"])
for k in ("mcp_json", "mcp_text"):
    r = hf.get(hname[k])
    if r and fl:
        print(f"* {label[k]} ÷ floor (whole processes, medians): **{r['median'] / fl['median']:.2f}×**;"
              f" ÷ the floor's paging alone (its {floor_fetch:.3f} s median without Python start-up,"
              f" imports and client creation): **{r['median'] / floor_fetch:.2f}×**;"
              f" ÷ the plain-HTTP paging alone ({raw_fetch:.3f} s): **{r['median'] / raw_fetch:.2f}×**.")
print()
for k in ("awscli", "awslogs"):
    st = open(f"{work}/{k}.status").read().strip()
    if st != "ok":
        err = open(f"{work}/{k}.err").read().strip().splitlines()[-3:]
        print(f"* {label[k]} {st}: `{' / '.join(err)}`")
print()
print(f"**Follow.** `mcp logs -f -o json --since 10s` running in the project directory; {probes} single events"
      f" written with PutLogEvents into one of the four streams, 0.2–1.5 s apart (random, seeded), each carrying its"
      f" send time. Latency = the time its line appeared on mcp's stdout − the time PutLogEvents returned."
      f" Load average at the end: {lf}.")
print()
if fol["seen"]:
    print("| events seen/sent | median (s) | p95 (s) | min (s) | max (s) | one 10 s-window FilterLogEvents on this group (s) |")
    print("|---|---|---|---|---|---|")
    print(f"| {fol['seen']}/{fol['sent']} | {fol['median_s']:.3f} | {fol['p95_s']:.3f} | {fol['min_s']:.3f} "
          f"| {fol['max_s']:.3f} | {' '.join(f'{p:.3f}' for p in fol['poll_s'])} |")
else:
    print(f"mcp printed none of the {fol['sent']} events within 15 s of the last one.")
print()
print(f"Raw data: `{work}` (hyperfine.json, follow.json, *.time).")
PY
