// The supervisor's wallboard: live calls, today's KPIs, recent finished calls
// and missed calls not yet called back, for a wall screen. Plain browser
// JavaScript, no framework, no network access beyond the daemon itself.
//
// Data (the daemon's HTTP API, relative to this page):
//   WS  /api/live      {"type":"snapshot","seq","calls"} then
//                      {"type":"changes","seq","changes":[{"op":"upsert","call"}
//                      | {"op":"delete","node","call_id"}]}. A snapshot is the
//                      truth: the live calls are replaced by it.
//   GET /api/stats     the KPIs                 (since, until, node forwarded);
//                      with a node chosen, also without node= (its by_node
//                      lists the nodes for the selector)
//   GET /api/missed    open=true: missed calls not yet resolved (since, until, node)
//   GET /api/calls     status=yakunlandi&limit=10: recent finished (since, until, node)
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
//   node          one PBX's calls when several share the database: forwarded
//                 to the fetches above; the live list shows only that node's
//                 calls (/api/live is this daemon's feed, whatever the node)
//
// Several nodes (wallboard_nodes.js): when /api/stats' by_node (over every
// node) names more than one, the header offers a selector, "Hammasi" (all,
// the default) and each node; choosing one reloads the page with node= set
// (removed for "Hammasi"). While every node is shown and there are several,
// a line per node under the totals shows its offered, answered, abandoned
// and service level, and each call in the live, missed and recent lists
// carries a small label with its node; the labels show too when the live
// feed holds calls of several nodes. With one node none of this is shown.
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
//   [data-node]                   on every call element above (live, recent,
//                 missed) whose row has a node: the node's name
//   [data-node-label]             the node label inside such an element,
//                 present only while the labels are shown
//   [data-node-select]            the node selector (a <select>: value ""
//                 for every node, else the node's name), present only when
//                 there are several nodes
//   [data-node-kpi="NODE"]        one line per node while every node is
//                 shown and there are several; inside it [data-key="offered"],
//                 "answered", "abandoned", "service_level": that node's
//                 by_node value rendered by the rules below, the raw JSON
//                 value in data-value
//
// KPI rendering rules (FormatKpi):
//   null or missing                       "—" (U+2014)
//   offered, answered, abandoned          the integer, e.g. "12"
//   abandon_rate, service_level (0..1)    percent, one decimal: (x * 100).toFixed(1) + "%"
//   avg_ring_seconds, avg_talk_seconds    rounded to whole seconds (Math.round),
//                                         "M:SS", or "H:MM:SS" from one hour on
//
// Times are the PBX's: the clock, the period in the header and every row's
// time are shown in /api/stats' "zone" (the daemon's PBX_TIMEZONE), whatever
// the browser's zone is (a supervisor's laptop set to UTC sees 14:17 for a
// call at 14:17 in Tashkent, not 09:17). A row of another day than the one
// shown carries its date ("11-26 14:17"); the recent list holds only calls
// that started in the period shown (by default the PBX's today).
//
// Timers of live calls count from start_time (kelyapti) or answer_time
// (suhbatda). Row times come from the PBX's records, so the board estimates
// the PBX clock's offset from the browser's as the smallest lag seen between
// a change's newest event time and its arrival; until it has seen a change it
// trusts the browser's clock. Timers never show negative values.
//
// The page loads six plain scripts, in this order (index.html), each
// wrapped in a function of its own and sharing one object,
// window.WallboardParts (not an API):
//   wallboard_format.js   formatting rules, pure
//   wallboard_state.js    what the board holds and the rules that keep it
//   wallboard_render.js   the DOM
//   wallboard_nodes.js    the node selector and the per-node KPI lines
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
