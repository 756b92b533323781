#!/usr/bin/env python3
"""`mcp logs -f`: how late the first event after a pause shows, and what the
follow costs in FilterLogEvents calls (bench/logs_idle.sh runs it).

    logs_idle.py run GROUP STREAM PROBES ROUNDS QUIET_S OUT.json -- NAME=MCP_BIN [NAME=MCP_BIN …]

Each binary runs `mcp logs -f -o json --since 10s --task ID` (ID: STREAM's
task id) in the current directory, with AWS_ENDPOINT_URL pointed at a
counting proxy of its own on loopback, which forwards every request to the
testbed and notes the time of each FilterLogEvents call: the testbed is
shared, so its own request log cannot tell this follow's calls from others'.
All of them follow at once and see the same events. Then, ROUNDS times, PROBES
single events are written with PutLogEvents, each 2.0-3.0 s (random, seeded)
after the one before, so each is the first event after at least 2 s without
logs; latency = the time its line appeared on a follower's stdout - the time
PutLogEvents returned. Then QUIET_S seconds without events, to count the calls
of an idle follow. Writes one JSON object with the figures per binary.
"""
import http.client
import http.server
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import boto3

TARGET = "Logs_20140328.FilterLogEvents"


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []  # times of FilterLogEvents calls

    def note(self):
        with self.lock:
            self.calls.append(time.time())

    def between(self, start, end):
        with self.lock:
            return sum(1 for t in self.calls if start <= t < end)


def proxy(upstream, counter):
    """A loopback HTTP/1.1 proxy to `upstream` (host, port) counting FilterLogEvents."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.forward("POST")

        def do_GET(self):
            self.forward("GET")

        def forward(self, method):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("X-Amz-Target") == TARGET:
                counter.note()
            conn = http.client.HTTPConnection(*upstream, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            conn.request(method, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def p95(xs):
    xs = sorted(xs)
    return xs[max(0, -(-95 * len(xs) // 100) - 1)] if xs else None


def run(group, stream, probes, rounds, quiet_s, out_path, binaries):
    endpoint = urllib.parse.urlparse(os.environ["AWS_ENDPOINT_URL"])
    upstream = (endpoint.hostname, endpoint.port or 80)
    task = stream.rsplit("/", 1)[1]
    logs = boto3.client("logs")
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    followers = {}
    for name, binary in binaries:
        counter = Counter()
        server = proxy(upstream, counter)
        env = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{server.server_address[1]}")
        proc = subprocess.Popen(
            [binary, "logs", "-f", "-o", "json", "--since", "10s", "--no-progress", "--task", task],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        seen = {}
        lock = threading.Lock()

        def reader(proc=proc, seen=seen, lock=lock):
            for raw in proc.stdout:
                t = time.time()
                try:
                    msg = json.loads(raw)["message"]
                except (ValueError, KeyError):
                    continue
                if msg.startswith("idle-probe "):
                    seq = int(msg.split()[1].split("=")[1])
                    with lock:
                        seen.setdefault(seq, t)

        threading.Thread(target=reader, daemon=True).start()
        followers[name] = {"proc": proc, "counter": counter, "seen": seen, "lock": lock, "server": server}

    time.sleep(3)  # let every follower locate the group and start polling
    rng = random.Random(25)
    returned = {}
    gaps = []
    probes_start = time.time()
    last = time.time()
    for seq in range(probes * rounds):
        gap = rng.uniform(2.0, 3.0)
        time.sleep(max(0.0, last + gap - time.time()))
        gaps.append(time.time() - last)
        sent = time.time()
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": int(sent * 1000), "message": f"idle-probe seq={seq} sent={sent:.3f}"}])
        last = returned[seq] = time.time()
    time.sleep(3)  # the last probe's poll
    probes_end = time.time()
    # Nothing more: how often does an idle follow call?
    time.sleep(quiet_s)
    quiet_end = time.time()
    result = {"probes": probes, "rounds": rounds, "quiet_s": quiet_s,
              "gap_min_s": min(gaps), "gap_max_s": max(gaps), "followers": {}}
    for name, f in followers.items():
        f["proc"].terminate()
        try:
            f["proc"].wait(timeout=5)
        except subprocess.TimeoutExpired:
            f["proc"].kill()
            f["proc"].wait()
        f["server"].shutdown()
        with f["lock"]:
            lat = [f["seen"][s] - returned[s] for s in sorted(returned) if s in f["seen"]]
        per_round = []
        for r in range(rounds):
            with f["lock"]:
                xs = [f["seen"][s] - returned[s] for s in range(r * probes, (r + 1) * probes) if s in f["seen"]]
            per_round.append(p95(xs))
        c = f["counter"]
        probing = probes_end - probes_start
        first = min(30.0, quiet_s)
        result["followers"][name] = {
            "sent": len(returned), "seen": len(lat),
            "median_s": statistics.median(lat) if lat else None, "p95_s": p95(lat),
            "max_s": max(lat) if lat else None, "p95_per_round_s": per_round,
            "calls_per_s_probing": c.between(probes_start, probes_end) / probing,
            "calls_per_s_quiet_first_30s": c.between(probes_end, probes_end + first) / first,
            "calls_per_s_quiet_after_30s": (c.between(probes_end + 30, quiet_end) / (quiet_end - probes_end - 30)
                                            if quiet_s > 35 else None),
            "latencies_s": lat,
        }
    json.dump(result, open(out_path, "w"), indent=1)
    return result


def main(argv):
    if len(argv) >= 9 and argv[0] == "run" and argv[7] == "--":
        group, stream = argv[1], argv[2]
        probes, rounds, quiet_s = int(argv[3]), int(argv[4]), float(argv[5])
        binaries = [tuple(a.split("=", 1)) for a in argv[8:]]
        run(group, stream, probes, rounds, quiet_s, argv[6], binaries)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
