#!/usr/bin/env bash
# Sets everything up on a fresh machine and starts Ferry with PATHs shared.
# Without a display (no DISPLAY / WAYLAND_DISPLAY) it runs `ferry --headless`.
#
#   scripts/run.sh [ferry options] [PATH...]
set -euo pipefail
source "$(dirname "$0")/setup.sh"

ferry_say "checking what the build needs"
ferry_setup_deps
# Only what runs: the executable and its window module, not the test suites
# and benchmarks (scripts/test.sh builds those).
dir="$FERRY_ROOT/build/release"
bin="$dir/app/ferry"
[ -x "$bin" ] && ferry_say "bringing ferry up to date" ||
  ferry_say "building ferry and its window (the first build takes a few minutes)"
FERRY_BUILD_TARGETS="ferry" ferry_build "$dir" Release
ferry_say "starting $bin $*"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname -s)" != Darwin ]; then
  ferry_say "no display found: serving headless (Ctrl+C stops)"
  exec "$bin" --headless "$@"
fi
exec "$bin" "$@"
