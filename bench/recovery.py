#!/usr/bin/env python3
"""Acceptance run of durable batches, as a user would try it (issue "Durable batches").

sqlite:   the packaged service started with no store setting (in a scratch working directory, so its default
          fanout-data/fanout.db lands there), a batch of --tasks tasks mixing sleep and primes, the service SIGKILLed
          twice in the middle and started again each time; a client follows the SSE stream and reconnects with
          Last-Event-ID as a browser does. Checks: exactly --tasks results, each task once, in the stream too.
postgres: a PostgreSQL cluster of its own (Debian's binaries, as the postgres user when run as root), two instances
          on it; the batch goes to A, the follower reads from B, A is SIGKILLed at a third; B takes the batch over
          and finishes it. Reports the takeover time: from the kill until B logs that it resumed the batch, and until
          B stores its first new result.
Exit code 1 when anything was lost or duplicated. Standard library only."""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True   # no __pycache__ beside the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import JAR, PG_BIN, ROOT, Instance, Postgres, get  # noqa: E402,F401 (PG_BIN: bench/stores.py imports it)


class Service(Instance):
    """One packaged instance (cluster.Instance): started, SIGKILLed, started again on the same port and settings."""


class Follower(threading.Thread):
    """Follows the results as server-sent events, reconnecting with Last-Event-ID until the end event."""

    def __init__(self, bases, batch):
        super().__init__(daemon=True)
        self.bases, self.batch = bases, batch
        self.ids, self.tasks, self.reconnects, self.last, self.ended = [], [], 0, None, False

    def run(self):
        while not self.ended:
            base = self.bases()
            try:
                headers = {"Accept": "text/event-stream"}
                if self.last:
                    headers["Last-Event-ID"] = self.last
                req = urllib.request.Request(f"{base}/batches/{self.batch}/results", headers=headers)
                with urllib.request.urlopen(req, timeout=120) as r:
                    if r.status == 204:
                        self.ended = True
                        return
                    event, eid, data = None, None, []
                    for raw in r:
                        line = raw.decode().rstrip("\n")
                        if line == "":
                            if data:
                                if event == "end":
                                    self.ended = True
                                    return
                                self.ids.append(int(eid))
                                self.tasks.append(json.loads("".join(data))["id"])
                                self.last = eid
                            event, eid, data = None, None, []
                        elif line.startswith("id:"):
                            eid = line[3:].strip()
                        elif line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:"):
                            data.append(line[5:].lstrip())
            except (urllib.error.URLError, OSError, ValueError):
                pass
            self.reconnects += 1
            time.sleep(0.2)


def tasks_body(n):
    tasks = []
    for i in range(n):
        if i % 4 == 0:
            tasks.append({"id": f"p{i}", "function": "primes", "input": {"limit": 20000 + i}})
        else:
            tasks.append({"id": f"s{i}", "function": "sleep", "input": {"duration": f"{200 + i % 300}ms"}})
    return json.dumps({"tasks": tasks, "maxConcurrency": 1000}).encode()


def submit(base, n):
    req = urllib.request.Request(base + "/batches", data=tasks_body(n), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["id"]


def done(base, batch):
    try:
        return get(f"{base}/batches/{batch}", 5)["succeeded"]
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return -1


def wait_for(predicate, timeout=600):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise RuntimeError("timed out")


def check(n, base, batch, follower, report):
    follower.join(600)
    status = get(f"{base}/batches/{batch}")
    with urllib.request.urlopen(f"{base}/batches/{batch}/results", timeout=120) as r:
        results = [json.loads(l) for l in r if l.strip()]
    ids = [x["id"] for x in results]
    report.update({
        "state": status["state"], "succeeded": status["succeeded"], "results": len(results),
        "distinctTasks": len(set(ids)), "ranAgain": sum(1 for x in results if x["attempts"] > 1),
        "streamEvents": len(follower.ids), "streamDistinctTasks": len(set(follower.tasks)),
        "streamIdsContiguous": follower.ids == list(range(1, len(follower.ids) + 1)),
        "streamReconnects": follower.reconnects})
    ok = (status["state"] == "SUCCEEDED" and len(results) == n and len(set(ids)) == n and len(follower.ids) == n
          and len(set(follower.tasks)) == n and report["streamIdsContiguous"])
    report["ok"] = ok
    return ok


def sqlite_run(n, workdir):
    svc = Service("sqlite", workdir, ["-Dfanout.processes.workers=2"])
    report = {"mode": "sqlite (default store, no store setting)", "tasks": n, "restarts": []}
    try:
        report["firstStartSeconds"] = round(svc.start(), 2)
        t0 = time.perf_counter()
        batch = submit(svc.base, n)
        follower = Follower(lambda: svc.base, batch)
        follower.start()
        for k in (1, 2):
            wait_for(lambda: done(svc.base, batch) >= n * k // 3)
            at = done(svc.base, batch)
            svc.kill()
            ready = svc.start()
            report["restarts"].append({"killedAtResults": at, "restartToReadySeconds": round(ready, 2)})
        wait_for(lambda: get(f"{svc.base}/batches/{batch}")["state"] != "RUNNING")
        report["batchSeconds"] = round(time.perf_counter() - t0, 2)
        report["storeFile"] = os.path.exists(os.path.join(workdir, "fanout-data", "fanout.db"))
        check(n, svc.base, batch, follower, report)
    finally:
        svc.stop()
    return report


def postgres_run(n, workdir):
    pg = Postgres(workdir).start()
    settings = ["-Dfanout.store.kind=postgres", f"-Dfanout.store.url={pg.url}",
                "-Dfanout.store.username=fanout", "-Dfanout.processes.workers=1"]
    a, b = Service("a", workdir, settings), Service("b", workdir, settings)
    report = {"mode": "postgres, two instances", "tasks": n, "leaseSeconds": 15}
    try:
        a.start()
        b.start()
        t0 = time.perf_counter()
        batch = submit(a.base, n)
        follower = Follower(lambda: b.base, batch)
        follower.start()
        wait_for(lambda: done(b.base, batch) >= n // 3)
        at = done(b.base, batch)
        a.kill()
        killed = time.perf_counter()
        wait_for(lambda: b.logged(f"batch {batch} resumed"))
        report["killedAtResults"] = at
        report["takeoverSeconds"] = round(time.perf_counter() - killed, 2)
        resumed_at = done(b.base, batch)  # all A committed is in by now: B holds the batch's lease
        wait_for(lambda: done(b.base, batch) > resumed_at)
        report["firstNewResultSeconds"] = round(time.perf_counter() - killed, 2)
        wait_for(lambda: get(f"{b.base}/batches/{batch}")["state"] != "RUNNING")
        report["batchSeconds"] = round(time.perf_counter() - t0, 2)
        check(n, b.base, batch, follower, report)
    finally:
        a.stop()
        b.stop()
        pg.stop()
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--tasks", type=int, default=20000)
    a = ap.parse_args()
    if not os.path.exists(JAR):
        raise SystemExit(f"package the service first: {JAR}")
    reports = []
    with tempfile.TemporaryDirectory(prefix="fanout-recovery-") as workdir:
        os.chmod(workdir, 0o755)
        if a.mode in ("sqlite", "both"):
            reports.append(sqlite_run(a.tasks, workdir))
        if a.mode in ("postgres", "both"):
            reports.append(postgres_run(a.tasks, workdir))
    print(json.dumps(reports, indent=2))
    with open(os.path.join(ROOT, "bench", "results", "recovery-latest.json"), "w") as f:
        json.dump(reports, f, indent=2)
    sys.exit(0 if all(r["ok"] for r in reports) else 1)


if __name__ == "__main__":
    main()
