// The wallboard's data: the fetches of the KPIs, missed and recent calls
// (at most one every 2 s, collapsing requests in between), and the live feed
// over WebSocket, with its snapshot, its changes and its reconnects. They
// change what wallboard_state.js holds and call wallboard_render.js to show
// it. Loaded after those two.
'use strict';

(function (board) {
  const { ParseTime, CallKey } = board;
  const { kRecentLimit, period, token, selectedNode, live, feedFinished, versions, state } = board;
  const { MergeRecent, IsCurrent, Forget, InView } = board;
  const { ShowError, RenderLive, RenderRecent, RenderMissed, RenderStats, SetConnection } = board;
  const { RenderNodes } = board;

  const kFetchMinGapMs = 2000;
  const kReconnectMinMs = 500;
  const kReconnectMaxMs = 15000;
  const kFeedGraceMs = 10000;

  let lastSeq = null;        // the seq of the last snapshot or changes applied

  // `path` with the page's period and node (unless `everyNode`) and `extra`.
  function ApiUrl(path, extra, everyNode) {
    const q = new URLSearchParams(extra || {});
    if (period.since) q.set('since', period.since);
    if (period.until) q.set('until', period.until);
    if (selectedNode !== null && !everyNode) q.set('node', selectedNode);
    const s = q.toString();
    return path + (s ? '?' + s : '');
  }

  async function GetJson(url) {
    const path = url.split('?')[0];
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(url, { headers, cache: 'no-store' });
    } catch (e) {
      throw new Error(path + ': ' + e.message);
    }
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return response.json();
  }

  let refreshRunning = false;
  let refreshAgain = false;
  let refreshTimer = null;
  let lastRefreshAt = 0;

  async function Refresh() {
    if (refreshRunning) {
      refreshAgain = true;
      return;
    }
    refreshRunning = true;
    const started = Date.now();
    lastRefreshAt = started;
    try {
      // With one node chosen, the node list (for the selector) comes from
      // the figures of every node, read besides that node's.
      const [stats, missed, calls, everyNode] = await Promise.allSettled([
        GetJson(ApiUrl('/api/stats')),
        GetJson(ApiUrl('/api/missed', { open: 'true' })),
        GetJson(ApiUrl('/api/calls', { status: 'yakunlandi', limit: String(kRecentLimit) })),
        selectedNode === null ? null : GetJson(ApiUrl('/api/stats', {}, true)),
      ]);
      const errors = [];
      if (stats.status === 'fulfilled') RenderStats(stats.value);
      else errors.push(stats.reason.message);
      const nodeStats = selectedNode === null ? stats : everyNode;
      if (nodeStats.status === 'fulfilled') {
        if (RenderNodes(nodeStats.value)) RenderLive();  // the node labels came or went
      } else if (nodeStats !== stats) {
        errors.push(nodeStats.reason.message);
      }
      if (missed.status === 'fulfilled') RenderMissed(missed.value);
      else errors.push(missed.reason.message);
      if (calls.status === 'fulfilled') ApplyRecent(calls.value, started);
      else errors.push(calls.reason.message);
      ShowError(errors.join('; '));
    } catch (e) {
      ShowError(String(e && e.message ? e.message : e));
    } finally {
      refreshRunning = false;
    }
    if (refreshAgain) {
      refreshAgain = false;
      ScheduleRefresh();
    }
  }

  // The server's list of finished calls is the truth, plus the calls the
  // feed finished lately (the read may have been answered before their
  // commit). A call the server reports finished is no longer live, even if
  // the feed has not said so yet.
  function ApplyRecent(body, started) {
    const items = (Array.isArray(body.items) ? body.items : []).filter(IsCurrent);
    state.recent = [];
    MergeRecent(items);
    for (const [key, entry] of feedFinished) {
      if (entry.at < started - kFeedGraceMs) feedFinished.delete(key);
      else MergeRecent([entry.call]);
    }
    let liveChanged = false;
    for (const call of items) {
      if (call.status === 'yakunlandi' && live.delete(CallKey(call.node, call.call_id))) liveChanged = true;
    }
    if (liveChanged) RenderLive();
    RenderRecent(null);
  }

  // At most one refresh every kFetchMinGapMs; requests in between collapse.
  function ScheduleRefresh() {
    if (refreshTimer !== null) return;
    const wait = Math.max(0, lastRefreshAt + kFetchMinGapMs - Date.now());
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      Refresh();
    }, wait);
  }

  // The newest time in `call` that is news compared with `before` (the
  // version seen last, or undefined): a start, an answer or an end that just
  // happened. null when the change carries no new event time.
  function FreshEventTime(before, call) {
    let t = null;
    const take = (iso) => {
      const v = ParseTime(iso);
      if (v !== null && (t === null || v > t)) t = v;
    };
    if (!before) take(call.start_time);
    if (!(before && before.answer_time)) take(call.answer_time);
    if (!(before && before.end_time)) take(call.end_time);
    return t;
  }

  function ApplySnapshot(message) {
    live.clear();
    for (const call of message.calls || []) {
      if (call && call.status !== 'yakunlandi' && IsCurrent(call)) live.set(CallKey(call.node, call.call_id), call);
    }
    lastSeq = typeof message.seq === 'number' ? message.seq : null;
    RenderLive();
  }

  function ApplyChanges(message) {
    if (typeof message.seq === 'number' && lastSeq !== null && message.seq <= lastSeq) return;
    if (typeof message.seq === 'number') lastSeq = message.seq;
    const arrived = Date.now();
    const finished = [];
    let newest = null;
    for (const change of message.changes || []) {
      if (change.op === 'upsert' && change.call) {
        const call = change.call;
        const key = CallKey(call.node, call.call_id);
        if (!IsCurrent(call)) continue;
        const t = FreshEventTime(live.get(key), call);
        if (t !== null && (newest === null || t > newest)) newest = t;
        if (call.status === 'yakunlandi') {
          live.delete(key);
          if (InView(call)) {
            finished.push(call);
            feedFinished.set(key, { call, at: arrived });
          }
        } else {
          live.set(key, call);
          Forget(key);
        }
      } else if (change.op === 'delete') {
        const key = CallKey(change.node, change.call_id);
        live.delete(key);
        versions.delete(key);
        Forget(key);
      }
    }
    if (newest !== null) {
      const lag = arrived - newest;
      if (state.clockOffsetMs === null || lag < state.clockOffsetMs) state.clockOffsetMs = lag;
    }
    MergeRecent(finished);
    RenderLive();
    RenderRecent(new Set(finished.map((c) => CallKey(c.node, c.call_id))));
    ScheduleRefresh();
  }

  let socket = null;
  let reconnectDelayMs = kReconnectMinMs;

  function LiveUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = scheme + '//' + location.host + '/api/live';
    if (token) url += '?access_token=' + encodeURIComponent(token);
    return url;
  }

  function Connect() {
    SetConnection('connecting', 'ulanmoqda…');
    let ws;
    try {
      ws = new WebSocket(LiveUrl());
    } catch (e) {
      ScheduleReconnect();
      return;
    }
    socket = ws;
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (message.type === 'snapshot') {
        reconnectDelayMs = kReconnectMinMs;
        SetConnection('open', 'jonli');
        ApplySnapshot(message);
        Refresh();
      } else if (message.type === 'changes') {
        ApplyChanges(message);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      ScheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  function ScheduleReconnect() {
    const delay = reconnectDelayMs * (0.75 + Math.random() * 0.5);
    reconnectDelayMs = Math.min(kReconnectMaxMs, reconnectDelayMs * 2);
    SetConnection('closed', 'uzilgan, qayta ulanish ' + Math.ceil(delay / 1000) + ' s');
    setTimeout(Connect, delay);
  }

  Object.assign(board, { Refresh, Connect });
})(window.WallboardParts);
