// The wallboard's formatting (pure functions: no DOM, no state), FormatKpi
// by the KPI rendering rules in wallboard.js's header. The first of the
// wallboard's scripts (wallboard.js lists them), it creates the object they
// share, window.WallboardParts.
'use strict';

window.WallboardParts = {};

(function (board) {
  const kDash = '\u2014';

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

  Object.assign(board, { Pad2, FormatSeconds, FormatKpi, KeyPath, ParseTime, ClockText, CallKey });
})(window.WallboardParts);
