#!/usr/bin/env bash
# One entry point for both README commands, so that the demo and the test suite
# share the same install step and the same build tree.
#   scripts/setup.sh demo   install what is missing, build, scan the demo app
#   scripts/setup.sh test   install what is missing, build, run the whole test suite
# A repeated run installs nothing, downloads nothing and rebuilds only what changed.
set -euo pipefail
mode=${1:-}
case "$mode" in
demo | test) ;;
*)
  echo "usage: scripts/setup.sh demo|test" >&2
  exit 2
  ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Everything DESIGN.md lists, so that later front-ends need no new set-up step.
packages=(
  cmake g++ ninja-build pkg-config git ca-certificates time python3
  nodejs npm
  llvm-14-dev libclang-14-dev libclang-cpp14-dev libclang-common-14-dev clang-14
  # The fuzz run of the tests (scripts/fuzz.sh): libFuzzer and the sanitizers.
  libclang-rt-14-dev
  libpg-query-dev libprotobuf-c-dev
  nlohmann-json3-dev libyaml-cpp-dev
  googletest libgtest-dev libgmock-dev
  # The C++ fixtures and demo compile against these libraries' real headers.
  libpqxx-dev libcpp-httplib-dev libsqlite3-dev libsqlitecpp-dev
)
missing=()
for package in "${packages[@]}"; do
  # npm may come with Node.js from elsewhere; only the commands matter then.
  if [[ $package == nodejs || $package == npm ]] && command -v "${package/nodejs/node}" >/dev/null; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "racelint setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

preset=release
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"

if [[ $mode == demo ]]; then
  # Findings are the point of the demo: exit 1 ("findings reported") is success here.
  status=0
  "build/$preset/racelint" scan fixtures/apps/marketplace fixtures/apps/bands \
    fixtures/apps/billing fixtures/apps/planner fixtures/apps/school \
    fixtures/apps/ledger ||
    status=$?
  [[ $status -le 1 ]] || exit "$status"
  exit 0
fi
ctest --preset "$preset" -j "$(nproc)"
# A short fuzz run of every target: a crash, leak or hang found in a few
# seconds fails the tests too (RACELINT_FUZZ_SECONDS=0 skips it).
fuzz_seconds=${RACELINT_FUZZ_SECONDS:-15}
if ((fuzz_seconds > 0)); then
  scripts/fuzz.sh "$fuzz_seconds"
fi
