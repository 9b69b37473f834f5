#!/usr/bin/env bash
# The fault campaign: three PBXes (ari-sim) and their daemons into one
# PostgreSQL, with daemon kills, PostgreSQL outages, ARI drops, a full
# ledger disk and a rebuild on top, then every node checked; one table.
# Usage: tools/scripts/chaos.sh [--duration SECONDS] [--seed N] [--dir DIR]
# Builds ./build (or $BUILD_DIR) first if needed. Loopback only. Root is
# needed for the full-disk faults (a tmpfs); without it they are left out.
# docs/reliability.md, "The fault campaign".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
if [ ! -x "$build_dir/src/call-ledgerd" ] || [ ! -x "$build_dir/tools/ari-sim" ]; then
  BUILD_DIR=$build_dir "$root/tools/scripts/build.sh" --target call-ledgerd ari-sim ledger-replay \
    ledger-audit
fi
exec python3 "$root/tools/scripts/chaos/main.py" --build "$build_dir" "$@"
