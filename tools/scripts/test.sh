#!/usr/bin/env bash
# The README's test command: installs what is needed, builds everything with
# warnings as errors, and runs every test (CTest, Catch2). Exit status is
# CTest's. Safe to run as root on a fresh Debian 12 machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build}
CALL_LEDGER_WERROR=ON "$root/tools/scripts/build.sh"
cd "$BUILD_DIR"
"$root/tools/scripts/with-postgres.sh" ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 600
