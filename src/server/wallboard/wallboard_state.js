// What the wallboard holds (the live calls, the recent finished ones, the
// versions seen, the PBX clock's offset) and the rules that keep it, shared
// by the rendering (wallboard_render.js) and the feed (wallboard_feed.js).
// Loaded after wallboard_format.js.
'use strict';

(function (board) {
  const { ParseTime, CallKey } = board;

  const kRecentLimit = 10;
  const kMaxVersions = 5000;

  const params = new URLSearchParams(location.search);
  const period = { since: params.get('since'), until: params.get('until') };
  const token = params.get('token');
  // The one node (PBX) shown, or null: every node's calls.
  const selectedNode = params.get('node') || null;

  const live = new Map();    // CallKey -> call (not finished)
  const feedFinished = new Map();  // CallKey -> {call, at}: finished calls the feed brought
  const versions = new Map();  // CallKey -> the newest last_seq seen for the call
  // The values that are replaced rather than changed in place.
  const state = {
    recent: [],  // finished calls, newest first
    clockOffsetMs: null,  // browser time - PBX time, see wallboard.js's header
    nodes: [],  // the nodes with calls in the period (by_node of /api/stats for all nodes), sorted
    // The PBX's zone and the period shown, from /api/stats (its "zone",
    // "since", "until"): every time on the board is in that zone, and the
    // recent list holds that period's calls only. null until the first stats.
    zone: null,
    since: null,  // ms
    until: null,  // ms
  };

  function PbxNow() {
    return Date.now() - (state.clockOffsetMs || 0);
  }

  function EndOrStart(call) {
    return ParseTime(call.end_time) ?? ParseTime(call.start_time) ?? 0;
  }

  // Whether the call started in the period shown (any call, until it is known).
  function InPeriod(call) {
    if (state.since === null || state.until === null) return true;
    const t = ParseTime(call.start_time);
    return t !== null && t >= state.since && t < state.until;
  }

  function MergeRecent(calls) {
    const byKey = new Map();
    for (const c of state.recent.concat(calls)) byKey.set(CallKey(c.node, c.call_id), c);
    state.recent = Array.from(byKey.values())
      .filter((c) => c.status === 'yakunlandi' && InPeriod(c))
      .sort((a, b) => EndOrStart(b) - EndOrStart(a))
      .slice(0, kRecentLimit);
  }

  // Rows carry last_seq, the ledger seq of the last record folded into
  // them. The feed and the fetches race each other, so a row older than one
  // already seen (a "suhbatda" arriving after the server said "yakunlandi")
  // is stale and ignored. Returns whether `call` is at least as new.
  function IsCurrent(call) {
    const key = CallKey(call.node, call.call_id);
    if (typeof call.last_seq !== 'number') return true;
    const seen = versions.get(key);
    if (seen !== undefined && call.last_seq < seen) return false;
    versions.set(key, call.last_seq);
    if (versions.size > kMaxVersions) {
      for (const k of versions.keys()) if (!live.has(k)) versions.delete(k);
    }
    return true;
  }

  function Forget(key) {
    state.recent = state.recent.filter((c) => CallKey(c.node, c.call_id) !== key);
    feedFinished.delete(key);
  }

  // Whether a call belongs on the board: of the node shown (any, without
  // one) and started in the period the page shows (always, without
  // since/until: the recent list then is the newest calls).
  function InView(call) {
    if (!ShowsNode(call)) return false;
    const start = ParseTime(call.start_time);
    const since = ParseTime(period.since);
    const until = ParseTime(period.until);
    if (start === null) return since === null && until === null;
    return (since === null || start >= since) && (until === null || start < until);
  }

  // Whether a call is of the node shown (every call when none is chosen).
  function ShowsNode(call) {
    return selectedNode === null || call.node === selectedNode;
  }

  // Whether each call's node is labelled: when all nodes are shown and
  // there are several, in the database or in the live feed (with one node
  // chosen, every row is that node's).
  function ShowNodeLabels() {
    if (selectedNode !== null) return false;
    if (state.nodes.length > 1) return true;
    const liveNodes = new Set();
    for (const call of live.values()) liveNodes.add(call.node || '');
    return liveNodes.size > 1;
  }

  Object.assign(board, {
    kRecentLimit, period, token, selectedNode, live, feedFinished, versions, state,
    PbxNow, MergeRecent, IsCurrent, Forget, InView, ShowsNode, ShowNodeLabels,
  });
})(window.WallboardParts);
