#!/usr/bin/env bash
# The README's test command: installs what is needed, builds everything with
# warnings as errors, runs every test (CTest, Catch2), then a short run of
# every fuzz target (tools/scripts/fuzz.sh, FUZZ_SECONDS each, default 10;
# FUZZ_SECONDS=0 leaves it out). Exit status: CTest's, or 1 if a fuzz
# target failed. Safe to run as root on a fresh Debian 12 machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build}
CALL_LEDGER_WERROR=ON "$root/tools/scripts/build.sh"
status=0
(cd "$BUILD_DIR" &&
  "$root/tools/scripts/with-postgres.sh" ctest --output-on-failure -j "${JOBS:-$(nproc)}" \
    --timeout 600) || status=$?
fuzz_seconds=${FUZZ_SECONDS:-10}
if [ "$fuzz_seconds" != 0 ]; then
  echo "test.sh: a ${fuzz_seconds} s run of every fuzz target (tools/scripts/fuzz.sh)"
  "$root/tools/scripts/fuzz.sh" "$fuzz_seconds" || { [ "$status" -ne 0 ] || status=1; }
fi
exit "$status"
