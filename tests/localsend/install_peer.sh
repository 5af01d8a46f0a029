#!/usr/bin/env bash
# Installs the LocalSend peer the tests send with (the npm package
# `localsend` 0.1.2, CrossCopy/localsend-ts) into DIR, once per build
# folder. It needs Node >= 20.18 (undici 7); where the system's node is
# older (Debian 12 has 18), Node 20 comes from npm too (the `node` package).
# Exit 77 (skipped) where npm cannot be had.
set -euo pipefail
dir="$1"
want=0.1.2
[ -f "$dir/node_modules/localsend/package.json" ] && grep -q "\"version\": \"$want\"" "$dir/node_modules/localsend/package.json" && exit 0
if ! command -v npm >/dev/null; then
  source "$(dirname "$0")/../../scripts/setup.sh"
  ferry_setup_deps nodejs npm || { echo "no npm here: the LocalSend peer cannot be installed" >&2; exit 77; }
fi
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"ferry-localsend-peer","private":true}' >package.json
node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=18)?0:1)'
}
pkgs=("localsend@$want")
node_ok || pkgs+=("node@20")
npm install --no-audit --no-fund --loglevel=error "${pkgs[@]}" >&2
