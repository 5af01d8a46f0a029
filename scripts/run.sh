#!/usr/bin/env bash
# Sets everything up on a fresh machine and starts Ferry with PATHs shared.
# Without a display (no DISPLAY / WAYLAND_DISPLAY) it runs `ferry --headless`.
#
#   scripts/run.sh [ferry options] [PATH...]
set -euo pipefail
source "$(dirname "$0")/setup.sh"

ferry_setup_deps
ferry_build "$FERRY_ROOT/build/release" Release
bin="$FERRY_ROOT/build/release/app/ferry"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname -s)" != Darwin ]; then
  ferry_say "no display found: serving headless (Ctrl+C stops)"
  exec "$bin" --headless "$@"
fi
exec "$bin" "$@"
