#!/usr/bin/env python3
"""The IO scenarios of the benchmark suite done by Python's ThreadPoolExecutor, as a baseline.

sleep: N tasks of time.sleep(SECONDS) on a pool of WORKERS threads.
http:  N GETs of URL (urllib) on a pool of WORKERS threads.
Prints one JSON object with the wall time in seconds.
"""
import argparse
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        r.read()
        return r.status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["sleep", "http"])
    p.add_argument("--tasks", type=int, required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--url", default="")
    a = p.parse_args()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.workers) as pool:
        if a.scenario == "sleep":
            results = list(pool.map(sleep, [a.seconds] * a.tasks))
        else:
            results = list(pool.map(get, [a.url] * a.tasks))
    seconds = time.perf_counter() - start
    assert len(results) == a.tasks
    if a.scenario == "http":
        assert all(s == 200 for s in results), "some GETs failed"
    json.dump({"scenario": a.scenario, "tasks": a.tasks, "workers": a.workers, "seconds": seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
