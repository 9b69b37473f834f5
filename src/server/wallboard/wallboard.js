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
//
// The page loads five plain scripts, in this order (index.html), each
// wrapped in a function of its own and sharing one object,
// window.WallboardParts (not an API):
//   wallboard_format.js   formatting rules, pure
//   wallboard_state.js    what the board holds and the rules that keep it
//   wallboard_render.js   the DOM
//   wallboard_feed.js     fetches and the live feed
//   wallboard.js          this file: starts it all
'use strict';

(function (board) {
  const { FormatKpi, FormatSeconds, period, $ } = board;
  const { RenderLive, RenderRecent, RenderMissed, TickTimers, Refresh, Connect } = board;

  const kPeriodicRefreshMs = 30000;

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
})(window.WallboardParts);
