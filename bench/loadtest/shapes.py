"""Batch shapes of the load test. Each shape builds one batch (its tasks and options, how it is submitted, whether it
is cancelled, who reads its results) together with what every task may legitimately end as; checks.py holds each
streamed result against that.

The timing margins are wide on purpose: the machine is shared by the service, its worker processes and this script,
so a task meant to succeed under a taskTimeout does at most a twentieth of it, and a task meant to time out needs at
least three times the timeout even on a fast core.
"""
import functools
import hashlib
import random
from dataclasses import dataclass, field

TIMEOUT = "1s"              # taskTimeout of the timeout and failFast shapes
LONG_SLEEP = "5s"           # an IO task that outlives TIMEOUT for sure
LONG_PRIMES = 20_000_000    # a CPU task that outlives TIMEOUT for sure (several seconds on one core)
PRIMES_ORACLE = 2_000_000   # primes limits up to this are checked against a sieve
WAIT = "30s"                # ?wait= of the submissions that wait; every shape finishes well within it


class AtLeast:
    """An expected number that may come out larger: a measured duration (sleep's sleptMs)."""

    def __init__(self, minimum):
        self.minimum = minimum

    def __eq__(self, other):
        return isinstance(other, (int, float)) and other >= self.minimum

    def __hash__(self):
        return hash(self.minimum)

    def __repr__(self):
        return f"at least {self.minimum}"


@dataclass(frozen=True)
class Expect:
    """What one task is designed to end as. CANCELLED is allowed on top of it when the batch may cancel tasks."""
    outcome: str             # "ok" (SUCCEEDED with `output`), "TIMEOUT" or "FUNCTION_ERROR" (FAILED with that type)
    output: object = None
    attempts: int = 1        # attempts of the final result (retries + 1 for designed failures)


@dataclass
class Plan:
    """One batch as a client submits, reads and judges it."""
    shape: str
    tasks: list                      # task dicts, in input order
    expect: dict                     # task id -> Expect
    options: dict = field(default_factory=dict)
    ndjson: bool = False             # NDJSON body with the options as query parameters, else one JSON document
    wait: str = None                 # ?wait= value, or None to get 202 at once
    cancel_after: float = None       # seconds after submission to DELETE the batch, or None
    readers: list = field(default_factory=list)   # stream kinds (see api.read_stream); "*-drop" hangs up early
    send_ids: bool = True            # False: ids left out, the service numbers the tasks "0", "1", ...

    @property
    def may_cancel(self):
        """True when CANCELLED results are explained: a client cancelled the batch, or failFast may stop it."""
        return self.cancel_after is not None or bool(self.options.get("failFast"))

    @property
    def ids(self):
        return [t["id"] for t in self.tasks]


# ---- expected outputs ----

@functools.lru_cache(maxsize=1)
def _sieve():
    is_prime = bytearray([1]) * PRIMES_ORACLE
    is_prime[0:2] = b"\x00\x00"
    for n in range(2, int(PRIMES_ORACLE ** 0.5) + 1):
        if is_prime[n]:
            is_prime[n * n::n] = bytearray(len(range(n * n, PRIMES_ORACLE, n)))
    return is_prime


def primes_below(limit):
    return _sieve().count(1, 0, limit)


def sha256_hex(data, rounds):
    digest = hashlib.sha256(data.encode()).digest()
    for _ in range(rounds - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


# ---- tasks: each answers (task without id, Expect) ----

def sleep_task(ms):
    return {"function": "sleep", "input": {"duration": f"{ms}ms"}}, Expect("ok", {"sleptMs": AtLeast(ms)})


def short_io(rng, max_ms=200):
    return sleep_task(rng.randint(0, max_ms))


def short_cpu(rng, heavy=False):
    """noop, sha256 or primes of at most a few milliseconds (heavy: primes of 0.05-0.15 s)."""
    if heavy:
        limit = rng.randint(PRIMES_ORACLE // 2, PRIMES_ORACLE)
        return {"function": "primes", "input": {"limit": limit}}, Expect("ok", {"count": primes_below(limit)})
    kind = rng.choice(("noop", "sha256", "primes"))
    if kind == "noop":
        value = rng.choice((rng.randint(-10 ** 6, 10 ** 6), f"text {rng.random()}", {"n": rng.random(), "l": [1, "x"]}))
        return {"function": "noop", "input": value}, Expect("ok", value)
    if kind == "sha256":
        data, rounds = f"load {rng.randint(0, 10 ** 9)}", rng.randint(1, 2000)
        return ({"function": "sha256", "input": {"data": data, "rounds": rounds}},
                Expect("ok", {"hex": sha256_hex(data, rounds)}))
    limit = rng.randint(100, 100_000)
    return {"function": "primes", "input": {"limit": limit}}, Expect("ok", {"count": primes_below(limit)})


def long_io(retries):
    return {"function": "sleep", "input": {"duration": LONG_SLEEP}}, Expect("TIMEOUT", attempts=retries + 1)


def long_cpu(retries):
    return {"function": "primes", "input": {"limit": LONG_PRIMES}}, Expect("TIMEOUT", attempts=retries + 1)


def refused_http(url, retries):
    """An http GET of a loopback port that is bound but never listens: connection refused, FUNCTION_ERROR."""
    return {"function": "http", "input": {"url": url}}, Expect("FUNCTION_ERROR", attempts=retries + 1)


# ---- shapes: each answers (tasks with expectations, options) ----

def io(rng, n, ctx):
    """IO sleeps of 0-200 ms on virtual threads, sometimes throttled by maxConcurrency."""
    options = {"maxConcurrency": rng.choice((n, max(4, n // 4)))} if rng.random() < 0.5 else {}
    return [short_io(rng) for _ in range(n)], options


def cpu(rng, n, ctx):
    """noop / sha256 / primes on the worker processes, with a mix of chunk sizes (0 = automatic)."""
    tasks = [short_cpu(rng) for _ in range(n)]
    tasks += [short_cpu(rng, heavy=True) for _ in range(rng.randint(0, 2))]
    rng.shuffle(tasks)
    return tasks, {"cpuBackend": "processes", "chunkSize": rng.choice((0, 0, 1, 5, 25, 100))}


def mixed(rng, n, ctx):
    """IO and CPU tasks interleaved in one batch."""
    tasks = [short_io(rng) if rng.random() < 0.5 else short_cpu(rng) for _ in range(n)]
    return tasks, {"cpuBackend": "processes", "chunkSize": rng.choice((0, 1, 10))}


def timeout(rng, n, ctx):
    """Short tasks under taskTimeout 1s, plus 1-3 designed to exceed it (at most one on a worker process: each
    timeout there kills and replaces a worker), sometimes with retries."""
    retries = rng.choice((0, 0, 1, 2))
    tasks = [short_io(rng, 50) if rng.random() < 0.6 else short_cpu(rng) for _ in range(n)]
    tasks += [long_io(retries) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        tasks.append(long_cpu(retries))
    rng.shuffle(tasks)
    return tasks, {"taskTimeout": TIMEOUT, "retries": retries, "cpuBackend": "processes"}


def errors(rng, n, ctx):
    """Short tasks plus 1-5 that fail with FUNCTION_ERROR, retried with backoff when the batch asks."""
    retries = rng.choice((0, 1, 2))
    tasks = [short_io(rng) if rng.random() < 0.7 else short_cpu(rng) for _ in range(n)]
    tasks += [refused_http(ctx.refused_url, retries) for _ in range(rng.randint(1, 5))]
    rng.shuffle(tasks)
    return tasks, {"retries": retries, "cpuBackend": "processes"}


def cancel(rng, n, ctx):
    """Sleeps of 0-3 s (some throttled by maxConcurrency, so that tasks are still pending), sometimes CPU tasks
    and failing tasks in retry backoff, cancelled 0.1-1.5 s after submission: any task may end CANCELLED."""
    retries = 3
    tasks = [short_io(rng, 3000) for _ in range(n)]
    if rng.random() < 0.5:
        tasks += [short_cpu(rng, heavy=True) for _ in range(rng.randint(1, 3))]
        tasks += [short_cpu(rng) for _ in range(rng.randint(1, n // 2 + 1))]
    if rng.random() < 0.3:
        tasks += [refused_http(ctx.refused_url, retries) for _ in range(rng.randint(1, 3))]
    rng.shuffle(tasks)
    # chunkSize 1 ends a chunk at every task: the cancel then often meets a worker whose reply is on its way
    options = {"retries": retries, "cpuBackend": "processes", "chunkSize": rng.choice((0, 1, 10))}
    if rng.random() < 0.5:
        options["maxConcurrency"] = rng.choice((3, 10, 50))
    return tasks, options


def fail_fast(rng, n, ctx):
    """failFast: sleeps of 0-800 ms and small CPU tasks, and 1-2 designed failures (a refused connection or a
    sleep past taskTimeout): the first failure cancels the rest."""
    tasks = [short_io(rng, 800) if rng.random() < 0.8 else short_cpu(rng) for _ in range(n)]
    for _ in range(rng.randint(1, 2)):
        tasks.append(refused_http(ctx.refused_url, 0) if rng.random() < 0.5 else long_io(0))
    rng.shuffle(tasks)
    return tasks, {"failFast": True, "taskTimeout": TIMEOUT, "cpuBackend": "processes",
                   "chunkSize": rng.choice((0, 1, 10))}


SHAPES = {"io": (io, 20), "cpu": (cpu, 15), "mixed": (mixed, 15), "timeout": (timeout, 15), "errors": (errors, 10),
          "cancel": (cancel, 15), "failfast": (fail_fast, 10)}   # name -> (builder, weight)


def plan(rng, max_tasks, ctx):
    """A random batch: a shape, then independently how it is submitted and read."""
    name = rng.choices(list(SHAPES), weights=[w for _, w in SHAPES.values()])[0]
    n = rng.randint(max(4, max_tasks // 4), max(4, max_tasks))
    tasks, options = SHAPES[name][0](rng, n, ctx)
    # ids: usually explicit; sometimes left out, when the service numbers the tasks by input position
    explicit = rng.random() < 0.9
    ids = [f"{name}-{i}" if explicit else str(i) for i in range(len(tasks))]
    p = Plan(name, [dict(task, id=i) for (task, _), i in zip(tasks, ids)], {i: e for (_, e), i in zip(tasks, ids)},
             options, send_ids=explicit)
    p.ndjson = rng.random() < 0.4
    p.cancel_after = rng.uniform(0.1, 1.5) if name == "cancel" else None
    p.wait = WAIT if p.cancel_after is None and rng.random() < 0.25 else None
    p.readers = [rng.choices(("ndjson", "ndjson-input", "sse"), weights=(5, 2, 3))[0]]
    if rng.random() < 0.2:
        p.readers.append(rng.choice(("ndjson", "ndjson-input", "sse")))
    if rng.random() < 0.1:
        p.readers.append(rng.choice(("ndjson-drop", "sse-drop")))
    return p
