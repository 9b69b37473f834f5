#!/usr/bin/env bash
# The README's test command: installs what is needed, builds everything with
# warnings as errors, runs every test (CTest, Catch2), then a short run of
# every fuzz target (tools/scripts/fuzz.sh, FUZZ_SECONDS each, default 10;
# FUZZ_SECONDS=0 leaves it out). Exit status: CTest's, or 1 if a fuzz
# target failed. Safe to run as root on a fresh Debian 12 machine.
#
# Usage: tools/scripts/test.sh [--sanitize[=address|thread]]
# With --sanitize (or --sanitize=address) it builds ./build-asan instead,
# everything under AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# the whole suite there; --sanitize=thread builds ./build-tsan under
# ThreadSanitizer and runs the daemon's and the server's tests
# (tools/scripts/test-sanitized.sh; docs/reliability.md, "Sanitizers").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sanitize=""
case "${1:-}" in
  '') ;;
  --sanitize | --sanitize=address) sanitize=address ;;
  --sanitize=thread) sanitize=thread ;;
  *)
    echo "usage: $0 [--sanitize[=address|thread]]" >&2
    exit 2
    ;;
esac
"$root/tools/scripts/install-deps.sh"
if [ -n "$sanitize" ]; then
  exec "$root/tools/scripts/test-sanitized.sh" "$sanitize"
fi
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
