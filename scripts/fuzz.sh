#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan), replays the seed
# corpora, then fuzzes each harness for SECONDS (default 60; use 3600 or more
# for a real campaign). Prints executions and crashes per harness; exits
# non-zero on any crash or sanitizer report (undefined behaviour halts the
# run like a crash, and any "runtime error" line counts as a finding). New inputs are kept in build/fuzz/corpus/, crashes in
# build/fuzz/crashes/.
#
#   scripts/fuzz.sh [SECONDS]
#
# A campaign off CI:
#   FERRY_FUZZ_RUNS=100000000   stop each harness after this many executions
#                               (SECONDS, if given, still caps each one)
#   FERRY_FUZZ_HARNESSES="a b"  only these harnesses, in this order
#   FERRY_FUZZ_JOBS=1           harnesses fuzzed side by side (default: one per core)
#   FERRY_FUZZ_TIMEOUT=600      seconds one input may take before it counts as a
#                               hang (default 10); raise it for a campaign at idle
#                               priority (chrt -i 0) on a busy machine, where the
#                               fuzzer can wait that long for the CPU
#   scripts/fuzz.sh --minimize  merges what campaigns found (build/fuzz/corpus/)
#                               and the seeds into the smallest set that covers
#                               as much: tests/fuzz/corpus/ becomes that set
set -euo pipefail
source "$(dirname "$0")/setup.sh"
minimize=0
if [ "${1:-}" = --minimize ]; then
  minimize=1
  shift
fi
seconds="${1:-60}"
runs="${FERRY_FUZZ_RUNS:-}"
unit_timeout="${FERRY_FUZZ_TIMEOUT:-10}"
if [ -n "$runs" ] && [ $# -eq 0 ]; then seconds=0; fi  # 0: no time limit

ferry_setup_deps clang libclang-rt-14-dev
dir="$FERRY_ROOT/build/fuzz"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$FERRY_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    $(ferry_ccache_args "$dir") -DFERRY_FUZZ=ON -DFERRY_BUILD_UI=OFF >/dev/null
fi
cmake --build "$dir" --parallel >"$dir/build.log" || { cat "$dir/build.log" >&2; exit 1; }

# Built with -fno-sanitize-recover; these make the runtime agree even where
# a library was built without it.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# libFuzzer runs on one core: the harnesses fuzz side by side, one per core,
# each for the whole SECONDS; the table comes out in order at the end.
jobs="${FERRY_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}"
harnesses=(request_parser request_target byte_range folder_path upload_request album_key localsend_json)
if [ -n "${FERRY_FUZZ_HARNESSES:-}" ]; then read -r -a harnesses <<<"$FERRY_FUZZ_HARNESSES"; fi

if [ "$minimize" = 1 ]; then
  # libFuzzer's merge keeps, from the seeds and everything found, the inputs
  # that add coverage; the result replaces the seeds (named by content).
  for h in "${harnesses[@]}"; do
    seeds="$FERRY_ROOT/tests/fuzz/corpus/$h"
    merged="$dir/merged/$h"
    rm -rf "$merged"
    mkdir -p "$merged" "$dir/corpus/$h"
    "$dir/tests/fuzz/fuzz_$h" -merge=1 "$merged" "$seeds" "$dir/corpus/$h" >"$dir/$h.merge.log" 2>&1 ||
      { tail -n 30 "$dir/$h.merge.log" >&2; exit 1; }
    # Seeds written by hand keep their names (they say what they test); the
    # rest of the set is named by its SHA-1, as libFuzzer names what it finds.
    find "$seeds" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
    for f in "$seeds"/*; do
      [ -f "$f" ] && rm -f "$merged/$(sha1sum "$f" | cut -d' ' -f1)"
    done
    cp "$merged"/* "$seeds"/ 2>/dev/null || true
    printf '%s: %s inputs, %s\n' "$h" "$(ls "$seeds" | wc -l)" "$(du -sh "$seeds" | cut -f1)"
  done
  exit 0
fi
fuzz_one() {
  local h="$1"
  local seeds="$FERRY_ROOT/tests/fuzz/corpus/$h"
  local work="$dir/corpus/$h"
  local crashes="$dir/crashes/$h"
  local log="$dir/$h.log"
  rm -rf "$crashes"
  mkdir -p "$work" "$crashes"
  local rc=0
  "$dir/tests/fuzz/fuzz_$h" -max_total_time="$seconds" ${runs:+-runs="$runs"} -print_final_stats=1 -timeout="$unit_timeout" \
    -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  local execs found reports
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  found=$(find "$crashes" -type f | wc -l)
  reports=$(grep -c 'runtime error' "$log" || true)
  found=$((found + reports))
  printf '| %s | %s | %s | %s |\n' "$h" "$(ls "$seeds" | wc -l)" "${execs:-?}" "$found" > "$dir/$h.row"
  [ $rc -eq 0 ] && [ "$found" -eq 0 ]
}
running=()
for h in "${harnesses[@]}"; do
  if [ ${#running[@]} -ge "$jobs" ]; then
    wait "${running[0]}" || true
    running=("${running[@]:1}")
  fi
  rm -f "$dir/$h.row" "$dir/$h.failed"
  ( fuzz_one "$h" || touch "$dir/$h.failed" ) &
  running+=($!)
done
wait

status=0
printf '| harness | seed inputs | executions | crashes |\n|---|---|---|---|\n'
for h in "${harnesses[@]}"; do
  cat "$dir/$h.row" 2>/dev/null || printf '| %s | ? | ? | ? |\n' "$h"
  if [ -f "$dir/$h.failed" ] || [ ! -f "$dir/$h.row" ]; then
    status=1
    tail -n 30 "$dir/$h.log" >&2
  fi
done
exit $status
