// The wallboard across two PBXes in one database (wallboard.test.mjs runs it
// last). run.sh starts, when asked, a second node: its own ari-sim replaying
// another capture (an abandoned call) and its own call-ledgerd, projecting
// into the same database. Checks:
//   - on the second daemon's board (its live feed holds node B's call):
//     with node=B the call shows live, then finished; with node=A it never
//     shows at all, though the same feed brought it;
//   - on the first daemon's board, every node: the selector offers
//     "Hammasi" and both nodes, one KPI line per node equals by_node, the
//     recent and missed calls carry their node and its label;
//   - choosing a node reloads the page with node= set, and the KPIs, the
//     recent and the missed lists are that node's alone (each node has one
//     call, so a board that ignored the choice would show two); "Hammasi"
//     brings every node back.
import path from 'node:path';

import { Check, Sleep, Expected, KpisAgainst } from './checks.mjs';

const kNodeFigures = ['offered', 'answered', 'abandoned', 'service_level'];

// Calls `probe` until it returns a truthy `done` or `timeoutMs` passes;
// returns its last result.
async function Until(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result.done || Date.now() > deadline) return result;
    await Sleep(250);
  }
}

function Watch(page, problems, label) {
  page.on('pageerror', (e) => problems.push(`${label}: script error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${label}: HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`));
}

const Ids = (page, list) => page.$$eval(`${list} [data-call-id], ${list} [data-missed-call-id]`,
  (es) => es.map((e) => e.dataset.callId ?? e.dataset.missedCallId));

// The second daemon's board for one node, and whether the other node's call
// ever showed there.
async function CheckLiveFilter({ context, secondBase, period, nodeA, nodeB, callB, problems, stepTimeoutMs }) {
  const open = async (node) => {
    const page = await context.newPage();
    Watch(page, problems, `board of ${node}`);
    const changes = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      try {
        const m = JSON.parse(f.payload);
        if (m.type === 'changes') changes.push(...(m.changes ?? []));
      } catch {}
    }));
    await page.goto(`${secondBase}/?${new URLSearchParams({ ...period, node })}`);
    return { page, changes };
  };
  const onlyB = await open(nodeB);
  const onlyA = await open(nodeA);
  const row = `[data-call-id="${callB.call_id}"][data-node="${nodeB}"]`;
  const live = await onlyB.page.waitForSelector(`#live-calls ${row}`, { timeout: stepTimeoutMs }).catch(() => null);
  Check(live !== null, `node=${nodeB}: its call shows live`);
  const done = await onlyB.page.waitForSelector(`#recent-calls ${row}`, { timeout: stepTimeoutMs }).catch(() => null);
  Check(done !== null, `node=${nodeB}: its call shows finished`);
  // The other board had the same feed: once its socket has brought the end
  // of the call, the page has handled every change of it.
  const ended = await Until(async () => ({
    done: onlyA.changes.some((c) => c.call?.call_id === callB.call_id && c.call.status === 'yakunlandi'),
  }), stepTimeoutMs);
  Check(ended.done, `node=${nodeA}: the live feed brought ${nodeB}'s call to its end`);
  const log = await onlyA.page.evaluate(() => window.__statusLog ?? null);
  const seen = (log ?? []).filter((e) => e.id === callB.call_id);
  Check(Array.isArray(log) && seen.length === 0, `node=${nodeA}: ${nodeB}'s call never showed, live or finished`,
    JSON.stringify(log === null ? 'no status log' : seen));
  Check(await onlyA.page.$eval('[data-count="live"]', (e) => e.dataset.value) === '0',
    `node=${nodeA}: no live call counted`);
  await onlyB.page.close();
  await onlyA.page.close();
}

export async function CheckNodes(options) {
  const { context, base, period, callA, rowsB, nodeA, nodeB } = options;
  const { requestSecondNode, secondBase, problems, artifacts, stepTimeoutMs } = options;
  const callB = rowsB.find((r) => r.direction === 'kiruvchi' && !r.answered) ?? rowsB[0];
  const getJson = async (p, extra) => {
    const url = `${base}${p}?${new URLSearchParams({ ...period, ...extra })}`;
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  };

  requestSecondNode();
  const base2 = await secondBase();
  console.log(`second node ${nodeB} at ${base2}, call ${callB.call_id}`);
  await CheckLiveFilter({ context, secondBase: base2, period, nodeA, nodeB, callB, problems, stepTimeoutMs });

  const stats = await getJson('/api/stats');
  Check(JSON.stringify(Object.keys(stats.by_node).sort()) === JSON.stringify([nodeA, nodeB]),
    `/api/stats has both nodes (${nodeA}, ${nodeB})`, JSON.stringify(stats.by_node));

  const board = await context.newPage();
  Watch(board, problems, 'board');
  await board.goto(`${base}/?${new URLSearchParams(period)}`);
  const select = await board.waitForSelector('[data-node-select]', { timeout: stepTimeoutMs }).catch(() => null);
  if (!Check(select !== null, 'every node: the node selector shows')) return;
  const offered = await board.$$eval('[data-node-select] option', (es) => es.map((e) => [e.value, e.textContent]));
  Check(JSON.stringify(offered) === JSON.stringify([['', 'Hammasi'], [nodeA, nodeA], [nodeB, nodeB]]),
    'the selector offers Hammasi and both nodes', JSON.stringify(offered));

  // One KPI line per node, equal to by_node.
  const lines = await Until(async () => {
    const shown = await board.$$eval('[data-node-kpi] [data-key]', (es) =>
      es.map((e) => [e.closest('[data-node-kpi]').dataset.nodeKpi, e.dataset.key, e.textContent, e.dataset.value]));
    const want = [nodeA, nodeB].flatMap((n) => kNodeFigures.map((k) =>
      [n, k, Expected(k, stats.by_node[n][k]), JSON.stringify(stats.by_node[n][k] ?? null)]));
    return { done: JSON.stringify(shown) === JSON.stringify(want), shown, want };
  }, 20000);
  Check(lines.done, 'one KPI line per node equals by_node', `${JSON.stringify(lines.shown)}\n    want ${JSON.stringify(lines.want)}`);
  const totals = await KpisAgainst(board, () => getJson('/api/stats'), 20000);
  Check(totals.mismatches.length === 0, 'every node: the KPIs equal /api/stats', totals.mismatches.join('\n    '));

  // Each call in the lists carries its node and the label.
  const labelled = async (list, id, node) => board.$eval(`${list} [data-node="${node}"][data-${list === '#missed-calls' ? 'missed-' : ''}call-id="${id}"] [data-node-label]`,
    (e) => e.textContent).catch(() => null);
  const recentLabels = await Until(async () => {
    const a = await labelled('#recent-calls', callA.call_id, nodeA);
    const b = await labelled('#recent-calls', callB.call_id, nodeB);
    return { done: a === nodeA && b === nodeB, a, b };
  }, 20000);
  Check(recentLabels.done, 'every node: both finished calls show with their node label', JSON.stringify(recentLabels));
  Check(await labelled('#missed-calls', callB.call_id, nodeB) === nodeB, `every node: the missed call shows with ${nodeB}'s label`);
  await board.screenshot({ path: path.join(artifacts, 'wallboard-nodes.png') });

  for (const node of [nodeB, nodeA]) {
    await board.selectOption('[data-node-select]', node);
    const moved = await board.waitForURL((u) => u.searchParams.get('node') === node, { timeout: stepTimeoutMs }).then(() => true, () => false);
    Check(moved, `choosing ${node} reloads the board with node=${node}`, board.url());
    const chosen = await board.waitForSelector('[data-node-select]', { timeout: stepTimeoutMs }).catch(() => null);
    Check(chosen !== null && await chosen.evaluate((e) => e.value) === node, `node=${node}: the selector shows the choice`);
    const kpis = await KpisAgainst(board, () => getJson('/api/stats', { node }), 20000);
    Check(kpis.mismatches.length === 0, `node=${node}: the KPIs equal /api/stats?node=${node}`, kpis.mismatches.join('\n    '));
    Check(kpis.stats.offered === 1, `node=${node}: one call offered (two for every node)`, JSON.stringify(kpis.stats));
    const own = node === nodeA ? callA : callB;
    const missedWant = (await getJson('/api/missed', { open: 'true', node })).items.map((m) => m.call.call_id);
    const lists = await Until(async () => {
      const recent = await Ids(board, '#recent-calls');
      const missed = await Ids(board, '#missed-calls');
      return { done: JSON.stringify(recent) === JSON.stringify([own.call_id]) && JSON.stringify(missed) === JSON.stringify(missedWant), recent, missed };
    }, 20000);
    Check(lists.done, `node=${node}: the recent and missed lists hold its calls alone`, JSON.stringify({ ...lists, missedWant }));
    Check(JSON.stringify(missedWant) === JSON.stringify(node === nodeB ? [callB.call_id] : []),
      `/api/missed?node=${node} holds its own missed calls`, JSON.stringify(missedWant));
    for (const what of ['[data-node-kpi]', '[data-node-label]']) {
      Check(await board.$(what) === null, `node=${node}: no ${what}`);
    }
  }
  await board.selectOption('[data-node-select]', '');
  const back = await board.waitForURL((u) => !u.searchParams.has('node'), { timeout: stepTimeoutMs }).then(() => true, () => false);
  Check(back, 'Hammasi reloads the board without node=', board.url());
  const again = await board.waitForSelector(`[data-node-kpi="${nodeB}"]`, { timeout: stepTimeoutMs }).catch(() => null);
  Check(again !== null, 'Hammasi: the per-node lines are back');
  await board.close();
}
