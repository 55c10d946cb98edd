#!/usr/bin/env python3
"""fanout's benchmark suite: each scenario against fanout (the packaged service, through its REST API on loopback)
and against the same work done by Python's concurrent.futures, alternating the two, median of RUNS runs.
Prints a table (scenario, fanout, Python, ratio, physical limit) and writes bench/results/latest.{md,json}; with
--binary <executable>, the native binary beside the JVM service instead (start-up, memory, the first and the warm
100,000 x sleep(1 s), no-op CPU tasks, 10,000 x sleep(1 s) against Python), to native.{md,json}.
See bench/README.md for what each scenario measures and how to read it. Started by bench/run.
"""
import argparse
import json
import os
import platform
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
JAR = os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java")
BINARY = None  # the service's native executable while native_vs_jvm measures it; None: the packaged jar
FRESH = 5  # fresh services in scenario 8
PY = sys.executable
CORES = os.cpu_count()


def launcher():
    """The service's command before its options: the native binary (which takes -Xmx and -D too), or java."""
    return [BINARY] if BINARY else [JAVA]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The packaged service, started fresh for the suite."""

    def __init__(self, port, extra=()):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        # health and metrics are on the management interface, a port of its own (/q/* is not on the API's port)
        self.management_port = free_port()
        self.management = f"http://127.0.0.1:{self.management_port}"
        # -Xmx1g: the heap this project recommends (100,000 concurrent tasks need about 700 MB of it, their virtual
        # threads' stacks included); without a limit the JVM sizes it from the machine (a quarter of 24 GiB here)
        args = [*launcher(), "-Xmx1g", f"-Dquarkus.http.port={port}",
                f"-Dquarkus.management.port={self.management_port}", f"-Dfanout.processes.workers={CORES}",
                "-Dfanout.io.max-concurrency=200000", "-Dfanout.batch.max-retained=2",
                "-Dfanout.auth.enabled=false", "-Dfanout.http.allow-private-addresses=true",
                # as many requests to the one delay server at once as Python's pool has threads (1,000); the default
                # per-host limit (256) is politeness towards real servers, which would halve the comparison
                "-Dfanout.http.max-per-host=1000",
                "-Dquarkus.log.level=WARN",
                # the default store (SQLite) in target/, one file per service: never in the working tree
                f"-Dfanout.store.path={os.path.join(ROOT, 'target', 'bench-store', f'fanout-{port}.db')}",
                *extra, *([] if BINARY else ["-jar", JAR])]
        self.log = open(os.path.join(ROOT, "target", f"bench-service-{port}.log"), "w")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            self.ready_seconds = self.wait_ready()
        except BaseException:
            # the caller never gets this object to stop: a service that did not get ready (or a Ctrl-C meanwhile)
            # must not outlive the script
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise

    def wait_ready(self, timeout=120):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(self.management + "/q/health/ready", timeout=2) as r:
                    if r.status == 200 and b'"processes.starting": "0"' in r.read():
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.01)
        raise RuntimeError("the service did not get ready; see target/bench-service-*.log")

    def first_ready_seconds(self):
        """Process start to the first 200 on /q/health/ready (workers may still be starting)."""
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(self.management + "/q/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.005)
        raise RuntimeError("no 200 on /q/health/ready")

    def reset_peak_rss(self):
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM, the peak resident set size

    def peak_rss_mb(self):
        return self.status_mb("VmHWM:")

    def rss_mb(self):
        """The resident set size now (the service process; its worker processes are processes of their own)."""
        return self.status_mb("VmRSS:")

    def status_mb(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def post(self, path, body, content_type):
        """Seconds from sending the request to the answer's last byte; the client's parsing of the answer (0.2 s for
        100,000 results in CPython) is not the service's time, and is not counted."""
        req = urllib.request.Request(self.base + path, data=body, headers={"Content-Type": content_type})
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=600) as r:
            data = r.read()
            status = r.status
        seconds = time.perf_counter() - start
        return status, json.loads(data), seconds

    def cpu_seconds(self):
        """CPU seconds used so far by the service and, apart, by its worker processes (its children now)."""
        children = []
        for task in os.listdir(f"/proc/{self.proc.pid}/task"):
            with open(f"/proc/{self.proc.pid}/task/{task}/children") as f:
                children += f.read().split()
        return cpu_of(self.proc.pid), sum(cpu_of(c) for c in children)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0  # gone meanwhile


def ndjson(tasks):
    return "".join(json.dumps(t, separators=(",", ":")) + "\n" for t in tasks).encode()


def batch_seconds(batch):
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(batch["finishedAt"]) - parse(batch["createdAt"])).total_seconds()


def run_fanout(service, tasks, query="", check=None):
    """POST the tasks as NDJSON with ?wait: end-to-end seconds (upload, run, answer) and the batch's own seconds."""
    status, answer, seconds = service.post("/batches?wait=5m" + query, ndjson(tasks), "application/x-ndjson")
    assert status == 200, f"batch not finished: {status}"
    batch = answer["batch"]
    assert batch["succeeded"] == len(tasks), f"batch {batch}"
    if check:
        check(answer["results"])
    return {"e2e": seconds, "batch": batch_seconds(batch)}


def python(script, *args):
    out = subprocess.run([PY, os.path.join(BENCH, "python", script), *map(str, args)], check=True,
                         capture_output=True, text=True, cwd=os.path.join(BENCH, "python")).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---- scenarios: each returns {"fanout": [...per run], "python": [...], ...} ----

def alternate(runs, fanout, python_side, python_runs=None):
    """Runs the two sides alternately (which goes first alternates too), so that drift hits both alike. fanout gets
    one unmeasured run first: the JVM's JIT compiles the hot paths then, as in a service that has been up a while."""
    fanout()
    f, p = [], []
    python_runs = runs if python_runs is None else python_runs
    for i in range(runs):
        if i % 2 == 0:
            f.append(fanout())
            if i < python_runs:
                p.append(python_side())
        else:
            if i < python_runs:
                p.append(python_side())
            f.append(fanout())
    return f, p


def io_fanout(service, runs, n):
    tasks = [{"function": "sleep", "input": {"duration": "1s"}}] * n
    service.reset_peak_rss()
    # CPython needs one to two minutes for 100,000 sleeps (10,000 threads, the GIL): one run of it keeps the suite
    # under ten minutes, and a median would not change the ratio's order of magnitude
    python_runs = runs if n <= 10_000 else 1
    f, p = alternate(runs, lambda: run_fanout(service, tasks, f"&maxConcurrency={n}"),
                     lambda: python("io_pool.py", "sleep", "--tasks", n, "--workers", min(n, 10000))["seconds"],
                     python_runs)
    return {"fanout": f, "python": p, "rss": service.peak_rss_mb(), "limit": 1.0,
            "python_note": f"ThreadPoolExecutor({min(n, 10000)})"
                           + ("" if python_runs == runs else f", {python_runs} run (each over a minute)")}


def http_fanout(service, runs, n, url):
    tasks = [{"function": "http", "input": {"url": url}}] * n

    def check(results):
        assert all(r["output"]["status"] == 200 for r in results)

    f, p = alternate(runs, lambda: run_fanout(service, tasks, f"&maxConcurrency={n}", check),
                     lambda: python("io_pool.py", "http", "--tasks", n, "--workers", 1000, "--url", url)["seconds"])
    return {"fanout": f, "python": p, "limit": 0.1, "python_note": "ThreadPoolExecutor(1000), urllib"}


def cpu_scaling(service, runs, java_limit, python_limit, n):
    tasks = [{"function": "primes", "input": {"limit": java_limit}}] * n

    def fanout_pair():
        one = run_fanout(service, tasks, "&maxConcurrency=1&chunkSize=1")
        all_ = run_fanout(service, tasks, "&chunkSize=1")
        return {"one": one["batch"], "all": all_["batch"], "e2e": all_["e2e"], "batch": all_["batch"],
                "scaling": one["batch"] / all_["batch"]}

    def python_pair():
        one = python("cpu_pool.py", "primes", "--tasks", n, "--workers", 1, "--limit", python_limit)["seconds"]
        all_ = python("cpu_pool.py", "primes", "--tasks", n, "--workers", CORES, "--limit", python_limit)["seconds"]
        return {"one": one, "all": all_, "scaling": one / all_}

    f, p = alternate(runs, fanout_pair, python_pair)
    return {"fanout": f, "python": p, "limit": float(CORES)}


def overhead(service, runs, n):
    tasks = [{"function": "noop", "input": i} for i in range(n)]

    def check(results):
        assert all(r["output"] == i for i, r in enumerate(results))

    def python_side():
        c1 = python("cpu_pool.py", "noop", "--tasks", n, "--workers", CORES, "--chunksize", 1)["usPerTask"]
        c100 = python("cpu_pool.py", "noop", "--tasks", n, "--workers", CORES, "--chunksize", 100)["usPerTask"]
        return {"c1": c1, "c100": c100}

    def fanout_side():
        service0, workers0 = service.cpu_seconds()
        r = run_fanout(service, tasks, "", check)
        service1, workers1 = service.cpu_seconds()
        # where the time goes: the service's CPU (HTTP, parsing, engine, store, answer) against the workers' own
        return {**r, "service_cpu": service1 - service0, "workers_cpu": workers1 - workers0}

    f, p = alternate(runs, fanout_side, python_side)
    return {"fanout": f, "python": p}


def mixed(service, runs, sleeps, primes, java_limit, python_limit):
    io = [{"function": "sleep", "input": {"duration": "1s"}}] * sleeps
    cpu = [{"function": "primes", "input": {"limit": java_limit}}] * primes

    def fanout_side():
        together = run_fanout(service, io + cpu, f"&chunkSize=1&maxConcurrency={sleeps + primes}")
        first = run_fanout(service, io, f"&maxConcurrency={sleeps}")
        second = run_fanout(service, cpu, "&chunkSize=1")
        return {"e2e": together["e2e"], "batch": together["batch"],
                "sequential": first["batch"] + second["batch"]}

    f, p = alternate(runs, fanout_side, lambda: python("mixed.py", "--sleeps", sleeps, "--primes", primes,
                                                        "--limit", python_limit, "--workers", CORES)["seconds"])
    return {"fanout": f, "python": p}


def api_throughput(service, runs, n):
    body = ndjson([{"function": "sleep", "input": {"duration": "0ms"}}] * n)

    def once():
        start = time.perf_counter()
        req = urllib.request.Request(service.base + f"/batches?maxConcurrency={n}", data=body,
                                     headers={"Content-Type": "application/x-ndjson"})
        with urllib.request.urlopen(req, timeout=600) as r:
            batch_id = json.loads(r.read())["id"]
        count = 0
        with urllib.request.urlopen(service.base + f"/batches/{batch_id}/results", timeout=600) as r:
            for line in r:
                if line.strip():
                    count += 1
        seconds = time.perf_counter() - start
        assert count == n, f"streamed {count} of {n}"
        return {"e2e": seconds, "tps": n / seconds}

    once()
    service.reset_peak_rss()
    f = [once() for _ in range(runs)]
    return {"fanout": f, "rss": service.peak_rss_mb()}


def startup(runs):
    ready, first, worker = [], [], []
    for _ in range(runs):
        s = Service(free_port(), ["-Dfanout.processes.workers=1"])
        first.append(s.first_ready_seconds())
        s.stop()
        start = time.perf_counter()
        command = [BINARY, "worker"] if BINARY else [JAVA, "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                                                     "-XX:+ExitOnOutOfMemoryError", "-jar", JAR, "worker"]
        p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        size = struct.unpack(">i", p.stdout.read(4))[0]
        assert b"hello" in p.stdout.read(size)
        worker.append(time.perf_counter() - start)
        p.stdin.close()
        p.wait()
        python_start = time.perf_counter()
        python("cpu_pool.py", "noop", "--tasks", 1, "--workers", 1)
        ready.append(time.perf_counter() - python_start)
    return {"first_ready": first, "worker": worker, "python_pool": ready}


def cold_and_warm(runs, n, heap=None):
    """A fresh service: start to ready, its first n x sleep(1 s) batch (cold: the JIT has compiled nothing yet), then
    `runs` more (warm), and its peak RSS over all of them; with -Xmx`heap` when given (else the README's 1g)."""
    s = Service(free_port(), [f"-Xmx{heap}"] if heap else [])
    tasks = [{"function": "sleep", "input": {"duration": "1s"}}] * n
    try:
        idle = s.rss_mb()
        s.reset_peak_rss()
        cold = run_fanout(s, tasks, f"&maxConcurrency={n}")
        warm = [run_fanout(s, tasks, f"&maxConcurrency={n}") for _ in range(runs)]
        return {"ready": s.ready_seconds, "cold": cold, "warm": warm, "rss": s.peak_rss_mb(), "idle_rss": idle}
    finally:
        s.stop()


# ---- the native binary beside the JVM service (--binary) ----

def as_artifact(binary, measure):
    """Runs `measure` with the service started from `binary` (None: the packaged jar)."""
    global BINARY
    saved, BINARY = BINARY, binary
    try:
        return measure()
    finally:
        BINARY = saved


def native_vs_jvm(binary, runs, scale):
    """Each figure for the JVM service and the native binary in the same run, the two alternating (which goes first
    alternates too) so that drift on a shared machine hits both alike. Returns rows (what, JVM, native, unit, note)."""
    n = 100_000 // scale
    kinds = [None, binary]
    figures = {k: {} for k in kinds}

    def both(measure):
        order = kinds if len(figures[None]) % 2 == 0 else kinds[::-1]
        for k in order:
            figures[k].update(as_artifact(k, measure))

    both(lambda: {"startup": startup(runs)})
    both(lambda: {"fresh": cold_and_warm(max(runs, 3), n)})

    def long_lived():
        s = Service(free_port())
        try:
            primes = [{"function": "primes", "input": {"limit": 2_500_000 // scale}}] * 8
            cpu = [run_fanout(s, primes, "&chunkSize=1") for _ in range(runs + 1)][1:]  # the first one warms up
            return {"overhead": overhead(s, runs, n), "io": io_fanout(s, runs, 10_000 // scale), "cpu": cpu}
        finally:
            s.stop()

    both(long_lived)
    rows = []
    for what, unit, get, note in [
        ("Start to ready (first 200 on /q/health/ready)", "s", lambda f: med(f["startup"]["first_ready"]),
         "the JVM service warms up before it is ready (fanout.warmup.enabled); a native binary has no JIT to warm"),
        ("Worker process start to hello", "s", lambda f: med(f["startup"]["worker"]), ""),
        ("RSS idle (the service process, once ready)", "MB", lambda f: f["fresh"]["idle_rss"], ""),
        (f"RSS peak over {n:,} x sleep(1 s) batches", "MB", lambda f: f["fresh"]["rss"], "-Xmx1g for both"),
        (f"First {n:,} x sleep(1 s) after a fresh start, end to end", "s", lambda f: f["fresh"]["cold"]["e2e"], ""),
        (f"Warm {n:,} x sleep(1 s), end to end (median)", "s", lambda f: med(f["fresh"]["warm"], "e2e"), ""),
        (f"No-op CPU tasks on worker processes ({n:,}), end to end", "us", 
         lambda f: med(f["overhead"]["fanout"], "e2e") * 1e6 / n,
         "Python ProcessPoolExecutor.map chunksize 100: "
         + " / ".join(f"{med(figures[k]['overhead']['python'], 'c100'):.1f} us" for k in kinds)
         + " (beside the JVM / the native run)"),
        (f"8 x primes below {2_500_000 // scale:,} on {CORES} worker processes, the batch", "s",
         lambda f: med(f["cpu"], "batch"), "CPU-bound code: the JIT's compiled loop against the ahead-of-time one"),
        (f"{10_000 // scale:,} x sleep(1 s), end to end", "s", lambda f: med(f["io"]["fanout"], "e2e"),
         "Python ThreadPoolExecutor(10,000): "
         + " / ".join(fmt_s(med(figures[k]["io"]["python"])) for k in kinds) + " (beside the JVM / the native run)"),
    ]:
        rows.append((what, get(figures[None]), get(figures[binary]), unit, note))
    return rows


def native_table(rows):
    show = {"s": fmt_s, "MB": lambda x: f"{x:.0f} MB", "us": lambda x: f"{x:.1f} us"}
    table = ["| figure | JVM (`java -Xmx1g -jar`) | native (`-Xmx1g`) | native / JVM | notes |", "|---|---|---|---|---|"]
    for what, jvm, native, unit, note in rows:
        table.append(f"| {what} | {show[unit](jvm)} | {show[unit](native)} | {native / jvm:.2f} | {note} |")
    return table


def verdict(value, target, below=True):
    met = value <= target if below else value >= target
    return "met" if met else "MISSED"


# ---- report ----

def med(values, key=None):
    return statistics.median([v[key] if key else v for v in values])


def fmt_s(x):
    return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with open("/proc/meminfo") as f:
        mem = int(next(l for l in f if l.startswith("MemTotal")).split()[1]) / 1024 / 1024
    java = subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{CORES} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}; {java}; " \
           f"Python {platform.python_version()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="one run of smaller scenarios: a smoke test of the suite")
    ap.add_argument("--binary", help="a native executable of the service: measured beside the packaged jar, to "
                                     "bench/results/native.{md,json}")
    a = ap.parse_args()
    runs = 1 if a.quick else a.runs
    scale = 10 if a.quick else 1
    started = time.perf_counter()
    if a.binary:
        rows = native_vs_jvm(os.path.abspath(a.binary), runs, scale)
        header = (f"fanout, the native binary beside the JVM service, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
                  f"median of {runs} run(s), {time.perf_counter() - started:.0f} s in all\n\n{machine()}; native "
                  f"binary {os.path.basename(a.binary)}\n")
        write("native", header, native_table(rows), rows)
        return

    delay_port = free_port()
    delay = subprocess.Popen([JAVA, os.path.join(BENCH, "DelayServer.java"), str(delay_port), "100"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    delay.stdout.readline()
    service = Service(free_port())
    rows = []
    try:
        r = io_fanout(service, runs, 10_000 // scale)
        rows.append((f"1. IO: {10_000 // scale:,} x sleep(1 s)", med(r["fanout"], "e2e"), med(r["fanout"], "batch"),
                     med(r["python"]), r["limit"], r["python_note"]))
        r = io_fanout(service, runs, 100_000 // scale)
        rows.append((f"1. IO: {100_000 // scale:,} x sleep(1 s)", med(r["fanout"], "e2e"), med(r["fanout"], "batch"),
                     med(r["python"]), r["limit"], f"{r['python_note']}; fanout peak RSS {r['rss']:.0f} MB"))
        r = http_fanout(service, runs, 10_000 // scale, f"http://127.0.0.1:{delay_port}/")
        rows.append((f"2. HTTP: {10_000 // scale:,} GETs of a 100 ms server", med(r["fanout"], "e2e"), med(r["fanout"], "batch"),
                     med(r["python"]), r["limit"], r["python_note"]))
        r = cpu_scaling(service, runs, 2_500_000, 330_000, 8 if not a.quick else 4)
        rows.append((f"3. CPU: 8 x primes (~0.25 s), {CORES} workers vs 1: scaling", None, med(r["fanout"], "scaling"),
                     med(r["python"], "scaling"), r["limit"],
                     f"fanout 1 worker {fmt_s(med(r['fanout'], 'one'))}, {CORES}: {fmt_s(med(r['fanout'], 'all'))}; "
                     f"Python {fmt_s(med(r['python'], 'one'))}, {fmt_s(med(r['python'], 'all'))} (limit 330,000 "
                     f"for ~0.25 s in CPython)"))
        n = 100_000 // scale
        r = overhead(service, runs, n)
        rows.append((f"4. Overhead: {n:,} no-op CPU tasks, us/task", med(r["fanout"], "e2e") * 1e6 / n,
                     med(r["fanout"], "batch") * 1e6 / n, med(r["python"], "c100"), None,
                     f"Python column: chunksize 100 (fanout chunks by itself, so this is the fair one); chunksize 1: "
                     f"{med(r['python'], 'c1'):.1f} us (map() in-process, no HTTP, no JSON); target: fanout batch "
                     f"below chunksize 100: {verdict(med(r['fanout'], 'batch') * 1e6 / n, med(r['python'], 'c100'))}; "
                     f"CPU per task, request to answer: service {med(r['fanout'], 'service_cpu') * 1e6 / n:.1f} us, "
                     f"worker processes {med(r['fanout'], 'workers_cpu') * 1e6 / n:.1f} us"))
        r = mixed(service, runs, 2000 // scale, 8, 2_500_000, 330_000)
        rows.append((f"5. Mixed: {2000 // scale:,} x sleep(1 s) + 8 x primes", med(r["fanout"], "e2e"), med(r["fanout"], "batch"),
                     med(r["python"]), max(1.0, 8 * 0.25 / CORES),
                     f"fanout halves one after the other: {fmt_s(med(r['fanout'], 'sequential'))}; "
                     f"Python: both pools at once"))
        r = api_throughput(service, runs, 100_000 // scale)
        rows.append((f"6. API: {100_000 // scale:,} tiny tasks in (NDJSON), streamed out", med(r["fanout"], "e2e"),
                     None, None, None, f"{med(r['fanout'], 'tps'):,.0f} tasks/s end to end; "
                                       f"peak RSS {r['rss']:.0f} MB"))
    finally:
        service.stop()
        delay.terminate()
    r = startup(runs)
    rows.append(("7. Start-up: process start to first 200 on /q/health/ready", med(r["first_ready"]), None, None,
                 None, f"worker process start to hello: {fmt_s(med(r['worker']))}; Python ProcessPoolExecutor(1) "
                       f"first result (incl. interpreter start): {fmt_s(med(r['python_pool']))}"))
    n = 100_000 // scale
    # one fresh service gives one cold batch, and single figures swing by a third here: the ratio is the median over
    # FRESH fresh services (each: its first batch against the median of its next three)
    fresh = [cold_and_warm(3 if runs > 1 else 1, n) for _ in range(1 if a.quick else FRESH)]
    ratios = sorted(r["cold"]["e2e"] / med(r["warm"], "e2e") for r in fresh)
    ratio = statistics.median(ratios)
    warm = [w for r in fresh for w in r["warm"]]
    rows.append((f"8. Cold: the first {n:,} x sleep(1 s) after a fresh start", med([r["cold"] for r in fresh], "e2e"),
                 med([r["cold"] for r in fresh], "batch"), None, 1.0,
                 f"{len(fresh)} fresh services; warm median {fmt_s(med(warm, 'e2e'))} (batch {fmt_s(med(warm, 'batch'))}); "
                 f"cold / warm {ratio:.2f} (each service: {', '.join(f'{x:.2f}' for x in ratios)}; target at most "
                 f"1.3: {verdict(ratio, 1.3)}); start to ready {fmt_s(statistics.median(r['ready'] for r in fresh))} "
                 f"(warm-up included)"
                 + (f"; warm end to end target at most 1.4 s: {verdict(med(warm, 'e2e'), 1.4)}"
                    if n == 100_000 else "")))
    r = cold_and_warm(runs, n, "512m")
    rows.append((f"9. Memory: {n:,} x sleep(1 s) with -Xmx512m", med(r["warm"], "e2e"), med(r["warm"], "batch"),
                 None, 1.0, f"{runs + 1} batches completed; peak RSS {r['rss']:.0f} MB (target at most 1024 MB: "
                            f"{verdict(r['rss'], 1024)}); its first batch {fmt_s(r['cold']['e2e'])}"))

    table = ["| scenario | fanout end to end | fanout batch | Python | Python / fanout | limit | notes |",
             "|---|---|---|---|---|---|---|"]
    for name, e2e, batch, py, limit, note in rows:
        us = "us/task" in name
        scaling = "scaling" in name
        show = (lambda x: f"{x:.1f} us" if x is not None else "") if us else \
            (lambda x: f"{x:.2f}x" if x is not None else "") if scaling else \
            (lambda x: fmt_s(x) if x is not None else "")
        ratio = ""
        if py is not None and not scaling:
            ratio = f"{py / (e2e if e2e else batch):.1f}x"
        elif scaling and py is not None:
            ratio = f"{batch / py:.2f}"
        table.append(f"| {name} | {show(e2e)} | {show(batch)} | {show(py)} | {ratio} | "
                     f"{(f'{limit:.1f}x' if scaling else fmt_s(limit)) if limit else ''} | {note} |")
    header = (f"fanout benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, median of {runs} run(s), "
              f"{time.perf_counter() - started:.0f} s in all\n\n{machine()}\n")
    write("latest", header, table, rows)


def write(name, header, table, rows):
    """Prints the table and writes bench/results/NAME.md and NAME.json."""
    text = header + "\n" + "\n".join(table) + "\n"
    print(text)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", name + ".md"), "w") as f:
        f.write(text)
    with open(os.path.join(BENCH, "results", name + ".json"), "w") as f:
        json.dump({"header": header, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
