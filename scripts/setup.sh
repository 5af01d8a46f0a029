# Shared setup for run.sh and test.sh: install missing build dependencies,
# then configure and build. Sourced, not executed.
#
#   ferry_setup_deps [extra debian packages...]
#   ferry_build <build-dir> <build-type> [extra cmake args...]
#   FERRY_BUILD_TARGETS="ferry" ferry_build ...   builds only those targets

FERRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 / Ubuntu packages the build and the tests need.
FERRY_DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools libgl-dev
  node-llhttp libqrencode-dev zlib1g-dev libssl-dev openssl nlohmann-json3-dev
  libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  curl
  unzip p7zip-full libarchive-tools aria2 wget python3 nginx-light
  chromium chromium-driver python3-selenium
  dbus-daemon python3-dbus python3-gi
  libvips-tools ffmpeg libheif-examples libimage-exiftool-perl imagemagick
  testssl.sh libnss3-tools iproute2
  ccache
)

ferry_say() { printf 'ferry: %s\n' "$*" >&2; }

ferry_setup_deps() {
  case "$(uname -s)" in
    Darwin)
      if ! command -v cmake >/dev/null || ! command -v qmake6 >/dev/null && ! brew list qt >/dev/null 2>&1; then
        ferry_say "install the build tools first: brew install cmake ninja qt llhttp qrencode"
        return 1
      fi
      return 0 ;;
    MINGW*|MSYS*|CYGWIN*)
      ferry_say "on Windows: install Qt 6 (Qt online installer or vcpkg install qtbase llhttp libqrencode),"
      ferry_say "CMake and Ninja, then configure with -DCMAKE_PREFIX_PATH=<Qt dir> (see docs/REFERENCE.md)."
      return 1 ;;
  esac
  if ! command -v dpkg-query >/dev/null; then
    ferry_say "not a Debian/Ubuntu system: install CMake, Qt 6 (Core, Network, Widgets, Test), llhttp and libqrencode, then rerun."
    return 1
  fi
  local missing=()
  local p installed
  # One dpkg-query for all of them: each call reads dpkg's whole database.
  installed="$(dpkg-query -W -f='${Status} ${Package}\n' "${FERRY_DEBIAN_PACKAGES[@]}" "$@" 2>/dev/null \
               | sed -n 's/^install ok installed //p')" || true
  for p in "${FERRY_DEBIAN_PACKAGES[@]}" "$@"; do
    grep -qxF -- "$p" <<<"$installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  ferry_say "installing what the build needs (${#missing[@]} Debian packages): ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # The package lists are fetched once per checkout (the stamp in build/):
  # test.sh, fuzz.sh, windows-gui.sh and package.sh each come here, and CI
  # runs them one after another on a fresh clone. Lists gone stale since
  # then make the install fail, and are fetched again before one retry.
  local stamp="$FERRY_ROOT/build/.apt-lists-fetched"
  if [ ! -f "$stamp" ]; then
    "${sudo[@]}" apt-get update -qq || true
    mkdir -p "$FERRY_ROOT/build" && touch "$stamp"
  elif "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    return 0
  else
    ferry_say "installing failed with the package lists fetched earlier; fetching them again"
    "${sudo[@]}" apt-get update -qq || true
    touch "$stamp"
  fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Compiles through ccache where it is installed, unless the caller chose a
# launcher: the plain, sanitizer, fuzzing and Windows builds of one run, and
# runs after it, then compile a source only when it or its flags changed.
# Paths inside the checkout are hashed relative to it (CCACHE_BASEDIR), so a
# fresh clone in another folder reuses what an earlier one compiled. Prints
# the cmake arguments for a build folder not configured yet.
ferry_ccache_args() {
  command -v ccache >/dev/null || return 0
  [ -f "$1/CMakeCache.txt" ] && return 0
  [ -n "${CMAKE_CXX_COMPILER_LAUNCHER:-}${CMAKE_C_COMPILER_LAUNCHER:-}" ] && return 0
  echo "-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
}
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$FERRY_ROOT}"
# Debug builds too (the sanitizer pass): their debug information then names
# the folder of whichever clone compiled a source first.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

ferry_build() {
  local dir="$1" type="$2"
  shift 2
  local gen=()
  command -v ninja >/dev/null && [ ! -f "$dir/CMakeCache.txt" ] && gen=(-G Ninja)
  if [ ! -f "$dir/CMakeCache.txt" ] || [ $# -gt 0 ]; then
    [ -f "$dir/CMakeCache.txt" ] || ferry_say "configuring a $type build in ${dir#"$FERRY_ROOT"/}"
    cmake -S "$FERRY_ROOT" -B "$dir" "${gen[@]}" $(ferry_ccache_args "$dir") -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  fi
  local targets=()
  local t
  for t in ${FERRY_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
  cmake --build "$dir" --parallel "${targets[@]}" >&2
}
