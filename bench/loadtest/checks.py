"""Judges one batch from what its readers streamed: exactly one result per submitted task in every stream that
ended, every result explained by the batch's shape, and every other view of the batch (the final GET, the ?wait
answer, the DELETE answer, an SSE `event: end`) agreeing with the streams.

A finding is ("lost", text, n), ("duplicated", text, n) or ("unexplained", text, 1); n counts tasks. Lost and
duplicated are counted per stream: two readers of one batch are two chances to see a task go missing.
"""
from collections import Counter
from dataclasses import dataclass, field

FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
CANCEL_LATENCY = 5.0   # seconds from the DELETE's answer to the end of the streams (the cancel is synchronous)
COUNT_FIELDS = ("state", "total", "pending", "running", "succeeded", "failed", "cancelled")


@dataclass
class Verdict:
    findings: list = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)   # "SUCCEEDED", "FAILED:TIMEOUT", "CANCELLED", ...

    def add(self, kind, text, n=1):
        self.findings.append((kind, text, n))

    def count(self, kind):
        return sum(n for k, _, n in self.findings if k == kind)


@dataclass
class Observed:
    """Everything a client saw of one batch besides its streams."""
    batch_id: str = None
    final: dict = None            # GET /batches/{id} once the streams ended
    wait_status: int = None       # the POST's status when it asked ?wait=
    wait_answer: dict = None      # its body
    delete_answer: dict = None    # the DELETE's body, for a cancelled batch
    delete_at: float = None       # time.monotonic() when the DELETE answered


def check_batch(plan, streams, seen):
    v = Verdict()
    for s in streams:
        if s.kind.endswith("-drop"):
            if s.error:
                v.add("unexplained", f"{s.kind} reader: {s.error}")
        else:
            _check_stream(plan, s, seen, v)
    complete = [s for s in streams if s.ended and not s.kind.endswith("-drop")]
    if not complete:
        return v
    reference = {r["id"]: r for r in complete[0].results}
    v.outcomes.update(_outcome(r) for r in reference.values())
    for s in complete[1:]:
        differ = [r["id"] for r in s.results if reference.get(r["id"]) != r]
        if differ:
            v.add("unexplained", f"{s.kind} reader saw other results than the {complete[0].kind} reader for "
                                 f"{len(differ)} tasks, e.g. {reference.get(differ[0])} vs {_find(s, differ[0])}")
    _check_final(plan, reference, seen, v)
    for s in complete:
        if s.end_status is not None and _counts(s.end_status) != _counts(seen.final):
            v.add("unexplained", f"SSE end event {s.end_status} differs from the final GET {seen.final}")
    _check_wait(plan, reference, seen, v)
    return v


def _outcome(result):
    error = result.get("error") or {}
    return result["state"] + (f":{error.get('type')}" if result["state"] == "FAILED" else "")


def _find(stream, task_id):
    return next((r for r in stream.results if r["id"] == task_id), None)


def _check_stream(plan, s, seen, v):
    counts = Counter(r["id"] for r in s.results)
    twice = {i: c for i, c in counts.items() if c > 1}
    if twice:
        v.add("duplicated", f"{s.kind} stream repeated {len(twice)} task ids, e.g. {_first(twice)}",
              sum(c - 1 for c in twice.values()))
    unknown = [i for i in counts if i not in plan.expect]
    if unknown:
        v.add("unexplained", f"{s.kind} stream has {len(unknown)} results of tasks never submitted, e.g. {unknown[:3]}")
    if s.error or not s.ended:
        v.add("unexplained", f"{s.kind} stream broke after {len(s.results)} of {len(plan.tasks)} results: {s.error}")
    else:
        lost = [i for i in plan.ids if i not in counts]
        if lost:
            v.add("lost", f"{s.kind} stream ended without {len(lost)} of {len(plan.tasks)} tasks, e.g. {lost[:3]}",
                  len(lost))
    if s.kind == "ndjson-input" and [r["id"] for r in s.results] != plan.ids[:len(s.results)]:
        v.add("unexplained", f"ndjson-input stream not in input order: {[r['id'] for r in s.results][:5]}...")
    for r in s.results:
        reason = explain(plan, r)
        if reason:
            v.add("unexplained", f"task {r['id']} ({_describe(plan, r['id'])}): {reason}")
    for stray in s.strays[:1]:
        v.add("unexplained", f"{s.kind} stream carried {len(s.strays)} items that are not results, e.g. {stray!r}")
    _check_sse_ids(s, v)
    if seen.delete_at is not None and s.ended_at - seen.delete_at > CANCEL_LATENCY:
        v.add("unexplained", f"{s.kind} stream ended {s.ended_at - seen.delete_at:.1f} s after the DELETE answered")


def _first(mapping):
    return dict(list(mapping.items())[:3])


def _describe(plan, task_id):
    task = next((t for t in plan.tasks if t["id"] == task_id), {})
    return f"{task.get('function')} {task.get('input')}, designed {plan.expect[task_id].outcome}"


def explain(plan, r):
    """None when the result is one the batch's shape allows; otherwise why not."""
    expect = plan.expect.get(r["id"])
    if expect is None:
        return None   # reported once per stream as never submitted
    state, error = r.get("state"), r.get("error") or {}
    kind = error.get("type")
    got = state + (f" {kind}: {str(error.get('message'))[:200]}" if kind else "")
    if state == "CANCELLED":
        if kind != "CANCELLED":
            return f"state CANCELLED with error type {kind}"
        return None if plan.may_cancel else f"{got}, but nobody cancelled the batch and it has no failFast"
    if expect.outcome == "ok":
        if state != "SUCCEEDED":
            return f"expected SUCCEEDED, got {got}"
        if expect.output != r.get("output"):  # expected first: its AtLeast values compare themselves
            return f"wrong output {r.get('output')!r}, expected {expect.output!r}"
        if r.get("attempts") != 1:
            return f"SUCCEEDED after {r.get('attempts')} attempts, expected 1"
        return None
    if state != "FAILED" or kind != expect.outcome:
        return f"expected FAILED {expect.outcome}, got {got}"
    attempts = r.get("attempts")
    # a stop (cancel, failFast) ends a retriable failure at once, so a stopped batch may show fewer attempts
    if attempts != expect.attempts and not (plan.may_cancel and 1 <= attempts <= expect.attempts):
        return f"{kind} after {attempts} attempts, expected {expect.attempts}"
    return None


def _check_sse_ids(s, v):
    """Once the service numbers its events, each batch's sequence goes up by one with no gap."""
    if not s.sse_ids:
        return
    try:
        numbers = [int(i) for i in s.sse_ids]
    except ValueError:
        v.add("unexplained", f"SSE ids that are not sequence numbers: {s.sse_ids[:3]}")
        return
    gaps = [(a, b) for a, b in zip(numbers, numbers[1:]) if b != a + 1]
    if gaps or len(numbers) != len(s.results):
        v.add("unexplained", f"SSE ids not consecutive ({len(numbers)} ids for {len(s.results)} results), "
                             f"e.g. {gaps[:3]}")


def _counts(status):
    return {k: status.get(k) for k in COUNT_FIELDS}


def _check_final(plan, reference, seen, v):
    final = seen.final
    states = Counter(r["state"] for r in reference.values())
    want = {"total": len(plan.tasks), "pending": 0, "running": 0, "succeeded": states["SUCCEEDED"],
            "failed": states["FAILED"], "cancelled": states["CANCELLED"]}
    differ = {k: (final.get(k), w) for k, w in want.items() if final.get(k) != w}
    if differ:
        v.add("unexplained", f"final GET disagrees with the stream (GET, stream): {differ}")
    expected = _expected_state(plan, states, seen)
    if expected and final.get("state") != expected:
        v.add("unexplained", f"final state {final.get('state')}, expected {expected} (results {dict(states)})")
    if plan.options.get("failFast") and states["CANCELLED"] and not states["FAILED"]:
        v.add("unexplained", f"failFast batch cancelled {states['CANCELLED']} tasks without any failure")
    delete = seen.delete_answer
    if delete and delete.get("state") in FINAL_STATES and _counts(delete) != _counts(final):
        v.add("unexplained", f"DELETE answered a final status {_counts(delete)} that differs from the final GET "
                             f"{_counts(final)}")


def _expected_state(plan, states, seen):
    if plan.cancel_after is not None:
        if seen.delete_answer is None:
            return None                           # the DELETE failed; reported where it failed
        if seen.delete_answer.get("state") in ("RUNNING", "CANCELLED"):
            return "CANCELLED"                     # it arrived before the batch finished
        return seen.delete_answer.get("state")    # the batch had finished first
    return "SUCCEEDED" if states["FAILED"] == states["CANCELLED"] == 0 else "FAILED"


def _check_wait(plan, reference, seen, v):
    if seen.wait_status != 200:
        return
    results = seen.wait_answer.get("results", [])
    ids = [r.get("id") for r in results]
    if ids != plan.ids:
        missing, extra = set(plan.ids) - set(ids), len(ids) - len(set(ids))
        v.add("unexplained", f"?wait answer has {len(ids)} results for {len(plan.tasks)} tasks (not in input order, "
                             f"or missing {sorted(missing)[:3]}, or {extra} repeated)")
    differ = [r.get("id") for r in results if reference.get(r.get("id")) != r]
    if differ:
        v.add("unexplained", f"?wait answer and stream differ for {len(differ)} tasks, e.g. "
                             f"{_find_wait(results, differ[0])} vs {reference.get(differ[0])}")
    if seen.wait_answer.get("batch") != seen.final:
        v.add("unexplained", f"?wait answer's batch {seen.wait_answer.get('batch')} differs from the final GET "
                             f"{seen.final}")


def _find_wait(results, task_id):
    return next((r for r in results if r.get("id") == task_id), None)
