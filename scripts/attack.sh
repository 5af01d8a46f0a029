#!/usr/bin/env bash
# Runs the hostile-client attacks (tests/attack/attack.py) against a Release
# build of Ferry and records the figures in docs/SECURITY.md. Takes ~3 min.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
ferry_setup_deps python3
ferry_build "$FERRY_ROOT/build/release" Release -DFERRY_BUILD_UI=ON
cd "$FERRY_ROOT"
python3 tests/attack/attack.py --ferry build/release/app/ferry --write docs/SECURITY.md 2> >(grep -v 'socket.send() raised' >&2)
