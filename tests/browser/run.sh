#!/usr/bin/env bash
# The wallboard's browser test (CTest: wallboard_browser). Needs
# CALL_LEDGER_TEST_PG (tools/scripts/with-postgres.sh sets it).
#
# Usage: run.sh --daemon PATH --ari-sim PATH --build-dir DIR
#               [--fixture NAME] [--speed F]
#
# 1. Makes sure Debian's chromium and node/npm are there (installs them with
#    apt-get when running as root; otherwise says what to install).
# 2. Installs playwright-core (package-lock.json, no browser download) with
#    `npm ci` into DIR/browser-test/, not into the source tree; skipped when
#    the lock file has not changed since the last install.
# 3. Creates a private database in CALL_LEDGER_TEST_PG's server.
# 4. Starts wallboard.test.mjs, which launches Chromium and says when it is
#    ready; only then starts ari-sim replaying fixtures/asterisk/NAME.observer.jsonl
#    (default a-inbound-answered) after a lead-in frame, at speed F (default
#    0.5: the call starts after about 4 s, rings about 4 s and talks about
#    6 s) and call-ledgerd with HTTP_LISTEN=127.0.0.1:0,
#    and hands the test the daemon's address. When the test asks, restarts
#    the daemon on the same port (the page must reconnect by itself), and
#    then starts a second node into the same database: another ari-sim
#    replaying fixtures/asterisk/b-inbound-abandoned.observer.jsonl after a
#    longer lead-in (so its board can load first) and another call-ledgerd
#    (NODE_NAME wallboard-test-b, its own ledger and HTTP port).
# 5. Exits with the test's status. Everything started here is stopped and the
#    database dropped however the script ends.
#
# Artifacts: DIR/test-artifacts/wallboard.png (the end), wallboard-live.png
# (during the conversation), wallboard-nodes.png (two nodes); logs in
# DIR/browser-test/run/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
daemon_bin="" sim_bin="" build_dir="" fixture=a-inbound-answered speed=0.5
fixture_b=b-inbound-abandoned node_a=wallboard-test node_b=wallboard-test-b
while [ "$#" -gt 0 ]; do
  case "$1" in
    --daemon) daemon_bin=$2; shift 2 ;;
    --ari-sim) sim_bin=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --fixture) fixture=$2; shift 2 ;;
    --speed) speed=$2; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
fail() { echo "wallboard_browser: $*" >&2; exit 1; }
[ -x "$daemon_bin" ] || fail "--daemon: no executable call-ledgerd at '$daemon_bin'"
[ -x "$sim_bin" ] || fail "--ari-sim: no executable ari-sim at '$sim_bin'"
[ -n "$build_dir" ] || fail "--build-dir is required"
stream=$root/fixtures/asterisk/$fixture.observer.jsonl
expected_rows=$root/fixtures/expected/$fixture.observer.rows.json
[ -f "$stream" ] && [ -f "$expected_rows" ] || fail "no fixture $fixture ($stream, $expected_rows)"
stream_b=$root/fixtures/asterisk/$fixture_b.observer.jsonl
expected_rows_b=$root/fixtures/expected/$fixture_b.observer.rows.json
[ -n "${CALL_LEDGER_TEST_PG:-}" ] ||
  fail "CALL_LEDGER_TEST_PG is not set: run the tests through tools/scripts/with-postgres.sh (tools/scripts/test.sh does)"

# --- 1. chromium, node, npm ---------------------------------------------------
chromium_bin=/usr/bin/chromium
apt_missing=()
[ -x "$chromium_bin" ] || apt_missing+=(chromium fonts-dejavu-core)
if ! command -v node >/dev/null 2>&1; then
  apt_missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  apt_missing+=(npm)
fi
if [ "${#apt_missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing ${apt_missing[*]}: run tools/scripts/install-deps.sh, or apt-get install ${apt_missing[*]} as root"
  fi
  echo "wallboard_browser: installing ${apt_missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi
[ -x "$chromium_bin" ] || fail "$chromium_bin is still missing"

# --- 2. node modules in the build tree ---------------------------------------
node_dir=$build_dir/browser-test
mkdir -p "$node_dir"
stamp=$(sha256sum "$here/package-lock.json" "$here/package.json" | sha256sum | cut -c1-64)
if [ ! -d "$node_dir/node_modules/playwright-core" ] || [ "$(cat "$node_dir/.installed" 2>/dev/null)" != "$stamp" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  echo "wallboard_browser: npm ci in $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in $node_dir"
  echo "$stamp" > "$node_dir/.installed"
fi

# --- 3. a private database -----------------------------------------------------
work=$node_dir/run
rm -rf "$work"
mkdir -p "$work" "$build_dir/test-artifacts"
rm -f "$build_dir"/test-artifacts/wallboard*.png
db=wallboard_$(date +%s)_$$
case "$CALL_LEDGER_TEST_PG" in
  postgres://* | postgresql://*)
    case "$CALL_LEDGER_TEST_PG" in *\?*) dsn="$CALL_LEDGER_TEST_PG&dbname=$db" ;; *) dsn="$CALL_LEDGER_TEST_PG?dbname=$db" ;; esac ;;
  *) dsn="$CALL_LEDGER_TEST_PG dbname=$db" ;;  # keyword=value: the last one wins
esac
psql_admin() { psql "$CALL_LEDGER_TEST_PG" -X -q -v ON_ERROR_STOP=1 "$@"; }

sim_pid="" daemon_pid="" test_pid="" sim_b_pid="" daemon_b_pid="" db_created=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $test_pid $daemon_pid $sim_pid $daemon_b_pid $sim_b_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $test_pid $daemon_pid $sim_pid $daemon_b_pid $sim_b_pid; do wait "$pid" 2>/dev/null || true; done
  if [ "$db_created" -eq 1 ]; then
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$work/call-ledgerd.log" "$work/call-ledgerd-2.log" "$work/ari-sim.log" \
               "$work/call-ledgerd-b.log" "$work/ari-sim-b.log"; do
      [ -s "$log" ] && { echo "--- last lines of $log"; tail -n 25 "$log"; }
    done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

psql_admin -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'" || fail "could not create database $db"
db_created=1

# --- 4. the browser first, then the PBX stand-in and the daemon ---------------
WALLBOARD_NODE_DIR=$node_dir \
WALLBOARD_READY_FILE=$work/browser-ready WALLBOARD_URL_FILE=$work/url \
WALLBOARD_RESTART_FILE=$work/restart WALLBOARD_RESTARTED_FILE=$work/restarted \
WALLBOARD_EXPECTED_ROWS=$expected_rows WALLBOARD_ARTIFACTS=$build_dir/test-artifacts \
WALLBOARD_SECOND_NODE_FILE=$work/second-node WALLBOARD_SECOND_URL_FILE=$work/url-b \
WALLBOARD_EXPECTED_ROWS_B=$expected_rows_b WALLBOARD_NODE_A=$node_a WALLBOARD_NODE_B=$node_b \
WALLBOARD_CHROMIUM=$chromium_bin \
  node "$here/wallboard.test.mjs" &
test_pid=$!

# wait_for FILE PATTERN SECONDS WHAT PID: until FILE has a line matching PATTERN.
wait_for() {
  local file=$1 pattern=$2 seconds=$3 what=$4 pid=$5
  for _ in $(seq $((seconds * 10))); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "$what: the process exited"
    sleep 0.1
  done
  fail "$what: not ready after $seconds s"
}
for _ in $(seq 600); do
  [ -f "$work/browser-ready" ] && break
  kill -0 "$test_pid" 2>/dev/null || { wait "$test_pid" || true; fail "the browser test stopped before the browser was up"; }
  sleep 0.1
done
[ -f "$work/browser-ready" ] || fail "the browser did not start in 60 s"

# The capture starts with the call itself. One harmless frame (a device
# state, which makes no call) some recorded milliseconds before it gives the
# page time to load and subscribe, so every status reaches it through the
# live feed. lead_in FROM TO MS
lead_in() {
  node -e '
    const fs = require("fs");
    const [from, to, ms] = process.argv.slice(1);
    const bytes = fs.readFileSync(from, "utf8");
    const first = JSON.parse(bytes.split("\n").find((l) => l.trim() !== ""));
    const t = new Date(Date.parse(first.timestamp.replace(/([+-]\d\d)(\d\d)$/, "$1:$2")) - Number(ms));
    const lead = { type: "DeviceStateChanged", application: first.application,
      timestamp: t.toISOString().replace("Z", "+0000"),
      device_state: { name: "PJSIP/wallboard-test", state: "NOT_INUSE" }, asterisk_id: first.asterisk_id };
    fs.writeFileSync(to, JSON.stringify(lead) + "\n" + bytes);
  ' "$1" "$2" "$3"
}
lead_in "$stream" "$work/stream.jsonl" 2000

"$sim_bin" --listen 127.0.0.1:0 --speed "$speed" "$work/stream.jsonl" > "$work/ari-sim.out" 2> "$work/ari-sim.log" &
sim_pid=$!
wait_for "$work/ari-sim.out" '^listening on ' 30 ari-sim "$sim_pid"
ari=$(sed -n 's/^listening on //p' "$work/ari-sim.out" | head -n 1)

start_daemon() {  # start_daemon HTTP_LISTEN LOG
  ARI_URL="http://$ari" ARI_USER=backend ARI_PASSWORD=CallCenter2025 \
  DATABASE_URL="$dsn" LEDGER_DIR="$work/ledger" NODE_NAME=$node_a HTTP_LISTEN=$1 \
  PBX_TIMEZONE=Asia/Tashkent \
    "$daemon_bin" 2> "$2" &
  daemon_pid=$!
  wait_for "$2" 'http listening on 127\.0\.0\.1:[0-9]+' 60 call-ledgerd "$daemon_pid"
}

# The second PBX and its daemon, into the same database; writes its URL.
start_second_node() {
  lead_in "$stream_b" "$work/stream-b.jsonl" 5000
  "$sim_bin" --listen 127.0.0.1:0 --speed "$speed" "$work/stream-b.jsonl" > "$work/ari-sim-b.out" 2> "$work/ari-sim-b.log" &
  sim_b_pid=$!
  wait_for "$work/ari-sim-b.out" '^listening on ' 30 ari-sim-b "$sim_b_pid"
  local ari_b
  ari_b=$(sed -n 's/^listening on //p' "$work/ari-sim-b.out" | head -n 1)
  ARI_URL="http://$ari_b" ARI_USER=backend ARI_PASSWORD=CallCenter2025 \
  DATABASE_URL="$dsn" LEDGER_DIR="$work/ledger-b" NODE_NAME=$node_b HTTP_LISTEN=127.0.0.1:0 \
  PBX_TIMEZONE=Asia/Tashkent \
    "$daemon_bin" 2> "$work/call-ledgerd-b.log" &
  daemon_b_pid=$!
  wait_for "$work/call-ledgerd-b.log" 'http listening on 127\.0\.0\.1:[0-9]+' 60 call-ledgerd-b "$daemon_b_pid"
  local http_b
  http_b=$(grep -oE 'http listening on 127\.0\.0\.1:[0-9]+' "$work/call-ledgerd-b.log" | head -n 1 | sed 's/^http listening on //')
  echo "wallboard_browser: second node $node_b: ari-sim at $ari_b, call-ledgerd at http://$http_b"
  echo "http://$http_b" > "$work/url-b.tmp" && mv "$work/url-b.tmp" "$work/url-b"
}
start_daemon 127.0.0.1:0 "$work/call-ledgerd.log"
http=$(grep -oE 'http listening on 127\.0\.0\.1:[0-9]+' "$work/call-ledgerd.log" | head -n 1 | sed 's/^http listening on //')
echo "wallboard_browser: ari-sim at $ari (x$speed), call-ledgerd at http://$http"
echo "http://$http" > "$work/url.tmp" && mv "$work/url.tmp" "$work/url"

# --- 5. serve the test until it ends ------------------------------------------
while kill -0 "$test_pid" 2>/dev/null; do
  if [ -f "$work/restart" ] && [ ! -f "$work/restarted" ]; then
    echo "wallboard_browser: restarting call-ledgerd on $http"
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || true
    start_daemon "$http" "$work/call-ledgerd-2.log"
    touch "$work/restarted"
  fi
  if [ -f "$work/second-node" ] && [ -z "$daemon_b_pid" ]; then
    start_second_node
  fi
  sleep 0.1
done
set +e
wait "$test_pid"
status=$?
set -e
test_pid=""
echo "wallboard_browser: screenshots in $build_dir/test-artifacts/"
exit "$status"
