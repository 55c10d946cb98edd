#!/usr/bin/env python3
"""What keeping batches costs (issue "Durable batches", Performance): the same work on the memory store and on the
default SQLite store, in one run, alternating between two services so that drift hits both alike; and two instances
on one PostgreSQL database under a sustained load through the API. Prints a table and writes
bench/results/stores-latest.json. Standard library only; starts and stops everything it uses."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Service, free_port, med, run_fanout, ndjson  # noqa: E402
from recovery import PG_BIN  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pair(runs, first, second):
    """Alternates two measurements (which goes first alternates too), after one unmeasured run of each."""
    first()
    second()
    a, b = [], []
    for i in range(runs):
        if i % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def sleeps(n):
    return [{"function": "sleep", "input": {"duration": "1s"}}] * n


def noops(n):
    return [{"function": "noop", "input": i} for i in range(n)]


def store_ratio(memory, sqlite, runs, tasks, query):
    for s in (memory, sqlite):
        s.reset_peak_rss()
    m, q = pair(runs, lambda: run_fanout(memory, tasks, query), lambda: run_fanout(sqlite, tasks, query))
    return {"memory": med(m, "e2e"), "sqlite": med(q, "e2e"), "ratio": med(q, "e2e") / med(m, "e2e"),
            "memoryBatch": med(m, "batch"), "sqliteBatch": med(q, "batch"),
            "memoryPeakRssMb": memory.peak_rss_mb(), "sqlitePeakRssMb": sqlite.peak_rss_mb()}


def postgres_throughput(seconds, clients, batch_size):
    if PG_BIN is None:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    root = os.geteuid() == 0
    as_pg = ["runuser", "-u", "postgres", "--"] if root else []
    work = tempfile.mkdtemp(prefix="fanout-pg-bench-")
    os.chmod(work, 0o755)
    if root:
        shutil.chown(work, "postgres")
    port = free_port()
    subprocess.run(as_pg + [f"{PG_BIN}/initdb", "-D", f"{work}/data", "--auth=trust", "-U", "fanout", "--no-sync"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_pg + [f"{PG_BIN}/pg_ctl", "-D", f"{work}/data", "-l", f"{work}/log", "-w", "-o",
                            f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    settings = ["-Dfanout.store.kind=postgres", f"-Dfanout.store.url=jdbc:postgresql://127.0.0.1:{port}/postgres",
                "-Dfanout.store.username=fanout", "-Dfanout.batch.max-running=1000"]
    services = []
    try:
        services = [Service(free_port(), settings), Service(free_port(), settings)]
        body = ndjson([{"function": "sleep", "input": {"duration": "0ms"}}] * batch_size)
        done = [0]
        refused = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def client(k):
            s = services[k % 2]
            while time.perf_counter() < deadline:
                status, answer, _ = s.post("/batches?wait=5m&maxConcurrency=10000", body, "application/x-ndjson")
                with lock:
                    if status == 200 and answer["batch"]["succeeded"] == batch_size:
                        done[0] += batch_size
                    else:
                        refused.append(f"{status}: {str(answer)[:200]}")

        # one unmeasured batch each: the JIT and the connection pools warm up
        for s in services:
            s.post("/batches?wait=5m", body, "application/x-ndjson")
        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        return {"tasks": done[0], "seconds": round(elapsed, 1), "tasksPerSecond": done[0] / elapsed,
                "notFinished": len(refused), "notFinishedExamples": refused[:3],
                "instances": 2, "clients": clients, "batchSize": batch_size}
    finally:
        for s in services:
            s.stop()
        subprocess.run(as_pg + [f"{PG_BIN}/pg_ctl", "-D", f"{work}/data", "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--pg-seconds", type=int, default=60)
    a = ap.parse_args()
    store_dir = tempfile.mkdtemp(prefix="fanout-bench-store-")
    memory = sqlite = None
    out = {}
    try:
        memory = Service(free_port(), ["-Dfanout.store.kind=memory"])
        sqlite = Service(free_port(), [f"-Dfanout.store.path={store_dir}/fanout.db"])
        out["sleep"] = store_ratio(memory, sqlite, a.runs, sleeps(a.tasks), f"&maxConcurrency={a.tasks}")
        out["noop"] = store_ratio(memory, sqlite, a.runs, noops(a.tasks), "")
    finally:
        for s in (memory, sqlite):
            if s:
                s.stop()
        shutil.rmtree(store_dir, ignore_errors=True)
    out["postgres"] = postgres_throughput(a.pg_seconds, 8, 5000)
    rows = [
        (f"{a.tasks:,} x sleep(1 s), end to end", out["sleep"], 1.2),
        (f"{a.tasks:,} no-op CPU tasks, end to end", out["noop"], 1.3),
    ]
    print("| scenario | memory | sqlite | sqlite / memory | target | peak RSS (sqlite) |")
    print("|---|---|---|---|---|---|")
    for name, r, target in rows:
        print(f"| {name} | {r['memory']:.2f} s | {r['sqlite']:.2f} s | {r['ratio']:.2f} | {target} | "
              f"{r['sqlitePeakRssMb']:.0f} MB |")
    p = out["postgres"]
    print(f"\nPostgreSQL, two instances, {p['clients']} clients, batches of {p['batchSize']:,}: "
          f"{p['tasksPerSecond']:,.0f} tasks/s over {p['seconds']} s (target 20,000)")
    with open(os.path.join(ROOT, "bench", "results", "stores-latest.json"), "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
