"""A loopback load balancer that spreads requests over several backends, for tests/it/interop.rs.

    python3 spread.py PORT [PORT ...]

Listens on 127.0.0.1 on a free port and prints `spreading on http://127.0.0.1:N`
once it does; every HTTP request goes to the next backend in turn (round
robin, a new upstream connection per request, no affinity of any kind), as an
ALB target group with two tasks and no stickiness does. Bodies and SSE stream
through; headers pass (hop-by-hop ones aside). It is tests/testbed/lb.py's
listener with one target group. Runs until killed.
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testbed"))
import lb  # noqa: E402


def main():
    ports = [int(p) for p in sys.argv[1:]]
    if not ports:
        sys.exit("usage: spread.py PORT [PORT ...]")
    lb.REGISTRY.target_group("tasks").set_targets([("127.0.0.1", p) for p in ports])
    listener = lb.REGISTRY.listener("spread")
    listener.set_rules([], default=[("tasks", 1)])
    print(f"spreading on {listener.url} over {len(ports)} backends", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
