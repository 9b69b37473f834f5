// The wallboard's rendering: the DOM of the live calls (with their timers),
// the recent finished calls, the open missed calls, the KPIs, the connection
// state and errors, from what wallboard_state.js holds. Loaded after
// wallboard_format.js and wallboard_state.js.
'use strict';

(function (board) {
  const { FormatSeconds, FormatKpi, KeyPath, ParseTime, DayText, ClockText, RowTimeText, CallKey } = board;
  const { live, state, PbxNow, ShowsNode, ShowNodeLabels } = board;

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

  // The small label naming a call's node, when the board shows several.
  function NodeLabel(call) {
    const label = El('span', 'node-label', call.node || '?');
    label.dataset.nodeLabel = '';
    return label;
  }

  // The day the board shows, in the PBX's zone: the period's last (today,
  // unless since/until name another); null until the first stats.
  function ShownDay() {
    return state.until === null ? null : DayText(state.until - 1, state.zone);
  }

  function TimerStart(call) {
    if (call.status === 'suhbatda') return ParseTime(call.answer_time) ?? ParseTime(call.start_time);
    return ParseTime(call.start_time);
  }

  function RenderLiveCall(call, labelled) {
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
    if (started !== null) meta.appendChild(document.createTextNode('  · ' + ClockText(started, state.zone)));
    if (labelled) meta.appendChild(NodeLabel(call));
    li.appendChild(meta);
    return li;
  }

  function SortedLive() {
    // Only the node shown; ringing calls first (they need someone), then the
    // longest waiting.
    return Array.from(live.values()).filter(ShowsNode).sort((a, b) => {
      if (a.status !== b.status) return a.status === 'kelyapti' ? -1 : 1;
      return (ParseTime(a.start_time) ?? 0) - (ParseTime(b.start_time) ?? 0);
    });
  }

  function RenderLive() {
    const list = $('live-calls');
    const calls = SortedLive();
    const labelled = ShowNodeLabels();
    list.replaceChildren(...calls.map((call) => RenderLiveCall(call, labelled)));
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
    $('clock').textContent = ClockText(Date.now(), state.zone, true);
  }

  function RenderRecent(freshKeys) {
    const list = $('recent-calls');
    const labelled = ShowNodeLabels();
    list.replaceChildren(
      ...state.recent.map((call) => {
        const li = El('li', 'row');
        li.dataset.callId = call.call_id;
        li.dataset.status = call.status;
        if (call.node) li.dataset.node = call.node;
        if (freshKeys && freshKeys.has(CallKey(call.node, call.call_id))) li.classList.add('fresh');
        li.appendChild(El('span', 'time', RowTimeText(ParseTime(call.start_time), state.zone, ShownDay())));
        li.appendChild(El('span', 'dir ' + (call.direction || ''), call.direction === 'chiquvchi' ? '↑' : '↓'));
        const n = NumbersText(call);
        const who = El('span', 'who num', n.from + ' → ' + n.to);
        if (labelled) who.prepend(NodeLabel(call));
        li.appendChild(who);
        const word = kDispositionWord[call.disposition] || call.disposition || '';
        li.appendChild(El('span', 'tag' + (call.answered ? '' : ' lost'), word));
        li.appendChild(El('span', 'dur', call.duration === null ? '' : FormatSeconds(call.duration)));
        return li;
      }),
    );
    $('recent-empty').hidden = state.recent.length > 0;
  }

  function RenderMissed(body) {
    const items = (body && Array.isArray(body.items) ? body.items : []).filter((m) => m && m.call && !m.resolved);
    const list = $('missed-calls');
    const labelled = ShowNodeLabels();
    list.replaceChildren(
      ...items.map((m) => {
        const call = m.call;
        const li = El('li', 'row');
        li.dataset.missedCallId = call.call_id;
        if (call.node) li.dataset.node = call.node;
        li.appendChild(El('span', 'time', RowTimeText(ParseTime(call.start_time), state.zone, ShownDay())));
        li.appendChild(El('span', 'dir kiruvchi', '↓'));
        const who = El('span', 'who num', (call.from_number || '?') + ' ');
        if (labelled) who.prepend(NodeLabel(call));
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

  function RenderStats(stats) {
    for (const e of document.querySelectorAll('[data-kpi]')) {
      const key = e.dataset.kpi;
      const value = KeyPath(stats, key);
      e.textContent = FormatKpi(key, value);
      e.dataset.value = value === undefined ? 'null' : JSON.stringify(value);
    }
    if (typeof stats.service_level_seconds === 'number') {
      $('sl-hint').textContent = 'inbound, answered ≤ ' + stats.service_level_seconds + ' s';
    }
    if (typeof stats.zone === 'string' && stats.zone && stats.zone !== state.zone) {
      state.zone = stats.zone;
      RenderLive();  // its start times were in the browser's zone until now
    }
    const since = ParseTime(stats.since);
    const until = ParseTime(stats.until);
    if (since !== null && until !== null) {
      state.since = since;
      state.until = until;
      const a = DayText(since, state.zone);
      const b = DayText(until - 1, state.zone);
      $('period').textContent = a === b ? a : a + ' – ' + b;
      $('period').title = 'PBX time zone: ' + (state.zone || 'the browser\'s');
    }
  }

  function SetConnection(state, text) {
    const e = $('conn');
    e.dataset.connection = state;
    e.querySelector('.conn-text').textContent = text;
  }

  Object.assign(board, {
    $, El, ShowError, RenderLive, TickTimers, RenderRecent, RenderMissed, RenderStats, SetConnection,
  });
})(window.WallboardParts);
