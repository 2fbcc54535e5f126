#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang-14, ASan, UBSan) and
# runs each for SECONDS (default 60), one after the other, seeded from the
# fixtures and with its language's dictionary.
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_TARGETS="sql python" scripts/fuzz.sh 30   only these targets
#   FUZZ_KEEP_GOING=1 scripts/fuzz.sh 600          go on past a crash
# Exits 1 when a target crashed, leaked, ran out of memory or timed out on an
# input, naming the target and the input; inputs are kept in
# build/fuzz/crashes/<target>/ (commit one to fuzz/regressions/<target>/ to
# test it on every test run). The corpora grow in build/fuzz/corpus/.
set -euo pipefail
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

source scripts/packages.sh
install_missing_packages "racelint fuzz"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target racelint_fuzzers

out=build/fuzz/fuzzing
bin=build/fuzz/fuzz/bin
all_targets=(sql typescript tsx javascript python prisma models cpp)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

# target -> dictionary, seed file extensions, per-input time limit (seconds).
declare -A dictionary=(
  [sql]=sql [typescript]=typescript [tsx]=typescript [javascript]=typescript
  [python]=python [prisma]=prisma [models]=yaml [cpp]=cpp
)
declare -A extensions=(
  [sql]="sql" [typescript]="ts mts cts" [tsx]="tsx ts" [javascript]="js jsx mjs cjs"
  [python]="py pyi" [prisma]="prisma" [models]="" [cpp]="cpp cc cxx"
)
declare -A timeout=(
  [sql]=10 [typescript]=10 [tsx]=10 [javascript]=10 [python]=10 [prisma]=10
  [models]=10 [cpp]=60
)

# Seeds, gathered into the build tree under content names (fixtures of
# different directories share file names).
seed() { cp "$1" "$2/$(sha1sum <"$1" | cut -c1-40)"; }
gather_seeds() {
  local target=$1 directory=$out/seeds/$1
  rm -rf "$directory"
  mkdir -p "$directory"
  if [[ $target == models ]]; then
    # The target's first byte picks the model file: this order is
    # ModelsTarget.cpp's.
    local index=0 model
    for model in typeorm prisma http effects supabase sql_clients python cpp; do
      {
        printf "\\x$(printf %02x "$index")"
        cat "analyzer/models/$model.yaml"
      } >"$directory/$model"
      index=$((index + 1))
    done
    return
  fi
  local extension file
  for extension in ${extensions[$target]}; do
    while IFS= read -r -d '' file; do
      seed "$file" "$directory"
    done < <(find fixtures -type f -name "*.$extension" -print0)
  done
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan.supp}
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
[[ -x $symbolizer ]] && export ASAN_SYMBOLIZER_PATH=$symbolizer

failed=()
summary=()
for target in "${targets[@]}"; do
  [[ -x $bin/fuzz_$target ]] || {
    echo "racelint fuzz: no target '$target' (${all_targets[*]})" >&2
    exit 2
  }
  gather_seeds "$target"
  corpus=$out/corpus/$target crashes=$out/crashes/$target work=$out/work/$target
  log=$out/logs/$target.log
  mkdir -p "$corpus" "$crashes" "$work" "$out/logs"
  stamp=$out/work/$target.started
  touch "$stamp"
  options=(
    -max_total_time="$seconds" -timeout="${timeout[$target]}" -rss_limit_mb=4096
    -dict="$root/fuzz/dict/${dictionary[$target]}.dict"
    -artifact_prefix="$root/$crashes/" -print_final_stats=1
  )
  if [[ -n ${FUZZ_KEEP_GOING:-} ]]; then
    options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  echo "racelint fuzz: $target for ${seconds}s (log: $log)"
  status=0
  # In a directory of its own: libFuzzer writes nothing to the source tree.
  (cd "$work" && "$root/$bin/fuzz_$target" "${options[@]}" \
    "$root/$corpus" "$root/$out/seeds/$target") >"$log" 2>&1 || status=$?
  # The final stats, or in fork mode (FUZZ_KEEP_GOING) the last status line.
  rate=$(grep -oE '(stat::average_exec_per_sec: *|exec/s:? )[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1) || true
  found=$(find "$crashes" -type f -newer "$stamp" | sort)
  if ((status != 0)) || [[ -n $found ]]; then
    failed+=("$target")
    summary+=("$target: FAILED (exit $status), ${rate:-?} exec/s")
    grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|racelint fuzz:)' "$log" || true
    for input in $found; do
      summary+=("  $(basename "$input" | cut -d- -f1) input: $input")
    done
    [[ -n $found ]] || summary+=("  see $log")
  else
    summary+=("$target: ok, ${rate:-?} exec/s, corpus $(find "$corpus" -type f | wc -l) inputs")
  fi
done

echo "racelint fuzz: summary"
printf '  %s\n' "${summary[@]}"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
