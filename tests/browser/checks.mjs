// What the wallboard's browser test files share: the pass/fail tally, waiting
// for files run.sh writes, and the KPI rendering rules of wallboard.js's
// header, written again here on purpose (the test must not borrow the code
// it checks).
import fs from 'node:fs';

const kDash = '\u2014';

const tally = { passes: 0, failures: 0 };

// Records one check and prints it; returns `ok`.
export function Check(ok, what, detail) {
  if (ok) {
    tally.passes++;
    console.log(`ok - ${what}`);
  } else {
    tally.failures++;
    console.log(`FAILED - ${what}${detail === undefined ? '' : '\n    ' + detail}`);
  }
  return ok;
}

export function Tally() {
  return tally;
}

// Only to pace polling loops; every wait ends on an observable state.
export function Sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function WaitForFile(file, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Sleep(100);
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export function Expected(key, value) {
  if (typeof value !== 'number') return kDash;
  const leaf = key.split('.').pop();
  if (leaf === 'abandon_rate' || leaf === 'service_level') return (value * 100).toFixed(1) + '%';
  if (leaf === 'avg_ring_seconds' || leaf === 'avg_talk_seconds') {
    const s = Math.round(value);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const two = (n) => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
  }
  return String(value);
}

export function At(object, keyPath) {
  return keyPath.split('.').reduce((v, k) => (v !== null && typeof v === 'object' ? v[k] : undefined), object);
}

// Polls until every [data-kpi] on `page` shows what `fetchStats()` returns
// (the page re-reads the stats at most 2 s after a change) or `timeoutMs`
// passes. Returns {stats, mismatches, count} of the last round.
export async function KpisAgainst(page, fetchStats, timeoutMs) {
  let stats = null;
  let mismatches = [];
  let count = 0;
  const deadline = Date.now() + timeoutMs;
  do {
    stats = await fetchStats();
    const shown = await page.$$eval('[data-kpi]', (es) =>
      es.map((e) => ({ key: e.dataset.kpi, text: e.textContent, value: e.dataset.value })));
    count = shown.length;
    mismatches = shown.filter((k) => {
      const raw = At(stats, k.key);
      return k.text !== Expected(k.key, raw) || k.value !== JSON.stringify(raw ?? null);
    }).map((k) => `${k.key}: shows ${JSON.stringify(k.text)} (${k.value}), /api/stats ${JSON.stringify(At(stats, k.key))} -> ${JSON.stringify(Expected(k.key, At(stats, k.key)))}`);
    if (mismatches.length === 0) break;
    await Sleep(500);
  } while (Date.now() < deadline);
  return { stats, mismatches, count };
}
