#!/usr/bin/env bash
# The body of demo.sh, run under with-postgres.sh (CALL_LEDGER_TEST_PG is the
# private PostgreSQL). Not meant to be run by hand. Part 1 replays the
# captured sessions of fixtures/asterisk; part 2 (demo-cel.sh) a cut healed
# from Asterisk's CEL log; then what the ledger and the call log hold.
set -euo pipefail
. "$DEMO_ROOT/tools/scripts/demo-lib.sh"
streams=("$DEMO_ROOT"/fixtures/asterisk/*.observer.jsonl)
frames=$(cat "${streams[@]}" | grep -c .)

start_sim ari-sim --speed "$DEMO_SPEED" "${streams[@]}"
trap 'kill ${daemon:-} $sim 2>/dev/null || true' EXIT
echo "== Part 1: ari-sim replays ${#streams[@]} captured Asterisk sessions ($frames frames) as ARI at $ari, speed x$DEMO_SPEED"
start_daemon call-ledgerd.log
echo "== call-ledgerd: ledger $ledger, node demo-pbx, PostgreSQL (private, $CALL_LEDGER_TEST_PG)"
echo "   Wallboard (open it now, the calls below appear there live): http://$http/?since=2026-11-26T00:00:00%2B05:00&until=2026-11-27T00:00:00%2B05:00"
echo "   API: http://$http/api/calls   live feed: ws://$http/api/live   metrics: http://$http/metrics"
echo

# Frames + the daemon's note, gap and reconcile records, projected.
expected=$((frames + 3))
all_projected() {
  local cp
  cp=$(psql_q -t -A -c "SELECT coalesce(max(last_seq),0) FROM projector_checkpoint WHERE node='demo-pbx'" 2>/dev/null || echo 0)
  [ "${cp:-0}" -ge "$expected" ]
}
watch_calls all_projected "$work/call-ledgerd.log"
echo
echo "== GET /api/stats for the captured day (the wallboard's KPIs)"
curl -s "http://$http/api/stats?since=2026-11-26T00:00:00%2B05:00&until=2026-11-27T00:00:00%2B05:00" | python3 -m json.tool
echo "== GET /api/missed (inbound calls never answered, and whether they were called back)"
curl -s "http://$http/api/missed?since=2026-11-26T00:00:00%2B05:00&until=2026-11-27T00:00:00%2B05:00" |
  python3 -c 'import json,sys
for m in json.load(sys.stdin)["items"]:
    c = m["call"]
    print("  ", c["start_time"], c["from_number"], "->", c["to_number"], c["disposition"],
          "resolved" if m["resolved"] else "not called back yet")'
stop_both
trap - EXIT
echo

"$DEMO_ROOT/tools/scripts/demo-cel.sh" play
echo
echo "== call_logs (times in the PBX zone, Asia/Tashkent)"
psql_q -c "SET TIME ZONE 'Asia/Tashkent'" -c "
  SELECT call_id, direction, from_number AS from, to_number AS to,
         to_char(start_time, 'YYYY-MM-DD HH24:MI:SS') AS start, to_char(end_time, 'HH24:MI:SS') AS end,
         duration AS dur, status, answered, disposition, caller_name, recording_path
  FROM call_logs ORDER BY start_time, call_id"
echo "== call-ledgerd's log (first lines)"
sed -n 1,6p "$work/call-ledgerd.log"
echo
echo "== ledger-audit call 1795684640.55   (scenario k1: transfer, hold, DTMF)"
"$bin/tools/ledger-audit" --ledger "$ledger" call 1795684640.55 | sed -n 1,9p
echo
echo "== ledger-audit stats"
"$bin/tools/ledger-audit" --ledger "$ledger" stats
echo
echo "== ledger-replay check (the table is exactly what the ledger says)"
"$bin/tools/ledger-replay" check --ledger "$ledger" --pg "$CALL_LEDGER_TEST_PG" | tail -n 1
echo "== ledger-audit verify"
"$bin/tools/ledger-audit" --ledger "$ledger" verify
echo
"$DEMO_ROOT/tools/scripts/demo-cel.sh" report
echo
echo "The ledger stays in $ledger (ledger-audit --help); PostgreSQL stops now."
