// Server-sent events read with fetch, not EventSource: EventSource cannot send the Authorization header, and a key
// in the URL would end up in logs. The same wire format: "event:", "id:", "data:" lines, a blank line per event.

/**
 * Opens a stream and calls onEvent({event, id, data}) for each event. A dropped connection is opened again after a
 * second with Last-Event-ID (the last id seen), as EventSource does; the stream's normal end calls onEnd() once.
 * Returns a function that closes it.
 *
 * @param open (lastEventId) => Promise<Response>: the request, made again on each reconnect
 */
export function follow(open, { onEvent, onEnd = () => {}, onError = () => {}, onState = () => {} }) {
  const controller = new AbortController();
  let lastId = null;
  let closed = false;

  async function run() {
    while (!closed) {
      try {
        const response = await open(lastId, controller.signal);
        if (response.status === 204) { onEnd(); return; }  // nothing more to send
        if (!response.ok) { onError(response); return; }
        onState(true);
        await read(response.body, (e) => {
          if (e.id !== undefined) lastId = e.id;
          onEvent(e);
        });
        onState(false);
        if (!closed) onEnd();
        return;
      } catch (err) {
        onState(false);
        if (closed || err.name === 'AbortError') return;
        await new Promise((r) => setTimeout(r, 1000));  // the service restarts or the network blinks: try again
      }
    }
  }
  run();
  return () => { closed = true; controller.abort(); };
}

/** Reads an event stream body to its end, calling dispatch for each complete event. */
async function read(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = {};
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) dispatch({ event: event.event || 'message', id: event.id, data: data.join('\n') });
        event = {};
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;  // a comment: keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(text);
      else if (field === 'event') event.event = text;
      else if (field === 'id') event.id = text;
    }
  }
}
