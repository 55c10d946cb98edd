// The dashboard: three pages (batches, one batch, functions) over the public API, live through its event streams.
import { follow } from './sse.js';
import * as charts from './charts.js';

const KEY = 'fanout.apiKey';
const RESULT_ROWS = 100;
const main = document.getElementById('main');
let closers = [];  // what the current page opened: closed when the page changes

// ---- the API, with the key the user typed (kept in sessionStorage: this tab only) ----

const storedKey = () => sessionStorage.getItem(KEY);

function headers(extra = {}, key = storedKey()) {
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

// 401 (no key, or a key not or no longer accepted); 403 is what the service answered to a wrong key before keys had
// names, and is still taken as a refusal of the key
const refused = (response) => response.status === 401 || response.status === 403;

let keyPrompt = null;

/**
 * Asks for a key (once, however many requests were refused) and resolves when one is given.
 *
 * @param sent the key the refused request carried: the status no longer tells "no key" from "a key not accepted"
 *             (both are 401), what was sent does
 */
function askKey(sent) {
  if (!keyPrompt) {
    keyPrompt = new Promise((resolve) => {
      const dialog = document.getElementById('key-dialog');
      document.getElementById('key-reason').textContent = sent
        ? 'The service did not accept this key (mistyped, or removed or replaced on the service). Enter another one.'
        : 'This service needs an API key.';
      const input = document.getElementById('key-input');
      input.value = '';
      dialog.addEventListener('close', () => {
        sessionStorage.setItem(KEY, input.value.trim());
        document.getElementById('forget-key').hidden = false;
        keyPrompt = null;
        resolve();
      }, { once: true });
      dialog.showModal();
    });
  }
  return keyPrompt;
}

async function api(path, options = {}) {
  const key = storedKey();
  const response = await fetch(path, { ...options, headers: headers(options.headers, key) });
  if (refused(response)) {
    await askKey(key);
    return api(path, options);
  }
  return response;
}

/** The problem's detail (problem+json), or the status line; and when to try again, when the answer says (429, 503). */
async function problem(response) {
  let text;
  try {
    const p = await response.json();
    text = p.detail || p.title || `${response.status}`;
  } catch {
    text = `${response.status} ${response.statusText}`;
  }
  const seconds = retryAfter(response);
  // a quota's detail says when already ("retry after N s"): said once is enough
  return seconds == null || /retry after \d+ s/.test(text) ? text : `${text} (retry in ${seconds} s)`;
}

/** Retry-After in seconds (the header is seconds, or an HTTP date); null without one. */
function retryAfter(response) {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isNaN(seconds) ? null : Math.max(0, seconds);
}

function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
}

let liveStreams = 0;
function liveState(on) {
  liveStreams += on ? 1 : -1;
  document.getElementById('live').classList.toggle('on', liveStreams > 0);
}

/**
 * Follows an event stream of the API; a refused key asks for another and opens it again. Any other refusal goes to
 * onProblem(response), by default a toast of the problem.
 */
function stream(path, { onProblem = async (response) => toast(await problem(response)), ...handlers }) {
  let connected = false;
  let open = true;
  let sent = null;
  const close = follow((lastId, signal) => {
    sent = storedKey();
    return fetch(path, {
      signal,
      headers: headers({ Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) }, sent),
    });
  }, {
    ...handlers,
    onState: (on) => { if (on !== connected) { connected = on; liveState(on); } },
    onError: async (response) => {
      if (!open) return;  // an answer that came in as the page closed the stream: no longer this page's business
      if (refused(response)) {
        await askKey(sent);
        route();
      } else {
        onProblem(response);
      }
    },
  });
  const closer = () => { open = false; if (connected) { connected = false; liveState(false); } close(); };
  closers.push(closer);
  return closer;
}

/** Closes what the current page opened. */
function closePage() {
  closers.forEach((close) => close());
  closers = [];
}

// ---- formatting ----

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const num = (n) => (n ?? 0).toLocaleString('en-US');
const done = (b) => b.succeeded + b.failed + b.cancelled;
const pct = (b) => (b.total ? Math.floor(done(b) * 100 / b.total) : 100);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
const badge = (state) => `<span class="badge ${esc(state)}" data-state>${esc(state)}</span>`;

function elapsed(b) {
  const end = b.finishedAt ? Date.parse(b.finishedAt) : Date.now();
  return charts.formatMs(Math.max(0, end - Date.parse(b.createdAt)));
}

function bar(b, big = false) {
  const w = (n) => (b.total ? (n * 100 / b.total).toFixed(2) : 0);
  return `<div class="bar${big ? ' big' : ''}" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct(b)}">`
    + `<span class="s" style="width:${w(b.succeeded)}%"></span><span class="f" style="width:${w(b.failed)}%"></span>`
    + `<span class="c" style="width:${w(b.cancelled)}%"></span></div>`
    + `<span class="bar-label" data-progress>${num(done(b))} / ${num(b.total)} (${pct(b)}%)</span>`;
}

// ---- pages ----

function batchesPage() {
  main.innerHTML = `
    <h1>Batches <span class="muted" id="batch-count"></span></h1>
    <div class="toolbar">
      <label>State <select id="state-filter">
        <option value="">all</option><option>RUNNING</option><option>SUCCEEDED</option>
        <option>FAILED</option><option>CANCELLED</option></select></label>
    </div>
    <div class="table-wrap"><table id="batches">
      <thead>${batchesHeader(false)}</thead>
      <tbody><tr><td colspan="8" class="empty">loading</td></tr></tbody></table></div>`;
  const select = document.getElementById('state-filter');
  let close = null;
  const open = () => {
    if (close) close();
    const state = select.value ? `&state=${select.value}` : '';
    close = stream(`/batches?limit=50${state}`, {
      onEvent: (e) => { if (e.event === 'batches') showBatches(JSON.parse(e.data)); },
    });
  };
  select.addEventListener('change', open);
  open();
}

function batchesHeader(owners) {
  return `<tr><th>Batch</th>${owners ? '<th>Owner</th>' : ''}<th>State</th><th>Progress</th><th class="num">Succeeded</th>
    <th class="num">Failed</th><th class="num">Cancelled</th><th>Created</th><th class="num">Took</th></tr>`;
}

function showBatches(page) {
  document.getElementById('batch-count').textContent = page.total > page.batches.length
    ? `(latest ${page.batches.length} of ${num(page.total)})` : `(${num(page.total)})`;
  // the name of the key each batch belongs to, once batches have one (keys with names; an admin's key sees several);
  // with authentication off every batch is 'anonymous's: no column for that
  const owners = page.batches.some((b) => b.owner && b.owner !== 'anonymous');
  document.querySelector('#batches thead').innerHTML = batchesHeader(owners);
  const rows = page.batches.map((b) => `
    <tr data-batch="${esc(b.id)}">
      <td><a href="#/batches/${encodeURIComponent(b.id)}"><code>${esc(b.id)}</code></a></td>
      ${owners ? `<td data-owner>${esc(b.owner)}</td>` : ''}
      <td>${badge(b.state)}</td><td>${bar(b)}</td>
      <td class="num">${num(b.succeeded)}</td><td class="num">${num(b.failed)}</td><td class="num">${num(b.cancelled)}</td>
      <td>${time(b.createdAt)}</td><td class="num">${elapsed(b)}</td>
    </tr>`).join('');
  document.querySelector('#batches tbody').innerHTML = rows
    || '<tr><td colspan="8" class="empty">no batches yet: POST /batches, or bin/fanout submit</td></tr>';
}

function batchPage(id) {
  const path = `/batches/${encodeURIComponent(id)}`;
  main.innerHTML = `
    <h1>Batch <code>${esc(id)}</code> <span id="state"></span> <span id="owner" class="muted"></span>
      <button id="cancel" class="danger" hidden>Cancel batch</button>
      <button id="redrive" hidden>Redrive failed and cancelled</button></h1>
    <div class="card" id="progress-card">
      <div id="progress"></div>
      <div class="tiles">
        <div class="tile"><b id="n-pending">0</b><small>pending</small></div>
        <div class="tile"><b id="n-running">0</b><small>running</small></div>
        <div class="tile"><b id="n-succeeded">0</b><small>succeeded</small></div>
        <div class="tile"><b id="n-failed">0</b><small>failed</small></div>
        <div class="tile"><b id="n-cancelled">0</b><small>cancelled</small></div>
      </div>
      <dl class="kv" id="timing"></dl>
    </div>
    <div class="grid" style="margin-top:16px">
      <div class="card"><h2>Throughput (tasks per second)</h2><div id="throughput"></div></div>
      <div class="card"><h2>Task durations <span class="muted">(log scale)</span></h2><div id="histogram"></div><dl class="kv" id="percentiles"></dl></div>
    </div>
    <div class="card" style="margin-bottom:16px"><h2>Errors by type</h2><ul class="errors" id="errors"></ul></div>
    <div class="toolbar"><h2 style="margin:0">Results</h2>
      <label>State <select id="result-filter"><option value="">all</option><option>SUCCEEDED</option>
        <option>FAILED</option><option>CANCELLED</option></select></label>
      <span class="muted" id="result-count"></span></div>
    <div class="table-wrap"><table id="results">
      <thead><tr><th class="num">#</th><th>Task</th><th>State</th><th class="num">Attempts</th><th>Backend</th>
        <th class="num">Duration</th><th>Output or error</th></tr></thead><tbody></tbody></table></div>
    <dialog id="redrive-dialog"><form method="dialog">
      <h2>Redrive</h2>
      <p class="muted">Runs the failed and cancelled tasks again; successes are kept. Leave a field empty to keep the
        batch's setting.</p>
      <dl class="kv">
        <dt><label for="rd-timeout">Task timeout</label></dt><dd><input id="rd-timeout" placeholder="e.g. 30s"></dd>
        <dt><label for="rd-retries">Retries</label></dt><dd><input id="rd-retries" type="number" min="0"></dd>
        <dt><label for="rd-concurrency">Max concurrency</label></dt><dd><input id="rd-concurrency" type="number" min="1"></dd>
      </dl>
      <div class="actions"><button value="cancel">Close</button><button value="go" class="primary" id="rd-go">Redrive</button></div>
    </form></dialog>`;

  const series = [];
  let lastSeq = 0;
  let closeDetails = null;
  // 404: no such batch for this key, whether unknown, expired or another key's (the API tells them apart to nobody)
  const onProblem = async (response) => {
    if (response.status === 404) noBatch(id);
    else toast(await problem(response));
  };
  const watch = () => {
    if (closeDetails) closeDetails();
    closeDetails = stream(path, {
      onProblem,
      onEvent: (e) => {
        if (e.event !== 'details') return;
        const d = JSON.parse(e.data);
        if (d.state === 'RUNNING') series.push({ t: Date.now(), v: d.progress.tasksPerSecond });
        showDetails(d, series);
      },
    });
  };
  watch();

  // results: the latest RESULT_ROWS of the stream, filtered by state on the server
  const rows = [];
  let received = 0;
  let pending = false;
  // thousands of results a second arrive: the table is drawn once per frame, not once per result
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; showResults(rows, received); });
  };
  let closeResults = null;
  const filter = document.getElementById('result-filter');
  const readResults = (after) => {
    if (closeResults) closeResults();
    const query = new URLSearchParams();
    if (filter.value) query.set('state', filter.value);
    if (after) query.set('after', after);
    closeResults = stream(`${path}/results?${query}`, {
      onProblem,
      onEvent: (e) => {
        if (e.event === 'end' && e.id) lastSeq = Math.max(lastSeq, Number(e.id));  // a filtered stream's end
        if (e.event !== 'message') return;
        const r = JSON.parse(e.data);
        lastSeq = Math.max(lastSeq, Number(e.id));
        received++;
        rows.unshift({ seq: Number(e.id), r });
        if (rows.length > RESULT_ROWS) rows.length = RESULT_ROWS;
        render();
      },
    });
  };
  filter.addEventListener('change', () => { rows.length = 0; received = 0; render(); readResults(0); });
  readResults(0);

  document.getElementById('cancel').addEventListener('click', async (ev) => {
    ev.target.disabled = true;
    const r = await api(path, { method: 'DELETE' });
    if (!r.ok) await onProblem(r);
    ev.target.disabled = false;
  });
  const dialog = document.getElementById('redrive-dialog');
  document.getElementById('redrive').addEventListener('click', () => dialog.showModal());
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'go') return;
    const body = {};
    const timeout = document.getElementById('rd-timeout').value.trim();
    const retries = document.getElementById('rd-retries').value;
    const concurrency = document.getElementById('rd-concurrency').value;
    if (timeout) body.taskTimeout = timeout;
    if (retries !== '') body.retries = Number(retries);
    if (concurrency !== '') body.maxConcurrency = Number(concurrency);
    const r = await api(`${path}/redrive`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!r.ok) { await onProblem(r); return; }
    series.length = 0;
    watch();
    readResults(lastSeq);  // the redriven tasks' new results come after the last one seen
  });
}

/** The batch page of an id this key cannot see, in place of its empty charts and buttons. */
function noBatch(id) {
  closePage();
  main.innerHTML = `
    <h1>Batch <code>${esc(id)}</code></h1>
    <div class="card" id="no-batch">
      <p>No batch <code>${esc(id)}</code> for this key (it may have expired, or belong to another key).</p>
      <p><a href="#/">The batches this key can see</a></p>
    </div>`;
}

function showDetails(d, series) {
  document.getElementById('state').innerHTML = badge(d.state);
  // batches stored before keys had names have no owner
  document.getElementById('owner').textContent = d.owner && d.owner !== 'anonymous' ? `owner: ${d.owner}` : '';
  document.getElementById('progress').innerHTML = bar(d, true);
  for (const k of ['pending', 'running', 'succeeded', 'failed', 'cancelled']) {
    document.getElementById(`n-${k}`).textContent = num(d[k]);
  }
  document.getElementById('cancel').hidden = d.state !== 'RUNNING';
  document.getElementById('redrive').hidden = d.state === 'RUNNING' || d.failed + d.cancelled === 0;
  const p = d.progress;
  document.getElementById('timing').innerHTML = `
    <dt>Created</dt><dd>${esc(new Date(d.createdAt).toLocaleString())}</dd>
    <dt>${d.finishedAt ? 'Finished' : 'Running for'}</dt>
    <dd>${d.finishedAt ? `${esc(new Date(d.finishedAt).toLocaleString())} (took ${elapsed(d)})` : elapsed(d)}</dd>
    <dt>Rate</dt><dd id="rate">${p.tasksPerSecond.toLocaleString('en-US')} tasks/s</dd>
    ${p.etaSeconds != null ? `<dt>ETA</dt><dd id="eta">${charts.formatMs(p.etaSeconds * 1000)}</dd>` : ''}`;
  const chart = document.getElementById('throughput');
  if (series.length >= 2) {
    chart.replaceChildren(charts.throughput(series));
  } else if (d.finishedAt) {
    const seconds = Math.max(0.001, (Date.parse(d.finishedAt) - Date.parse(d.createdAt)) / 1000);
    chart.innerHTML = `<p class="muted">Finished: ${num(done(d))} tasks in ${elapsed(d)}, `
      + `${Math.round(done(d) / seconds).toLocaleString('en-US')} tasks per second on average.</p>`;
  } else {
    chart.replaceChildren(charts.throughput(series));
  }
  const s = d.stats;
  document.getElementById('histogram').replaceChildren(charts.histogram(s.durationHistogram));
  const ms = (v) => (v == null ? '–' : charts.formatMs(v));
  document.getElementById('percentiles').innerHTML = `
    <dt>Duration</dt><dd>p50 ${ms(s.durationMs.p50)} · p95 ${ms(s.durationMs.p95)} · p99 ${ms(s.durationMs.p99)} · max ${ms(s.durationMs.max)}</dd>
    <dt>Queue wait</dt><dd>p50 ${ms(s.queueWaitMs.p50)} · p95 ${ms(s.queueWaitMs.p95)}</dd>`;
  const errors = Object.entries(s.errors);
  document.getElementById('errors').innerHTML = errors.length ? errors.map(([type, e]) => `
    <li data-error-type="${esc(type)}"><b>${esc(type)}</b> <span class="muted">${num(e.count)} task${e.count === 1 ? '' : 's'}</span>
      <ul class="samples">${e.samples.map((m) => `<li><code>${esc(m)}</code></li>`).join('')}</ul></li>`).join('')
    : '<li class="muted">none</li>';
}

function showResults(rows, received) {
  document.getElementById('result-count').textContent = received > rows.length
    ? `latest ${rows.length} of ${num(received)}` : `${num(received)}`;
  document.querySelector('#results tbody').innerHTML = rows.map(({ seq, r }) => {
    const detail = r.error ? `${r.error.type}: ${r.error.message}` : JSON.stringify(r.output);
    return `<tr data-task="${esc(r.id)}"><td class="num">${seq}</td><td><code>${esc(r.id)}</code></td><td>${badge(r.state)}</td>
      <td class="num">${r.attempts}</td><td>${esc(r.backend)}</td><td class="num">${r.startedAt ? charts.formatMs(r.durationMs) : '–'}</td>
      <td class="cell-clip" title="${esc(detail)}"><code>${esc(detail)}</code></td></tr>`;
  }).join('') || '<tr><td colspan="7" class="empty">no results yet</td></tr>';
}

async function functionsPage() {
  main.innerHTML = '<h1>Functions</h1><div class="table-wrap"><table id="functions"><thead><tr><th>Name</th><th>Kind</th>'
    + '<th>Description</th><th>Example input</th><th>From</th></tr></thead><tbody></tbody></table></div>';
  const r = await api('/functions');
  if (!r.ok) { toast(await problem(r)); return; }
  const list = await r.json();
  document.querySelector('#functions tbody').innerHTML = list.map((f) => `
    <tr data-function="${esc(f.name)}"><td><code>${esc(f.name)}</code></td><td>${esc(f.kind)}</td><td>${esc(f.description)}</td>
      <td><pre>${esc(f.example == null ? '' : JSON.stringify(f.example))}</pre></td>
      <td>${f.jar ? `<code>${esc(f.jar)}</code>` : '<span class="muted">built in</span>'}</td></tr>`).join('');
}

// ---- routing: #/, #/batches/ID, #/functions ----

function route() {
  closePage();
  const hash = location.hash.replace(/^#/, '') || '/';
  const batch = hash.match(/^\/batches\/(.+)$/);
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active',
    a.dataset.nav === (hash.startsWith('/functions') ? 'functions' : 'batches')));
  if (batch) batchPage(decodeURIComponent(batch[1]));
  else if (hash.startsWith('/functions')) functionsPage();
  else batchesPage();
}

document.getElementById('forget-key').hidden = !sessionStorage.getItem(KEY);
document.getElementById('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  document.getElementById('forget-key').hidden = true;
  route();
});
window.addEventListener('hashchange', route);
route();
