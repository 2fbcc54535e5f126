#!/usr/bin/env bash
# Benchmark (not a test): racelint's time over libpg_query's parse-only time
# on the same generated corpus, with --jobs 1 and 2, plus peak RSS. Ratios
# from one run are what to compare; absolute times are noisy here.
#   bench/run.sh [BUILD_DIR] [FILES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
files=${2:-2000}
corpus=$build/bench-corpus
rm -rf "$corpus"
python3 "$root/bench/generate_corpus.py" "$corpus" "$files"
statements=$("$build/racelint_parse_only" "$corpus"/*.sql)

measure() { # prints "seconds peak_kib"
  /usr/bin/time -f "%e %M" -o "$build/bench.time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$build/bench.time"
}
read -r parse_s parse_kib < <(measure "$build/racelint_parse_only" "$corpus"/*.sql)
read -r one_s one_kib < <(measure "$build/racelint" scan "$corpus" --jobs 1 --format sarif -o "$build/bench.sarif")
read -r two_s two_kib < <(measure "$build/racelint" scan "$corpus" --jobs 2 --format sarif -o "$build/bench.sarif")
findings=$(grep -c '"ruleId"' "$build/bench.sarif" || true)

echo "corpus: $files files, $statements, $(du -sh "$corpus" | cut -f1)"
echo "parse-only (libpg_query split+parse+plpgsql, 1 thread): ${parse_s}s, peak RSS ${parse_kib} KiB"
echo "racelint --jobs 1: ${one_s}s, peak RSS ${one_kib} KiB, ratio $(python3 -c "print(f'{$one_s/$parse_s:.2f}')")"
echo "racelint --jobs 2: ${two_s}s, peak RSS ${two_kib} KiB, ratio $(python3 -c "print(f'{$two_s/$parse_s:.2f}')")"
echo "SARIF results: $findings"
