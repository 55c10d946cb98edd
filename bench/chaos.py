#!/usr/bin/env python3
"""The partition chaos run (not part of bin/test): two packaged instances on one private PostgreSQL, each reaching it
through a TCP proxy of its own that this script controls, under --clients client threads of mixed batches for
--minutes, while a seeded fault schedule every 20-60 s cuts an instance off its database for longer than the lease,
delays or stalls its traffic, resets its connections, pauses an instance that owns batches (SIGSTOP) for longer than
the lease, or kill -9s an instance and starts it again.

Batches (every one with an Idempotency-Key, each call sent to either instance, retried on the other one after a
connection error, a timeout or a 503): IO sleeps; CPU tasks (primes, sha256) on the worker processes; both mixed;
batches cancelled (DELETE) midway; batches with tasks that time out, redriven with a longer taskTimeout; failFast
batches; idempotent re-submits (the same key and body, to both instances at once, while the batch runs, or after it
ended). Clients follow the result streams (resuming with ?after=) or poll the status, and remember every result they
read.

After the faults stop and every batch has ended (or --settle seconds ran out), every batch is read once more and the
run counts: tasks lost (a task of an accepted batch without exactly one result), results stored twice, results changed
after a client read them, batches left RUNNING, tasks of failFast batches started after the stop, idempotent
re-submits answered with another batch, and 5xx answers other than 503 (during a cut of the instance's database, and
outside one). Any of these non-zero: exit code 1. Summary printed and written to bench/results/chaos-latest.json and
chaos-latest.md; the instances' and PostgreSQL's logs stay in target/chaos/. Started by bench/chaos, which builds the
service first. Standard library only.
"""
import argparse
import asyncio
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ beside the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import ROOT, Instance, Postgres, Reaper, copy_app, free_port  # noqa: E402

RESULTS = os.path.join(ROOT, "bench", "results")
WORKDIR = os.path.join(ROOT, "target", "chaos")
CALL_TIMEOUT = 10        # seconds for one call; a paused instance answers nothing, and the client moves on
STREAM_SILENCE = 20      # seconds without a byte after which a result stream is resumed elsewhere
GIVE_UP = 300            # seconds a client keeps retrying one call on both instances
BATCH_DEADLINE = 600     # seconds a client waits for one batch to end before it moves on (counted if still RUNNING)
CUT_GRACE = 10           # seconds after a cut during which an answer still counts as "during the cut"
FAILFAST_SLACK = 2.0     # seconds after the failing attempt's end within which a task may still have started
EXAMPLES = 20


def now():
    return time.time()


def ndjson_lines(response):
    """The lines of an NDJSON answer as they arrive. Not `for line in response`: on a chunked answer that goes through
    io's readline, which ends quietly when the connection closes before the last chunk, so a stream cut short would
    look complete; read1 raises IncompleteRead then."""
    rest = b""
    while True:
        data = response.read1(65536)
        if not data:
            break
        *lines, rest = (rest + data).split(b"\n")
        for line in lines:
            if line.strip():
                yield line
    if rest.strip():
        yield rest


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------------------------------------------------------- proxy

class ProxyLoop:
    """One asyncio loop, in a daemon thread, for every proxy; the other threads call into it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="proxy-loop", daemon=True)
        self.thread.start()

    def call(self, fn, *args):
        async def run():
            result = fn(*args)
            return await result if asyncio.iscoroutine(result) else result
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(30)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


def _rst(writer):
    """Closes a connection with a TCP RST (SO_LINGER 0), not a FIN."""
    try:
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except (OSError, AttributeError):
        pass
    writer.transport.abort()


class Proxy:
    """A TCP proxy between one instance and PostgreSQL. cut: closes every connection and refuses new ones (the port
    stops listening) until uncut; delay: each chunk waits that long before it is passed on; stall: nothing is passed on
    until then (connections stay open, as in a partition that drops packets); reset: every connection gets an RST, both
    ways."""

    def __init__(self, name, loop, upstream_port):
        self.name, self.loop, self.upstream = name, loop, upstream_port
        self.port = free_port()
        self.server = None
        self.conns = set()
        self.delay = 0.0
        self.stalled_until = 0.0
        self.connections = 0
        self.loop.call(self._listen)

    async def _listen(self):
        for _ in range(200):
            try:
                self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True,
                                                         backlog=256)
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"proxy {self.name}: port {self.port} could not be bound again")

    async def _handle(self, client_reader, client_writer):
        if self.server is None:
            _rst(client_writer)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            _rst(client_writer)
            return
        pair = (client_writer, upstream_writer)
        self.conns.add(pair)
        self.connections += 1
        try:
            await asyncio.gather(self._pump(client_reader, upstream_writer, pair),
                                 self._pump(upstream_reader, client_writer, pair))
        finally:
            self.conns.discard(pair)
            for w in pair:
                w.close()

    async def _pump(self, reader, writer, pair):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                while time.monotonic() < self.stalled_until:
                    await asyncio.sleep(min(0.1, self.stalled_until - time.monotonic()))
                if self.delay > 0:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof() and not writer.is_closing():
                writer.write_eof()
        except (OSError, RuntimeError, asyncio.IncompleteReadError):
            for w in pair:
                w.transport.abort()

    # the controls, called from other threads

    def cut(self):
        def go():
            if self.server is not None:
                self.server.close()
                self.server = None
            for pair in list(self.conns):
                for w in pair:
                    w.close()
            return len(self.conns)
        return self.loop.call(go)

    def uncut(self):
        if self.server is None:
            self.loop.call(self._listen)

    def reset(self):
        def go():
            n = len(self.conns)
            for pair in list(self.conns):
                for w in pair:
                    _rst(w)
            return n
        return self.loop.call(go)

    def set_delay(self, seconds):
        self.delay = seconds

    def stall(self, seconds):
        self.stalled_until = time.monotonic() + seconds

    def heal(self):
        self.delay = 0.0
        self.stalled_until = 0.0
        self.uncut()


# ----------------------------------------------------------------------------------------------------------- the tally

class Tally:
    """What every thread adds to: batches accepted, results read, answers, faults."""

    def __init__(self):
        self.lock = threading.Lock()
        self.batches = {}                    # id -> Record
        self.keys = defaultdict(set)         # Idempotency-Key -> batch ids answered
        self.reads = {}                      # (batch id, task id) -> the result as first read (canonical JSON)
        self.changed = []                    # (batch id, task id, before, after) seen during the run
        self.errors = []                     # every 5xx: (sent, answered, instance, status, method, path, detail)
        self.calls = Counter()               # answers by kind: ok, 503, timeout, connection error, ...
        self.findings = Counter()            # other things worth reporting (not judged)
        self.examples = defaultdict(list)
        self.faults = []                     # the fault log
        self.stream_repeats = 0
        self.stream_gaps = 0
        self.done = Counter()                # material of the checks: re-submits, cancels, redrives, reads

    def note(self, kind, text, n=1):
        text = f"{iso(now())} {text}"
        with self.lock:
            self.findings[kind] += n
            if len(self.examples[kind]) < EXAMPLES:
                self.examples[kind].append(text)
        print(f"[{kind}] {text}", file=sys.stderr, flush=True)

    def remember(self, batch_id, result):
        key = (batch_id, str(result.get("id")))
        text = json.dumps(result, sort_keys=True)
        with self.lock:
            before = self.reads.setdefault(key, text)
            self.done["results read during the run"] += 1
        if before != text:
            with self.lock:
                self.changed.append((batch_id, key[1], before, text))
            print(f"[changed-during-run] batch {batch_id} task {key[1]}: {before} -> {text}", file=sys.stderr,
                  flush=True)

    def forget(self, batch_id, task_ids):
        with self.lock:
            for t in task_ids:
                self.reads.pop((batch_id, t), None)


class Record:
    """A batch a client got an id for."""

    def __init__(self, batch_id, plan, key, client, instance):
        self.id, self.plan, self.key, self.client, self.instance = batch_id, plan, key, client, instance
        self.accepted_at = now()
        self.redriven = False
        self.cancel_answer = None
        self.final = None                     # the client's last status
        self.stuck = False


# --------------------------------------------------------------------------------------------------------- the plans

_SIEVE_LIMIT = 300_001
_SIEVE = bytearray([1]) * _SIEVE_LIMIT
_SIEVE[0:2] = b"\x00\x00"
for _i in range(2, int(_SIEVE_LIMIT ** 0.5) + 1):
    if _SIEVE[_i]:
        _SIEVE[_i * _i::_i] = bytearray(len(range(_i * _i, _SIEVE_LIMIT, _i)))
_PRIMES_BELOW = [0] * _SIEVE_LIMIT
_count = 0
for _i in range(_SIEVE_LIMIT):
    _PRIMES_BELOW[_i] = _count
    _count += _SIEVE[_i]


def sha256_hex(data, rounds):
    digest = data.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class Plan:
    def __init__(self, kind, tasks, options, expected):
        self.kind, self.tasks, self.options, self.expected = kind, tasks, options, expected
        self.body = json.dumps({"tasks": tasks, **options}).encode()
        self.ids = [t["id"] for t in tasks]
        self.check = {}                       # task id -> expected output (CPU tasks)
        self.designed_failures = set()        # task ids meant to fail
        self.cancel_after = None
        self.resubmit = None                  # race, running, finished


def sleeps(rng, n, lo_ms, hi_ms, prefix="s"):
    return [{"id": f"{prefix}{i}", "function": "sleep", "input": {"duration": f"{rng.randint(lo_ms, hi_ms)}ms"}}
            for i in range(n)]


def cpu_tasks(rng, n, plan_check, prefix="c"):
    tasks = []
    for i in range(n):
        tid = f"{prefix}{i}"
        if rng.random() < 0.7:
            limit = rng.randint(20_000, 300_000)
            tasks.append({"id": tid, "function": "primes", "input": {"limit": limit}})
            plan_check[tid] = {"count": _PRIMES_BELOW[limit]}
        else:
            data, rounds = f"chaos-{rng.random()}", rng.randint(1, 2000)
            tasks.append({"id": tid, "function": "sha256", "input": {"data": data, "rounds": rounds}})
            plan_check[tid] = {"hex": sha256_hex(data, rounds)}
    return tasks


KINDS = {"io": 22, "cpu": 13, "mixed": 10, "cancel": 15, "redrive": 15, "failfast": 12, "idempotent": 13}


def make_plan(kind, rng):
    check = {}
    if kind in ("io", "idempotent"):
        n = rng.randint(10, 60)
        tasks = sleeps(rng, n, 10, 300)
        plan = Plan(kind, tasks, {"maxConcurrency": rng.choice([n, 5, 10])}, "SUCCEEDED")
        if kind == "idempotent":
            plan.resubmit = rng.choice(["race", "running", "finished"])
    elif kind == "cpu":
        tasks = cpu_tasks(rng, rng.randint(4, 16), check)
        plan = Plan(kind, tasks, {"cpuBackend": "processes", "chunkSize": rng.choice([0, 1, 4])}, "SUCCEEDED")
    elif kind == "mixed":
        tasks = sleeps(rng, rng.randint(5, 30), 10, 300) + cpu_tasks(rng, rng.randint(2, 8), check)
        rng.shuffle(tasks)
        plan = Plan(kind, tasks, {"cpuBackend": "processes", "maxConcurrency": rng.choice([4, 50])}, "SUCCEEDED")
    elif kind == "cancel":
        tasks = sleeps(rng, rng.randint(20, 60), 300, 3000)
        plan = Plan(kind, tasks, {"maxConcurrency": rng.randint(3, 10)}, "CANCELLED")
        plan.cancel_after = rng.uniform(0.2, 2.0)
    elif kind == "redrive":
        tasks = sleeps(rng, rng.randint(5, 20), 10, 200)
        failing = [{"id": f"t{i}", "function": "sleep", "input": {"duration": "2s"}} for i in range(rng.randint(1, 3))]
        tasks += failing
        rng.shuffle(tasks)
        plan = Plan(kind, tasks, {"taskTimeout": "700ms", "retries": 0, "maxConcurrency": 8}, "FAILED")
        plan.designed_failures = {t["id"] for t in failing}
    elif kind == "failfast":
        tasks = sleeps(rng, rng.randint(20, 40), 100, 600)
        tasks.insert(rng.randint(0, 2), {"id": "f", "function": "sleep", "input": {"duration": "3s"}})
        plan = Plan(kind, tasks, {"failFast": True, "taskTimeout": "1s", "maxConcurrency": 3}, "FAILED")
        plan.designed_failures = {"f"}
    else:
        raise ValueError(kind)
    plan.check = check
    return plan


# ------------------------------------------------------------------------------------------------------ the clients

class GaveUp(Exception):
    pass


class Api:
    """Calls to either instance: a connection error, a timeout or a 5xx sends the call to the other instance after a
    short pause, until GIVE_UP seconds have passed. Every 5xx is recorded with the time and the instance."""

    def __init__(self, run, rng):
        self.run, self.rng = run, rng

    def pick(self, prefer=None):
        if prefer is not None:
            return prefer
        return self.rng.choice(self.run.instances)

    def call(self, method, path, body=None, headers=None, prefer=None, give_up=GIVE_UP, timeout=CALL_TIMEOUT):
        """Answers (status, parsed body, instance) for a 2xx or 4xx answer; raises GaveUp."""
        tally = self.run.tally
        deadline = now() + give_up
        inst = self.pick(prefer)
        pause = 0.2
        while True:
            req = urllib.request.Request(inst.base + path, data=body, method=method, headers=headers or {})
            t = now()
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    data = r.read()
                    tally.calls["ok"] += 1
                    return r.status, (json.loads(data) if data else None), inst
            except urllib.error.HTTPError as e:
                try:
                    detail = e.read(2000).decode(errors="replace")
                except (OSError, http.client.HTTPException):
                    detail = ""
                if e.code < 500:
                    if e.code == 429:
                        tally.calls["429"] += 1
                    else:
                        tally.calls[str(e.code)] += 1
                        try:
                            return e.code, json.loads(detail), inst
                        except ValueError:
                            return e.code, detail, inst
                else:
                    tally.calls[str(e.code)] += 1
                    with tally.lock:
                        tally.errors.append((t, now(), inst.name, e.code, method, path.split("?")[0], detail[:500]))
                    if e.code != 503:
                        print(f"[5xx] {iso(t)} {inst.name} {e.code} {method} {path}: {detail[:300]}",
                              file=sys.stderr, flush=True)
            except (TimeoutError, socket.timeout):
                tally.calls["timeout"] += 1
            except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
                reason = getattr(e, "reason", e)
                tally.calls["timeout" if isinstance(reason, (TimeoutError, socket.timeout))
                            else "connection error"] += 1
            if now() > deadline:
                raise GaveUp(f"{method} {path}: no answer from either instance for {give_up} s")
            time.sleep(pause * (0.5 + self.rng.random()))
            pause = min(pause * 2, 3.0)
            inst = self.run.other(inst)


class Client(threading.Thread):
    def __init__(self, run, number, seed):
        super().__init__(name=f"client-{number}", daemon=True)
        self.run_ctx, self.number = run, number
        self.rng = random.Random(seed)
        self.api = Api(run, self.rng)
        self.count = 0
        self.current = None

    def run(self):
        ctx = self.run_ctx
        kinds, weights = list(KINDS), list(KINDS.values())
        while not ctx.stop_submitting.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            self.count += 1
            try:
                self.batch(kind)
            except GaveUp as e:
                ctx.tally.note("client gave up", f"client {self.number} ({kind}): {e}")
            except Exception:  # noqa: BLE001 - a bug of this script: reported, and the client goes on
                ctx.tally.note("script error", f"client {self.number} ({kind}): {traceback.format_exc()}")
                time.sleep(1)
        self.current = None

    # one batch, from submission to its last read

    def batch(self, kind):
        ctx, tally = self.run_ctx, self.run_ctx.tally
        plan = make_plan(kind, self.rng)
        key = f"chaos-{ctx.seed}-{self.number}-{self.count}"
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if plan.resubmit == "race":
            answers = [None, None]

            def send(i):
                try:
                    answers[i] = self.submit(plan, headers, key, prefer=ctx.instances[i])
                except GaveUp as e:
                    answers[i] = e
            threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for a in answers:
                if isinstance(a, GaveUp):
                    raise a
            batch_id, inst = next((a for a in answers if a[0] is not None), (None, None))
            tally.done["submissions racing on both instances"] += 1
        else:
            batch_id, inst = self.submit(plan, headers, key)
        if batch_id is None:
            return
        rec = Record(batch_id, plan, key, self.number, inst.name)
        with tally.lock:
            tally.batches.setdefault(batch_id, rec)
        self.current = batch_id
        if plan.resubmit == "running":
            time.sleep(self.rng.uniform(0, 1.0))
            self.submit(plan, headers, key, prefer=ctx.other(inst))
            tally.done["resubmits while running"] += 1
        if plan.cancel_after is not None:
            time.sleep(plan.cancel_after)
            status, answer, _ = self.api.call("DELETE", f"/batches/{batch_id}")
            tally.done["cancels"] += 1
            if status != 200:
                tally.note("unexpected answer", f"DELETE /batches/{batch_id}: {status} {str(answer)[:300]}")
            else:
                rec.cancel_answer = answer
        final = self.follow(rec)
        if final is None:
            return
        if plan.resubmit == "finished":
            self.submit(plan, headers, key, prefer=ctx.other(inst))
            tally.done["resubmits after the end"] += 1
        self.judge(rec, final)
        if plan.kind == "redrive" and final["state"] == "FAILED" and final["failed"] > 0:
            self.redrive(rec)

    def submit(self, plan, headers, key, prefer=None):
        """POSTs the batch; answers (batch id, instance that answered), or (None, None) when it was refused."""
        tally = self.run_ctx.tally
        status, answer, inst = self.api.call("POST", "/batches", plan.body, headers, prefer=prefer)
        if status not in (200, 202):
            tally.note("unexpected answer", f"POST /batches ({plan.kind}, key {key}): {status} {str(answer)[:300]}")
            return None, None
        batch_id = answer["id"] if "id" in answer else answer["batch"]["id"]
        with tally.lock:
            tally.keys[key].add(batch_id)
            n = len(tally.keys[key])
        if n > 1:
            tally.note("idempotency", f"key {key} answered batches {sorted(tally.keys[key])}")
        return batch_id, inst

    def follow(self, rec):
        """Waits for the batch to end: half of the time by following its result stream (resumed on the other
        instance with ?after= when it breaks), else by polling its status; then reads every result. Answers the
        final status, or None when the batch did not end within BATCH_DEADLINE."""
        deadline = now() + BATCH_DEADLINE
        if self.rng.random() < 0.5:
            self.stream(rec, deadline)
        while now() < deadline:
            status, answer, _ = self.api.call("GET", f"/batches/{rec.id}")
            if status != 200:
                self.run_ctx.tally.note("unexpected answer", f"GET /batches/{rec.id}: {status} {str(answer)[:300]}")
                return None
            if answer["state"] != "RUNNING":
                rec.final = answer
                self.stream(rec, now() + GIVE_UP, finished=True)
                return answer
            time.sleep(0.5)
        rec.stuck = True
        self.run_ctx.tally.note("batch not ended in time", f"batch {rec.id} ({rec.plan.kind}) still RUNNING after "
                                                           f"{BATCH_DEADLINE} s")
        return None

    def stream(self, rec, deadline, finished=False):
        """Reads GET /batches/{id}/results (completion order) to its end, resuming with ?after= on either instance
        when the stream breaks or goes silent. Every result read is remembered. Counts a task seen twice in the one
        logical stream, and (for a stream of a finished batch) a task missing from it."""
        tally = self.run_ctx.tally
        seen, after, inst = set(), 0, None
        while now() < deadline:
            inst = self.api.pick() if inst is None else self.run_ctx.other(inst)
            url = f"{inst.base}/batches/{rec.id}/results" + (f"?after={after}" if after else "")
            ended = False
            opened = now()
            try:
                with urllib.request.urlopen(url, timeout=STREAM_SILENCE) as r:
                    for raw in ndjson_lines(r):
                        result = json.loads(raw)
                        after = max(after, result.get("seq", after))
                        tid = str(result["id"])
                        if tid in seen:
                            tally.stream_repeats += 1
                            tally.note("stream repeat", f"batch {rec.id} task {tid} twice in one stream "
                                                        f"(from {inst.name}, after={after})")
                        seen.add(tid)
                        tally.remember(rec.id, result)
                    ended = True
            except urllib.error.HTTPError as e:
                if e.code >= 500:
                    tally.calls[str(e.code)] += 1
                    with tally.lock:
                        tally.errors.append((opened, now(), inst.name, e.code, "GET", "/batches/{id}/results",
                                             e.read(500).decode(errors="replace")))
                if e.code == 404:
                    tally.note("unexpected answer", f"GET /batches/{rec.id}/results: 404")
                    return
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
                tally.calls["stream broken"] += 1
            if ended:
                if not finished:
                    try:
                        status, st, answered = self.api.call("GET", f"/batches/{rec.id}", give_up=60)
                    except GaveUp:
                        status, st = None, None
                    if status == 200 and st["state"] == "RUNNING":
                        tally.note("status RUNNING after its stream ended", f"batch {rec.id} ({rec.plan.kind}): a "
                                   f"result stream from {inst.name} ended normally after {len(seen)} results "
                                   f"(after={after}); then {answered.name} answered RUNNING "
                                   f"({st['succeeded']}+{st['failed']}+{st['cancelled']} of {st['total']})")
                if finished:
                    missing = set(map(str, rec.plan.ids)) - seen
                    if missing:
                        tally.stream_gaps += len(missing)
                        tally.note("stream gap", f"batch {rec.id}: {len(missing)} tasks missing from a stream of "
                                                 f"the finished batch, e.g. {sorted(missing)[:5]}")
                return
            time.sleep(0.3)

    def judge(self, rec, final):
        """Outcomes the batch's kind does not explain (reported, not judged: a fault may explain them)."""
        plan, tally = rec.plan, self.run_ctx.tally
        counts = json.dumps({k: final.get(k) for k in ("succeeded", "failed", "cancelled")})
        if plan.kind == "cancel":
            # CANCELLED, or SUCCEEDED when the DELETE came after the end; the DELETE's answer must not contradict it
            answered = (rec.cancel_answer or {}).get("state", "RUNNING")
            if final["state"] not in ("CANCELLED", "SUCCEEDED") or answered not in ("RUNNING", final["state"]):
                tally.note("unexpected outcome", f"batch {rec.id} (cancel): {final['state']} {counts}, the DELETE "
                                                 f"answered {answered}")
        elif final["state"] != plan.expected:
            tally.note("unexpected outcome", f"batch {rec.id} ({plan.kind}): {final['state']} {counts}, expected "
                                             f"{plan.expected}")

    def redrive(self, rec):
        tally = self.run_ctx.tally
        # the redrive replaces the FAILED and CANCELLED results: what was read of them may change
        with tally.lock:
            stale = [t for (b, t), text in tally.reads.items()
                     if b == rec.id and json.loads(text).get("state") != "SUCCEEDED"]
        tally.forget(rec.id, stale)
        rec.redriven = True
        tally.done["redrives"] += 1
        body = json.dumps({"taskTimeout": "10s"}).encode()
        for attempt in range(10):
            status, answer, inst = self.api.call("POST", f"/batches/{rec.id}/redrive", body,
                                                 {"Content-Type": "application/json"})
            if status != 409:
                break
            # 409: the batch runs. Either a redrive sent again after its answer was lost (it runs already), or an
            # instance that still takes the batch for running although a client saw it ended
            _, st, seen_by = self.api.call("GET", f"/batches/{rec.id}")
            if st.get("state") == "RUNNING":
                break
            tally.note("redrive refused (409) for an ended batch", f"batch {rec.id}: {inst.name} answered 409 "
                       f"{str(answer)[:200]}; {seen_by.name} answers {st.get('state')} (attempt {attempt + 1})")
            time.sleep(1)
        if status == 409:
            pass
        elif status != 202:
            tally.note("unexpected answer", f"POST /batches/{rec.id}/redrive: {status} {str(answer)[:300]}")
            return
        final = self.follow(rec)
        if final is not None and final["state"] != "SUCCEEDED":
            tally.note("unexpected outcome", f"batch {rec.id} (redrive): {final['state']} after the redrive, expected "
                                             f"SUCCEEDED")


# ------------------------------------------------------------------------------------------------------- the faults

FAULTS = ["cut", "delay", "stall", "reset", "sigstop", "kill9"]
LEASE_FAULTS = ("cut", "sigstop", "kill9")


class Faults(threading.Thread):
    """One fault at a time, every --fault-every seconds (from one fault's start to the next's, at least a few seconds
    after the last one ended), chosen from a seeded shuffled deck of the kinds so that a short run still sees each."""

    def __init__(self, run, rng, until, every):
        super().__init__(name="faults", daemon=True)
        self.ctx, self.rng, self.until, self.every = run, rng, until, every
        self.stop = threading.Event()
        self.deck = []
        self.first_deck = True
        self.error = None

    def log(self, kind, inst, seconds, detail=""):
        ctx = self.ctx
        entry = {"kind": kind, "instance": inst.name, "at": round(now() - ctx.t0, 1), "start": now(),
                 "seconds": round(seconds, 1), "detail": detail}
        with ctx.tally.lock:
            ctx.tally.faults.append(entry)
        print(f"[fault] +{entry['at']:.0f}s {iso(entry['start'])} {kind} {inst.name} for {seconds:.1f} s {detail}",
              file=sys.stderr, flush=True)
        return entry

    def run(self):
        try:
            next_at = now() + self.rng.uniform(10, 20)
            while not self.stop.wait(max(0.0, next_at - now())):
                if now() >= self.until:
                    return
                if not self.deck:
                    self.deck = FAULTS[:]
                    self.rng.shuffle(self.deck)
                    if self.first_deck:
                        # the faults that outlast the lease come first, so that a short run sees them too
                        self.first_deck = False
                        self.deck.sort(key=lambda k: k in LEASE_FAULTS)
                kind = self.deck.pop()
                started = now()
                self.fault(kind)
                next_at = max(started + self.rng.uniform(*self.every), now() + 5)
        except Exception:  # noqa: BLE001 - reported; the run goes on without faults
            self.error = traceback.format_exc()
            print(f"[fault thread failed] {self.error}", file=sys.stderr, flush=True)

    def fault(self, kind):
        ctx, rng, lease = self.ctx, self.rng, self.ctx.lease
        inst = rng.choice(ctx.instances)
        proxy = ctx.proxies[inst.name]
        if kind == "cut":
            seconds = lease * rng.uniform(1.5, 3.0)
            entry = self.log(kind, inst, seconds)
            entry["connections"] = proxy.cut()
            self.stop.wait(seconds)
            proxy.uncut()
        elif kind == "delay":
            seconds, delay = rng.uniform(10, 30), rng.uniform(0.02, 0.3)
            self.log(kind, inst, seconds, f"{delay * 1000:.0f} ms per chunk")
            proxy.set_delay(delay)
            self.stop.wait(seconds)
            proxy.set_delay(0.0)
        elif kind == "stall":
            seconds = lease * rng.uniform(1.2, 2.5)
            self.log(kind, inst, seconds, "bytes held, connections open")
            proxy.stall(seconds)
            self.stop.wait(seconds)
            proxy.stall(0)
        elif kind == "reset":
            times = rng.randint(1, 3)
            entry = self.log(kind, inst, 0, f"{times} x RST of every connection")
            entry["connections"] = 0
            for i in range(times):
                entry["connections"] += proxy.reset()
                if i + 1 < times:
                    self.stop.wait(rng.uniform(1, 4))
        elif kind == "sigstop":
            owned = {i.name: i.running_batches() or 0 for i in ctx.instances}
            inst = max(ctx.instances, key=lambda i: (owned[i.name], rng.random()))
            seconds = lease * rng.uniform(1.5, 3.0)
            self.log(kind, inst, seconds, f"running batches {owned}")
            inst.pause()
            self.stop.wait(seconds)
            inst.resume()
        elif kind == "kill9":
            down = rng.uniform(1, 8)
            entry = self.log(kind, inst, down, f"running batches {inst.running_batches()}")
            inst.kill()
            self.stop.wait(down)
            entry["restartSeconds"] = round(ctx.start_instance(inst), 1)
            print(f"[fault] {inst.name} ready again after {entry['restartSeconds']} s", file=sys.stderr, flush=True)

    def heal(self):
        for inst in self.ctx.instances:
            self.ctx.proxies[inst.name].heal()
            if inst.alive():
                inst.resume()
            else:
                self.ctx.start_instance(inst)


# ---------------------------------------------------------------------------------------------------------- the run

class Run:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.lease = args.lease
        self.tally = Tally()
        self.instances = []
        self.proxies = {}
        self.stop_submitting = threading.Event()
        self.t0 = now()

    def other(self, inst):
        return self.instances[1] if inst is self.instances[0] else self.instances[0]

    def start_instance(self, inst):
        for attempt in range(3):
            try:
                return inst.start()
            except RuntimeError as e:
                self.tally.note("restart failed", f"{inst.name}: {e}")
                inst.stop()
        raise RuntimeError(f"{inst.name} would not start")


def settings(pg, proxy, lease):
    return ["-Dfanout.store.kind=postgres", f"-Dfanout.store.url=jdbc:postgresql://127.0.0.1:{proxy.port}/postgres",
            "-Dfanout.store.username=fanout", f"-Dfanout.store.lease-duration={lease}s",
            "-Dfanout.processes.workers=1",
            # every batch of the run stays readable until the final check
            "-Dfanout.batch.retention=12h", "-Dfanout.batch.max-retained=10000000",
            "-Dfanout.batch.max-retained-tasks=100000000", "-Dfanout.shutdown.grace-period=5s"]


def progress(run, clients, faults):
    t = run.tally
    with t.lock:
        n = len(t.batches)
        fives = Counter(e[3] for e in t.errors)
    print(f"[progress] +{now() - run.t0:.0f}s: {n} batches accepted, faults {len(t.faults)}, 5xx {dict(fives)}, "
          f"calls {dict(t.calls)}", file=sys.stderr, flush=True)


def wait_none_running(run, deadline):
    """Waits until neither instance lists a RUNNING batch; answers the last count seen."""
    api = Api(run, random.Random(0))
    total = None
    while now() < deadline:
        try:
            status, page, _ = api.call("GET", "/batches?state=RUNNING&limit=1000", give_up=60)
            total = page["total"] if status == 200 else None
        except GaveUp:
            total = None
        if total == 0:
            return 0
        time.sleep(2)
    return total


def final_check(run, pg):
    """Reads every batch once more and counts."""
    t = run.tally
    api = Api(run, random.Random(1))
    counts = Counter()
    ex = defaultdict(list)

    def example(kind, text):
        if len(ex[kind]) < EXAMPLES:
            ex[kind].append(text)

    states = Counter()
    by_kind = defaultdict(Counter)
    tasks = 0
    for batch_id, rec in sorted(t.batches.items()):
        try:
            status, st, _ = api.call("GET", f"/batches/{batch_id}", give_up=120)
            results = read_all(api, batch_id) if status == 200 else None
        except GaveUp as e:
            counts["batchesUnreadable"] += 1
            example("batchesUnreadable", f"batch {batch_id}: {e}")
            continue
        if status != 200:
            counts["tasksLost"] += len(rec.plan.ids)
            counts["batchesMissing"] += 1
            example("tasksLost", f"batch {batch_id} ({rec.plan.kind}): GET answered {status}")
            continue
        states[st["state"]] += 1
        by_kind[rec.plan.kind][st["state"]] += 1
        tasks += len(rec.plan.ids)
        ids = [str(r["id"]) for r in results]
        per_task = Counter(ids)
        twice = [i for i, n in per_task.items() if n > 1]
        if twice:
            counts["resultsStoredTwice"] += sum(per_task[i] - 1 for i in twice)
            example("resultsStoredTwice", f"batch {batch_id} ({rec.plan.kind}): tasks {twice[:5]} more than once")
        unknown = set(ids) - set(map(str, rec.plan.ids))
        if unknown:
            counts["resultsOfUnknownTasks"] += len(unknown)
            example("resultsOfUnknownTasks", f"batch {batch_id}: {sorted(unknown)[:5]}")
        if st["state"] == "RUNNING":
            counts["batchesRunning"] += 1
            example("batchesRunning", f"batch {batch_id} ({rec.plan.kind}) {json.dumps(st)[:300]}")
        else:
            missing = [i for i in map(str, rec.plan.ids) if per_task[i] == 0]
            if missing:
                counts["tasksLost"] += len(missing)
                example("tasksLost", f"batch {batch_id} ({rec.plan.kind}, {st['state']}): {len(missing)} tasks "
                                     f"without a result, e.g. {missing[:5]}")
            n = st["succeeded"] + st["failed"] + st["cancelled"]
            if n != len(results) or st["total"] != len(rec.plan.ids):
                counts["statusMismatch"] += 1
                example("statusMismatch", f"batch {batch_id}: status counts {n} of {st['total']}, "
                                          f"{len(results)} results of {len(rec.plan.ids)} tasks")
        final = {str(r["id"]): json.dumps(r, sort_keys=True) for r in results}
        for tid in map(str, rec.plan.ids):
            before = t.reads.get((batch_id, tid))
            if before is not None and tid in final and final[tid] != before:
                counts["resultsChanged"] += 1
                example("resultsChanged", f"batch {batch_id} task {tid}: read {before}, now {final[tid]}")
            elif before is not None and tid not in final:
                counts["resultsChanged"] += 1
                example("resultsChanged", f"batch {batch_id} task {tid}: read {before}, now absent")
        for r in results:
            expected = rec.plan.check.get(str(r["id"]))
            if expected is not None and r["state"] == "SUCCEEDED" and r["output"] != expected:
                counts["wrongOutputs"] += 1
                example("wrongOutputs", f"batch {batch_id} task {r['id']}: {r['output']}, expected {expected}")
        if rec.plan.kind == "failfast" and st["state"] != "RUNNING":
            failfast_check(run, batch_id, results, counts, example)
    changed_during = len(t.changed)
    for b, tid, before, after in t.changed[:EXAMPLES]:
        example("resultsChanged", f"(during the run) batch {b} task {tid}: read {before}, then {after}")
    counts["resultsChanged"] += changed_during
    # the whole store: batches RUNNING, batches no client was answered with (a second batch for a key, or a
    # submission whose every answer was lost)
    listed = set()
    offset = 0
    while True:
        status, page, _ = api.call("GET", f"/batches?limit=1000&offset={offset}", give_up=120)
        listed.update(b["id"] for b in page["batches"])
        for b in page["batches"]:
            if b["state"] == "RUNNING" and b["id"] not in t.batches:
                counts["batchesRunning"] += 1
                example("batchesRunning", f"batch {b['id']} (no client knows it) {json.dumps(b)[:300]}")
        offset += len(page["batches"])
        if not page["batches"] or offset >= page["total"]:
            break
    orphans = listed - set(t.batches)
    doubles = {k: sorted(v) for k, v in t.keys.items() if len(v) > 1}
    counts["idempotentDoubles"] = len(doubles)
    for k, v in list(doubles.items())[:EXAMPLES]:
        example("idempotentDoubles", f"key {k}: batches {v}")
    db = {}
    try:
        db["byState"] = {s: int(n) for s, n in pg.psql("SELECT state, count(*) FROM fanout_batches GROUP BY state")}
        db["keysWithTwoBatches"] = int(pg.psql(
            "SELECT count(*) FROM (SELECT idempotency_key FROM fanout_batches WHERE idempotency_key IS NOT NULL "
            "GROUP BY idempotency_key HAVING count(*) > 1) k")[0][0])
        db["results"] = int(pg.psql("SELECT count(*) FROM fanout_results")[0][0])
    except Exception as e:  # noqa: BLE001 - a cross-check only
        db["error"] = repr(e)
    return {"counts": counts, "examples": ex, "states": states, "byKind": by_kind, "tasks": tasks,
            "orphans": sorted(orphans), "db": db}


def read_all(api, batch_id):
    deadline = now() + GIVE_UP
    while now() < deadline:
        inst = api.pick()
        try:
            with urllib.request.urlopen(f"{inst.base}/batches/{batch_id}/results", timeout=60) as r:
                return [json.loads(line) for line in ndjson_lines(r)]
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
            time.sleep(1)
    raise GaveUp(f"results of {batch_id}")


def failfast_check(run, batch_id, results, counts, example):
    """A failFast batch stops at its first failure: a task started after that failure's attempt ended (plus
    FAILFAST_SLACK) ran after the stop."""
    failed = [r for r in results if r["state"] == "FAILED" and r.get("startedAt")]
    if not failed:
        return
    run.tally.done["failFast batches checked"] += 1
    trigger = min(failed, key=lambda r: parse_time(r["startedAt"]) + (r.get("durationMs") or 0) / 1000)
    stop_at = parse_time(trigger["startedAt"]) + (trigger.get("durationMs") or 0) / 1000
    for r in results:
        if r is trigger or not r.get("startedAt"):
            continue
        started = parse_time(r["startedAt"])
        if started > stop_at + FAILFAST_SLACK:
            counts["failFastRanAfterStop"] += 1
            faults = [f"{f['kind']} {f['instance']} +{f['at']}s" for f in run.tally.faults
                      if f["start"] <= started and f["start"] + f["seconds"] + 30 >= stop_at]
            example("failFastRanAfterStop", f"batch {batch_id}: task {r['id']} ({r['state']}, {r['backend']}) "
                                            f"started {started - stop_at:.1f} s after task {trigger['id']} failed "
                                            f"({trigger['error']}); faults around: {faults}")


def classify_5xx(run):
    """Every 5xx answer, by whether the instance's database was cut while the call was under way (or within
    CUT_GRACE after the cut)."""
    cuts = [(f["instance"], f["start"], f["start"] + f["seconds"] + CUT_GRACE) for f in run.tally.faults
            if f["kind"] == "cut"]
    during, outside = Counter(), Counter()
    by_fault = defaultdict(Counter)
    ex = {"during": [], "outside": []}
    for t, answered, inst, code, method, path, detail in run.tally.errors:
        in_cut = any(i == inst and a <= answered and t <= b for i, a, b in cuts)
        active = [f"{f['kind']} {f['instance']}" for f in run.tally.faults
                  if f["start"] <= answered and t <= f["start"] + f["seconds"] + CUT_GRACE]
        here = sorted({f.split()[0] for f in active if f.endswith(" " + inst)})
        by_fault["+".join(here) or ("another instance's fault" if active else "no fault")][str(code)] += 1
        (during if in_cut else outside)[code] += 1
        bucket = ex["during" if in_cut else "outside"]
        if len(bucket) < EXAMPLES and (code != 503 or len(bucket) < 5):
            bucket.append(f"{iso(t)} {inst} {code} {method} {path} (faults: {active or 'none'}): {detail[:300]}")
    return during, outside, by_fault, ex


def takeovers(workdir):
    """'batch X resumed' lines per instance log."""
    out = Counter()
    for name in sorted(os.listdir(workdir)):
        if name.endswith(".log") and name[0] in "ab":
            with open(os.path.join(workdir, name), errors="replace") as f:
                out[name] = sum(1 for line in f if " resumed: " in line and "batch " in line)
    return dict(out)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER = re.compile(r"\d+")


def log_summary(workdir, limit=25):
    """The instances' WARN and ERROR lines, counted by what they say (ids and numbers left out), most frequent first,
    each with its first occurrence."""
    seen = {}
    counts = Counter()
    for name in sorted(os.listdir(workdir)):
        if name.endswith(".log") and name[0] in "ab":
            with open(os.path.join(workdir, name), errors="replace") as f:
                for line in f:
                    if " ERROR " in line or " WARN " in line:
                        text = line.rstrip()[24:]
                        pattern = _NUMBER.sub("N", _UUID.sub("<id>", text))[:200]
                        counts[pattern] += 1
                        seen.setdefault(pattern, f"{name}: {line.rstrip()[:400]}")
    return [{"count": n, "pattern": p, "first": seen[p]} for p, n in counts.most_common(limit)]


def write_report(run, args, report):
    with open(os.path.join(RESULTS, "chaos-latest.json"), "w") as f:
        json.dump(report, f, indent=2, default=str)
    c = report["counts"]
    lines = [f"# Chaos run, {report['finishedAt']}", "",
             f"`bench/chaos --minutes {args.minutes:g} --seed {args.seed} --clients {args.clients}` "
             f"(lease {args.lease:g} s, faults every {args.fault_every[0]:g}-{args.fault_every[1]:g} s), "
             f"{report['machine']}.", "",
             "| must be 0 | count |", "|---|---|"]
    for k, label in JUDGED:
        lines.append(f"| {label} | {c.get(k, 0)} |")
    lines += ["", f"Verdict: **{'PASS' if report['pass'] else 'FAIL'}**.", "",
              "| figure | value |", "|---|---|",
              f"| batches accepted | {report['batches']} ({json.dumps(report['batchesByKind'])}) |",
              f"| tasks | {report['tasks']} |",
              f"| final states | {json.dumps(report['finalStates'])} |",
              f"| faults | {len(report['faults'])} ({json.dumps(report['faultsByKind'])}) |",
              f"| 5xx during a cut | {json.dumps(report['fiveXX']['duringCut'])} |",
              f"| 5xx outside a cut | {json.dumps(report['fiveXX']['outsideCut'])} |",
              f"| 5xx by the fault on the instance then | {json.dumps(report['fiveXX']['byFaultOnTheInstance'])} |",
              f"| what the checks had | {json.dumps(report['checked'])} |",
              f"| calls | {json.dumps(report['calls'])} |",
              f"| takeovers ('resumed' log lines) | {json.dumps(report['takeovers'])} |",
              f"| other findings (not judged) | {json.dumps(report['findings'])} |",
              f"| batches no client was answered with | {len(report['orphans'])} |",
              f"| seconds: load / settle / check | {report['seconds']['load']} / {report['seconds']['settle']} / "
              f"{report['seconds']['check']} |", "",
              "## Faults", "", "| at (s) | kind | instance | seconds | detail |", "|---|---|---|---|---|"]
    for fl in report["faults"]:
        detail = fl.get("detail", "")
        if "restartSeconds" in fl:
            detail += f"; started again, ready in {fl['restartSeconds']} s"
        if "connections" in fl:
            detail += f"; {fl['connections']} connections closed"
        lines.append(f"| {fl['at']} | {fl['kind']} | {fl['instance']} | {fl['seconds']} | {detail.strip('; ')} |")
    if report["logWarnings"]:
        lines += ["", "## The instances' WARN and ERROR lines", "", "| count | what (ids and numbers left out) |",
                  "|---|---|"]
        for w in report["logWarnings"][:15]:
            lines.append(f"| {w['count']} | `{w['pattern'][:180].replace('|', '/')}` |")
    if report["examples"]:
        lines += ["", "## Examples", ""]
        for kind, texts in report["examples"].items():
            for text in texts[:5]:
                lines.append(f"- {kind}: `{text[:400]}`")
    with open(os.path.join(RESULTS, "chaos-latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return "\n".join(lines)


JUDGED = [("tasksLost", "tasks lost (no result, or a batch gone)"),
          ("resultsStoredTwice", "results stored twice"),
          ("resultsChanged", "results changed after being read"),
          ("batchesRunning", "batches left RUNNING at the end"),
          ("fiveXXDuringCut", "5xx other than 503 during a cut"),
          ("fiveXXOutsideCut", "5xx other than 503 outside a cut"),
          ("failFastRanAfterStop", "failFast tasks started after the stop"),
          ("idempotentDoubles", "idempotent re-submits answered with a second batch")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--lease", type=float, default=6, help="fanout.store.lease-duration in seconds (6)")
    ap.add_argument("--fault-every", type=float, nargs=2, default=(20, 60), metavar=("MIN", "MAX"))
    ap.add_argument("--settle", type=float, default=600, help="seconds the end may take to settle (600)")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 1_000_000)
    if not os.path.exists(os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")):
        raise SystemExit("package the service first (bench/chaos does)")
    print(f"chaos: --minutes {args.minutes:g} --seed {args.seed} --clients {args.clients}; logs in {WORKDIR}",
          file=sys.stderr, flush=True)
    shutil.rmtree(WORKDIR, ignore_errors=True)
    os.makedirs(WORKDIR)
    os.chmod(WORKDIR, 0o755)
    jar = copy_app(WORKDIR)
    run = Run(args)
    loop = ProxyLoop()
    pg = Postgres(WORKDIR)
    faults = None
    clients = []
    try:
        pg.start()
        for name in ("a", "b"):
            run.proxies[name] = Proxy(name, loop, pg.port)
            run.instances.append(Instance(name, WORKDIR, settings(pg, run.proxies[name], args.lease), jar=jar))
        for inst in run.instances:
            print(f"chaos: {inst.name} ready in {inst.start():.1f} s (port {inst.port}, database through proxy "
                  f"{run.proxies[inst.name].port})", file=sys.stderr, flush=True)
        run.t0 = now()
        until = run.t0 + args.minutes * 60
        rng = random.Random(args.seed)
        faults = Faults(run, random.Random(rng.random()), until, args.fault_every)
        clients = [Client(run, k, rng.random()) for k in range(args.clients)]
        faults.start()
        for c in clients:
            c.start()
        next_progress = now() + 30
        while now() < until:
            time.sleep(min(1.0, max(0.0, until - now())))
            if now() >= next_progress:
                progress(run, clients, faults)
                next_progress += 30
        # the end: no more faults, everything healed, the clients finish the batch in hand
        faults.stop.set()
        faults.join(120)
        faults.heal()
        run.stop_submitting.set()
        load_end = now()
        settle_deadline = load_end + args.settle
        print("chaos: faults stopped and healed; waiting for the clients' last batches", file=sys.stderr, flush=True)
        for c in clients:
            c.join(max(1.0, settle_deadline - now()))
        still = [c.name for c in clients if c.is_alive()]
        if still:
            run.tally.note("clients still busy at the deadline", ", ".join(still))
        running = wait_none_running(run, settle_deadline)
        settle_end = now()
        print(f"chaos: settled in {settle_end - load_end:.0f} s (RUNNING listed: {running}); checking every batch",
              file=sys.stderr, flush=True)
        check = final_check(run, pg)
        check_end = now()
        counts = check["counts"]
        during, outside, by_fault, ex5 = classify_5xx(run)
        counts["fiveXXDuringCut"] = sum(n for code, n in during.items() if code != 503)
        counts["fiveXXOutsideCut"] = sum(n for code, n in outside.items() if code != 503)
        examples = {k: v for k, v in check["examples"].items() if v}
        if ex5["during"]:
            examples["5xx during a cut"] = ex5["during"]
        if ex5["outside"]:
            examples["5xx outside a cut"] = ex5["outside"]
        for kind, texts in run.tally.examples.items():
            examples.setdefault(kind, texts)
        findings = dict(run.tally.findings)
        findings.update({"streamRepeats": run.tally.stream_repeats, "streamGaps": run.tally.stream_gaps,
                         "statusMismatch": counts.get("statusMismatch", 0),
                         "wrongOutputs": counts.get("wrongOutputs", 0),
                         "resultsOfUnknownTasks": counts.get("resultsOfUnknownTasks", 0),
                         "batchesMissing": counts.get("batchesMissing", 0),
                         "batchesUnreadable": counts.get("batchesUnreadable", 0)})
        findings = {k: v for k, v in findings.items() if v}
        passed = all(counts.get(k, 0) == 0 for k, _ in JUDGED)
        report = {
            "finishedAt": iso(now()), "pass": passed,
            "settings": {"minutes": args.minutes, "seed": args.seed, "clients": args.clients, "lease": args.lease,
                         "faultEvery": list(args.fault_every), "settle": args.settle,
                         "instanceSettings": run.instances[0].settings[3:]},
            "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
            "counts": {k: counts.get(k, 0) for k, _ in JUDGED},
            "batches": len(run.tally.batches),
            "batchesByKind": dict(Counter(r.plan.kind for r in run.tally.batches.values())),
            "finalStatesByKind": {k: dict(v) for k, v in check["byKind"].items()},
            "tasks": check["tasks"], "finalStates": dict(check["states"]),
            "faults": run.tally.faults, "faultsByKind": dict(Counter(f["kind"] for f in run.tally.faults)),
            "faultThreadError": faults.error,
            "fiveXX": {"duringCut": {str(k): v for k, v in during.items()},
                       "outsideCut": {str(k): v for k, v in outside.items()},
                       "byFaultOnTheInstance": {k: dict(v) for k, v in by_fault.items()}},
            "calls": dict(run.tally.calls), "findings": findings,
            "orphans": check["orphans"], "db": check["db"],
            "takeovers": takeovers(WORKDIR),
            "logWarnings": log_summary(WORKDIR),
            "checked": dict(run.tally.done),
            "seconds": {"load": round(load_end - run.t0), "settle": round(settle_end - load_end),
                        "check": round(check_end - settle_end)},
            "examples": examples, "logs": WORKDIR,
        }
        print(write_report(run, args, report))
        print(f"\nlogs: {WORKDIR}; results: bench/results/chaos-latest.md and .json", flush=True)
        return 0 if passed else 1
    finally:
        run.stop_submitting.set()
        if faults is not None:
            faults.stop.set()
        for inst in run.instances:
            inst.stop()
        pg.stop()
        loop.close()
        shutil.rmtree(os.path.join(WORKDIR, "quarkus-app"), ignore_errors=True)
        shutil.rmtree(os.path.join(WORKDIR, "pg", "data"), ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("chaos: interrupted; everything it started is stopped", file=sys.stderr)
        sys.exit(130)
