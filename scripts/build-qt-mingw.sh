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
trap 'rm -rf "$work"' EXIT
cd "$work"

# 1. Debian's source package, through an apt configuration of its own, so
#    that the system's sources.list needs no deb-src line.
mkdir -p apt/lists/partial apt/archives/partial
sed -n 's/^deb \(http[^ ]*\) \(bookworm\) \(.*\)$/deb-src \1 \2 \3/p' /etc/apt/sources.list 2>/dev/null > apt/sources.list || true
[ -s apt/sources.list ] || echo "deb-src http://deb.debian.org/debian bookworm main" > apt/sources.list
aptopts=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::Archives="$work/apt/archives")
apt-get "${aptopts[@]}" update -qq
apt-get "${aptopts[@]}" source --download-only qt6-base=6.4.2+dfsg-10
tar xf qt6-base_6.4.2+dfsg.orig.tar.xz
tar xf qt6-base_6.4.2+dfsg-*.debian.tar.xz
src="$work/qtbase-everywhere-src-6.4.2"
( cd "$src" && grep -v '^#' ../debian/patches/series | grep -v '^$' | while read -r p; do
    patch -p1 --forward --quiet < "../debian/patches/$p"; done )

# 2. The +dfsg tarball drops src/3rdparty/wintab (Wacom's licence), which the
#    qwindows plugin includes for tablets: Wine's LGPL headers stand in.
apt-get "${aptopts[@]}" download libwine-dev 2>/dev/null || apt-get download libwine-dev
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
tar cJf "$out" -C "$work" qt6-mingw
ferry_say "Qt for mingw-w64 is in $out"
