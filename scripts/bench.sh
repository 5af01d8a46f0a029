#!/usr/bin/env bash
# Benchmarks Ferry side by side with nginx, Tornado and python3 -m http.server
# on this machine, in one run, and writes docs/BENCHMARKS.md (+ BENCHMARKS.svg).
#
#   scripts/bench.sh                 # everything (~10-15 min): iperf3, workloads 1-7, allocations, profile
#   scripts/bench.sh --quick         # shorter: fewer repeats, shorter runs (~5 min)
#   scripts/bench.sh 1 3             # only workloads 1 and 3 (any of 1-7, iperf, alloc, profile, zip)
#   scripts/bench.sh zip             # shared folders: zips and the listing, beside HFS 3 (npm hfs)
#   scripts/bench.sh --servers ferry,nginx 3    # only some servers
#   scripts/bench.sh --no-doc ...    # print the table, leave docs/ alone
#   scripts/bench.sh --no-variants   # skip Ferry's pread/poll variants (measured beside the peers)
#   scripts/bench.sh uploads         # receiving: 1 GiB PUT, 64 concurrent uploads, latency beside nginx WebDAV
#                                    # (tests/bench/bench_upload.py; writes docs/BENCHMARKS-upload.md)
#   scripts/bench.sh album [FILES]   # thumbnails: 200 (or FILES) 12 MP JPEGs through ?thumb beside
#                                    # vipsthumbnail and ImageMagick (tests/bench/album_bench.py;
#                                    # writes docs/BENCHMARKS-album.md)
#   scripts/bench.sh album-page [RUNS]  # a 1,000-photo folder's page in headless Chromium (HTML time beside
#                                    # HFS 3's listing, first screen's thumbnails cold and warm, CPU), its
#                                    # 1,000 thumbnails and 200 HEIC photos' beside vipsthumbnail/ImageMagick
#                                    # (tests/bench/album_page_bench.py; adds to docs/BENCHMARKS-album.md)
#   scripts/bench.sh tls             # HTTPS: 1 GiB, 4 KiB keep-alive, handshakes/s, idle memory beside nginx ssl
#                                    # (tests/bench/bench_tls.py; writes docs/BENCHMARKS-tls.md)
#   scripts/bench.sh localsend       # LocalSend: 1 GiB uploads (Content-Length, chunked) beside a PUT to the
#                                    # receive link, 1,000 small files beside one, in a network namespace
#                                    # (tests/bench/bench_localsend.py; writes docs/BENCHMARKS-localsend.md)
#   scripts/bench.sh nearby [push|idle]  # this computer's page: push latency (100 texts and 100 files
#                                    # from the stdin commands to the card in headless Chromium: p50/p99),
#                                    # and idle pages: 1,000 and 10,000 open event streams (RSS per page,
#                                    # CPU over a minute, a 4 KiB download's latency) beside nginx holding
#                                    # as many idle connections (tests/bench/bench_nearby.py; writes
#                                    # docs/BENCHMARKS-nearby.md; one part alone keeps the other's figures)
#   scripts/bench.sh testssl         # testssl.sh's full check of --https (tests/tls/test_testssl.py --full)
#   scripts/bench.sh loop            # EventLoop and its pollers alone (tests/bench/bench_loop.cpp): rewrites
#                                    # the "Event loop" table of docs/BENCHMARKS.md (a full run does it first)
#   scripts/bench.sh --rev HEAD~1 3  # measure a committed revision instead of the work tree
#                                    # (built from `git archive` in build/bench-src/SHA, build/release-SHA)
#   scripts/bench.sh --baseline REV  # also measure Ferry at REV beside this one, in the same run:
#                                    # a "Ferry at REV" column, the before/after of the changes since
#
# Raw results go to build/bench/results-*.json; re-render the document from one
# without measuring again: /usr/bin/python3 tests/bench/bench.py --render FILE.json
#
# Installs what is missing (Debian/Ubuntu, apt, sudo when not root): nginx-light,
# python3-tornado, wrk, curl, iperf3, testssl.sh, and for the allocation count and profile
# gcc, strace, valgrind, linux-perf, heaptrack; nodejs and npm for HFS 3, which
# /work/shared/tools/hfs-peer.sh installs into build/hfs-peer. Builds Ferry Release in
# build/release. The workloads, the peers' setup and how each figure is taken
# are described in tests/bench/bench.py and in the generated document.
# Linux only (epoll, sendfile, /proc, taskset).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'bench: %s\n' "$*" >&2; }

if [ "$(uname -s)" != Linux ]; then
  say "the benchmark needs Linux (it reads /proc and pins CPUs with taskset)"
  exit 2
fi

# --- tools -------------------------------------------------------------------
packages=(nginx-light python3-tornado wrk curl iperf3 gcc libc6-dev util-linux procps strace valgrind
  heaptrack cmake ninja-build nodejs testssl.sh)
# npm: Debian's package, unless node came with its own (NodeSource's does).
command -v npm >/dev/null || packages+=(npm)
# perf comes as linux-perf on Debian, linux-tools-* on Ubuntu; optional.
if apt-cache show linux-perf >/dev/null 2>&1; then packages+=(linux-perf); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || true
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Ferry's own build dependencies (Qt, llhttp...): the project's setup.
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
ferry_setup_deps

# --- Ferry, Release ----------------------------------------------------------
rev=""
baseline=""
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = --rev ]; then
    rev="${2:?--rev needs a git revision}"
    shift 2
  elif [ "$1" = --baseline ]; then
    baseline="${2:?--baseline needs a git revision}"
    shift 2
  else
    args+=("$1")
    shift
  fi
done

# build_ferry REV|"": builds Ferry (Release) from the work tree, or from a
# committed revision (its `git archive` in build/bench-src/SHA, built in
# build/release-SHA); sets $build.
build_ferry() {
  local src="$ROOT" r="$1"
  build="build/release"
  if [ -n "$r" ]; then
    local sha
    sha="$(git rev-parse --short "$r^{commit}")"
    src="$ROOT/build/bench-src/$sha"
    build="build/release-$sha"
    if [ ! -f "$src/CMakeLists.txt" ]; then
      mkdir -p "$src"
      git archive "$sha" | tar -x -C "$src"
    fi
  fi
  say "building Ferry ${r:+$r }(Release) in $build"
  # FERRY_BUILD_UI=ON: the window module is part of the UI build; say so in
  # case this build directory was configured without it (core-only benchmarks).
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_UI=ON >&2
  cmake --build "$build" --target ferry >&2
}

extra=()
if [ -n "$baseline" ]; then
  build_ferry "$baseline"
  label="$baseline"
  short="$(git rev-parse --short "$baseline^{commit}")"
  [ "$short" = "$baseline" ] || label="$baseline ($short)"
  extra+=(--baseline "$ROOT/$build/app/ferry" --baseline-label "$label")
fi
build_ferry "$rev"
[ -n "$rev" ] && extra+=(--rev "$rev ($(git rev-parse --short "$rev^{commit}"))")

# --- limits ------------------------------------------------------------------
# 10,000 idle connections (workload 6) need ~10,100 descriptors in the server
# and in the client; raise the soft limit to the hard one, and the hard one
# when we are root.
want=65536
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want" ] && [ "$(id -u)" -eq 0 ]; then
  ulimit -Hn "$want" 2>/dev/null || true
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
say "open-file limit: $(ulimit -n)"

# Receiving (Ferry's receive link beside nginx's WebDAV PUT) is its own run.
if [ "${args[*]:-}" = uploads ] || [ "${args[*]:-}" = "--no-doc uploads" ]; then
  doc=(--doc "$ROOT/docs/BENCHMARKS-upload.md")
  [ "${args[0]}" = --no-doc ] && doc=()
  exec /usr/bin/python3 "$ROOT/tests/bench/bench_upload.py" --ferry "$ROOT/$build/app/ferry" "${doc[@]}"
fi
# Thumbnails (Ferry's ?thumb beside vipsthumbnail and ImageMagick) too.
if [ "${args[0]:-}" = album ]; then
  exec /usr/bin/python3 "$ROOT/tests/bench/album_bench.py" --ferry "$ROOT/$build/app/ferry" \
    --files "${args[1]:-200}" --doc "$ROOT/docs/BENCHMARKS-album.md" --command "scripts/bench.sh ${args[*]}"
fi
# A 1,000-photo folder's page, and HEIC thumbnails, too.
if [ "${args[0]:-}" = album-page ]; then
  exec /usr/bin/python3 "$ROOT/tests/bench/album_page_bench.py" --ferry "$ROOT/$build/app/ferry" \
    --runs "${args[1]:-3}" --doc "$ROOT/docs/BENCHMARKS-album.md" --command "scripts/bench.sh ${args[*]}"
fi
# HTTPS (Ferry's TLS beside nginx's ssl) is its own run too.
if [ "${args[*]:-}" = tls ] || [ "${args[*]:-}" = "--no-doc tls" ]; then
  doc=(--doc "$ROOT/docs/BENCHMARKS-tls.md")
  [ "${args[0]}" = --no-doc ] && doc=()
  exec /usr/bin/python3 "$ROOT/tests/bench/bench_tls.py" --ferry "$ROOT/$build/app/ferry" "${doc[@]}"
fi
# LocalSend (its uploads beside the receive link's PUT) too, in a network
# namespace since it multicasts.
if [ "${args[*]:-}" = localsend ] || [ "${args[*]:-}" = "--no-doc localsend" ]; then
  doc=(--doc "$ROOT/docs/BENCHMARKS-localsend.md")
  [ "${args[0]}" = --no-doc ] && doc=()
  exec /usr/bin/python3 "$ROOT/tests/bench/bench_localsend.py" --ferry "$ROOT/$build/app/ferry" "${doc[@]}"
fi
# This computer's page: push latency in headless Chromium, and idle pages (event
# streams beside nginx's idle keep-alive).
if [ "${args[0]:-}" = nearby ]; then
  only=()
  [ -n "${args[1]:-}" ] && only=(--only "${args[1]}")
  exec /usr/bin/python3 "$ROOT/tests/bench/bench_nearby.py" --ferry "$ROOT/$build/app/ferry" "${only[@]}" \
    --doc "$ROOT/docs/BENCHMARKS-nearby.md" --command "scripts/bench.sh ${args[*]}"
fi
# testssl.sh's full check of Ferry's HTTPS (--https): protocols, ciphers,
# server defaults and order, headers, known vulnerabilities; no HIGH or
# CRITICAL finding. Minutes, so not in the test suite (which runs the quick part).
if [ "${args[*]:-}" = testssl ]; then
  FERRY_BINARY="$ROOT/$build/app/ferry" exec /usr/bin/python3 "$ROOT/tests/tls/test_testssl.py" --full
fi
# The event loop's own table: bench_loop's output goes into docs/BENCHMARKS.md
# between its markers as printed, with the command and the commit measured.
loop_bench() {
  say "building bench_loop (Release) in $build"
  cmake --build "$build" --target bench_loop >&2
  local out
  out="$("$ROOT/$build/tests/bench/bench_loop")"
  printf '%s\n' "$out" >&2
  LOOP_OUT="$out" LOOP_REV="$(git -C "$ROOT" rev-parse --short "${rev:-HEAD}^{commit}")$( [ -z "$rev" ] && [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ] && echo ' with uncommitted changes')" \
    /usr/bin/python3 - "$ROOT/docs/BENCHMARKS.md" <<'PY'
import datetime, os, re, sys
path = sys.argv[1]
doc = open(path, encoding="utf-8").read()
begin, end = "<!-- bench.sh:loop:begin -->", "<!-- bench.sh:loop:end -->"
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
body = ("Generated by `scripts/bench.sh loop` on %s (Ferry %s, Release build): the program's output, "
        "unedited.\n\n%s\n" % (when, os.environ["LOOP_REV"], os.environ["LOOP_OUT"].strip()))
if begin not in doc or end not in doc:
    sys.exit("bench: docs/BENCHMARKS.md has no %s ... %s markers" % (begin, end))
doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: begin + "\n" + body + end, doc, flags=re.S)
open(path, "w", encoding="utf-8").write(doc)
PY
}
if [ "${args[*]:-}" = loop ]; then
  loop_bench
  exit 0
fi
if [ ${#args[@]} -eq 0 ]; then
  loop_bench
fi
exec /usr/bin/python3 "$ROOT/tests/bench/bench.py" --ferry "$ROOT/$build/app/ferry" "${extra[@]}" \
  --command "scripts/bench.sh${rev:+ --rev $rev}${baseline:+ --baseline $baseline}${args[*]:+ ${args[*]}}" "${args[@]}"
