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

source scripts/packages.sh
install_missing_packages "racelint setup"

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
# The whole suite again under AddressSanitizer and UBSan, in the clang build
# that also holds the fuzz targets; then a short fuzz run of every target: a
# crash, leak or hang found in a few seconds fails the tests too
# (RACELINT_FUZZ_SECONDS=0 skips both).
fuzz_seconds=${RACELINT_FUZZ_SECONDS:-15}
if ((fuzz_seconds > 0)); then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
  ctest --preset fuzz -j "$(nproc)"
  scripts/fuzz.sh "$fuzz_seconds"
fi
