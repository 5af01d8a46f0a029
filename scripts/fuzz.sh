#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan), replays the seed
# corpora, then fuzzes each harness for SECONDS (default 60; use 3600 or more
# for a real campaign). Prints executions and crashes per harness; exits
# non-zero on any crash or sanitizer report (undefined behaviour halts the
# run like a crash, and any "runtime error" line counts as a finding). New inputs are kept in build/fuzz/corpus/, crashes in
# build/fuzz/crashes/.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
source "$(dirname "$0")/setup.sh"
seconds="${1:-60}"

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
jobs=$(nproc 2>/dev/null || echo 1)
harnesses=(request_parser request_target byte_range folder_path upload_request album_key localsend_json)
fuzz_one() {
  local h="$1"
  local seeds="$FERRY_ROOT/tests/fuzz/corpus/$h"
  local work="$dir/corpus/$h"
  local crashes="$dir/crashes/$h"
  local log="$dir/$h.log"
  rm -rf "$crashes"
  mkdir -p "$work" "$crashes"
  local rc=0
  "$dir/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
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
