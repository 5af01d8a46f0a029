#!/usr/bin/env bash
# Ferry for Windows, built and proven on Linux:
#   1. cross-compiles all of Ferry (core, the window, ferry.exe, the pages)
#      with mingw-w64 against Qt 6.4.2 built for mingw (see below);
#   2. runs the core smoke test under Wine (WSAPoll, the socket-pair waker);
#   3. makes the NSIS installer with CPack and Debian's makensis (Qt's DLLs,
#      the qwindows and qoffscreen platform plugins, the mingw runtime);
#   4. in a throwaway Wine prefix: installs it silently (/S), checks Send To,
#      the context menu entries, then runs the installed ferry.exe:
#      --headless sharing a file and a folder with non-ASCII names, fetched
#      with curl (sha256), the folder as a zip (unzip -t), an upload through
#      the receive link; the window (offscreen) and `ferry.exe FILE` joining
#      it; then uninstalls silently and checks that nothing is left.
# Exit status 0 only if every check passed.
#
#   scripts/windows-gui.sh [--screenshot FILE.png]
#
# --screenshot also opens the window with Qt's real `windows` platform under
# Xvfb and saves a picture of it.
#
# Qt for mingw: FERRY_QT_MINGW=<prefix> uses an unpacked one as is. Else the
# archive qt6.4.2-qtbase-mingw64-posix.tar.xz is looked for in
# $FERRY_TOOLCHAINS if that is set (and only there), else in
# ../shared/toolchains beside the repository (and beside the main checkout of
# a git worktree); then in the cache, ${XDG_CACHE_HOME:-~/.cache}/ferry. It is
# unpacked once into that cache, a folder per archive named by its checksum
# (runs at the same time share it safely). Without it, scripts/build-qt-mingw.sh builds
# it from Debian's qt6-base sources into the cache (slow: about 25 minutes on
# 2 cores), and later runs reuse it.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

screenshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$(realpath -m "$2")"; shift 2 ;;
    *) ferry_say "unknown option $1"; exit 2 ;;
  esac
done

t_start=$(date +%s)
phase_times=()
phase() { phase_times+=("$1 $(( $(date +%s) - t_phase ))s"); t_phase=$(date +%s); }
t_phase=$t_start

ferry_setup_deps g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine64 nsis curl unzip python3 \
  ${screenshot:+xvfb xauth imagemagick}

# --- Qt for mingw ------------------------------------------------------------
qt_name=qt6.4.2-qtbase-mingw64-posix
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ferry"
qt="${FERRY_QT_MINGW:-}"
if [ -z "$qt" ]; then
  # FERRY_TOOLCHAINS, when set, is the only folder looked in besides the cache.
  if [ -n "${FERRY_TOOLCHAINS+set}" ]; then
    places=("$FERRY_TOOLCHAINS")
  else
    common="$(git -C "$FERRY_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
    places=("$FERRY_ROOT/../shared/toolchains" ${common:+"$(dirname "$common")/../shared/toolchains"})
  fi
  places+=("$cache")
  tarball=""
  for d in "${places[@]}"; do
    if [ -n "$d" ] && [ -f "$d/$qt_name.tar.xz" ]; then tarball="$(realpath "$d/$qt_name.tar.xz")"; break; fi
  done
  mkdir -p "$cache"
  if [ -z "$tarball" ]; then
    # One build at a time: a second run waits here for the first one's
    # archive instead of building the same Qt again beside it.
    exec 8>"$cache/$qt_name.build.lock"
    if ! flock -n 8; then
      ferry_say "another run is building Qt for mingw-w64 into $cache; waiting for it"
      flock 8
    fi
    if [ ! -f "$cache/$qt_name.tar.xz" ]; then
      ferry_say "building Qt from source first. The window needs Qt 6.4.2 built for mingw-w64, which"
      ferry_say "Debian does not package, and no prebuilt $qt_name.tar.xz is in any of:"
      for d in "${places[@]}"; do ferry_say "    ${d:-(FERRY_TOOLCHAINS is empty)}"; done
      ferry_say "so scripts/build-qt-mingw.sh now builds it from Debian's qt6-base source package."
      ferry_say "This is slow: about 25 minutes on 2 idle cores, an hour or more on a busy machine."
      ferry_say "The result is kept in $cache/$qt_name.tar.xz; later runs reuse it and skip this step."
      ferry_say "To skip it now: put the prebuilt archive in FERRY_TOOLCHAINS, or FERRY_QT_MINGW=<Qt prefix>."
      t_qt=$(date +%s)
      "$FERRY_ROOT/scripts/build-qt-mingw.sh" "$cache/$qt_name.tar.xz"
      ferry_say "Qt for mingw-w64 built in $(( ($(date +%s) - t_qt) / 60 )) minutes; cached in $cache/$qt_name.tar.xz"
    fi
    exec 8>&-
    tarball="$cache/$qt_name.tar.xz"
  fi
  # Unpacked once per archive, into a folder named by the archive's checksum,
  # and never changed after: a run on another archive unpacks beside it
  # instead of over it, so runs at the same time (two worktrees, CI) never
  # pull a Qt from under each other's build. The unpacking goes to a
  # temporary folder, renamed into place when complete.
  sum="$(sha256sum "$tarball" | cut -c1-16)"
  unpacked="$cache/$qt_name-$sum"
  # What a run killed while unpacking left (an unpacking takes seconds).
  find "$cache" -maxdepth 1 -name ".$qt_name-unpacking.*" -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  if [ ! -f "$unpacked/.complete" ]; then
    ferry_say "unpacking $tarball into $unpacked (once; later runs reuse it)"
    part="$(mktemp -d "$cache/.$qt_name-unpacking.XXXXXX")"
    tar xJf "$tarball" -C "$part"
    echo "$tarball" > "$part/.complete"
    chmod 755 "$part"
    # Another run may have put the same archive in place meanwhile: theirs
    # is as good as this one.
    mv -T "$part" "$unpacked" 2>/dev/null || rm -rf "$part"
  fi
  qt="$unpacked/qt6-mingw"
fi
[ -f "$qt/lib/cmake/Qt6/Qt6Config.cmake" ] || { ferry_say "no Qt 6 for mingw in $qt"; exit 1; }
phase "qt"

# --- build ---------------------------------------------------------------------
dir="$FERRY_ROOT/build/windows"
if ! grep -qs '^FERRY_BUILD_UI:BOOL=ON' "$dir/CMakeCache.txt" \
   || ! grep -qs '^CMAKE_UNITY_BUILD:[A-Z]*=ON' "$dir/CMakeCache.txt" \
   || ! grep -qs "^CMAKE_PREFIX_PATH:.*=$qt\$" "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # zlib linked statically: one DLL fewer to ship. A unity build (eight
  # sources per compile) parses Qt's and the standard library's headers once
  # per batch instead of once per file: a cold build needs less than half the
  # compiler time. The native builds stay one file per compile, so that a
  # missing #include still shows there.
  cmake -S "$FERRY_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 \
    -DCMAKE_TOOLCHAIN_FILE="$FERRY_ROOT/cmake/mingw-w64.cmake" \
    -DCMAKE_PREFIX_PATH="$qt" -DCMAKE_FIND_ROOT_PATH="$qt" \
    -DQT_HOST_PATH=/usr -DQT_HOST_PATH_CMAKE_DIR=/usr/lib/x86_64-linux-gnu/cmake \
    -DZLIB_LIBRARY_RELEASE=/usr/x86_64-w64-mingw32/lib/libz.a \
    -DFERRY_BUILD_UI=ON -DFERRY_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
fi
cmake --build "$dir" --target ferry ferry_gui ferry_core_smoke
phase "build"

# --- Wine ------------------------------------------------------------------------
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
scratch="$(mktemp -d)"
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Wine hands Windows programs their arguments decoded with the Unix locale.
export LC_ALL=C.UTF-8
cleanup() {
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
failures=0
check() {  # check "what" command...
  local what="$1"; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
# Waits up to $1 seconds for the command to succeed.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# While CPack makes the installer (makensis compresses on one core), the
# other core makes the Wine prefix and runs the core smoke test in it.
# Wine passes no QT_* variable from Unix to Windows programs: the user's
# environment in the registry does.
(
  timeout 300 "$wine" wineboot -i && "$wine" reg add 'HKCU\Environment' /v QT_QPA_PLATFORM /d offscreen /f \
    && "$wineserver" -w || exit 1
  timeout 120 "$wine" "$dir/tests/windows/ferry_core_smoke.exe" > "$scratch/smoke.log" 2>&1 || exit 2
) > "$scratch/wineboot.log" 2>&1 &
beside=$!

# --- installer -------------------------------------------------------------------
rm -f "$dir"/ferry-*-win64.exe
( cd "$dir" && cpack -G NSIS >/dev/null )
installer="$(ls "$dir"/ferry-*-win64.exe)"
phase "installer"
beside_rc=0
wait "$beside" || beside_rc=$?
[ "$beside_rc" -ne 1 ] || { sed 's/^/     /' "$scratch/wineboot.log"; ferry_say "making the Wine prefix failed"; exit 1; }
echo "== core smoke test (WSAPoll, socket-pair waker)"
sed 's/^/     /' "$scratch/smoke.log"
check "ferry_core_smoke.exe" test "$beside_rc" -eq 0
echo "== NSIS installer"
echo "     $(basename "$installer"): $(( $(stat -c %s "$installer") / 1024 / 1024 )) MiB"
phase "wine-prefix+smoke-beyond-installer"

drive_c="$WINEPREFIX/drive_c"
inst="$drive_c/Program Files/Ferry"
ferry_exe='C:\Program Files\Ferry\bin\ferry.exe'
sendto="$(find "$drive_c/users" -maxdepth 4 -type d -path '*/AppData/Roaming' | head -1)/Microsoft/Windows/SendTo"
reg_has() { "$wine" reg query "$1" >/dev/null 2>&1; }

timeout 120 "$wine" "$installer" /S
"$wineserver" -w
check "silent install puts ferry.exe in C:\\Program Files\\Ferry\\bin" test -f "$inst/bin/ferry.exe"
for f in ferry-gui.dll Qt6Core.dll Qt6Gui.dll Qt6Widgets.dll Qt6Network.dll libstdc++-6.dll \
         libgcc_s_seh-1.dll libwinpthread-1.dll platforms/qwindows.dll platforms/qoffscreen.dll; do
  check "installed bin\\$f" test -f "$inst/bin/$f"
done
check "Send To > Ferry" test -f "$sendto/Ferry.lnk"
start_menu_lnk() { find "$drive_c" -path '*Start Menu*' -name 'Ferry.lnk' | grep -q .; }
check "Start menu > Ferry" start_menu_lnk
check "\"Share with Ferry\" on files" reg_has 'HKLM\Software\Classes\*\shell\Ferry\command'
check "\"Share with Ferry\" on folders" reg_has 'HKLM\Software\Classes\Directory\shell\Ferry\command'
phase "install"

# --- the installed ferry.exe --headless --------------------------------------------
echo "== ferry.exe --headless"
data="$drive_c/ferry-test"
mkdir -p "$data/Fotos Ü/Unterordner" "$data/inbox"
file_name='Grüße ✓ 日本.txt'
head -c 3000000 /dev/urandom > "$data/$file_name"
printf 'first\n' > "$data/Fotos Ü/eins.txt"
head -c 200000 /dev/urandom > "$data/Fotos Ü/Unterordner/zwei €.bin"
port=$(free_port)
"$wine" "$ferry_exe" --headless --bind 127.0.0.1 --port "$port" \
  "C:\\ferry-test\\$file_name" 'C:\ferry-test\Fotos Ü' --receive 'C:\ferry-test\inbox' \
  > "$scratch/headless.out" 2> "$scratch/headless.err" &
headless=$!
links_ready() { [ "$(grep -c '^http' "$scratch/headless.out" 2>/dev/null)" -ge 3 ]; }
check "three links printed" wait_for 60 links_ready
file_link="$(sed -n 1p "$scratch/headless.out" | tr -d '\r')"
folder_link="$(sed -n 2p "$scratch/headless.out" | tr -d '\r')"
receive_link="$(sed -n 3p "$scratch/headless.out" | tr -d '\r')"
echo "     $file_link"
echo "     $folder_link"
echo "     $receive_link"
curl -sS --noproxy '*' -o "$scratch/got.txt" "$file_link" || true
check "file download: sha256 matches" test "$(sha "$scratch/got.txt" 2>/dev/null)" = "$(sha "$data/$file_name")"
curl -sS --noproxy '*' -o "$scratch/got.zip" "$folder_link?zip" || true
check "folder as zip: unzip -t" unzip -tq "$scratch/got.zip"
mkdir -p "$scratch/unzipped"
unzip -q -o "$scratch/got.zip" -d "$scratch/unzipped" 2>/dev/null || true
zipped="$(find "$scratch/unzipped" -name 'zwei €.bin' | head -1)"
check "zip keeps 'zwei €.bin' byte for byte" test -n "$zipped" -a "$(sha "${zipped:-/dev/null}")" = "$(sha "$data/Fotos Ü/Unterordner/zwei €.bin")"
[ -n "$zipped" ] || unzip -l "$scratch/got.zip" | sed 's/^/     /'

curl -sS --noproxy '*' -o "$scratch/one.bin" "${folder_link%/}/Unterordner/zwei%20%E2%82%AC.bin" || true
check "one file of the folder by its link" test "$(sha "$scratch/one.bin" 2>/dev/null)" = "$(sha "$data/Fotos Ü/Unterordner/zwei €.bin")"
upload_name='Überweisung €.pdf'
head -c 500000 /dev/urandom > "$scratch/$upload_name"
( cd "$scratch" && curl -sS --noproxy '*' -o /dev/null -T "$upload_name" "$receive_link" ) || true
check "upload through the receive link arrives as '$upload_name'" \
  wait_for 20 test "$(sha "$data/inbox/$upload_name" 2>/dev/null)" = "$(sha "$scratch/$upload_name")"
kill "$headless" 2>/dev/null || true
"$wine" taskkill /f /im ferry.exe >/dev/null 2>&1 || true
wait "$headless" 2>/dev/null || true
phase "headless"

# --- the window (offscreen) and the single-instance hand-off -------------------------
echo "== the window (QT_QPA_PLATFORM=offscreen) and ferry.exe B joining it"
printf 'A says hello\n' > "$data/a.txt"
printf 'B says hello\n' > "$data/b ✓.txt"
port=$(free_port)
"$wine" "$ferry_exe" --bind 127.0.0.1 --port "$port" 'C:\ferry-test\a.txt' > "$scratch/window.log" 2>&1 &
window=$!
serving() { curl -s --noproxy '*' -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; }
check "the window serves on 127.0.0.1:$port" wait_for 90 serving
# The window keeps its shares in ferry.ini: [shares] TOKEN\path=...
token_of() {
  local ini
  ini="$(find "$drive_c/users" -name ferry.ini 2>/dev/null | head -1)"
  [ -n "$ini" ] && python3 - "$ini" "$1" <<'PY'
import sys
ini, want = sys.argv[1], sys.argv[2].replace('\\', '/').lower()
section = None
for line in open(ini, encoding='utf-8', errors='replace'):
    line = line.strip()
    if line.startswith('['):
        section = line[1:-1]
    elif section == 'shares' and '\\path=' in line:
        key, value = line.split('=', 1)
        if value.strip('"').replace('\\\\', '/').replace('\\', '/').lower() == want:
            print(key.split('\\')[0]); sys.exit(0)
sys.exit(1)
PY
}
shared_by_window() { token_of "$1" >/dev/null; }
check "the window shares a.txt" wait_for 30 shared_by_window 'C:\ferry-test\a.txt'
rc=0
timeout 60 "$wine" "$ferry_exe" 'C:\ferry-test\b ✓.txt' > "$scratch/second.log" 2>&1 || rc=$?
check "ferry.exe B exits 0 (handed to the running window)" test "$rc" -eq 0
check "the running window shares B" wait_for 30 shared_by_window 'C:\ferry-test\b ✓.txt'
token="$(token_of 'C:\ferry-test\b ✓.txt' || true)"
curl -sS --noproxy '*' -o "$scratch/b.txt" "http://127.0.0.1:$port/$token/b%20%E2%9C%93.txt" || true
check "B downloads from the first window" cmp -s "$scratch/b.txt" "$data/b ✓.txt"
cmp -s "$scratch/b.txt" "$data/b ✓.txt" || { echo "     the window said:"; grep -v '^	' "$scratch/window.log" | head -40 | sed 's/^/     /' || true; }
check "one ferry.exe running, not two" test "$("$wine" tasklist 2>/dev/null | grep -ci '^ferry.exe')" -le 1
"$wine" taskkill /f /im ferry.exe >/dev/null 2>&1 || true
kill "$window" 2>/dev/null || true
wait "$window" 2>/dev/null || true
"$wineserver" -w
phase "window"

# --- screenshot under Xvfb with the real windows platform -----------------------------
if [ -n "$screenshot" ]; then
  echo "== screenshot (QT_QPA_PLATFORM=windows, under Xvfb)"
  "$wine" reg add 'HKCU\Environment' /v QT_QPA_PLATFORM /d windows /f >/dev/null
  "$wineserver" -w
  port=$(free_port)
  cat > "$scratch/shot.sh" <<EOS
"$wine" explorer /desktop=Ferry,1024x700 "$ferry_exe" --bind 127.0.0.1 --port $port \
  'C:\\ferry-test\\$file_name' 'C:\\ferry-test\\Fotos Ü' > "$scratch/shot.log" 2>&1 &
for i in \$(seq 1 300); do curl -s --noproxy '*' -o /dev/null --max-time 1 http://127.0.0.1:$port/ && break; sleep 0.2; done
sleep 5  # the first paint after the server answers; a picture, not a check
import -window root "$screenshot"
EOS
  xvfb-run -a -s '-screen 0 1024x700x24' bash "$scratch/shot.sh"
  "$wine" taskkill /f /im ferry.exe >/dev/null 2>&1 || true
  "$wineserver" -w
  echo "     $screenshot"
fi

# --- uninstall -------------------------------------------------------------------------
echo "== silent uninstall"
timeout 120 "$wine" "C:\\Program Files\\Ferry\\Uninstall.exe" /S
"$wineserver" -w
check "C:\\Program Files\\Ferry is gone" test ! -e "$inst"
check "Send To > Ferry is gone" test ! -e "$sendto/Ferry.lnk"
check "no \"Share with Ferry\" on files" bash -c "! '$wine' reg query 'HKLM\\Software\\Classes\\*\\shell\\Ferry' >/dev/null 2>&1"
check "no \"Share with Ferry\" on folders" bash -c "! '$wine' reg query 'HKLM\\Software\\Classes\\Directory\\shell\\Ferry' >/dev/null 2>&1"
"$wineserver" -w
# Whatever else names Ferry: files outside the test data and the user's own
# settings, registry values in the machine's and the user's hives.
# The user's own settings, history and cache stay (%LOCALAPPDATA%\ferry,
# %APPDATA%\ferry), and the window's lock file in %TEMP%, stale once
# taskkill /f ended the window.
left="$(find "$drive_c" -iname '*ferry*' -not -path "$data*" -not -path '*/AppData/Local/ferry*' \
          -not -path '*/AppData/Roaming/ferry*' -not -path '*/Temp/ferry-*.lock' 2>/dev/null;
        grep -il 'ferry' "$WINEPREFIX"/system.reg "$WINEPREFIX"/user.reg >/dev/null 2>&1 &&
        grep -i 'ferry' "$WINEPREFIX"/system.reg "$WINEPREFIX"/user.reg | grep -v 'ferry-test' || true)"
[ -n "$left" ] && printf '     left behind: %s\n' "$left"
check "uninstall leaves nothing behind" test -z "$left"
phase "uninstall"

echo "== wall time: $(( $(date +%s) - t_start ))s (${phase_times[*]})"
[ "$failures" -eq 0 ] || { ferry_say "$failures Windows check(s) failed"; exit 1; }
