// The dashboard in a real browser (Debian's chromium through playwright-core), against a running service with named
// API keys: two submitters, an admin, and a submitter allowed one running batch (fanout.auth.keys.<name>.max-running=1).
// DashboardIT starts the packaged service with such keys and runs this with FANOUT_URL, the four keys and SCREENSHOTS
// set; by hand:
// FANOUT_URL=http://localhost:8080 FANOUT_API_KEY=... FANOUT_OTHER_KEY=... FANOUT_ADMIN_KEY=... FANOUT_QUOTA_KEY=...
// SCREENSHOTS=/tmp/shots node --test dashboard.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const URL = process.env.FANOUT_URL;
const KEY = process.env.FANOUT_API_KEY;  // a submitter's: the key the main tab types
const OTHER_KEY = process.env.FANOUT_OTHER_KEY;  // another submitter's
const ADMIN_KEY = process.env.FANOUT_ADMIN_KEY;  // an admin's: sees every batch
const QUOTA_KEY = process.env.FANOUT_QUOTA_KEY;  // a submitter's with max-running=1
const SHOTS = process.env.SCREENSHOTS || 'screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(URL && KEY && OTHER_KEY && ADMIN_KEY && QUOTA_KEY,
  'set FANOUT_URL, FANOUT_API_KEY, FANOUT_OTHER_KEY, FANOUT_ADMIN_KEY and FANOUT_QUOTA_KEY');
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;
const pageErrors = [];
const VIEWPORT = { width: 1360, height: 1000 };

/**
 * The browser's console line for a request the tests provoke is no script error: a refused key (401, 403) anywhere,
 * another key's batch (404) or a quota (429) from the batches API.
 */
const provoked = (m) => /status of 40[13]/.test(m.text())
  || (/status of (404|429)/.test(m.text()) && /\/batches\//.test(m.location().url));

function watchErrors(tab) {
  tab.setDefaultTimeout(60_000);
  tab.on('pageerror', (e) => pageErrors.push(String(e)));
  tab.on('console', (m) => { if (m.type() === 'error' && !provoked(m)) pageErrors.push(m.text()); });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // what Chromium needs on these machines: no sandbox (root, no user namespaces), no GPU, no calls home
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  watchErrors(page);
});

after(async () => {
  await browser?.close();
});

/** Submits through the API as any client would, with key; answers the batch id. */
async function submit(body, key = KEY) {
  return (await post('/batches', body, key, 202)).id;
}

/** Submits and waits for the batch to finish (?wait=); answers its final status. */
async function run(body, key = KEY) {
  return (await post('/batches?wait=60s', body, key, 200)).batch;
}

async function post(path, body, key, expected) {
  const r = await fetch(`${URL}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, expected, text);
  return JSON.parse(text);
}

async function status(id, key = KEY) {
  const r = await fetch(`${URL}/batches/${id}`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200);
  return r.json();
}

async function cancel(id, key = KEY) {
  const r = await fetch(`${URL}/batches/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200, await r.text());
}

/**
 * Installed in a tab before its scripts run: records every batch row and every Cancel or Redrive button the tab ever
 * shows (at each change of the page), so that a test can assert "never", not only "not now".
 */
function recordSightings() {
  const seen = { batches: new Set(), buttons: new Set() };
  window.sightings = () => ({ batches: [...seen.batches], buttons: [...seen.buttons] });
  new MutationObserver(() => {
    document.querySelectorAll('tr[data-batch]').forEach((tr) => seen.batches.add(tr.dataset.batch));
    document.querySelectorAll('#cancel:not([hidden]), #redrive:not([hidden])').forEach((b) => seen.buttons.add(b.id));
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
}

/** A new tab with its own session storage, opened at hash, whose user types key when the dashboard asks. */
async function tabWithKey(key, hash = '#/') {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const tab = await context.newPage();
  watchErrors(tab);
  await tab.addInitScript(recordSightings);
  await tab.goto(`${URL}/ui${hash}`);
  await tab.locator('#key-dialog').waitFor({ state: 'visible' });
  await tab.fill('#key-input', key);
  await tab.press('#key-input', 'Enter');
  await tab.locator('#key-dialog').waitFor({ state: 'hidden' });
  return tab;
}

const sleeps = (n, duration, prefix = 't') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, function: 'sleep', input: { duration } }));

test('asks for an API key, refuses a wrong one, and keeps the right one for this tab only', async () => {
  await page.goto(`${URL}/ui`);
  const dialog = page.locator('#key-dialog');
  await dialog.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#key-reason').textContent(), 'This service needs an API key.');
  await page.fill('#key-input', 'not-the-key');
  await page.press('#key-input', 'Enter');
  await page.locator('#key-reason', { hasText: 'did not accept' }).waitFor();
  await page.fill('#key-input', KEY);
  await page.press('#key-input', 'Enter');
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#batches').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fanout.apiKey')), KEY);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing kept beyond the tab');
});

test('a batch on the list moves live and its bar reaches 100%', async () => {
  await page.goto(`${URL}/ui#/`);
  // 800 tasks of 100 ms, 10 at a time: about 8 s, long enough to be seen running
  const id = await submit({ tasks: sleeps(800, '100ms'), maxConcurrency: 10 });
  const row = page.locator(`tr[data-batch="${id}"]`);
  await row.locator('.badge.RUNNING').waitFor();
  const bar = row.locator('[role=progressbar]');
  await page.waitForFunction((sel) => {
    const v = Number(document.querySelector(sel)?.getAttribute('aria-valuenow'));
    return v > 0 && v < 100;
  }, `tr[data-batch="${id}"] [role=progressbar]`);
  const midway = Number(await bar.getAttribute('aria-valuenow'));
  await page.screenshot({ path: `${SHOTS}/batches-list.png` });
  await row.locator('.badge.SUCCEEDED').waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '100');
  assert.equal(await row.locator('[data-progress]').textContent(), '800 / 800 (100%)');
  assert.ok(midway > 0 && midway < 100, `seen midway at ${midway}%`);
  assert.equal((await status(id)).succeeded, 800);
});

test('a batch page shows counts, throughput, durations and errors live, filters results, and redrives', async () => {
  // 1,200 tasks, 60 at a time, from 50 to 600 ms; every 20th sleeps 3 s against a 1 s task timeout: 60 TIMEOUTs
  const tasks = Array.from({ length: 1200 }, (_, i) => ({
    id: `m${i}`, function: 'sleep', input: { duration: i % 20 === 7 ? '3s' : `${50 + (i * 37) % 550}ms` },
  }));
  const id = await submit({ tasks, maxConcurrency: 60, taskTimeout: '1s' });
  await page.goto(`${URL}/ui#/batches/${id}`);
  await page.locator('#state .badge.RUNNING').waitFor();
  // live: the throughput chart has a line once two updates came, the histogram has bars
  await page.locator('#throughput path.line').waitFor();
  await page.locator('#histogram rect').first().waitFor();
  await page.locator('#errors [data-error-type="TIMEOUT"]').waitFor();
  await page.screenshot({ path: `${SHOTS}/batch-live.png` });

  await page.locator('#state .badge.FAILED').waitFor();
  const final = await status(id);
  assert.equal(final.failed, 60);
  assert.equal(await page.locator('#n-failed').textContent(), '60');
  assert.equal(await page.locator('#n-succeeded').textContent(), '1,140');
  assert.match(await page.locator('#errors [data-error-type="TIMEOUT"]').textContent(), /60 tasks/);
  assert.equal(await page.locator('#cancel').isHidden(), true, 'nothing to cancel once finished');

  // the results table filtered by state lists exactly the failed tasks
  await page.selectOption('#result-filter', 'FAILED');
  await page.locator('#result-count', { hasText: /^60$/ }).waitFor();
  const failedIds = await page.locator('#results tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.task));
  const expected = tasks.filter((_, i) => i % 20 === 7).map((t) => t.id);
  assert.deepEqual([...failedIds].sort(), [...expected].sort());
  await page.screenshot({ path: `${SHOTS}/batch-failed.png`, fullPage: true });  // 60 rows

  // redrive with a longer timeout: the 60 run again and succeed, the 1,140 successes are kept
  await page.click('#redrive');
  await page.fill('#rd-timeout', '10s');
  await page.click('#rd-go');
  await page.locator('#state .badge.SUCCEEDED').waitFor();
  const redriven = await status(id);
  assert.equal(redriven.succeeded, 1200);
  assert.equal(redriven.failed, 0);
  assert.equal(await page.locator('#n-succeeded').textContent(), '1,200');
  assert.equal(await page.locator('#redrive').isHidden(), true, 'nothing left to redrive');
});

test('Cancel on a batch page cancels the batch', async () => {
  const id = await submit({ tasks: sleeps(50, '1h', 'c'), maxConcurrency: 5 });
  await page.goto(`${URL}/ui#/batches/${id}`);
  await page.locator('#state .badge.RUNNING').waitFor();
  await page.locator('#n-running', { hasText: '5' }).waitFor();
  await page.click('#cancel');
  await page.locator('#state .badge.CANCELLED').waitFor();
  const s = await status(id);
  assert.equal(s.state, 'CANCELLED');
  assert.equal(s.cancelled, 50);
  assert.equal(await page.locator('#n-cancelled').textContent(), '50');
});

test('the functions page lists what tasks can call', async () => {
  await page.goto(`${URL}/ui#/functions`);
  await page.locator('tr[data-function="sleep"]').waitFor();
  const names = await page.locator('#functions tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.function));
  const api = await (await fetch(`${URL}/functions`, { headers: { Authorization: `Bearer ${KEY}` } })).json();
  assert.deepEqual(names, api.map((f) => f.name));
  await page.screenshot({ path: `${SHOTS}/functions.png` });
});

test('a key sees only its own batches; another key\'s batch page says there is no such batch, with no buttons', async () => {
  // the first key's batch runs (5 tasks of an hour): were it visible to the other key, it would offer Cancel
  const mine = await submit({ tasks: sleeps(5, '1h', 'a') });
  const theirs = await submit({ tasks: sleeps(3, '10ms', 'b') }, OTHER_KEY);
  const other = await tabWithKey(OTHER_KEY);
  await other.locator(`tr[data-batch="${theirs}"]`).waitFor();
  await other.locator('#batch-count', { hasText: '(1)' }).waitFor();
  const theirOwner = (await status(theirs, OTHER_KEY)).owner;
  assert.ok(theirOwner, 'a batch submitted with a named key has an owner');
  assert.deepEqual(await other.locator('#batches [data-owner]').allTextContents(), [theirOwner]);

  await other.goto(`${URL}/ui#/batches/${mine}`);
  await other.locator('#no-batch', { hasText: `No batch ${mine} for this key` }).waitFor();
  assert.match(await other.locator('#no-batch').textContent(), /expired, or belong to another key/);
  assert.equal(await other.locator('#cancel, #redrive').count(), 0);
  assert.equal(await other.locator('#toast').isHidden(), true, 'said in the page, not in a toast');
  const seen = await other.evaluate(() => window.sightings());
  assert.ok(!seen.batches.includes(mine), 'the other key\'s list never showed the first key\'s batch');
  assert.deepEqual(seen.buttons, [], 'never a Cancel or Redrive button on a batch the key cannot see');
  await other.screenshot({ path: `${SHOTS}/batch-not-found.png` });
  await other.context().close();

  // an admin sees both batches, each with its owner, and may act on any
  const myOwner = (await status(mine)).owner;
  assert.ok(myOwner && myOwner !== theirOwner, `two owners: ${myOwner}, ${theirOwner}`);
  const admin = await tabWithKey(ADMIN_KEY);
  await admin.locator(`tr[data-batch="${mine}"] .badge.RUNNING`).waitFor();
  await admin.locator(`tr[data-batch="${theirs}"]`).waitFor();
  assert.ok((await admin.locator('#batches thead th').allTextContents()).includes('Owner'));
  assert.equal(await admin.locator(`tr[data-batch="${mine}"] [data-owner]`).textContent(), myOwner);
  assert.equal(await admin.locator(`tr[data-batch="${theirs}"] [data-owner]`).textContent(), theirOwner);
  await admin.screenshot({ path: `${SHOTS}/batches-admin.png` });
  await admin.goto(`${URL}/ui#/batches/${mine}`);
  await admin.locator('#owner', { hasText: `owner: ${myOwner}` }).waitFor();
  await admin.click('#cancel');
  await admin.locator('#state .badge.CANCELLED').waitFor();
  assert.equal((await status(mine)).state, 'CANCELLED');
  await admin.context().close();
});

test('a redrive refused by a quota says which and when to retry', async () => {
  // one failed batch (its task times out), then one running: the quota key may have one running, so no redrive
  const failed = await run({ tasks: [{ id: 'q0', function: 'sleep', input: { duration: '5s' } }], taskTimeout: '100ms' },
    QUOTA_KEY);
  assert.equal(failed.state, 'FAILED');
  const running = await submit({ tasks: sleeps(1, '1h', 'q') }, QUOTA_KEY);
  const tab = await tabWithKey(QUOTA_KEY, `#/batches/${failed.id}`);
  await tab.click('#redrive');
  await tab.click('#rd-go');
  const toast = tab.locator('#toast', { hasText: 'max-running' });
  await toast.waitFor();
  const said = await toast.textContent();
  assert.equal(said.match(/retry (in|after) \d+ s/g)?.length, 1, `when to retry, said once: ${said}`);
  assert.equal((await status(failed.id, QUOTA_KEY)).state, 'FAILED', 'nothing redriven');
  await tab.locator('#state .badge.FAILED').waitFor();
  await cancel(running, QUOTA_KEY);
  await tab.context().close();
});

test('no script errors on any page', () => {
  assert.deepEqual(pageErrors, []);
});
