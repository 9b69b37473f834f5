#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, and runs the
# main job on an embedded default. A private PostgreSQL starts (and stops at
# the end), ari-sim replays the captured Asterisk sessions of
# fixtures/asterisk as a live ARI server, and call-ledgerd records them into a
# fresh ledger and projects the call log. While the calls run, their rows are
# shown changing (kelyapti -> suhbatda -> yakunlandi). Then part 2
# (demo-cel.sh): ari-sim plays one more captured call, of
# fixtures/asterisk-cel, as a PBX would (its clock runs on while no client
# listens), writing Asterisk's CEL log as it goes, and cuts the daemon's
# connection where the call hangs up; the daemon, restarted with CEL_FILE,
# records the gap and the CEL lines of its window. At the end, the call log,
# what an auditor sees of one call, `ledger-replay check`, `ledger-audit
# verify`, and "Healed from Asterisk's CEL log": the rows whose evidence is
# CEL (or that none is) and the ledger's cel records.
#
# DEMO_SPEED (default 4) scales the recorded time (about 2.5 minutes, and
# some 10 s for part 2).
# DEMO_HTTP (default 127.0.0.1:8095) is where the API and the wallboard are
# served while the demo runs; DEMO_KEEP_SECONDS keeps them up that long after
# the replay ends, to look around.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build}
"$root/tools/scripts/build.sh" --target ledger-replay ledger-audit call-ledgerd ari-sim

export DEMO_ROOT=$root DEMO_BIN=$BUILD_DIR DEMO_SPEED=${DEMO_SPEED:-4} DEMO_HTTP=${DEMO_HTTP:-127.0.0.1:8095}
export DEMO_WORK=$(mktemp -d /tmp/call-ledger-demo.XXXXXX)
exec "$root/tools/scripts/with-postgres.sh" bash "$root/tools/scripts/demo-run.sh"
