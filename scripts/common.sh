# Shared by scripts/demo and scripts/test: install what a fresh Debian 12 lacks, then build.
# Sourced, not run. Honours PMX_BUILD_DIR (default: build) and PMX_JOBS (default: nproc).

set -euo pipefail

PMX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PMX_JOBS="${PMX_JOBS:-$(nproc)}"

# Debian packages the build and the tests need (FACTS.md lists what each is for).
PMX_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  libsqlite3-dev sqlite3 libfaiss-dev libblas-dev liblapack-dev libopenblas0-pthread
  libcurl4-openssl-dev rapidjson-dev libspdlog-dev libfmt-dev catch2 libyaml-cpp-dev
  binutils python3 python3-numpy
  # Data the engine reads at run time: beets' genre tree (its lastgenre plugin's genres-tree.yaml;
  # the package pulls Python modules we do not use) and an English word list that keeps the
  # genre typo reader from "correcting" ordinary words ("county" is not "country").
  beets wamerican
  nodejs libicu-dev $(command -v npm >/dev/null || echo npm)  # NodeSource's nodejs bundles npm and conflicts with Debian's
)

pmx_install_packages() {
  local missing=()
  for pkg in "${PMX_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# pmx_build DIR [extra cmake args...]
pmx_build() {
  local dir="$1"
  shift
  echo "==> building in $dir"
  cmake -S "$PMX_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${PMX_BUILD_TYPE:-Release}" "$@" >/dev/null
  cmake --build "$dir" -j "$PMX_JOBS"
}
