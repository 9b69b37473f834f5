#!/usr/bin/env bash
# The suite under sanitizers; tools/scripts/test.sh --sanitize[=MODE] runs it
# (after install-deps.sh). docs/reliability.md, "Sanitizers".
#
# Usage: tools/scripts/test-sanitized.sh address|thread
#   address: ./build-asan (or $BUILD_DIR), every target built with ASan and
#            UBSan (CALL_LEDGER_SANITIZE=address), the whole CTest suite.
#   thread:  ./build-tsan (or $BUILD_DIR), the daemon's and the server's
#            tests (tests/daemon, tests/server) and what they run (call-ledgerd,
#            ari-sim, ledger-audit) built with TSan, and only those tests.
#
# Any finding fails the run. A finding stops the process that makes it
# (halt_on_error), so the test fails. A finding in a child process whose exit
# a test does not look at (a daemon it later kills) would pass unseen, so
# every report goes to a file in BUILD_DIR/sanitizer-logs instead of stderr;
# the script prints those files at the end and exits 1 if there are any.
# Leaks are findings too (LeakSanitizer, at each instrumented process's exit).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-}
case "$mode" in
  address)
    build_dir=${BUILD_DIR:-$root/build-asan}
    targets=(all)
    tests=()
    ;;
  thread)
    build_dir=${BUILD_DIR:-$root/build-tsan}
    targets=(daemon_ingest_test daemon_projection_loop_test daemon_cel_test daemon_config_test
      daemon_wiring_test daemon_e2e_test heal_e2e_test api_e2e_test daemon_tls_test
      server_units_test server_routes_test http_server_test server_assets_test)
    tests=(-R '^(daemon_[a-z_]+|heal_e2e_test|api_e2e_test|server_[a-z_]+|http_server_test):')
    ;;
  *)
    echo "usage: $0 address|thread" >&2
    exit 2
    ;;
esac

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCALL_LEDGER_WERROR=ON -DCALL_LEDGER_SANITIZE="$mode" >/dev/null
fi
if ! grep -qx "CALL_LEDGER_SANITIZE:STRING=$mode" "$build_dir/CMakeCache.txt"; then
  echo "test-sanitized: $build_dir is not a CALL_LEDGER_SANITIZE=$mode build" >&2
  exit 2
fi
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${targets[@]}"

logs=$build_dir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
supp=$root/tools/sanitizers
# halt_on_error: the first finding ends the process with a failing status.
# UBSan's print_stacktrace says where; ASan and TSan always do.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:log_path=$logs/asan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:log_path=$logs/tsan"

cd "$build_dir"
status=0
"$root/tools/scripts/with-postgres.sh" ctest --output-on-failure -j "${JOBS:-$(nproc)}" \
  --timeout 600 "${tests[@]}" || status=$?

reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  for report in $reports; do
    echo "==== $report"
    cat "$report"
  done
  echo "test-sanitized: $(echo "$reports" | wc -l) sanitizer report(s) in $logs" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
