#!/usr/bin/env bash
# Configures and builds call-ledger into ./build (or $BUILD_DIR).
# Usage: tools/scripts/build.sh [cmake --build arguments...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCALL_LEDGER_WERROR="${CALL_LEDGER_WERROR:-OFF}"
fi
cmake --build "$build_dir" -j "$jobs" "$@"
