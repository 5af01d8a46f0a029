#!/usr/bin/env bash
# Installs a built .deb with apt (pulling its declared dependencies), then
# checks what a user gets: `ferry --version`, a real headless download from
# the installed binary, the window opening from its installed module, a
# second `ferry FILE` handing its file to that window, the desktop entry
# (validated, opening files and folders) and the KDE service menu, and the
# metainfo validated by the tools distributions use.
#
#   scripts/test-package.sh build/package/ferry_<version>_<arch>.deb
set -euo pipefail
deb="$(realpath "$1")"
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive

"${sudo[@]}" apt-get install -y -qq --no-install-recommends desktop-file-utils appstream curl >/dev/null
"${sudo[@]}" apt-get install -y -qq --reinstall "$deb" >/dev/null

fail() { echo "package test: FAIL: $*" >&2; exit 1; }

[ "$(command -v ferry)" = /usr/bin/ferry ] || fail "ferry is not /usr/bin/ferry"
/usr/bin/ferry --version | grep -q '^ferry [0-9]' || fail "ferry --version"
echo "ok   $(/usr/bin/ferry --version)"

desktop=/usr/share/applications/io.github.ferry_app.Ferry.desktop
metainfo=/usr/share/metainfo/io.github.ferry_app.Ferry.metainfo.xml
[ -f "$desktop" ] || fail "no desktop entry at $desktop"
desktop-file-validate "$desktop" || fail "desktop-file-validate"
echo "ok   desktop entry valid"
grep -qx 'Exec=ferry %F' "$desktop" || fail "desktop entry: Exec is not 'ferry %F' (a list of files)"
mimes="$(sed -n 's/^MimeType=//p' "$desktop")"
for m in application/octet-stream inode/directory; do
  [[ ";$mimes" == *";$m;"* ]] || fail "desktop entry: MimeType lacks $m"
done
# desktop-file-utils' trigger has indexed it: file managers offer "Open With Ferry" for any file.
grep -q '^application/octet-stream=.*io.github.ferry_app.Ferry.desktop' /usr/share/applications/mimeinfo.cache ||
  fail "Ferry is not in mimeinfo.cache for application/octet-stream"
echo "ok   desktop entry opens files and folders (Exec=ferry %F; $mimes)"
servicemenu=/usr/share/kio/servicemenus/io.github.ferry_app.Ferry.desktop
[ -f "$servicemenu" ] || fail "no KDE service menu at $servicemenu"
grep -qx 'Type=Service' "$servicemenu" || fail "service menu: not Type=Service"
grep -qx 'Name=Share with Ferry' "$servicemenu" || fail "service menu: no 'Share with Ferry' action"
grep -qx 'Exec=ferry %F' "$servicemenu" || fail "service menu: Exec is not 'ferry %F'"
grep -q '^MimeType=.*inode/directory;' "$servicemenu" || fail "service menu: not offered for folders"
echo "ok   KDE service menu \"Share with Ferry\""
[ -f "$metainfo" ] || fail "no metainfo at $metainfo"
appstreamcli validate --no-net --pedantic "$metainfo" >/tmp/ferry-appstream.log 2>&1 ||
  appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate"
echo "ok   metainfo valid"
for size in 16 32 48 128 256; do
  [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/io.github.ferry_app.Ferry.png" ] || fail "no ${size}px icon"
done
[ -f /usr/share/icons/hicolor/scalable/apps/io.github.ferry_app.Ferry.svg ] || fail "no scalable icon"
echo "ok   icons installed"

# A real download from the installed binary.
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
head -c 5000000 /dev/urandom >"$work/payload.bin"
/usr/bin/ferry --headless --port 0 --bind 127.0.0.1 "$work/payload.bin" >"$work/url" 2>"$work/log" &
pid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url="$(head -n1 "$work/url")"
[ -n "$url" ] || { cat "$work/log" >&2; fail "no URL printed"; }
curl -sS -o "$work/got.bin" "$url" || fail "download of $url"
cmp -s "$work/payload.bin" "$work/got.bin" || fail "downloaded bytes differ"
kill -TERM "$pid"
wait "$pid" || fail "ferry did not exit 0 on SIGTERM"
echo "ok   headless download from the installed binary ($url)"
# Thumbnails from the installed binary: the libraries the .deb depends on
# (libvips with libheif inside, libav*) are there and decode a JPEG and a
# HEIC. Needs the test-media tools (scripts/setup.sh installs them). The
# decoders are in the picture helper beside ferry, never in ferry itself.
if [ -e /usr/bin/ferry-pictures ]; then
  [ -x /usr/bin/ferry-pictures ] || fail "/usr/bin/ferry-pictures is not executable"
  ! ldd /usr/bin/ferry | grep -qE 'libvips|libavcodec' || fail "ferry itself links libvips or libavcodec"
  echo "ok   the picture helper is installed beside ferry, which links no decoder"
fi
if command -v vips >/dev/null && command -v heif-enc >/dev/null; then
  mkdir -p "$work/album"
  vips gaussnoise "$work/album/photo.jpg" 1200 900
  heif-enc -q 50 -o "$work/album/photo.heic" "$work/album/photo.jpg" >/dev/null
  /usr/bin/ferry --headless --port 0 --bind 127.0.0.1 "$work/album" >"$work/url" 2>"$work/log" &
  pid=$!
  for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
  url="$(head -n1 "$work/url")"
  for f in photo.jpg photo.heic; do
    type="$(curl -sS -o "$work/thumb" -w '%{content_type}' "$url$f?thumb")" || fail "thumbnail of $f"
    [ "$type" = image/jpeg ] || fail "thumbnail of $f is $type, not a JPEG"
  done
  kill -TERM "$pid"
  wait "$pid" || fail "ferry did not exit 0 on SIGTERM"
  echo "ok   thumbnails of a JPEG and a HEIC from the installed binary"
else
  echo "skip thumbnails (no vips/heif-enc to make a photo)"
fi

# The window, from the module the package installs: shown (offscreen),
# grabbed and saved.
QT_QPA_PLATFORM=offscreen HOME="$work" XDG_CONFIG_HOME="$work/config" \
  FERRY_SCREENSHOT="$work/window.png" FERRY_SCREENSHOT_DELAY=0.5 \
  timeout 60 /usr/bin/ferry --port 0 "$work/payload.bin" 2>"$work/gui.log" ||
  { cat "$work/gui.log" >&2; fail "the window did not open"; }
[ -s "$work/window.png" ] || fail "no window screenshot"
echo "ok   window opens from $(dpkg -L ferry | grep 'ferry-gui' | head -n1)"

# "Open With Ferry" while Ferry runs: the second `ferry FILE` hands the file
# to the running window and exits 0; the window has it shared (and saved).
head -c 1000 /dev/urandom >"$work/second.bin"
QT_QPA_PLATFORM=offscreen HOME="$work" XDG_CONFIG_HOME="$work/config2" \
  /usr/bin/ferry --bind 127.0.0.1 --port 0 "$work/payload.bin" 2>"$work/first.log" &
first=$!
for _ in $(seq 100); do [ -s "$work/config2/ferry/ferry.ini" ] && break; sleep 0.1; done
QT_QPA_PLATFORM=offscreen HOME="$work" XDG_CONFIG_HOME="$work/config2" \
  timeout 30 /usr/bin/ferry "$work/second.bin" 2>"$work/second.log" ||
  { cat "$work/second.log" >&2; kill "$first"; fail "the second launch did not exit 0"; }
grep -q "handed 1 path to the Ferry already running" "$work/second.log" ||
  { cat "$work/second.log" >&2; kill "$first"; fail "the second launch opened a window of its own"; }
for _ in $(seq 100); do grep -q "path=$work/second.bin" "$work/config2/ferry/ferry.ini" && break; sleep 0.1; done
kill -TERM "$first"
wait "$first" || fail "the first window did not exit 0 on SIGTERM"
grep -q "path=$work/second.bin" "$work/config2/ferry/ferry.ini" || fail "the running window did not share the second file"
echo "ok   a second \`ferry FILE\` hands the file to the running window"
echo "package test: PASSED"
