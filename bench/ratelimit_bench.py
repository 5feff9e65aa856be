"""Cost of one rate-limit hit while an attacker floods made-up key names (issue 16, item 4).

Fills a ``api.ratelimit.RateLimiter`` with ``--flood`` distinct bucket names, then times hits on
fresh names (each one a new bucket, as a forged prefix used to be). Prints the median and p99
per hit and the buckets kept. Run against any tree: ``PYTHONPATH=TREE python -m
bench.ratelimit_bench --flood 120000``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from api.ratelimit import RateLimiter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flood", type=int, default=120_000)
    ap.add_argument("--hits", type=int, default=2_000)
    args = ap.parse_args()
    limiter = RateLimiter(600)
    for i in range(args.flood):
        limiter.hit(f"key:flood{i}")
    times = []
    for i in range(args.hits):
        started = time.perf_counter()
        limiter.hit(f"key:fresh{i}")
        times.append(time.perf_counter() - started)
    times.sort()
    kept = len(limiter) if hasattr(limiter, "__len__") else len(limiter._hits)  # type: ignore[attr-defined]
    print(json.dumps({"flood": args.flood, "hits": args.hits,
                      "median_us": round(statistics.median(times) * 1e6, 2),
                      "p99_us": round(times[int(0.99 * len(times))] * 1e6, 2),
                      "buckets_kept": kept}))


if __name__ == "__main__":
    main()
