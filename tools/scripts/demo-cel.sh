#!/usr/bin/env bash
# The demo's second part, run by demo-run.sh under with-postgres.sh (not by
# hand): one call hidden from the daemon by a cut in the ARI stream, and
# healed from Asterisk's CEL log.
#
#   demo-cel.sh play     ari-sim replays scenario a2 of fixtures/asterisk-cel
#                        as a PBX would (--realtime), writing its CEL log as
#                        it goes (--cel-out), and cuts the daemon's
#                        connection where the call hangs up (the a2 "end"
#                        case of fixtures/expected/cuts/CUTS); call-ledgerd,
#                        restarted on the same ledger with CEL_FILE set,
#                        reconnects and records the gap, the reconcile and
#                        the CEL lines of the gap's window.
#   demo-cel.sh report   prints "Healed from Asterisk's CEL log": the rows
#                        healed from CEL (or that none was), what the cut
#                        hid, and the ledger's cel records.
#
# Why the capture is moved: the daemon takes a gap's CEL window on its own
# clock, and the capture keeps the day it was recorded; move-capture.py
# moves its ARI and CEL times forward by the same whole seconds so that the
# cut falls now (the rows keep their durations to the microsecond).
set -euo pipefail
. "$DEMO_ROOT/tools/scripts/demo-lib.sh"

scenario=a2-inbound-answered-uuidfn
# The a2 "end" case of CUTS: frames 74-81 are the call's hangup requests,
# its exit from the agent's bridge and its ChannelDestroyed (cause 16).
drop_at=73 gap=8
call_channel=1796643899.9  # the call's channel (the scenario's expected.json)
# The stream starts this long after the daemon subscribes: longer than the
# daemon's wait for CEL lines after its start (cel.settle_ms, 2 s), so the
# start's window is read before Asterisk has written a line of the call.
lead_in_ms=4000
moved=$work/cel-capture
cel=$work/cel.jsonl

play() {
  mkdir -p "$moved"
  local source=$DEMO_ROOT/fixtures/asterisk-cel/$scenario shift_s
  shift_s=$(python3 "$DEMO_ROOT/tools/scripts/move-capture.py" --frame $((drop_at + 1)) \
    --speed "$DEMO_SPEED" --lead-in-ms "$lead_in_ms" \
    "$source.observer.jsonl" "$source.cel.jsonl" "$moved")
  # Asterisk's cel_custom log: there, empty, before the first call.
  : > "$cel"
  start_sim ari-sim-cel --realtime --speed "$DEMO_SPEED" --lead-in-ms "$lead_in_ms" \
    --drop-at "$drop_at" --gap "$gap" --cel "$moved/$scenario.cel.jsonl" --cel-out "$cel" \
    "$moved/$scenario.observer.jsonl"
  trap 'kill ${daemon:-} $sim 2>/dev/null || true' EXIT
  echo "== Part 2: a cut in the stream, healed from Asterisk's CEL log"
  echo "   ari-sim replays one more call, scenario $scenario of fixtures/asterisk-cel, moved"
  echo "   $shift_s s forward (to now), as a PBX would (--realtime: its clock runs on while no client"
  echo "   listens); it writes Asterisk's CEL log to $cel as the call goes (--cel-out)"
  echo "   and closes the daemon's connection after frame $drop_at (--drop-at $drop_at --gap $gap): frames"
  echo "   $((drop_at + 1))-$((drop_at + gap)), the call's hangup requests, its exit from the agent's bridge and its"
  echo "   ChannelDestroyed (cause 16), never reach the daemon, nor what comes due before it is back."
  start_daemon call-ledgerd-cel.log CEL_FILE="$cel"
  echo "   call-ledgerd restarts on the same ledger with CEL_FILE=$cel, talking to $ari"
  echo "   (the call is today's: wallboard http://$http/)"
  echo
  watch_calls settled "$work/call-ledgerd-cel.log"
  if [ "${DEMO_KEEP_SECONDS:-0}" -gt 0 ]; then
    echo "== the daemon keeps serving http://$http/ for $DEMO_KEEP_SECONDS s (DEMO_KEEP_SECONDS)"
    sleep "$DEMO_KEEP_SECONDS"
  fi
  stop_both
  trap - EXIT
  echo
  echo "== what ari-sim did, and what call-ledgerd recorded, around the cut"
  grep -E "drop after|were not sent|CEL: all" "$work/ari-sim-cel.log" | sed 's/^/   /'
  grep -E "Connected to Asterisk|lost or refused|CEL: recorded" "$work/call-ledgerd-cel.log" | sed 's/^/   /'
}

# Played, recorded and projected: ari-sim has written every CEL line, the
# daemon has recorded the CEL of both gaps (its start and the cut), and
# the call log is at the ledger's head.
settled() {
  grep -q "CEL: all" "$work/ari-sim-cel.log" || return 1
  awk -v n="$(metric call_ledger_cel_records_total)" 'BEGIN { exit !(n >= 2) }' || return 1
  awk -v n="$(metric call_ledger_projector_lag_records)" 'BEGIN { exit !(n == 0) }'
}

# The frames ari-sim never sent, as its log says ("74..93").
unsent() {
  sed -n 's/.*frames \([0-9]*\.\.[0-9]*\) were not sent.*/\1/p' "$work/ari-sim-cel.log" |
    head -n 1
}

report() {
  echo "== Healed from Asterisk's CEL log"
  local healed hidden
  hidden="frames $(unsent) of the call's stream, its hangup and end (ChannelDestroyed, cause 16) among them"
  healed=$(psql_q -t -A -c "SELECT count(*) FROM call_logs WHERE evidence = 'cel'")
  if [ "$healed" -gt 0 ]; then
    psql_q -c "SET TIME ZONE 'Asia/Tashkent'" -c "
      SELECT call_id, from_number AS from, to_number AS to,
             to_char(start_time, 'YYYY-MM-DD HH24:MI:SS.MS') AS start,
             to_char(answer_time, 'HH24:MI:SS.MS') AS answer, to_char(end_time, 'HH24:MI:SS.MS') AS end,
             status, hangup_cause AS cause, hangup_cause_txt AS cause_txt, end_reason
      FROM call_logs WHERE evidence = 'cel' ORDER BY start_time, call_id"
    echo "The cut hid $hidden: the end time and the hangup cause above"
    echo "come from Asterisk's CEL log (the HANGUP and CHAN_END lines of channel $call_channel below), not from ARI."
  else
    echo "No row was healed from CEL. The cut hid $hidden;"
    echo "the call is projected from ARI alone, its end estimated at the reconcile:"
    psql_q -c "SET TIME ZONE 'Asia/Tashkent'" -c "
      SELECT call_id, to_char(start_time, 'YYYY-MM-DD HH24:MI:SS.MS') AS start,
             to_char(end_time, 'HH24:MI:SS.MS') AS end, status, hangup_cause AS cause,
             end_estimated, end_reason, evidence
      FROM call_logs WHERE channel_id = '$call_channel'"
  fi
  echo "== ledger-audit log --kind cel   (the CEL evidence in the ledger)"
  "$bin/tools/ledger-audit" --ledger "$ledger" log --kind cel
  echo "   the lines of channel $call_channel in them:"
  "$bin/tools/ledger-audit" --ledger "$ledger" log --kind cel --json | python3 -c '
import datetime, json, sys
channel, hangups = sys.argv[1], 0
for record in sys.stdin:
    record = json.loads(record)
    for line in record["payload"]["lines"]:
        if line["uniqueid"] == channel:
            seconds, micros = line["eventtime"].split(".")
            at = datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc)
            extra = " " + line["eventextra"] if line["eventextra"] else ""
            print("   seq %d: %s.%sZ %s%s" % (record["seq"], at.strftime("%Y-%m-%dT%H:%M:%S"), micros,
                                           line["eventtype"], extra))
            hangups += line["eventtype"] == "HANGUP"
if not hangups:
    print("   None of them is its HANGUP: the window of the cut (cel.margin_ms before the disconnect")
    print("   to the reconcile) missed it, so CEL cannot heal this call here. The daemon must connect")
    print("   within about 4 s of the demo moving the capture (move-capture.py).")
' "$call_channel"
}

case "${1:-}" in
  play) play ;;
  report) report ;;
  *)
    echo "usage: demo-cel.sh play|report (run by demo-run.sh)" >&2
    exit 2
    ;;
esac
