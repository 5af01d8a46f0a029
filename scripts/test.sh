#!/usr/bin/env bash
# Sets everything up on a fresh machine, builds, and runs the whole test suite.
# The exit status is the result. A second run is incremental.
#
#   scripts/test.sh [--sanitize address,undefined | --sanitize thread] [ctest args...]
set -euo pipefail
source "$(dirname "$0")/setup.sh"

sanitize=""
if [ "${1:-}" = "--sanitize" ]; then
  sanitize="$2"
  shift 2
fi

ferry_setup_deps
dir="$FERRY_ROOT/build/test"
args=()
if [ -n "$sanitize" ]; then
  dir="$FERRY_ROOT/build/test-$(echo "$sanitize" | tr ',' '-')"
  args=(-DFERRY_SANITIZE="$sanitize")
fi
ferry_build "$dir" RelWithDebInfo "${args[@]}"

export QT_QPA_PLATFORM=offscreen
(cd "$dir" && ctest --output-on-failure --parallel 2 "$@")

# Replay the fuzz corpora and fuzz each harness briefly (FERRY_FUZZ_SECONDS,
# default 30; 0 skips). scripts/fuzz.sh runs longer campaigns.
fuzz_seconds="${FERRY_FUZZ_SECONDS:-30}"
if [ -z "$sanitize" ] && [ $# -eq 0 ] && [ "$fuzz_seconds" != 0 ]; then
  "$FERRY_ROOT/scripts/fuzz.sh" "$fuzz_seconds"
fi
