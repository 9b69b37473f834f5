#!/usr/bin/env bash
# Checks that every C++ file of the repository is formatted as .clang-format
# says (clang-format 14, Debian 12's). Exit 1 naming each file that is not;
# `tools/scripts/check-format.sh --fix` reformats them in place.
# Run by CTest (test "clang_format") and so by the README's test command.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  -h | --help)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  "") ;;
  *)
    echo "check-format: unknown argument '$1' (try --help)" >&2
    exit 2
    ;;
esac

# Formatting differs between clang-format versions: use 14 when it is there.
tool=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$tool" ]; then
  echo "check-format: clang-format is not installed (tools/scripts/install-deps.sh installs it)" >&2
  exit 2
fi
version=$("$tool" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$version" != "14" ]; then
  echo "check-format: $tool is version $version; the tree is formatted with 14" >&2
  exit 2
fi

# The tracked sources when this is a git checkout, else every file under the
# source folders (a tarball).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cc' '*.h')
else
  mapfile -t files < <(find src tools tests bench -name '*.cc' -o -name '*.h' | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-format: no C++ files found under $root" >&2
  exit 2
fi

if [ "$fix" -eq 1 ]; then
  "$tool" -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! "$tool" --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ "${#bad[@]}" -ne 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "run tools/scripts/check-format.sh --fix (or clang-format -i FILE) and commit" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
