"""The REST calls of the load test (urllib, one connection per call, as a plain client makes them) and the result
streams, read line by line as they arrive."""
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

CALL_TIMEOUT = 60     # seconds for a plain call; every batch of the load finishes well within it
STREAM_SILENCE = 60   # seconds without a byte after which a result stream counts as hung


class ApiError(Exception):
    """A call that failed: an HTTP error status (with the problem's detail) or no answer at all."""


def _call(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=CALL_TIMEOUT) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise ApiError(f"{method} {urllib.parse.urlsplit(url).path}: HTTP {e.code} {_detail(e)}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise ApiError(f"{method} {urllib.parse.urlsplit(url).path}: {e!r}") from None


def _detail(error):
    try:
        body = error.read(2000).decode(errors="replace")
        return json.loads(body).get("detail", body)
    except (ValueError, AttributeError, OSError):
        return ""


def _query_value(value):
    return json.dumps(value) if isinstance(value, bool) else str(value)


def submit(base, plan):
    """POST the plan's batch: one JSON document with the options inside, or NDJSON with the options as query
    parameters. Answers (HTTP status, body): 202 and the status, or 200 and {batch, results} for a finished ?wait."""
    tasks = plan.tasks if plan.send_ids else [{k: v for k, v in t.items() if k != "id"} for t in plan.tasks]
    query = {}
    if plan.ndjson:
        body = "".join(json.dumps(t) + "\n" for t in tasks).encode()
        content_type = "application/x-ndjson"
        query.update({k: _query_value(v) for k, v in plan.options.items()})
    else:
        body = json.dumps({"tasks": tasks, **plan.options}).encode()
        content_type = "application/json"
    if plan.wait:
        query["wait"] = plan.wait
    url = base + "/batches" + ("?" + urllib.parse.urlencode(query) if query else "")
    return _call("POST", url, body, {"Content-Type": content_type})


def status(base, batch_id):
    return _call("GET", f"{base}/batches/{batch_id}")[1]


def cancel(base, batch_id):
    return _call("DELETE", f"{base}/batches/{batch_id}")[1]


def metrics(management, prefixes):
    """The Prometheus samples whose line starts with one of the prefixes: {"name{labels}": value}. `management` is the
    service's management interface (its own port: /q/metrics is not on the API's)."""
    try:
        with urllib.request.urlopen(management + "/q/metrics", timeout=CALL_TIMEOUT) as r:
            text = r.read().decode()
    except (urllib.error.URLError, OSError) as e:
        return {"error": repr(e)}
    samples = {}
    for line in text.splitlines():
        if line.startswith(prefixes):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


# ---- result streams ----

@dataclass
class Stream:
    """What one reader of GET /batches/{id}/results saw."""
    kind: str                      # "ndjson" (completion order), "ndjson-input" (?order=input), "sse", "*-drop"
    results: list = field(default_factory=list)
    ended: bool = False            # the stream ended as the API says it does: end of body, or an SSE `event: end`
    error: str = None              # why it did not
    sse_ids: list = field(default_factory=list)   # ids of result events, once the service sends them
    end_status: dict = None        # the data of an SSE `event: end`: the batch's final status
    strays: list = field(default_factory=list)    # lines or events that are not results
    ended_at: float = None         # time.monotonic() at the end (or the error)


def read_stream(base, batch_id, kind, hang_up_after=1):
    """Reads one result stream to its end. kind: "ndjson", "ndjson-input", "sse", or "ndjson-drop" / "sse-drop": a
    client that hangs up after `hang_up_after` results, which the service must survive without leaking."""
    sse = kind.startswith("sse")
    drop = kind.endswith("-drop")
    stream = Stream(kind)
    url = f"{base}/batches/{batch_id}/results" + ("?order=input" if kind == "ndjson-input" else "")
    req = urllib.request.Request(url, headers={"Accept": "text/event-stream" if sse else "application/x-ndjson"})
    try:
        with urllib.request.urlopen(req, timeout=STREAM_SILENCE) as r:
            items = _sse_results(r, stream) if sse else _ndjson_results(r, stream)
            for result in items:
                stream.results.append(result)
                if drop and len(stream.results) >= hang_up_after:
                    break
            else:
                stream.ended = True
    except urllib.error.HTTPError as e:
        stream.error = f"HTTP {e.code} {_detail(e)}"
    except socket.timeout:
        stream.error = f"no data for {STREAM_SILENCE} s (hung)"
    except (urllib.error.URLError, OSError, ValueError) as e:   # http.client.IncompleteRead: a cut chunked body
        stream.error = repr(e)
    stream.ended_at = time.monotonic()
    return stream


def _ndjson_results(response, stream):
    """One result per line; blank lines are skipped, anything that is not a result object is a stray."""
    for line in response:
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if isinstance(item, dict) and "id" in item and "state" in item:
            seq = item.pop("seq", None)    # the line's place in the stream: checked like an SSE id, not a result field
            if seq is not None:
                stream.sse_ids.append(str(seq))
            yield item
        else:
            stream.strays.append(line[:200].decode(errors="replace"))


def _sse_results(response, stream):
    """The results of a text/event-stream, read robustly: today one `data:` line per result and the end of the body
    at the end; later also `id:` lines (a per-batch sequence number) and a final `event: end` whose data is the
    batch status. Unknown fields and events are ignored; `event: end` is the end."""
    for event, data, event_id in sse_events(response):
        if event == "end":
            stream.end_status = _json_or_none(data)
            return
        if event != "message":
            continue                       # an event of a kind this reader does not know
        item = _json_or_none(data)
        if isinstance(item, dict) and "id" in item and "state" in item:
            if event_id is not None:
                stream.sse_ids.append(event_id)
            yield item
        else:
            stream.strays.append(data[:200])


def _json_or_none(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def sse_events(lines):
    """(event type, data, id) per event, after the WHATWG rules that matter here: `field: value` lines (one space
    after the colon dropped), several `data:` lines joined with newlines, lines starting with ':' are comments,
    unknown fields ignored, a blank line ends an event. An event cut off by the end of the body is not delivered (as
    in a browser). `id` is the id given in the event itself, None when it gave none."""
    event, data, event_id = None, [], None
    for raw in lines:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data or event is not None:
                yield event or "message", "\n".join(data), event_id
            event, data, event_id = None, [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            event_id = value
