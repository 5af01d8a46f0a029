#!/usr/bin/env bash
# Regenerates docs/screenshot.png from a real run: builds Ferry, starts it
# under Xvfb with three real files shared and Receive on (from a throwaway
# config directory), starts real, rate-limited curl downloads of them and a
# curl upload to the receive link, and has Ferry save its own window
# (QWidget::grab, via FERRY_SCREENSHOT) mid-transfer. FERRY_BINARY=PATH uses
# a ferry already built instead of building build/release.
#
#   scripts/screenshot.sh            -> docs/screenshot.png (light palette)
#   scripts/screenshot.sh --dark     -> docs/screenshot-dark.png (forced dark palette)
#
#   scripts/screenshot.sh --empty    -> docs/screenshot-empty.png (first run: nothing shared yet)
#   scripts/screenshot.sh --small    -> docs/screenshot-small.png (the same run in a 760 x 532 window)
#
# A phone's page is open throughout (curl on the receive link's event
# stream, as Safari on an iPhone), so the window lists it under Nearby, and
# it sends the window a text.
#
# Needs xvfb-run (package xvfb) and curl; installs them on Debian/Ubuntu.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

palette=light
out="$FERRY_ROOT/docs/screenshot.png"
empty=
size=
delay=32
if [ "${1:-}" = "--dark" ]; then
  palette=dark
  out="$FERRY_ROOT/docs/screenshot-dark.png"
elif [ "${1:-}" = "--small" ]; then
  size=760x532
  out="$FERRY_ROOT/docs/screenshot-small.png"
elif [ "${1:-}" = "--empty" ]; then
  empty=1
  delay=4
  out="$FERRY_ROOT/docs/screenshot-empty.png"
fi

ferry_setup_deps xvfb xauth
if [ -n "${FERRY_BINARY:-}" ]; then
  bin="$FERRY_BINARY"
else
  ferry_build "$FERRY_ROOT/build/release" Release
  bin="$FERRY_ROOT/build/release/app/ferry"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The files: real bytes on disk (the video is sparse to spare the disk).
files="$work/files"
mkdir -p "$files" "$work/config/ferry" "$work/inbox"
head -c 2400000 /dev/urandom >"$files/Project plan.pdf"
head -c 83000000 /dev/urandom >"$files/Photos 2026.zip"
truncate -s 734003200 "$files/Holiday video.mp4"
truncate -s 300000000 "$work/IMG_2041.MOV"  # what a phone sends back

# A port nobody listens on.
port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

token() { head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
t_pdf="$(token)"; t_zip="$(token)"; t_mp4="$(token)"; t_in="$(token)"

# Settings and shares as Ferry itself stores them (ui/settings/settings_store.cpp).
cat >"$work/config/ferry/ferry.ini" <<INI
[server]
port=$port
rateLimit=8000000
startOnLaunch=true

[window]
keepInTray=false

[receive]
on=true
folder=$work/inbox
token=$t_in

INI
[ -n "$empty" ] || cat >>"$work/config/ferry/ferry.ini" <<INI
[shares]
1\\token=$t_pdf
1\\path=$files/Project plan.pdf
2\\token=$t_zip
2\\path=$files/Photos 2026.zip
3\\token=$t_mp4
3\\path=$files/Holiday video.mp4
size=3
INI

ferry_say "starting Ferry under Xvfb on port $port"
XDG_CONFIG_HOME="$work/config" FERRY_PALETTE="$palette" \
  FERRY_SCREENSHOT="$work/shot.png" FERRY_SCREENSHOT_DELAY="$delay" FERRY_SCREENSHOT_SIZE="$size" \
  xvfb-run -a -s "-screen 0 1400x900x24" "$bin" >"$work/ferry.log" 2>&1 &
pids+=($!)

for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done

iphone="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
if [ -n "$empty" ]; then
  wait "${pids[0]}" || { cat "$work/ferry.log" >&2; exit 1; }
  [ -s "$work/shot.png" ] || { cat "$work/ferry.log" >&2; ferry_say "no screenshot was saved"; exit 1; }
  cp "$work/shot.png" "$out"
  ferry_say "saved $out"
  exit 0
fi
# A phone with this computer's page open: a nearby device, which sends a text.
curl -s -N -o /dev/null -D "$work/phone.head" -A "$iphone" "http://127.0.0.1:$port/$t_in/?events" &
pids+=($!)
cookie=
for _ in $(seq 50); do
  cookie="$(grep -o 'ferry_device=[^;]*' "$work/phone.head" 2>/dev/null || true)"
  [ -n "$cookie" ] && break
  sleep 0.2
done
curl -s -o /dev/null -b "$cookie" -A "$iphone" --data-binary \
  "The booking for Saturday: https://example.org/booking/2041" "http://127.0.0.1:$port/$t_in/?text"

get() {  # get TOKEN NAME [RATE]: a real client, some slowed down so it can be watched
  curl -s -o /dev/null ${3:+--limit-rate "$3"} "http://127.0.0.1:$port/$1/$2" &
  pids+=($!)
}
# Ferry's own limit (8 MB/s, set above) caps the total; two clients also
# read slowly, as phones on Wi-Fi would.
get "$t_mp4" "Holiday%20video.mp4" 1500k
# A phone sending a video to this computer (curl as Safari on an iPhone).
curl -s -o /dev/null --limit-rate 3000k -T "$work/IMG_2041.MOV" \
  -A "$iphone" \
  "http://127.0.0.1:$port/$t_in/" &
pids+=($!)
sleep 7
get "$t_zip" "Photos%202026.zip" 2500k
sleep 8
get "$t_mp4" "Holiday%20video.mp4"
sleep 11
get "$t_pdf" "Project%20plan.pdf"   # finishes: shows a completed row

wait "${pids[0]}" || { cat "$work/ferry.log" >&2; exit 1; }
[ -s "$work/shot.png" ] || { cat "$work/ferry.log" >&2; ferry_say "no screenshot was saved"; exit 1; }
cp "$work/shot.png" "$out"
ferry_say "saved $out"
