#!/usr/bin/env python3
"""The load test: correctness of the packaged service under a mixed, faulty load (the issue "Correctness under
faults"). CLIENTS threads each submit batches for DURATION seconds, one at a time, each of a random shape
(loadtest/shapes.py: IO sleeps, CPU tasks on the worker processes with various chunk sizes, both mixed, timeouts with
and without retries, failing tasks retried with backoff, batches cancelled midway, failFast), sent as JSON or NDJSON,
some with ?wait=. Every batch is read by streaming readers (NDJSON in completion or input order, server-sent events,
sometimes two at once, sometimes one more that hangs up early), and judged from what they streamed
(loadtest/checks.py): exactly one result per task, every result explained by the shape, the final GET (and the ?wait
answer, the DELETE answer) agreeing. The service's RSS is sampled every second.

Prints a JSON summary, also written to bench/results/load-latest.json. Exit code 1 when a task was lost or
duplicated, something was unexplained, or RSS was not flat (last quarter's average more than 10% away from the second
quarter's). Started by bench/load, which builds the service first.
"""
import argparse
import json
import os
import random
import signal
import socket
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ beside the sources (the repository does not ignore it)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import BENCH, Service, free_port  # noqa: E402
from loadtest import api, checks, shapes  # noqa: E402

# Retention: finished batches are kept 20 s (long enough to read a finished batch's stream and status), so what the
# service holds levels off within the first minute; the caps are a backstop far above what 20 s of this load leaves.
SERVICE_SETTINGS = ["-Dfanout.batch.retention=20s", "-Dfanout.batch.max-retained=5000",
                    "-Dfanout.batch.max-retained-tasks=500000",
                    # batches left running by a Ctrl-C must not hold up the stop for the default 30 s
                    "-Dfanout.shutdown.grace-period=5s"]
RSS_FLAT = 0.10          # last quarter's average RSS within 10% of the second quarter's
PROGRESS_EVERY = 30      # seconds between progress lines on stderr
METRICS = ("fanout_processes_kills_total", "fanout_processes_restarts_total", "fanout_processes_crashes_total",
           "fanout_task_retries_total", "fanout_batches_finished_total", "fanout_tasks_total")


class Tally:
    """Figures of the whole run, added to by every client thread."""

    def __init__(self, max_examples):
        self.lock = threading.Lock()
        self.max_examples = max_examples
        self.shapes = defaultdict(lambda: {"batches": 0, "tasks": 0, "seconds": 0.0, "outcomes": Counter()})
        self.counts = Counter()   # lost, duplicated, unexplained
        self.examples = []
        self.submissions = Counter()
        self.readers = Counter()
        self.sse = Counter()
        self.slowest = 0.0

    def batch(self, plan, streams, seen, verdict, seconds):
        with self.lock:
            shape = self.shapes[plan.shape]
            shape["batches"] += 1
            shape["tasks"] += len(plan.tasks)
            shape["seconds"] += seconds
            shape["outcomes"].update(verdict.outcomes)
            self.slowest = max(self.slowest, seconds)
            self.submissions["ndjson" if plan.ndjson else "json"] += 1
            if plan.wait:
                self.submissions[f"wait-{seen.wait_status}"] += 1
            if not plan.send_ids:
                self.submissions["ids-by-position"] += 1
            self.readers.update(s.kind for s in streams)
            self.sse["eventsWithIds"] += sum(len(s.sse_ids) for s in streams)
            self.sse["endEvents"] += sum(s.end_status is not None for s in streams)
            for kind, text, n in verdict.findings:
                self._finding(plan, seen.batch_id, kind, text, n)

    def failure(self, plan, batch_id, text):
        """A call that failed outright (an HTTP error, no answer, a bug of this script)."""
        with self.lock:
            self.shapes[plan.shape]["batches"] += 1
            self._finding(plan, batch_id, "unexplained", text, 1)

    def _finding(self, plan, batch_id, kind, text, n):
        self.counts[kind] += n
        if len(self.examples) < self.max_examples:
            example = f"{kind}: batch {batch_id} {describe(plan)}: {text}"
            self.examples.append(example)
            print(example, file=sys.stderr, flush=True)


def describe(plan):
    """The batch's shape in a line, enough to submit it again by hand."""
    parts = [f"{plan.shape}, {len(plan.tasks)} tasks", json.dumps(plan.options),
             "NDJSON" if plan.ndjson else "JSON", f"readers {'+'.join(plan.readers)}"]
    if plan.wait:
        parts.append(f"?wait={plan.wait}")
    if plan.cancel_after is not None:
        parts.append(f"DELETE after {plan.cancel_after:.2f} s")
    if not plan.send_ids:
        parts.append("ids by position")
    return "(" + ", ".join(parts) + ")"


class Context:
    """What every client shares."""

    def __init__(self, args):
        self.base = None               # set once the service is up
        self.max_tasks = args.tasks
        self.deadline = None           # set when the clients start
        self.stop = threading.Event()
        self.tally = Tally(args.examples)
        # a loopback port that is bound but never listens: an http GET of it is refused at once (FUNCTION_ERROR),
        # and no other program can take the port while this socket holds it
        self.refused = socket.socket()
        self.refused.bind(("127.0.0.1", 0))
        self.refused_url = f"http://127.0.0.1:{self.refused.getsockname()[1]}/"

    def running(self):
        return not self.stop.is_set() and time.monotonic() < self.deadline


def client(ctx, rng):
    while ctx.running():
        plan = shapes.plan(rng, ctx.max_tasks, ctx)
        started = time.monotonic()
        seen = checks.Observed()
        try:
            streams = run_batch(ctx, plan, rng, seen)
            verdict = checks.check_batch(plan, streams, seen)
            ctx.tally.batch(plan, streams, seen, verdict, time.monotonic() - started)
        except Exception as e:
            if ctx.stop.is_set():
                return   # the run was interrupted or the service died (reported once): what follows is noise
            # a bug of this script must show in the figures, not end a client silently
            why = str(e) if isinstance(e, api.ApiError) else f"load script error {e!r}"
            ctx.tally.failure(plan, seen.batch_id, why)


def run_batch(ctx, plan, rng, seen):
    """Submits the batch, reads its streams (cancelling it midway when the plan says so), then reads its final
    status. Answers the streams; fills in `seen` as it goes."""
    code, answer = api.submit(ctx.base, plan)
    if plan.wait:
        seen.wait_status, seen.wait_answer = code, answer
    batch_id = seen.batch_id = answer["batch"]["id"] if code == 200 else answer["id"]
    with ThreadPoolExecutor(len(plan.readers)) as readers:
        futures = [readers.submit(api.read_stream, ctx.base, batch_id, kind, rng.randint(1, 5))
                   for kind in plan.readers]
        if plan.cancel_after is not None:
            time.sleep(plan.cancel_after)
            seen.delete_answer = api.cancel(ctx.base, batch_id)
            seen.delete_at = time.monotonic()
        streams = [f.result() for f in futures]
    seen.final = api.status(ctx.base, batch_id)
    return streams


# ---- memory ----

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1]) / 1024


def rss_summary(samples):
    """Average of each quarter of the run, peak, and whether the last quarter stays within RSS_FLAT of the second
    (the first quarter is the warm-up: heap growth, JIT, retention filling up)."""
    if len(samples) < 4:
        return {"samples": len(samples), "flat": False, "why": "fewer than 4 samples"}
    bounds = [len(samples) * q // 4 for q in range(5)]
    quarters = [sum(samples[a:b]) / (b - a) for a, b in zip(bounds, bounds[1:])]
    change = (quarters[3] - quarters[1]) / quarters[1]
    return {"samples": len(samples), "peak": round(max(samples)), "quarterAvg": [round(q) for q in quarters],
            "lastVsSecondQuarter": f"{change:+.1%}", "flat": abs(change) <= RSS_FLAT}


def watch(service, ctx, threads, started):
    """Samples the service's RSS every second until every client is done; prints progress now and then."""
    samples = []
    next_progress = started + PROGRESS_EVERY
    while any(t.is_alive() for t in threads):
        if service.proc.poll() is not None:
            ctx.stop.set()
            with ctx.tally.lock:
                ctx.tally.counts["unexplained"] += 1
                ctx.tally.examples.append(f"unexplained: the service exited with code {service.proc.returncode}")
            break
        samples.append(rss_mb(service.proc.pid))
        if time.monotonic() >= next_progress:
            next_progress += PROGRESS_EVERY
            progress(ctx, samples[-1], time.monotonic() - started)
        time.sleep(1)
    for t in threads:
        t.join(timeout=api.CALL_TIMEOUT + api.STREAM_SILENCE)
    return samples


def progress(ctx, rss, elapsed):
    t = ctx.tally
    with t.lock:
        batches = sum(s["batches"] for s in t.shapes.values())
        tasks = sum(s["tasks"] for s in t.shapes.values())
        counts = dict(t.counts)
    print(f"[{elapsed:5.0f} s] {batches} batches, {tasks} tasks, RSS {rss:.0f} MB, findings {counts or 'none'}",
          file=sys.stderr, flush=True)


# ---- summary ----

def summary(args, seed, ctx, samples, elapsed, metrics):
    t = ctx.tally
    tasks = sum(s["tasks"] for s in t.shapes.values())
    rss = rss_summary(samples)
    counts = {k: t.counts[k] for k in ("lost", "duplicated", "unexplained")}
    return {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "clients": args.clients, "duration": args.duration, "maxTasksPerBatch": args.tasks, "seed": seed,
        "service": "java -Xmx1g -jar target/quarkus-app/quarkus-run.jar " + " ".join(SERVICE_SETTINGS),
        "elapsedSeconds": round(elapsed, 1),
        "batches": sum(s["batches"] for s in t.shapes.values()), "tasks": tasks,
        "tasksPerSecond": round(tasks / elapsed),
        "byShape": {name: {"batches": s["batches"], "tasks": s["tasks"],
                           "avgBatchSeconds": round(s["seconds"] / max(1, s["batches"]), 2),
                           "outcomes": dict(sorted(s["outcomes"].items()))} for name, s in sorted(t.shapes.items())},
        "slowestBatchSeconds": round(t.slowest, 1),
        "submissions": dict(sorted(t.submissions.items())), "readers": dict(sorted(t.readers.items())),
        "sse": {"eventsWithIds": t.sse["eventsWithIds"], "endEvents": t.sse["endEvents"]},
        "serviceMetrics": service_metrics(metrics, t),
        **counts,
        "examples": t.examples,
        "rssMb": rss,
        "ok": not any(counts.values()) and rss["flat"],
    }


def service_metrics(samples, tally):
    """The service's own counters, and whether its task and batch counts match what the clients saw (information:
    the exit code depends on the results themselves)."""
    if "error" in samples:
        return samples
    tasks = sum(v for k, v in samples.items() if k.startswith("fanout_tasks_total"))
    summed = Counter()
    for k, v in samples.items():  # a series per key name (label key) and more: summed by metric
        if not k.startswith("fanout_tasks_total"):
            summed[k.split("{")[0]] += int(v)
    summed = dict(sorted(summed.items()))
    seen_batches = sum(s["batches"] for s in tally.shapes.values())
    seen_tasks = sum(s["tasks"] for s in tally.shapes.values())
    return {**summed, "fanout_tasks_total (all states)": int(tasks),
            "tasksCountedAsSeen": int(tasks) == seen_tasks, "batchesCountedAsSeen": summed.get(
                "fanout_batches_finished_total") == seen_batches}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=int, default=120, help="seconds during which clients start batches")
    ap.add_argument("--tasks", type=int, default=200, help="tasks per batch at most (a quarter of it at least)")
    ap.add_argument("--seed", type=int, default=None, help="to repeat a run's choice of batches")
    ap.add_argument("--examples", type=int, default=20, help="findings printed in full")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10 ** 6)
    shapes.primes_below(0)   # builds the primes oracle before the clock starts
    # SIGTERM ends the script like Ctrl-C does: through the finally below, which stops the service
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ctx = Context(args)
    service = Service(free_port(), SERVICE_SETTINGS)
    try:
        ctx.base = service.base
        ctx.deadline = time.monotonic() + args.duration
        threads = [threading.Thread(target=client, args=(ctx, random.Random(seed * 1000 + i)), daemon=True,
                                    name=f"client-{i}") for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        samples = watch(service, ctx, threads, started)
        elapsed = time.monotonic() - started
        metrics = api.metrics(service.management, METRICS)
    except KeyboardInterrupt:
        print("interrupted: no summary", file=sys.stderr)
        sys.exit(130)
    finally:
        ctx.stop.set()
        service.stop()
        ctx.refused.close()
    result = summary(args, seed, ctx, samples, elapsed, metrics)
    text = json.dumps(result, indent=1)
    print(text)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "load-latest.json"), "w") as f:
        f.write(text + "\n")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
