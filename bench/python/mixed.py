#!/usr/bin/env python3
"""The mixed scenario in Python: IO tasks on a ThreadPoolExecutor and CPU tasks on a ProcessPoolExecutor, both at once."""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from cpu_pool import count_primes, noop


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sleeps", type=int, required=True)
    p.add_argument("--primes", type=int, required=True)
    p.add_argument("--limit", type=int, required=True)
    p.add_argument("--workers", type=int, required=True)
    a = p.parse_args()
    with ProcessPoolExecutor(max_workers=a.workers) as cpu, ThreadPoolExecutor(max_workers=a.sleeps) as io:
        cpu.submit(noop, 0).result()
        start = time.perf_counter()
        cpu_futures = [cpu.submit(count_primes, a.limit) for _ in range(a.primes)]
        io_futures = [io.submit(time.sleep, 1.0) for _ in range(a.sleeps)]
        for f in cpu_futures + io_futures:
            f.result()
        seconds = time.perf_counter() - start
    json.dump({"scenario": "mixed", "seconds": seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
