"""Helpers for bench/logs.sh: seed the events, the FilterLogEvents floor, the
follow-latency probe, and cleaning up. Talks to the testbed through the
environment of /tmp/mcp-testbed/env (AWS_ENDPOINT_URL, credentials, region).

    logs_bench.py seed GROUP STREAMS EVENTS MINUTES      -> JSON on stdout
    logs_bench.py floor GROUP START_MS                   -> JSON on stdout
    logs_bench.py raw GROUP START_MS                     -> JSON on stdout
    logs_bench.py follow GROUP STREAM N OUT.json -- CMD… -> JSON on stdout
    logs_bench.py cleanup CLUSTER SERVICE GROUP
"""
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time

import boto3

MAX_BATCH_BYTES = 1_048_576  # PutLogEvents: sum of (message bytes + 26)
MAX_BATCH_EVENTS = 10_000

PATHS = ["/mcp", "/mcp/sse", "/healthz", "/mcp/messages", "/.well-known/oauth-protected-resource"]
TOOLS = ["search_issues", "get_file_contents", "list_channels", "post_message", "create_ticket"]
LEVELS = ["INFO"] * 8 + ["WARN", "ERROR"]


def line(rng, ts_ms):
    """A plausible MCP-server log line, ~100-200 bytes."""
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_ms / 1000)) + f".{ts_ms % 1000:03d}Z"
    level = rng.choice(LEVELS)
    kind = rng.random()
    if kind < 0.5:
        return (f"{t} {level} http request method=POST path={rng.choice(PATHS)} status="
                f"{rng.choice([200, 200, 200, 202, 400, 401, 500])} duration_ms={rng.randint(1, 900)} "
                f"request_id={secrets.token_hex(8)} remote=10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    if kind < 0.9:
        return (f"{t} {level} mcp tools/call tool={rng.choice(TOOLS)} session={secrets.token_hex(6)} "
                f"args_bytes={rng.randint(20, 4000)} result_bytes={rng.randint(50, 60000)} "
                f"duration_ms={rng.randint(3, 5000)}")
    return (f"{t} {level} upstream api call host=api.example.com attempt={rng.randint(1, 3)} "
            f"latency_ms={rng.randint(10, 2000)} rate_limit_remaining={rng.randint(0, 5000)} "
            f"trace_id={secrets.token_hex(16)}")


def seed(group, n_streams, n_events, minutes):
    logs = boto3.client("logs")
    rng = random.Random(42)
    now = int(time.time() * 1000)
    start = now - minutes * 60_000
    per = n_events // n_streams
    streams, total_bytes, calls = [], 0, 0
    for _ in range(n_streams):
        stream = f"ecs/mcp/{secrets.token_hex(16)}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        stamps = sorted(rng.randint(start, now - 1) for _ in range(per))
        batch, size = [], 0
        for ts in stamps:
            msg = line(rng, ts)
            cost = len(msg.encode()) + 26
            if batch and (len(batch) >= MAX_BATCH_EVENTS or size + cost > MAX_BATCH_BYTES):
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
                calls += 1
                batch, size = [], 0
            batch.append({"timestamp": ts, "message": msg})
            size += cost
            total_bytes += len(msg.encode())
        if batch:
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            calls += 1
        streams.append(stream)
    return {"streams": streams, "events": per * n_streams, "message_bytes": total_bytes,
            "put_calls": calls, "start_ms": start, "end_ms": now}


def floor(group, start_ms):
    """FilterLogEvents with mcp's parameters, following nextToken, events discarded."""
    logs = boto3.client("logs")
    t0 = time.perf_counter()
    pages = events = 0
    token = None
    while True:
        kw = {"logGroupName": group, "startTime": start_ms, "interleaved": True}
        if token:
            kw["nextToken"] = token
        out = logs.filter_log_events(**kw)
        pages += 1
        events += len(out.get("events", []))
        token = out.get("nextToken")
        if not token or pages > 1000:
            break
    return {"pages": pages, "events": events, "fetch_s": time.perf_counter() - t0}


def raw(group, start_ms):
    """The same pages over plain HTTP (no SDK: no signing, no model parsing
    beyond json.loads): about what the server and loopback cost alone."""
    import http.client
    from urllib.parse import urlparse
    t0 = time.perf_counter()
    url = urlparse(os.environ["AWS_ENDPOINT_URL"])
    conn = http.client.HTTPConnection(url.hostname, url.port or 80)
    day = time.strftime("%Y%m%d", time.gmtime())
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Logs_20140328.FilterLogEvents",
        # moto reads the access key and region from here; it checks no signature.
        "Authorization": f"AWS4-HMAC-SHA256 Credential={os.environ['AWS_ACCESS_KEY_ID']}/{day}/"
                         f"{os.environ.get('AWS_REGION', 'us-east-1')}/logs/aws4_request, "
                         "SignedHeaders=host, Signature=0",
    }
    pages = events = 0
    token = None
    while True:
        body = {"logGroupName": group, "startTime": start_ms, "interleaved": True}
        if token:
            body["nextToken"] = token
        conn.request("POST", "/", json.dumps(body), headers)
        resp = conn.getresponse()
        out = json.loads(resp.read())
        if resp.status != 200:
            sys.exit(f"FilterLogEvents: HTTP {resp.status}: {out}")
        pages += 1
        events += len(out.get("events", []))
        token = out.get("nextToken")
        if not token or pages > 1000:
            break
    return {"pages": pages, "events": events, "fetch_s": time.perf_counter() - t0}


def follow(group, stream, n, out_path, cmd):
    """Start CMD (mcp logs -f -o json), write N single events at random intervals,
    and time each one from PutLogEvents returning to its line on CMD's stdout."""
    logs = boto3.client("logs")
    rng = random.Random(7)
    seen = {}
    lock = threading.Lock()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def reader():
        for raw in proc.stdout:
            t = time.time()
            try:
                msg = json.loads(raw)["message"]
            except (ValueError, KeyError):
                continue
            if msg.startswith("follow-probe "):
                seq = int(msg.split()[1].split("=")[1])
                with lock:
                    seen.setdefault(seq, t)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    time.sleep(3)  # let mcp locate the group and make its first polls
    # One poll's cost on this server: a FilterLogEvents of the last 10 s (what
    # each of mcp's follow polls asks, give or take) over the 100k-event group.
    poll = []
    for _ in range(3):
        t0 = time.perf_counter()
        logs.filter_log_events(logGroupName=group, startTime=int(time.time() * 1000) - 10_000,
                               interleaved=True)
        poll.append(time.perf_counter() - t0)
    returned = {}
    for seq in range(n):
        time.sleep(rng.uniform(0.2, 1.5))
        sent = time.time()
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": int(sent * 1000), "message": f"follow-probe seq={seq} sent={sent:.3f}"}])
        returned[seq] = time.time()
    deadline = time.time() + 15  # bounded wait for the last lines
    while time.time() < deadline:
        with lock:
            if len(seen) >= n:
                break
        time.sleep(0.1)
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with lock:
        lat = [seen[s] - returned[s] for s in sorted(returned) if s in seen]
    lat_sorted = sorted(lat)

    def p95(xs):
        return xs[max(0, -(-95 * len(xs) // 100) - 1)] if xs else None

    result = {"sent": n, "seen": len(lat), "median_s": statistics.median(lat) if lat else None,
              "p95_s": p95(lat_sorted), "min_s": lat_sorted[0] if lat else None,
              "max_s": lat_sorted[-1] if lat else None, "latencies_s": lat,
              "poll_s": poll, "exit": proc.returncode}
    json.dump(result, open(out_path, "w"), indent=1)
    return result


def cleanup(cluster, service, group):
    ecs = boto3.client("ecs")
    try:
        ecs.update_service(cluster=cluster, service=service, desiredCount=0)
        ecs.delete_service(cluster=cluster, service=service, force=True)
        ecs.delete_cluster(cluster=cluster)
    except Exception as e:  # best effort: the testbed is shared
        print(f"cleanup: {e}", file=sys.stderr)
    try:
        boto3.client("logs").delete_log_group(logGroupName=group)
    except Exception as e:
        print(f"cleanup: {e}", file=sys.stderr)


def main(argv):
    what = argv[1]
    if what == "seed":
        print(json.dumps(seed(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))))
    elif what == "floor":
        print(json.dumps(floor(argv[2], int(argv[3]))))
    elif what == "raw":
        print(json.dumps(raw(argv[2], int(argv[3]))))
    elif what == "follow":
        sep = argv.index("--")
        print(json.dumps(follow(argv[2], argv[3], int(argv[4]), argv[5], argv[sep + 1:])))
    elif what == "cleanup":
        cleanup(argv[2], argv[3], argv[4])
    else:
        sys.exit(f"unknown command {what}")


if __name__ == "__main__":
    main(sys.argv)
