// The supervisor's wallboard: live calls, today's KPIs, recent finished calls
// and missed calls not yet called back, for a wall screen. Plain browser
// JavaScript, no framework, no network access beyond the daemon itself.
//
// Data (the daemon's HTTP API, relative to this page):
//   WS  /api/live      {"type":"snapshot","seq","calls"} then
//                      {"type":"changes","seq","changes":[{"op":"upsert","call"}
//                      | {"op":"delete","node","call_id"}]}. A snapshot is the
//                      truth: the live calls are replaced by it.
//   GET /api/stats     the KPIs                 (since, until forwarded)
//   GET /api/missed    open=true: missed calls not yet resolved (since, until)
//   GET /api/calls     status=yakunlandi&limit=10: recent finished (since, until)
// The WebSocket reconnects by itself with a growing, jittered delay (0.5 s
// doubling to 15 s; back to 0.5 s once a snapshot arrived). Stats, missed and
// recent calls are fetched at start, after every snapshot, after changes
// (at most once every 2 s) and every 30 s.
//
// URL query parameters (all optional):
//   since, until  ISO 8601 instants, forwarded as they are to the fetches
//                 above (to show a given day; default: the server's "today")
//   token         a bearer token: "Authorization: Bearer TOKEN" on fetches,
//                 "?access_token=TOKEN" on the WebSocket URL
//
// Stable attributes for tests and scripts:
//   [data-call-id][data-status]   one element per call in the live list
//                 (status kelyapti or suhbatda) or the recent list
//                 (yakunlandi); a call moves from one to the other, so a
//                 call id is on at most one element at a time
//   [data-missed-call-id]         one element per open missed call
//   [data-kpi="offered"] ...      the value at that key path of /api/stats
//                 ("by_direction.kiruvchi.offered" for nested keys), as text
//                 rendered by the rules below, with the raw JSON value in
//                 data-value ("null" when null)
//   [data-connection]             "connecting" | "open" | "closed"
//   [data-count="live"|"missed"]  the number of entries shown
//
// KPI rendering rules (FormatKpi):
//   null or missing                       "—" (U+2014)
//   offered, answered, abandoned          the integer, e.g. "12"
//   abandon_rate, service_level (0..1)    percent, one decimal: (x * 100).toFixed(1) + "%"
//   avg_ring_seconds, avg_talk_seconds    rounded to whole seconds (Math.round),
//                                         "M:SS", or "H:MM:SS" from one hour on
//
// Timers of live calls count from start_time (kelyapti) or answer_time
// (suhbatda). Row times come from the PBX's records, so the board estimates
// the PBX clock's offset from the browser's as the smallest lag seen between
// a change's newest event time and its arrival; until it has seen a change it
// trusts the browser's clock. Timers never show negative values.
'use strict';

(function () {
  const kFetchMinGapMs = 2000;
  const kPeriodicRefreshMs = 30000;
  const kReconnectMinMs = 500;
  const kReconnectMaxMs = 15000;
  const kRecentLimit = 10;
  const kFeedGraceMs = 10000;
  const kMaxVersions = 5000;
  const kDash = '\u2014';

  const kStatusHint = { kelyapti: 'ringing', suhbatda: 'in call', yakunlandi: 'finished' };
  const kDirectionWord = { kiruvchi: '↓ kiruvchi', chiquvchi: '↑ chiquvchi' };
  const kDispositionWord = {
    answered: 'javob berilgan',
    abandoned: 'tashlab ketilgan',
    busy: 'band',
    no_answer: 'javob yo\u02bbq',
    congestion: 'tarmoq band',
    failed: 'ulanmadi',
    unanswered: 'javobsiz',
  };

  // ---- Formatting (pure) ----

  function Pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  // Whole seconds as "M:SS" or "H:MM:SS".
  function FormatSeconds(total) {
    const s = Math.max(0, Math.round(total));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    return h > 0 ? h + ':' + Pad2(m) + ':' + Pad2(rest) : m + ':' + Pad2(rest);
  }

  function FormatKpi(key, value) {
    if (value === null || value === undefined || typeof value !== 'number') return kDash;
    const leaf = key.slice(key.lastIndexOf('.') + 1);
    if (leaf === 'abandon_rate' || leaf === 'service_level') return (value * 100).toFixed(1) + '%';
    if (leaf === 'avg_ring_seconds' || leaf === 'avg_talk_seconds') return FormatSeconds(value);
    return String(value);
  }

  function KeyPath(object, path) {
    let v = object;
    for (const part of path.split('.')) {
      if (v === null || typeof v !== 'object') return undefined;
      v = v[part];
    }
    return v;
  }

  function ParseTime(iso) {
    if (!iso) return null;
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : t;
  }

  // "14:05" in the browser's zone (the wall screen is where the PBX is).
  function ClockText(ms) {
    if (ms === null) return '';
    const d = new Date(ms);
    return Pad2(d.getHours()) + ':' + Pad2(d.getMinutes());
  }

  function CallKey(node, callId) {
    return (node || '') + '\u0000' + callId;
  }

  // ---- State ----

  const params = new URLSearchParams(location.search);
  const period = { since: params.get('since'), until: params.get('until') };
  const token = params.get('token');

  const live = new Map();    // CallKey -> call (not finished)
  let recent = [];           // finished calls, newest first
  const feedFinished = new Map();  // CallKey -> {call, at}: finished calls the feed brought
  let lastSeq = null;        // the seq of the last snapshot or changes applied
  const versions = new Map();  // CallKey -> the newest last_seq seen for the call
  let clockOffsetMs = null;  // browser time - PBX time, see the header

  // ---- DOM helpers ----

  const $ = (id) => document.getElementById(id);

  function El(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function ShowError(text) {
    const box = $('error');
    box.textContent = text || '';
    box.hidden = !text;
  }

  function SetCount(id, n) {
    const e = $(id);
    e.textContent = String(n);
    e.dataset.value = String(n);
  }

  function NumbersText(call) {
    const from = call.from_number || '?';
    const to = call.to_number || '?';
    return { from, to };
  }

  function StatusBadge(status) {
    const b = El('span', 'badge ' + status, status);
    b.appendChild(El('span', 'hint', kStatusHint[status] || ''));
    return b;
  }

  // ---- Live calls ----

  function PbxNow() {
    return Date.now() - (clockOffsetMs || 0);
  }

  function TimerStart(call) {
    if (call.status === 'suhbatda') return ParseTime(call.answer_time) ?? ParseTime(call.start_time);
    return ParseTime(call.start_time);
  }

  function RenderLiveCall(call) {
    const li = El('li', 'call');
    li.dataset.callId = call.call_id;
    li.dataset.status = call.status;
    if (call.node) li.dataset.node = call.node;
    li.appendChild(StatusBadge(call.status));

    const n = NumbersText(call);
    const numbers = El('div', 'numbers num');
    numbers.appendChild(document.createTextNode(n.from));
    numbers.appendChild(El('span', 'arrow', ' → '));
    numbers.appendChild(document.createTextNode(n.to));
    li.appendChild(numbers);

    const timer = El('div', 'timer');
    timer.dataset.timer = '';
    li.appendChild(timer);

    const meta = El('div', 'meta');
    if (call.direction) meta.appendChild(El('span', 'dir ' + call.direction, kDirectionWord[call.direction]));
    if (call.caller_name) meta.appendChild(document.createTextNode('  ' + call.caller_name));
    const started = ParseTime(call.start_time);
    if (started !== null) meta.appendChild(document.createTextNode('  · ' + ClockText(started)));
    li.appendChild(meta);
    return li;
  }

  function SortedLive() {
    // Ringing calls first (they need someone), then the longest waiting.
    return Array.from(live.values()).sort((a, b) => {
      if (a.status !== b.status) return a.status === 'kelyapti' ? -1 : 1;
      return (ParseTime(a.start_time) ?? 0) - (ParseTime(b.start_time) ?? 0);
    });
  }

  function RenderLive() {
    const list = $('live-calls');
    const calls = SortedLive();
    list.replaceChildren(...calls.map(RenderLiveCall));
    SetCount('live-count', calls.length);
    $('live-empty').hidden = calls.length > 0;
    TickTimers();
  }

  function TickTimers() {
    const now = PbxNow();
    for (const li of $('live-calls').children) {
      const call = live.get(CallKey(li.dataset.node, li.dataset.callId));
      const timer = li.querySelector('[data-timer]');
      if (!call || !timer) continue;
      const from = TimerStart(call);
      timer.textContent = from === null ? '' : FormatSeconds((now - from) / 1000);
    }
    const d = new Date();
    $('clock').textContent = Pad2(d.getHours()) + ':' + Pad2(d.getMinutes()) + ':' + Pad2(d.getSeconds());
  }

  // ---- Recent finished calls ----

  function EndOrStart(call) {
    return ParseTime(call.end_time) ?? ParseTime(call.start_time) ?? 0;
  }

  function MergeRecent(calls) {
    const byKey = new Map();
    for (const c of recent.concat(calls)) byKey.set(CallKey(c.node, c.call_id), c);
    recent = Array.from(byKey.values())
      .filter((c) => c.status === 'yakunlandi')
      .sort((a, b) => EndOrStart(b) - EndOrStart(a))
      .slice(0, kRecentLimit);
  }

  function RenderRecent(freshKeys) {
    const list = $('recent-calls');
    list.replaceChildren(
      ...recent.map((call) => {
        const li = El('li', 'row');
        li.dataset.callId = call.call_id;
        li.dataset.status = call.status;
        if (freshKeys && freshKeys.has(CallKey(call.node, call.call_id))) li.classList.add('fresh');
        li.appendChild(El('span', 'time', ClockText(ParseTime(call.start_time))));
        li.appendChild(El('span', 'dir ' + (call.direction || ''), call.direction === 'chiquvchi' ? '↑' : '↓'));
        const n = NumbersText(call);
        li.appendChild(El('span', 'who num', n.from + ' → ' + n.to));
        const word = kDispositionWord[call.disposition] || call.disposition || '';
        li.appendChild(El('span', 'tag' + (call.answered ? '' : ' lost'), word));
        li.appendChild(El('span', 'dur', call.duration === null ? '' : FormatSeconds(call.duration)));
        return li;
      }),
    );
    $('recent-empty').hidden = recent.length > 0;
  }

  // ---- Missed calls ----

  function RenderMissed(body) {
    const items = (body && Array.isArray(body.items) ? body.items : []).filter((m) => m && m.call && !m.resolved);
    const list = $('missed-calls');
    list.replaceChildren(
      ...items.map((m) => {
        const call = m.call;
        const li = El('li', 'row');
        li.dataset.missedCallId = call.call_id;
        li.appendChild(El('span', 'time', ClockText(ParseTime(call.start_time))));
        li.appendChild(El('span', 'dir kiruvchi', '↓'));
        const who = El('span', 'who num', (call.from_number || '?') + ' ');
        if (call.caller_name) who.appendChild(El('span', 'tag', call.caller_name));
        li.appendChild(who);
        // A callback was tried and did not reach the caller.
        const tag = m.callback ? 'qayta: javobsiz' : kDispositionWord[call.disposition] || call.disposition || '';
        li.appendChild(El('span', 'tag lost', tag));
        li.appendChild(El('span', 'dur', call.ring_seconds == null ? '' : FormatSeconds(call.ring_seconds)));
        return li;
      }),
    );
    SetCount('missed-count', items.length);
    $('missed-empty').hidden = items.length > 0;
  }

  // ---- KPIs ----

  function RenderStats(stats) {
    for (const e of document.querySelectorAll('[data-kpi]')) {
      const key = e.dataset.kpi;
      const value = KeyPath(stats, key);
      e.textContent = FormatKpi(key, value);
      e.dataset.value = value === undefined ? 'null' : JSON.stringify(value);
    }
    if (typeof stats.service_level_seconds === 'number') {
      $('sl-hint').textContent = 'service level, ≤ ' + stats.service_level_seconds + ' s';
    }
    const since = ParseTime(stats.since);
    const until = ParseTime(stats.until);
    if (since !== null && until !== null) {
      const a = new Date(since);
      const b = new Date(until - 1);
      const day = (d) => d.getFullYear() + '-' + Pad2(d.getMonth() + 1) + '-' + Pad2(d.getDate());
      $('period').textContent = day(a) === day(b) ? day(a) : day(a) + ' – ' + day(b);
    }
  }

  // ---- Fetching ----

  function ApiUrl(path, extra) {
    const q = new URLSearchParams(extra || {});
    if (period.since) q.set('since', period.since);
    if (period.until) q.set('until', period.until);
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
      const [stats, missed, calls] = await Promise.allSettled([
        GetJson(ApiUrl('/api/stats')),
        GetJson(ApiUrl('/api/missed', { open: 'true' })),
        GetJson(ApiUrl('/api/calls', { status: 'yakunlandi', limit: String(kRecentLimit) })),
      ]);
      const errors = [];
      if (stats.status === 'fulfilled') RenderStats(stats.value);
      else errors.push(stats.reason.message);
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
    recent = [];
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

  // ---- The live feed ----

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

  function ApplySnapshot(message) {
    live.clear();
    for (const call of message.calls || []) {
      if (call && call.status !== 'yakunlandi' && IsCurrent(call)) live.set(CallKey(call.node, call.call_id), call);
    }
    lastSeq = typeof message.seq === 'number' ? message.seq : null;
    RenderLive();
  }

  function Forget(key) {
    recent = recent.filter((c) => CallKey(c.node, c.call_id) !== key);
    feedFinished.delete(key);
  }

  // Whether a call started in the period the page shows (always, without
  // since/until: the recent list then is the newest calls).
  function InPeriod(call) {
    const start = ParseTime(call.start_time);
    const since = ParseTime(period.since);
    const until = ParseTime(period.until);
    if (start === null) return since === null && until === null;
    return (since === null || start >= since) && (until === null || start < until);
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
          if (InPeriod(call)) {
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
      if (clockOffsetMs === null || lag < clockOffsetMs) clockOffsetMs = lag;
    }
    MergeRecent(finished);
    RenderLive();
    RenderRecent(new Set(finished.map((c) => CallKey(c.node, c.call_id))));
    ScheduleRefresh();
  }

  let socket = null;
  let reconnectDelayMs = kReconnectMinMs;

  function SetConnection(state, text) {
    const e = $('conn');
    e.dataset.connection = state;
    e.querySelector('.conn-text').textContent = text;
  }

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

  // ---- Start ----

  function Start() {
    if (period.since || period.until) {
      $('period').textContent = (period.since || '…') + ' – ' + (period.until || '…');
    }
    RenderLive();
    RenderRecent(null);
    RenderMissed(null);
    Refresh();
    Connect();
    setInterval(TickTimers, 250);
    setInterval(Refresh, kPeriodicRefreshMs);
  }

  // For scripts and the browser test: the pure formatting rules.
  window.Wallboard = Object.freeze({ FormatKpi, FormatSeconds });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', Start);
  else Start();
})();
