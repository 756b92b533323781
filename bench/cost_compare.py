#!/usr/bin/env python3
"""What one MCP server costs a month on Fargate and on Lambda, from the published prices.

    python3 bench/cost_compare.py                        # the BENCHMARKS.md section
    python3 bench/cost_compare.py --duration-ms 50 --memory-mb 1024 --calls 1e3,1e6

Arithmetic only: no AWS call, no testbed. The prices are us-east-1's on-demand list
prices as published (sources and the date they were read below; the same figures
tests/testbed/cost.py serves as the Price List). No free tier, no Savings Plans: a
month is 730 hours, as AWS counts it and as `mcp`'s estimate does (docs/cost.md).

Fargate: one task always on, 0.25 vCPU and 0.5 GB, Linux: vCPU × the vCPU-hour price +
GB × the GB-hour price, × 730 h, whatever the traffic (one such task serves a small MCP
server's 10M calls a month, ~3.8 a second on average, if its calls are short).
Lambda: calls × the request price + calls × duration × memory (GB-seconds) × the
GB-second price of the architecture. Not counted on either side: the load balancer
(Fargate), public IPv4, NAT, logs, data transfer; Lambda's function URL costs nothing.
"""
import argparse

READ_ON = "2026-12-07"
SOURCES = {
    "Fargate": "https://aws.amazon.com/fargate/pricing/ (figures as copied in "
               "https://www.vantage.sh/blog/fargate-pricing and https://cloudburn.io/blog/aws-fargate-pricing, "
               "\"as of March 2026\")",
    "Lambda": "https://aws.amazon.com/lambda/pricing/ (figures as copied in "
              "https://cloudchipr.com/blog/aws-lambda-pricing; first duration tier, up to 6 billion "
              "GB-seconds a month x86, 7.5 billion Arm)",
}
HOURS_PER_MONTH = 730.0
# us-east-1, USD.
FARGATE_VCPU_HOUR = {"x86_64": 0.04048, "arm64": 0.03238}
FARGATE_GB_HOUR = {"x86_64": 0.004445, "arm64": 0.00356}
LAMBDA_REQUEST = {"x86_64": 0.20 / 1e6, "arm64": 0.20 / 1e6}
LAMBDA_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}


def fargate(arch, vcpu, memory_gb, tasks=1):
    return tasks * (vcpu * FARGATE_VCPU_HOUR[arch] + memory_gb * FARGATE_GB_HOUR[arch]) * HOURS_PER_MONTH


def lambda_(arch, calls, duration_ms, memory_mb):
    gb_seconds = calls * duration_ms / 1000.0 * memory_mb / 1024.0
    return calls * LAMBDA_REQUEST[arch] + gb_seconds * LAMBDA_GB_SECOND[arch]


def usd(x):
    if x < 0.01:
        return f"${x:.4f}"
    return f"${x:,.2f}"


def calls_words(n):
    for unit, word in ((1e6, "M"), (1e3, "k")):
        if n >= unit:
            return f"{n / unit:g}{word}"
    return f"{n:g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", default="1e3,1e5,1e7", help="calls a month, comma-separated")
    ap.add_argument("--duration-ms", type=float, default=200.0, help="average duration of a call on Lambda")
    ap.add_argument("--memory-mb", type=int, default=512, help="the Lambda function's memory")
    ap.add_argument("--vcpu", type=float, default=0.25, help="the Fargate task's vCPU")
    ap.add_argument("--memory-gb", type=float, default=0.5, help="the Fargate task's memory")
    args = ap.parse_args()
    calls = [float(c) for c in args.calls.split(",")]

    print("### What a server costs a month: Fargate vs Lambda")
    print()
    print(f"us-east-1 on-demand list prices, read on {READ_ON}; no free tier, no Savings Plans; "
          f"a month is {HOURS_PER_MONTH:g} hours. Fargate: 1 task always on, {args.vcpu:g} vCPU, "
          f"{args.memory_gb:g} GB. Lambda: {args.memory_mb} MB, every call {args.duration_ms:g} ms "
          f"on average (an assumption: a tool call that waits on nothing slow; the estimate of a "
          f"deployed function reads the real average from CloudWatch).")
    print()
    print("| calls a month | Fargate x86_64 | Fargate arm64 | Lambda x86_64 | Lambda arm64 |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in calls:
        cells = [usd(fargate(a, args.vcpu, args.memory_gb)) for a in ("x86_64", "arm64")]
        cells += [usd(lambda_(a, n, args.duration_ms, args.memory_mb)) for a in ("x86_64", "arm64")]
        print(f"| {calls_words(n)} | " + " | ".join(cells) + " |")
    print()
    per_call = lambda_("x86_64", 1, args.duration_ms, args.memory_mb)
    even = fargate("x86_64", args.vcpu, args.memory_gb) / per_call
    print(f"Lambda x86_64 costs {usd(per_call * 1e6)} per million calls "
          f"({usd(LAMBDA_REQUEST['x86_64'] * 1e6)} of requests, the rest duration); it reaches the "
          f"always-on Fargate task at about {even / 1e6:.1f}M calls a month "
          f"({even / (HOURS_PER_MONTH * 3600):.1f} a second on average).")
    print()
    print("Prices:")
    print()
    print(f"* Fargate, Linux, per vCPU-hour ${FARGATE_VCPU_HOUR['x86_64']} (x86_64), "
          f"${FARGATE_VCPU_HOUR['arm64']} (arm64); per GB-hour ${FARGATE_GB_HOUR['x86_64']}, "
          f"${FARGATE_GB_HOUR['arm64']}. Source: {SOURCES['Fargate']}.")
    print(f"* Lambda, per request $0.20 per million (both architectures); per GB-second "
          f"${LAMBDA_GB_SECOND['x86_64']:.10f} (x86_64), ${LAMBDA_GB_SECOND['arm64']:.10f} (arm64). "
          f"Source: {SOURCES['Lambda']}.")
    print()
    print("Re-make it: `python3 bench/cost_compare.py` (`--duration-ms`, `--memory-mb`, `--calls`, "
          "`--vcpu`, `--memory-gb` for another server); the prices are constants at the top of the "
          "script, with their sources.")


if __name__ == "__main__":
    main()
