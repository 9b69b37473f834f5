#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, and runs the main
# job on an embedded default: every captured observer session in
# fixtures/asterisk is imported into a fresh ledger, which is then shown and
# verified as an auditor would (ledger-audit stats, verify, one call), and
# projected into a private PostgreSQL (started here, stopped at the end)
# whose call log is printed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build}
"$root/tools/scripts/build.sh" --target ledger-replay ledger-audit
bin="$BUILD_DIR/tools"

work=$(mktemp -d /tmp/call-ledger-demo.XXXXXX)
ledger="$work/ledger"
echo "== importing the captured Asterisk sessions into $ledger"
for f in "$root"/fixtures/asterisk/*.observer.jsonl; do
  "$bin/ledger-replay" import "$f" --ledger "$ledger" --node demo-pbx | sed -n 1p
done
echo
echo "== ledger-audit stats"
"$bin/ledger-audit" --ledger "$ledger" stats
echo
echo "== ledger-audit call 1795684640.55   (scenario k1: transfer, hold, DTMF)"
"$bin/ledger-audit" --ledger "$ledger" call 1795684640.55 | sed -n 1,12p
echo "   ... (full history: $bin/ledger-audit --ledger $ledger call 1795684640.55)"
echo
echo "== ledger-audit verify"
"$bin/ledger-audit" --ledger "$ledger" verify
echo
echo "== projecting the ledger into a private PostgreSQL (call_logs)"
"$root/tools/scripts/with-postgres.sh" bash -c '
  set -e
  bin=$0 ledger=$1
  "$bin/ledger-replay" project --ledger "$ledger" --pg "$CALL_LEDGER_TEST_PG"
  "$bin/ledger-replay" check --ledger "$ledger" --pg "$CALL_LEDGER_TEST_PG" | tail -n 1
  echo
  echo "call_logs (times in the PBX zone, Asia/Tashkent):"
  psql "$CALL_LEDGER_TEST_PG" -X -q -P pager=off -c "SET TIME ZONE '"'"'Asia/Tashkent'"'"'" -c "
    SELECT call_id, direction, from_number AS from, to_number AS to,
           to_char(start_time, '"'"'YYYY-MM-DD HH24:MI:SS'"'"') AS start,
           to_char(end_time, '"'"'HH24:MI:SS'"'"') AS end,
           duration AS dur, status, answered, disposition, recording_path
    FROM call_logs ORDER BY start_time, call_id"
' "$bin" "$ledger"
echo
echo "The ledger stays in $ledger for you to explore (ledger-audit --help)."
