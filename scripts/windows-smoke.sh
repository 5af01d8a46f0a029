#!/usr/bin/env bash
# The Windows path, run on Linux: cross-compiles core/ and its smoke test with
# mingw-w64 and runs the test under Wine (WSAPoll backend, socket-pair waker,
# a real HTTP download over loopback). Exit status is the test's.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

ferry_setup_deps g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine64
dir="$FERRY_ROOT/build/windows"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S "$FERRY_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$FERRY_ROOT/cmake/mingw-w64.cmake" \
    -DFERRY_BUILD_UI=OFF -DFERRY_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$dir" --parallel --target ferry_core_smoke

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
export WINEPREFIX="${WINEPREFIX:-$FERRY_ROOT/build/wineprefix}"
export WINEDEBUG=-all
"$wine" "$dir/tests/windows/ferry_core_smoke.exe"
