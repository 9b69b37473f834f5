// The wallboard in a real headless Chromium against the real daemon, fed by
// ari-sim replaying a captured call. Started by run.sh, which owns the
// processes, the database and the node modules; this file only drives the
// browser and checks what it shows.
//
// Handshake with run.sh (so the call cannot start before the browser is up):
//   1. launch Chromium, then create WALLBOARD_READY_FILE;
//   2. wait for WALLBOARD_URL_FILE ("http://127.0.0.1:PORT", written once the
//      daemon serves; run.sh starts ari-sim and the daemon in between);
//   3. load the page and check; create WALLBOARD_RESTART_FILE and wait for
//      WALLBOARD_RESTARTED_FILE while run.sh restarts the daemon on the same
//      port (the page must reconnect by itself).
//
// Checks:
//   - the captured call (from the fixture's expected rows) appears as
//     kelyapti, then suhbatda, then yakunlandi: each seen, in that order,
//     with nothing else in between, by a MutationObserver installed before
//     the page's own script, and each earlier status on screen >= 200 ms;
//   - its numbers and direction are shown, its timer runs;
//   - every [data-kpi] shows the /api/stats value (same since/until) rendered
//     by the rules in wallboard.js, computed here independently, and the
//     figures count the fixture's calls;
//   - the missed and recent lists match /api/missed and /api/calls;
//   - no script error, no failed request to the daemon;
//   - after a daemon restart the page reconnects and still shows the call;
//   - with one node, no node selector, per-node line or node label;
//   - then, with a second node in the same database, the board across
//     nodes (nodes.mjs; run.sh starts that node when WALLBOARD_SECOND_NODE_FILE
//     appears and writes its daemon's URL to WALLBOARD_SECOND_URL_FILE).
// Screenshots: WALLBOARD_ARTIFACTS/wallboard-live.png (in conversation),
// wallboard.png (the end) and wallboard-nodes.png (two nodes).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

import { Check, Tally, Sleep, WaitForFile, KpisAgainst } from './checks.mjs';
import { CheckNodes } from './nodes.mjs';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`wallboard test: ${name} is not set (run through tests/browser/run.sh)`);
  return v;
};

const kNodeDir = env('WALLBOARD_NODE_DIR');
const kReadyFile = env('WALLBOARD_READY_FILE');
const kUrlFile = env('WALLBOARD_URL_FILE');
const kRestartFile = env('WALLBOARD_RESTART_FILE');
const kRestartedFile = env('WALLBOARD_RESTARTED_FILE');
const kExpectedRows = env('WALLBOARD_EXPECTED_ROWS');
const kArtifacts = env('WALLBOARD_ARTIFACTS');
const kChromium = env('WALLBOARD_CHROMIUM', '/usr/bin/chromium');
const kStepTimeoutMs = Number(env('WALLBOARD_STEP_TIMEOUT_MS', '60000'));
const kSecondNodeFile = env('WALLBOARD_SECOND_NODE_FILE');
const kSecondUrlFile = env('WALLBOARD_SECOND_URL_FILE');
const kExpectedRowsB = env('WALLBOARD_EXPECTED_ROWS_B');
const kNodeA = env('WALLBOARD_NODE_A');
const kNodeB = env('WALLBOARD_NODE_B');
const kMinVisibleMs = 200;
// The PBX's zone (run.sh gives the daemon PBX_TIMEZONE=Asia/Tashkent) and a
// browser far from it: the board must show the PBX's times in both.
const kPbxZone = 'Asia/Tashkent';
const kFarZone = 'America/New_York';

const require = createRequire(path.join(kNodeDir, 'package.json'));
const { chromium } = require('playwright-core');

// The PBX's day (Asia/Tashkent, UTC+5 all year) of an instant.
function TashkentDay(iso) {
  const local = new Date(Date.parse(iso) + 5 * 3600 * 1000);
  const day = local.toISOString().slice(0, 10);
  const next = new Date(Date.parse(day + 'T00:00:00Z') + 86400 * 1000).toISOString().slice(0, 10);
  return { since: `${day}T00:00:00+05:00`, until: `${next}T00:00:00+05:00` };
}

// "14:17" and "2026-11-26" of `ms` in `zone`, as a person there reads them.
function ZonedClock(ms, zone) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(new Date(ms));
}
function ZonedDay(ms, zone) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return f.format(new Date(ms));
}

// The board's times on `page` are the PBX's (issue 14): the period's day in
// the header, the call's start in the recent list, the clock (within the
// minute the check took).
async function CheckPbxTimes(page, call, period, where) {
  const row = `#recent-calls [data-call-id="${call.call_id}"] .time`;
  await page.waitForSelector(row, { timeout: kStepTimeoutMs });
  const shown = await page.$eval(row, (e) => e.textContent);
  const start = Date.parse(call.start_time);
  Check(shown === ZonedClock(start, kPbxZone), `${where}: the call's start in the PBX's zone (${shown})`,
    `expected ${ZonedClock(start, kPbxZone)}; in the browser's zone it would read ${ZonedClock(start, kFarZone)}`);
  const day = ZonedDay(Date.parse(period.since), kPbxZone);
  const header = await page.$eval('#period', (e) => e.textContent);
  Check(header === day, `${where}: the period is the PBX's day ${day}`, JSON.stringify(header));
  // A row of another day than the one shown carries its date.
  const other = await page.evaluate(
    ([ms, zone]) => window.WallboardParts.RowTimeText(ms, zone, '1999-01-01'), [start, kPbxZone]);
  const date = ZonedDay(start, kPbxZone).slice(5);
  Check(other === `${date} ${ZonedClock(start, kPbxZone)}`, `${where}: a row of another day shows its date (${other})`);
  const before = ZonedClock(Date.now(), kPbxZone);
  const clock = (await page.$eval('#clock', (e) => e.textContent)).slice(0, 5);
  const after = ZonedClock(Date.now(), kPbxZone);
  Check(clock === before || clock === after, `${where}: the clock is the PBX's (${clock})`, `${before}..${after}`);
}

async function Main() {
  const rows = JSON.parse(fs.readFileSync(kExpectedRows, 'utf8'));
  const call = rows.find((r) => r.answered && r.direction === 'kiruvchi') ?? rows[0];
  if (!call) throw new Error(`${kExpectedRows} has no rows`);
  const period = TashkentDay(call.start_time);
  const inPeriod = rows.filter((r) => {
    const t = Date.parse(r.start_time);
    return t >= Date.parse(period.since) && t < Date.parse(period.until);
  });
  console.log(`call ${call.call_id} (${call.from_number} -> ${call.to_number}), day ${period.since} .. ${period.until}`);

  fs.mkdirSync(kArtifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: kChromium,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      timezoneId: kPbxZone,
      locale: 'uz-UZ',
    });
    const page = await context.newPage();
    const problems = [];
    let restarting = false;
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    // Every live-feed message the page receives, per socket.
    const sockets = [];
    page.on('websocket', (ws) => {
      const messages = [];
      sockets.push({ url: ws.url(), messages });
      ws.on('framereceived', (f) => {
        try {
          messages.push(JSON.parse(f.payload));
        } catch {
          messages.push({ type: 'unparseable', payload: String(f.payload).slice(0, 200) });
        }
      });
    });
    page.on('requestfailed', (r) => {
      // Requests cut by the daemon restart are expected; they are retried.
      if (!restarting) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });

    // Before any script of every page: log every status change of every
    // call element, and its disappearance.
    await context.addInitScript(() => {
      window.__statusLog = [];
      const last = new Map();
      const scan = () => {
        const now = performance.now();
        const seen = new Map();
        for (const e of document.querySelectorAll('[data-call-id]')) {
          const id = e.getAttribute('data-call-id');
          if (seen.has(id)) window.__statusLog.push({ id, status: 'DUPLICATE', t: now });
          seen.set(id, e.getAttribute('data-status'));
        }
        for (const [id, status] of seen) {
          if (last.get(id) !== status) window.__statusLog.push({ id, status, t: now });
          last.set(id, status);
        }
        for (const id of last.keys()) {
          if (!seen.has(id) && last.get(id) !== null) {
            window.__statusLog.push({ id, status: null, t: now });
            last.set(id, null);
          }
        }
      };
      new MutationObserver(scan).observe(document, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-call-id', 'data-status'],
      });
    });
    await page.goto('about:blank');

    fs.writeFileSync(kReadyFile, 'ready\n');
    const base = await WaitForFile(kUrlFile, 180000, 'the daemon (run.sh writes its URL)');
    const query = new URLSearchParams(period).toString();
    console.log(`loading ${base}/?${query}`);
    await page.goto(`${base}/?${query}`);

    const selector = (status) => `[data-call-id="${call.call_id}"][data-status="${status}"]`;
    for (const status of ['kelyapti', 'suhbatda', 'yakunlandi']) {
      const element = await page.waitForSelector(selector(status), { timeout: kStepTimeoutMs }).catch(() => null);
      if (!Check(element !== null, `the call shows as ${status}`)) {
        await page.screenshot({ path: path.join(kArtifacts, 'wallboard-failure.png') });
        throw new Error(`the call never showed as ${status}`);
      }
      if (status === 'kelyapti' || status === 'suhbatda') {
        const text = await element.textContent();
        Check(text.includes(call.from_number) && text.includes(call.to_number),
          `${status}: its numbers are shown`, text);
        Check(text.includes(status), `${status}: the status word is shown`, text);
        Check(call.direction === null || text.includes(call.direction), `${status}: the direction is shown`, text);
        // The timer counts on the PBX's clock (the capture is from another
        // day): it must show the seconds of this call, not the age of the
        // capture.
        const timer = await element.$eval('[data-timer]', (e) => e.textContent).catch(() => '');
        const m = /^(\d+):(\d\d)$/.exec(timer);
        Check(m !== null && Number(m[1]) * 60 + Number(m[2]) <= 30, `${status}: a running timer is shown (${timer})`,
          JSON.stringify(timer));
      }
      if (status === 'suhbatda') {
        await page.screenshot({ path: path.join(kArtifacts, 'wallboard-live.png') });
      }
    }

    // The order, as the observer saw every change.
    const log = (await page.evaluate(() => window.__statusLog)).filter((e) => e.id === call.call_id);
    const statuses = log.map((e) => e.status);
    Check(JSON.stringify(statuses) === JSON.stringify(['kelyapti', 'suhbatda', 'yakunlandi']),
      'kelyapti -> suhbatda -> yakunlandi, nothing else in between', JSON.stringify(log));
    for (let i = 0; i + 1 < log.length; i++) {
      const shown = log[i + 1].t - log[i].t;
      Check(shown >= kMinVisibleMs, `${log[i].status} was on screen ${Math.round(shown)} ms (>= ${kMinVisibleMs})`);
    }
    // Every status came through the live feed: the first snapshot did not
    // have the call yet, then changes brought each status in order.
    const first = sockets[0]?.messages ?? [];
    Check(sockets.length > 0 && sockets[0].url.endsWith('/api/live'), 'the page subscribes to /api/live',
      JSON.stringify(sockets.map((w) => w.url)));
    Check(first[0]?.type === 'snapshot' && Array.isArray(first[0].calls) &&
      !first[0].calls.some((c) => c.call_id === call.call_id),
      'the first message is a snapshot without the call (it had not started)', JSON.stringify(first[0]));
    const fed = [];
    for (const message of first.filter((x) => x.type === 'changes')) {
      for (const change of message.changes ?? []) {
        if (change.op === 'upsert' && change.call?.call_id === call.call_id && fed.at(-1) !== change.call.status) {
          fed.push(change.call.status);
        }
      }
    }
    Check(JSON.stringify(fed) === JSON.stringify(['kelyapti', 'suhbatda', 'yakunlandi']),
      'the live feed brought kelyapti, suhbatda, yakunlandi', JSON.stringify(fed));
    const duplicates = (await page.evaluate(() => window.__statusLog)).filter((e) => e.status === 'DUPLICATE');
    Check(duplicates.length === 0, 'no call id is on two elements at once', JSON.stringify(duplicates));

    // KPIs: what the page shows equals /api/stats for the same period. The
    // page re-reads the stats at most 2 s after a change: poll a while.
    const headers = { Accept: 'application/json' };
    const getJson = async (p, extra) => {
      const url = `${base}${p}?${new URLSearchParams({ ...period, ...extra })}`;
      const r = await fetch(url, { headers });
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.json();
    };
    const { stats, mismatches, count: kpiCount } = await KpisAgainst(page, () => getJson('/api/stats'), 20000);
    Check(kpiCount >= 7, `the page shows ${kpiCount} KPI values`);
    Check(mismatches.length === 0, 'every KPI shown equals /api/stats', mismatches.join('\n    '));
    // The headline tiles count inbound calls only (issue 14); outbound and
    // all calls have lines of their own.
    for (const leaf of ['offered', 'answered', 'abandoned', 'abandon_rate', 'avg_ring_seconds', 'avg_talk_seconds', 'service_level']) {
      const key = `by_direction.kiruvchi.${leaf}`;
      Check(await page.$(`.kpis [data-kpi="${key}"]`) !== null && leaf in stats.by_direction.kiruvchi,
        `KPI tile ${key}: on the page and in /api/stats`);
      Check(await page.$(`.kpis [data-kpi="${leaf}"]`) === null, `no tile mixes outbound calls into ${leaf}`);
    }
    for (const key of ['by_direction.chiquvchi.offered', 'by_direction.chiquvchi.answered', 'offered']) {
      Check(await page.$(`.by-direction [data-kpi="${key}"]`) !== null, `${key}: on a line of its own`);
    }
    const sl = await page.$eval('#sl-hint', (e) => e.textContent);
    Check(sl.includes(String(stats.service_level_seconds)), `the service level says its threshold (${sl})`);
    Check(stats.offered === inPeriod.length, `/api/stats counts the fixture's ${inPeriod.length} call(s) as offered`,
      JSON.stringify(stats));
    Check(stats.answered === inPeriod.filter((r) => r.answered).length, '/api/stats answered matches the fixture');

    // Lists: missed (open) and recent finished.
    const missed = await getJson('/api/missed', { open: 'true' });
    const missedShown = await page.$$eval('[data-missed-call-id]', (es) => es.map((e) => e.dataset.missedCallId));
    Check(JSON.stringify(missedShown) === JSON.stringify(missed.items.filter((m) => !m.resolved).map((m) => m.call.call_id)),
      `the missed list shows /api/missed's ${missedShown.length} open call(s)`, JSON.stringify(missedShown));
    const recentShown = await page.$$eval('#recent-calls [data-call-id]', (es) => es.map((e) => e.dataset.callId));
    Check(recentShown.includes(call.call_id), 'the finished call is in the recent list', JSON.stringify(recentShown));
    const liveLeft = await page.$$eval('#live-calls [data-call-id]', (es) => es.length);
    Check(liveLeft === 0, 'no live calls are left', String(liveLeft));
    Check(await page.$eval('[data-connection]', (e) => e.dataset.connection) === 'open', 'the live feed is connected');
    // One node: the board looks as it did before several PBXes.
    for (const what of ['[data-node-select]', '[data-node-kpi]', '[data-node-label]']) {
      Check(await page.$(what) === null, `one node: no ${what}`);
    }

    await page.screenshot({ path: path.join(kArtifacts, 'wallboard.png') });

    // The PBX's times, in a browser in the PBX's zone and in one far from it.
    await CheckPbxTimes(page, call, period, `browser in ${kPbxZone}`);
    const far = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: kFarZone, locale: 'en-US' });
    try {
      const farPage = await far.newPage();
      farPage.on('pageerror', (e) => problems.push(`script error (${kFarZone}): ${e.message}`));
      await farPage.goto(`${base}/?${query}`);
      await CheckPbxTimes(farPage, call, period, `browser in ${kFarZone}`);
      await farPage.screenshot({ path: path.join(kArtifacts, 'wallboard-far-zone.png') });
    } finally {
      await far.close();
    }

    // The daemon goes away and comes back on the same port: the page sees
    // the socket close and reconnects by itself.
    restarting = true;
    fs.writeFileSync(kRestartFile, 'restart\n');
    const closed = await page.waitForSelector('[data-connection="closed"]', { timeout: 30000 }).catch(() => null);
    Check(closed !== null, 'the page notices the daemon went away');
    await WaitForFile(kRestartedFile, 60000, 'the daemon to restart');
    const reopened = await page.waitForSelector('[data-connection="open"]', { timeout: 30000 }).catch(() => null);
    Check(reopened !== null, 'the page reconnects by itself');
    restarting = false;
    await Sleep(500);
    Check(await page.$(selector('yakunlandi')) !== null, 'after reconnecting the call is still shown as yakunlandi');

    // A second PBX into the same database, then the board across both.
    await CheckNodes({
      context, base, period, nodeA: kNodeA, nodeB: kNodeB, callA: call, rowsB: JSON.parse(fs.readFileSync(kExpectedRowsB, 'utf8')),
      requestSecondNode: () => fs.writeFileSync(kSecondNodeFile, 'start\n'),
      secondBase: () => WaitForFile(kSecondUrlFile, 180000, 'the second node\'s daemon'),
      problems, artifacts: kArtifacts, stepTimeoutMs: kStepTimeoutMs,
    });

    Check(problems.length === 0, 'no script errors and no failed requests', problems.join('\n    '));
  } finally {
    await browser.close();
  }
}

try {
  await Main();
} catch (e) {
  Check(false, e.message);
}
const { passes, failures } = Tally();
console.log(`wallboard: ${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
