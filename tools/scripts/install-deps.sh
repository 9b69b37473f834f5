#!/usr/bin/env bash
# Installs every Debian 12 package call-ledger needs to build, test and run.
# Idempotent: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  cmake g++ pkgconf ninja-build ccache git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  librocksdb-dev libpqxx-dev libflatbuffers-dev flatbuffers-compiler
  catch2 libsimdjson-dev libspdlog-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libssl-dev openssl postgresql curl python3
  chromium fonts-dejavu-core clang-format
  clang-14 libclang-rt-14-dev
)
# clang-14 and its runtime (libFuzzer, the sanitizers): the fuzz targets
# (tools/scripts/fuzz.sh), whose short run is part of the test command.
# The wallboard's browser test (tests/browser) drives Debian's chromium from
# Node.js; Debian 12's nodejs and npm only when no node is installed at all
# (a newer Node.js from elsewhere is kept).
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
