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

  // The wall-clock fields of `ms` ("2026", "11", "26", "14", "05", "09") in
  // `zone`, an IANA name (/api/stats' "zone": the PBX's), whatever the
  // browser's zone; in the browser's own when `zone` is empty or unknown.
  const formatters = new Map();
  function ZonedFields(ms, zone) {
    const key = zone || '';
    let f = formatters.get(key);
    if (!f) {
      const options = {
        year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      };
      try {
        f = new Intl.DateTimeFormat('en-US', key ? { ...options, timeZone: key } : options);
      } catch (e) {
        f = new Intl.DateTimeFormat('en-US', options);  // an unknown zone: the browser's
      }
      formatters.set(key, f);
    }
    const out = {};
    for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = p.value;
    return out;
  }

  // "2026-11-26": the day of `ms` in `zone`.
  function DayText(ms, zone) {
    const z = ZonedFields(ms, zone);
    return z.year + '-' + z.month + '-' + z.day;
  }

  // "14:05" ("14:05:09" with seconds) in `zone`.
  function ClockText(ms, zone, withSeconds) {
    if (ms === null) return '';
    const z = ZonedFields(ms, zone);
    return z.hour + ':' + z.minute + (withSeconds ? ':' + z.second : '');
  }

  // A row's time in `zone`: "14:05" on `day` ("YYYY-MM-DD", the day the
  // board shows), "11-26 14:05" on another day.
  function RowTimeText(ms, zone, day) {
    if (ms === null) return '';
    const z = ZonedFields(ms, zone);
    const clock = z.hour + ':' + z.minute;
    return z.year + '-' + z.month + '-' + z.day === day ? clock : z.month + '-' + z.day + ' ' + clock;
  }

  function CallKey(node, callId) {
    return (node || '') + '\u0000' + callId;
  }

  Object.assign(board, {
    Pad2, FormatSeconds, FormatKpi, KeyPath, ParseTime, ZonedFields, DayText, ClockText, RowTimeText,
    CallKey,
  });
})(window.WallboardParts);
