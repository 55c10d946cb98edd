// The dashboard in a real browser (Debian's chromium through playwright-core), against a running service with API
// keys on. DashboardIT starts the packaged service and runs this with FANOUT_URL, FANOUT_API_KEY and SCREENSHOTS set;
// by hand: FANOUT_URL=http://localhost:8080 FANOUT_API_KEY=... SCREENSHOTS=/tmp/shots node --test dashboard.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const URL = process.env.FANOUT_URL;
const KEY = process.env.FANOUT_API_KEY;
const SHOTS = process.env.SCREENSHOTS || 'screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(URL && KEY, 'set FANOUT_URL and FANOUT_API_KEY');
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // what Chromium needs on these machines: no sandbox (root, no user namespaces), no GPU, no calls home
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) pageErrors.push(m.text()); });
});

after(async () => {
  await browser?.close();
});

/** Submits through the API as any client would; answers the batch id. */
async function submit(body) {
  const r = await fetch(`${URL}/batches`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 202, text);
  return JSON.parse(text).id;
}

async function status(id) {
  const r = await fetch(`${URL}/batches/${id}`, { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(r.status, 200);
  return r.json();
}

const sleeps = (n, duration, prefix = 't') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, function: 'sleep', input: { duration } }));

test('asks for an API key, refuses a wrong one, and keeps the right one for this tab only', async () => {
  await page.goto(`${URL}/ui`);
  const dialog = page.locator('#key-dialog');
  await dialog.waitFor({ state: 'visible' });
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

test('no script errors on any page', () => {
  assert.deepEqual(pageErrors, []);
});
