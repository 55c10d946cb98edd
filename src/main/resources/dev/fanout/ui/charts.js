// Two small SVG charts, drawn by hand: a line of throughput over time and a histogram of task durations.

const W = 600;
const H = 170;
const PAD = { left: 44, right: 10, top: 10, bottom: 24 };
const NS = 'http://www.w3.org/2000/svg';

function svg(children, label) {
  const el = document.createElementNS(NS, 'svg');
  el.setAttribute('viewBox', `0 0 ${W} ${H}`);
  el.setAttribute('class', 'chart');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', label);
  el.innerHTML = children;
  return el;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}

function axes(maxY, format) {
  const y0 = H - PAD.bottom;
  let out = `<line class="axis" x1="${PAD.left}" y1="${y0}" x2="${W - PAD.right}" y2="${y0}"/>`;
  for (const f of [0, 0.5, 1]) {
    const y = y0 - f * (y0 - PAD.top);
    out += `<line class="axis" x1="${PAD.left}" y1="${y}" x2="${W - PAD.right}" y2="${y}" stroke-dasharray="2 3"/>`;
    out += `<text x="${PAD.left - 6}" y="${y + 3}" text-anchor="end">${format(maxY * f)}</text>`;
  }
  return out;
}

/** Tasks per second over time: points [{t: epoch ms, v: tasks/s}]. */
export function throughput(points) {
  if (points.length < 2) return svg(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">waiting for data</text>`,
    'throughput: no data yet');
  const t0 = points[0].t;
  const span = Math.max(1, points[points.length - 1].t - t0);
  const maxY = niceMax(Math.max(...points.map((p) => p.v)));
  const x = (t) => PAD.left + (t - t0) / span * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - v / maxY * (H - PAD.top - PAD.bottom);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const area = `${line}L${x(points[points.length - 1].t)},${y(0)}L${x(t0)},${y(0)}Z`;
  const seconds = Math.round(span / 1000);
  return svg(axes(maxY, (v) => Math.round(v)) +
    `<path class="area" d="${area}"/><path class="line" d="${line}"/>` +
    `<text x="${PAD.left}" y="${H - 6}">0 s</text>` +
    `<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end">${seconds} s</text>`,
    `throughput, last ${Math.round(points[points.length - 1].v)} tasks per second`);
}

export function formatMs(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

/**
 * Durations: buckets [{fromMs, toMs, count}] in order, as GET /batches/{id} gives them (four per power of two, empty
 * ones left out), drawn on a logarithmic time axis so that each bar sits where its durations are and gaps show.
 */
export function histogram(buckets) {
  if (!buckets || !buckets.length) return svg(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no finished tasks yet</text>`,
    'durations: none yet');
  const maxY = niceMax(Math.max(...buckets.map((b) => b.count)));
  const lo = Math.log2(buckets[0].fromMs + 1);
  const hi = Math.max(lo + 1, Math.log2(buckets[buckets.length - 1].toMs + 1));
  const x = (ms) => PAD.left + (Math.log2(ms + 1) - lo) / (hi - lo) * (W - PAD.left - PAD.right);
  const y0 = H - PAD.bottom;
  let bars = '';
  for (const b of buckets) {
    const h = b.count / maxY * (y0 - PAD.top);
    const left = x(b.fromMs);
    const width = Math.max(1, x(b.toMs) - left - 1);
    const label = `${formatMs(b.fromMs)} to ${formatMs(b.toMs)}: ${b.count}`;
    bars += `<rect x="${left.toFixed(1)}" y="${(y0 - h).toFixed(1)}" width="${width.toFixed(1)}" height="${h.toFixed(1)}"><title>${label}</title></rect>`;
  }
  let ticks = '';  // 1 ms, 10 ms, 100 ms, 1 s, ... inside the range
  for (let ms = 1; ms <= 1e9; ms *= 10) {
    const at = x(ms);
    if (at >= PAD.left - 1 && at <= W - PAD.right + 1) {
      ticks += `<line class="axis" x1="${at.toFixed(1)}" y1="${y0}" x2="${at.toFixed(1)}" y2="${y0 + 4}"/>`
        + `<text x="${at.toFixed(1)}" y="${H - 6}" text-anchor="middle">${ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}</text>`;
    }
  }
  return svg(axes(maxY, (v) => Math.round(v)) + bars + ticks,
    `durations from ${formatMs(buckets[0].fromMs)} to ${formatMs(buckets[buckets.length - 1].toMs)}, log scale`);
}
