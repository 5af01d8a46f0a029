#!/usr/bin/env bash
# Builds the Qt that scripts/windows-gui.sh cross-compiles Ferry against:
# Qt 6.4.2's qtbase (Core, Gui, Widgets, Network; the qwindows and
# qoffscreen platform plugins) for x86_64-w64-mingw32, posix threads, from
# Debian 12's own qt6-base source package with Debian's host tools
# (moc, rcc, uic). Slow: about 25 minutes on 2 cores.
#
#   scripts/build-qt-mingw.sh OUT.tar.xz     (the archive unpacks to qt6-mingw/)
set -euo pipefail
out="$(realpath -m "${1:?usage: build-qt-mingw.sh OUT.tar.xz}")"
source "$(dirname "$0")/setup.sh"
ferry_setup_deps g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix mingw-w64-x86-64-dev \
  qt6-base-dev qt6-base-dev-tools perl xz-utils dpkg-dev

work="$(mktemp -d)"
trap 'rm -rf "$work" "$out.part.$$"' EXIT
cd "$work"

# 1. Debian's source package, the same version as the installed host tools,
#    through an apt configuration of its own: the system's own Debian
#    sources (one-line *.list or Debian 12's deb822 *.sources) with deb-src
#    added, so that the system needs no deb-src entry of its own.
version="$(dpkg-query -W -f='${Version}' qt6-base-dev)"
mkdir -p apt/lists/partial apt/archives/partial apt/sources.list.d
: > apt/sources.list
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]\+\(.*\)$/deb \1\ndeb-src \1/p' "$f" >> apt/sources.list
done
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed 's/^Types:.*/Types: deb deb-src/' "$f" > "apt/sources.list.d/$(basename "$f")"
done
if [ ! -s apt/sources.list ] && [ -z "$(ls apt/sources.list.d)" ]; then
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  for suite in "$codename main" "$codename-security main"; do
    base=http://deb.debian.org/debian; [ "${suite#*-security}" = "$suite" ] || base=$base-security
    printf 'deb %s %s\ndeb-src %s %s\n' "$base" "$suite" "$base" "$suite"
  done > apt/sources.list
fi
aptopts=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts="$work/apt/sources.list.d"
         -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::Archives="$work/apt/archives")
# A third-party repository without sources fails its part of the update; Debian's is what counts.
apt-get "${aptopts[@]}" update -qq || ferry_say "some deb-src entries could not be fetched (above); going on with the others"
apt-get "${aptopts[@]}" source --download-only "qt6-base=$version"
tar xf qt6-base_*.orig.tar.xz
tar xf qt6-base_*.debian.tar.xz
src="$(echo "$work"/qtbase-everywhere-src-*)"
( cd "$src" && grep -v '^#' ../debian/patches/series | grep -v '^$' | while read -r p; do
    patch -p1 --forward --quiet < "../debian/patches/$p"; done )

# 2. The +dfsg tarball drops src/3rdparty/wintab (Wacom's licence), which the
#    qwindows plugin includes for tablets: Wine's LGPL headers stand in.
apt-get "${aptopts[@]}" download libwine-dev
dpkg-deb -x libwine-dev_*.deb wine-dev
mkdir -p "$src/src/3rdparty/wintab"
cp wine-dev/usr/include/wine/wine/windows/wintab.h "$src/src/3rdparty/wintab/wine_wintab.h"
cp wine-dev/usr/include/wine/wine/windows/pktdef.h "$src/src/3rdparty/wintab/pktdef.h"
cat > "$src/src/3rdparty/wintab/wintab.h" <<'EOH'
/* Wine's LGPL wintab.h/pktdef.h in place of Wacom's, which Debian's tarball drops. */
#ifndef QT_WINTAB_SHIM_H
#define QT_WINTAB_SHIM_H
#include <windows.h>
#include <_mingw_dxhelper.h>
#ifndef API
#define API WINAPI
#endif
#include "wine_wintab.h"
#endif
EOH

# 3. Configure and build. -DINPUT_opengl=no (not FEATURE_opengl=OFF, which
#    leaves dynamicgl on and breaks qwindows); direct2d stays on (qwindows
#    needs Gui's DirectWrite font database).
prefix="$work/qt6-mingw"
cmake -G Ninja -S "$src" -B build \
  -DCMAKE_TOOLCHAIN_FILE="$FERRY_ROOT/cmake/mingw-w64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DQT_HOST_PATH=/usr -DQT_HOST_PATH_CMAKE_DIR=/usr/lib/x86_64-linux-gnu/cmake \
  -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF -DQT_BUILD_BENCHMARKS=OFF \
  -DFEATURE_sql=OFF -DFEATURE_testlib=OFF -DFEATURE_concurrent=OFF -DFEATURE_xml=OFF \
  -DFEATURE_dbus=OFF -DINPUT_opengl=no -DFEATURE_printsupport=OFF -DFEATURE_vulkan=OFF \
  -DFEATURE_openssl=OFF -DFEATURE_androiddeployqt=OFF \
  -DFEATURE_zstd=OFF -DFEATURE_icu=OFF -DFEATURE_brotli=OFF -DFEATURE_jpeg=OFF \
  -DFEATURE_system_zlib=OFF -DFEATURE_system_pcre2=OFF -DFEATURE_system_harfbuzz=OFF \
  -DFEATURE_system_freetype=OFF -DFEATURE_system_png=OFF -DFEATURE_system_jpeg=OFF \
  -DFEATURE_system_doubleconversion=OFF -DFEATURE_pkg_config=OFF
ninja -C build
ninja -C build install
mkdir -p "$(dirname "$out")"
# Written beside and renamed into place: a run looking for the archive never
# finds half of one.
tar cJf "$out.part.$$" -C "$work" qt6-mingw
mv -f "$out.part.$$" "$out"
ferry_say "Qt for mingw-w64 is in $out"
