#!/usr/bin/env python3
"""A bounded load test on loopback: CLIENTS threads submit batches to the packaged service for DURATION seconds and
check every answer (each accepted task answered exactly once, all SUCCEEDED); the service's RSS is sampled every
second to show whether memory stays flat. Prints a summary. Started by bench/load."""
import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Service, free_port  # noqa: E402


def batch(client, n):
    tasks = []
    for i in range(n):
        if i % 5 == 4:
            tasks.append({"id": f"c{client}-{i}", "function": "primes", "input": {"limit": 2000 + i}})
        else:
            tasks.append({"id": f"c{client}-{i}", "function": "sleep", "input": {"duration": f"{10 + i % 90}ms"}})
    return tasks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=int, default=120, help="seconds")
    ap.add_argument("--tasks", type=int, default=200, help="tasks per batch")
    a = ap.parse_args()
    service = Service(free_port(), ["-Dfanout.batch.max-retained=50"])
    stats = {"batches": 0, "tasks": 0, "errors": [], "lost": 0, "duplicates": 0, "failed": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + a.duration
    rss = []

    def client(number):
        body = "".join(json.dumps(t) + "\n" for t in batch(number, a.tasks)).encode()
        expected = {t["id"] for t in batch(number, a.tasks)}
        while time.perf_counter() < deadline:
            req = urllib.request.Request(service.base + "/batches?wait=2m", data=body,
                                         headers={"Content-Type": "application/x-ndjson"})
            try:
                with urllib.request.urlopen(req, timeout=300) as r:
                    answer = json.loads(r.read())
                    status = r.status
            except (urllib.error.URLError, OSError) as e:
                with lock:
                    stats["errors"].append(repr(e))
                continue
            ids = [res["id"] for res in answer.get("results", [])]
            with lock:
                if status != 200:
                    stats["errors"].append(f"status {status}")
                    continue
                stats["batches"] += 1
                stats["tasks"] += len(ids)
                stats["lost"] += len(expected - set(ids))
                stats["duplicates"] += len(ids) - len(set(ids))
                stats["failed"] += sum(1 for res in answer["results"] if res["state"] != "SUCCEEDED")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        with open(f"/proc/{service.proc.pid}/status") as f:
            rss.append(int(next(l for l in f if l.startswith("VmRSS")).split()[1]) / 1024)
        time.sleep(1)
    elapsed = time.perf_counter() - started
    service.stop()
    minute = max(1, len(rss) // 4)
    print(json.dumps({
        "clients": a.clients, "seconds": round(elapsed, 1), "tasksPerBatch": a.tasks,
        "batches": stats["batches"], "batchesPerSecond": round(stats["batches"] / elapsed, 1),
        "tasks": stats["tasks"], "tasksPerSecond": round(stats["tasks"] / elapsed),
        "errors": len(stats["errors"]), "firstErrors": stats["errors"][:3], "lost": stats["lost"],
        "duplicates": stats["duplicates"], "notSucceeded": stats["failed"],
        "rssMb": {"peak": round(max(rss)), "firstQuarterAvg": round(sum(rss[:minute]) / minute),
                  "lastQuarterAvg": round(sum(rss[-minute:]) / minute)},
    }, indent=1))
    ok = not stats["errors"] and stats["lost"] == 0 and stats["duplicates"] == 0 and stats["failed"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
