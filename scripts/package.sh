#!/usr/bin/env bash
# Builds Release and makes the Linux packages: build/package/ferry_*.deb and
# ferry-*.tar.gz. With --test, also installs the .deb on this machine and
# checks it (scripts/test-package.sh).
#
#   scripts/package.sh [--from BUILD_DIR] [--test]
#
# --from packs an existing Release build (CI packs build/test, the binaries
# its suite just tested) instead of building build/package.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

dir="$FERRY_ROOT/build/package"
from=""
test_it=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    --test) test_it=1; shift ;;
    *) echo "package.sh: unknown option $1 (use --from BUILD_DIR, --test)" >&2; exit 2 ;;
  esac
done

ferry_setup_deps dpkg-dev file
if [ -n "$from" ]; then
  dir=$(cd "$from" && pwd)
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$dir/CMakeCache.txt" 2>/dev/null || true)
  if [ "$type" != Release ]; then
    echo "package.sh: $from is a '${type:-missing}' build; packages are made from Release builds" >&2
    exit 1
  fi
  ferry_build "$dir" Release
else
  ferry_build "$dir" Release -DFERRY_BUILD_TESTS=OFF -DFERRY_BUILD_BENCH=OFF
fi
rm -f "$dir"/ferry*.deb "$dir"/ferry*.tar.gz
(cd "$dir" && cpack -G "DEB;TGZ" >/dev/null)
ls -1 "$dir"/ferry*.deb "$dir"/ferry*.tar.gz
if [ -n "$test_it" ]; then
  "$FERRY_ROOT/scripts/test-package.sh" "$dir"/ferry_*.deb
fi
