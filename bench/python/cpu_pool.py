#!/usr/bin/env python3
"""The CPU scenarios of the benchmark suite done by Python's ProcessPoolExecutor, as a baseline.

primes: N tasks counting primes below LIMIT by trial division (the same algorithm as fanout's `primes`).
noop:   N tasks that return their input, with a given chunksize (per-task overhead).
Prints one JSON object: {"scenario", "workers", "tasks", "seconds", ...}.
"""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def count_primes(limit):
    if limit <= 2:
        return 0
    count = 1
    for n in range(3, limit, 2):
        d = 3
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 2
        if prime:
            count += 1
    return count


def noop(x):
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["primes", "noop"])
    p.add_argument("--tasks", type=int, required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--chunksize", type=int, default=1)
    a = p.parse_args()
    with ProcessPoolExecutor(max_workers=a.workers) as pool:
        pool.submit(noop, 0).result()  # the workers are up before the clock starts, as fanout's are
        start = time.perf_counter()
        if a.scenario == "primes":
            results = list(pool.map(count_primes, [a.limit] * a.tasks, chunksize=a.chunksize))
        else:
            results = list(pool.map(noop, range(a.tasks), chunksize=a.chunksize))
        seconds = time.perf_counter() - start
    assert len(results) == a.tasks
    json.dump({"scenario": a.scenario, "workers": a.workers, "tasks": a.tasks, "chunksize": a.chunksize,
               "limit": a.limit, "seconds": seconds, "usPerTask": seconds * 1e6 / a.tasks,
               "sample": results[0]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
