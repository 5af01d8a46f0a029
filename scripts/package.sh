#!/usr/bin/env bash
# Builds Release and makes the Linux packages: build/package/ferry_*.deb and
# ferry-*.tar.gz. With --test, also installs the .deb on this machine and
# checks it (scripts/test-package.sh).
set -euo pipefail
source "$(dirname "$0")/setup.sh"

ferry_setup_deps dpkg-dev file
dir="$FERRY_ROOT/build/package"
ferry_build "$dir" Release -DFERRY_BUILD_TESTS=OFF -DFERRY_BUILD_BENCH=OFF
(cd "$dir" && cpack -G "DEB;TGZ" >/dev/null)
ls -1 "$dir"/ferry*.deb "$dir"/ferry*.tar.gz
if [ "${1:-}" = "--test" ]; then
  "$FERRY_ROOT/scripts/test-package.sh" "$dir"/ferry_*.deb
fi
