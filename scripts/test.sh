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
# The plain run builds Release: the binaries the suite tests are the ones
# `scripts/package.sh --from build/test` packs, so CI builds them once.
# Sanitizer builds keep their debug information for the reports.
dir="$FERRY_ROOT/build/test"
type=Release
args=()
if [ -n "$sanitize" ]; then
  type=RelWithDebInfo
  dir="$FERRY_ROOT/build/test-$(echo "$sanitize" | tr ',' '-')"
  # The benchmarks are never run by ctest; the plain build compiles them.
  args=(-DFERRY_SANITIZE="$sanitize" -DFERRY_BUILD_BENCH=OFF)
fi
# A tree configured earlier with another build type is switched over.
if [ -f "$dir/CMakeCache.txt" ] && ! grep -qx "CMAKE_BUILD_TYPE:STRING=$type" "$dir/CMakeCache.txt"; then
  args+=(-DCMAKE_BUILD_TYPE="$type")
fi
export QT_QPA_PLATFORM=offscreen
# Sanitizer settings, set before the build (which runs a Qt tool of its
# own, the icon renderer, built with the same sanitizer): fail on the first
# report; Qt's uninstrumented libraries get the suppressions in
# tests/*.supp, QProcess may fork from a threaded test under TSan, and the
# faulty-disk library is preloaded ahead of ASan's runtime (it forwards
# every call to ASan's interceptors).
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:verify_asan_link_order=0"
export LSAN_OPTIONS="suppressions=$FERRY_ROOT/tests/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="suppressions=$FERRY_ROOT/tests/tsan.supp:die_after_fork=0:halt_on_error=1:second_deadlock_stack=1"
ferry_build "$dir" "$type" "${args[@]}"

# Two suites per core (FERRY_TEST_JOBS to choose): much of a suite's time is
# spent waiting on sockets, clients and deadlines (tst_http_limits: 1.5 s of
# CPU in its 27 s, tst_http_lifecycle 4 s in 34 s, tst_headless 24 s in 44 s),
# so one suite per core left the cores idle. A browser suite keeps about a
# core busy (Chromium) and counts as two (tests/CMakeLists.txt): never more
# browsers at once than cores. Simulated from the suites' recorded times,
# 2 slots -> 4: the plain suite 422 s -> 291 s, under ASan 511 s -> 355 s.
jobs="${FERRY_TEST_JOBS:-$(( $(nproc 2>/dev/null || echo 1) * 2 ))}"
(cd "$dir" && ctest --output-on-failure --parallel "$jobs" "$@")

# Replay the fuzz corpora and fuzz each harness briefly (FERRY_FUZZ_SECONDS,
# default 15; 0 skips). scripts/fuzz.sh runs longer campaigns.
fuzz_seconds="${FERRY_FUZZ_SECONDS:-15}"
if [ -z "$sanitize" ] && [ $# -eq 0 ] && [ "$fuzz_seconds" != 0 ]; then
  "$FERRY_ROOT/scripts/fuzz.sh" "$fuzz_seconds"
fi
