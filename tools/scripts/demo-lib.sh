# shellcheck shell=bash
# Helpers of the demo's scripts (tools/scripts/demo-*.sh), sourced, not run.
# They use the environment demo.sh sets: DEMO_BIN, DEMO_WORK, DEMO_HTTP and
# CALL_LEDGER_TEST_PG (the private PostgreSQL of with-postgres.sh).
bin=$DEMO_BIN work=$DEMO_WORK ledger=$DEMO_WORK/ledger

psql_q() { psql "$CALL_LEDGER_TEST_PG" -X -q -P pager=off "$@"; }

# start_sim NAME ARGS...: ari-sim on a free port, logging to $work/NAME.log;
# sets $sim (its pid) and $ari (HOST:PORT).
start_sim() {
  local name=$1
  shift
  "$bin/tools/ari-sim" --listen 127.0.0.1:0 "$@" > "$work/$name.out" 2> "$work/$name.log" &
  sim=$!
  for _ in $(seq 100); do grep -q "^listening on" "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  ari=$(sed -n 's/^listening on //p' "$work/$name.out")
  if [ -z "$ari" ]; then echo "ari-sim did not start:"; tail -n 20 "$work/$name.log"; exit 1; fi
}

# start_daemon LOG [NAME=VALUE...]: call-ledgerd on the ledger and the
# private PostgreSQL, talking ARI to $ari, its log in $work/LOG, with the
# extra environment given; sets $daemon (its pid) and $http (HOST:PORT).
start_daemon() {
  local log=$work/$1
  shift
  env ARI_URL="http://$ari" ARI_USER=backend ARI_PASSWORD=CallCenter2025 \
    DATABASE_URL="$CALL_LEDGER_TEST_PG" LEDGER_DIR="$ledger" NODE_NAME=demo-pbx \
    HTTP_LISTEN="$DEMO_HTTP" PBX_TIMEZONE=Asia/Tashkent "$@" "$bin/src/call-ledgerd" 2> "$log" &
  daemon=$!
  for _ in $(seq 100); do grep -q "http listening on" "$log" 2>/dev/null && break; sleep 0.1; done
  http=$(sed -n 's/.*http listening on \([^ ]*\) .*/\1/p' "$log" | head -n 1)
  if [ -z "$http" ]; then echo "call-ledgerd did not start serving HTTP:"; tail -n 20 "$log"; exit 1; fi
}

# stop_both: SIGTERM to the daemon, then to ari-sim; waits for both.
stop_both() {
  kill -TERM "$daemon"
  wait "$daemon" || true
  kill -TERM "$sim"
  wait "$sim" || true
}

# metric NAME: the value of one of the daemon's metrics (-1 when it cannot
# be read).
metric() {
  { curl -s "http://$http/metrics" || true; } |
    awk -v name="$1" '$1 == name { print $2; found = 1 } END { if (!found) print -1 }'
}

# watch_calls DONE LOG: every second, while the calls run, prints what
# changed (the ledger's head and the checkpoint, the calls not yet finished)
# until the command DONE succeeds; stops the demo if call-ledgerd stops
# (its log is LOG).
watch_calls() {
  local done_cmd=$1 log=$2 last="" head cp live done_calls now
  while true; do
    cp=$(psql_q -t -A -c "SELECT coalesce(max(last_seq),0) FROM projector_checkpoint WHERE node='demo-pbx'" 2>/dev/null || echo 0)
    head=$(metric call_ledger_ledger_head_seq)
    live=$(psql_q -t -A -F ' | ' -c "SET TIME ZONE 'Asia/Tashkent'" -c "
      SELECT to_char(start_time,'HH24:MI:SS'), call_id, direction, from_number, to_number, status
      FROM call_logs WHERE status <> 'yakunlandi' ORDER BY start_time" 2>/dev/null || true)
    done_calls=$(psql_q -t -A -c "SELECT count(*) FROM call_logs WHERE status = 'yakunlandi'" 2>/dev/null || echo 0)
    now="$live|$done_calls"
    if [ "$now" != "$last" ]; then
      echo "-- $(date +%H:%M:%S)  ledger head seq $head, projected to seq $cp, finished calls: $done_calls, live calls:"
      if [ -n "$live" ]; then echo "$live" | sed 's/^/   /'; else echo "   (none)"; fi
      last=$now
    fi
    "$done_cmd" && break
    kill -0 "$daemon" 2>/dev/null || { echo "call-ledgerd stopped:"; tail -n 20 "$log"; exit 1; }
    sleep 1
  done
}
