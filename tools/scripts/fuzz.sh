#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each (default 60),
# one after the other, from the seed corpora of fixtures/ plus what earlier
# runs found. Builds ./build-fuzz (or $FUZZ_BUILD_DIR) with clang, ASan and
# UBSan first if needed (CALL_LEDGER_FUZZ=ON; the gcc build is untouched).
# Usage: tools/scripts/fuzz.sh [SECONDS] [TARGET...]
# Prints one line per target (executions, result); exits 1 if any target
# crashed, naming the file that holds the input (replay it with
# build-fuzz/tests/fuzz/fuzz_TARGET FILE). docs/reliability.md, "Fuzzing".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frame cel_line record payloads config http projector)
fi
case "$seconds" in
  '' | *[!0-9]*)
    echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2
    exit 2
    ;;
esac

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALL_LEDGER_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target fuzz_targets
"$root/tools/scripts/fuzz-seeds.py" "$build_dir" >/dev/null

# Per target: the corpus libFuzzer grows (kept between runs), the seeds
# (rewritten from fixtures/ every time), the log and any crash file.
mkdir -p "$build_dir/fuzz-logs" "$build_dir/crashes"
failed=0
for target in "${targets[@]}"; do
  binary=$build_dir/tests/fuzz/fuzz_$target
  if [ ! -x "$binary" ]; then
    echo "fuzz.sh: no target '$target' ($binary)" >&2
    exit 2
  fi
  grown=$build_dir/corpus-grown/$target
  log=$build_dir/fuzz-logs/$target.log
  mkdir -p "$grown"
  status=0
  (cd "$build_dir" && "$binary" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$build_dir/crashes/$target-" "$grown" "$build_dir/corpus/$target") \
    >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    printf '%-10s ok     %12s executions in %ss\n' "$target" "${executions:-?}" "$seconds"
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    printf '%-10s CRASH  %12s executions; input: %s; log: %s\n' "$target" "${executions:-?}" \
      "${artifact:-none written}" "$log"
  fi
done
exit "$failed"
