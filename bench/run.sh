#!/usr/bin/env bash
# Benchmark (not a test): racelint's time over the parser's parse-only time on
# the same generated corpus, with --jobs 1 and 2, plus peak RSS. Ratios from
# one run are what to compare; absolute times are noisy here.
#   bench/run.sh [BUILD_DIR] [SQL_FILES] [TS_MODULES] [PY_MODULES] [CPP_UNITS]
# SQL: migrations and PL/pgSQL (baseline: libpg_query split + parse).
# TypeScript: a code base on NestJS (TypeORM, Prisma) and Next.js (supabase-js,
# Stripe), about 340 lines a module (baseline: tree-sitter parse of every file).
# Python: SQLAlchemy models, Alembic revisions, FastAPI and Flask (Stripe),
# about 330 lines a module (baseline: tree-sitter parse of every file).
# C++: cpp-httplib routes over libpqxx with compile_commands.json, about 130
# lines a translation unit plus the libraries' headers (baseline: clang++
# -fsyntax-only of every translation unit, one after the other).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
sql_files=${2:-2000}
ts_modules=${3:-1200}
py_modules=${4:-1050}
cpp_units=${5:-120}

measure() { # prints "seconds peak_kib"
  /usr/bin/time -f "%e %M" -o "$build/bench.time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$build/bench.time"
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

report() { # name corpus baseline_description parse_s parse_kib
  local name=$1 corpus=$2 what=$3 parse_s=$4 parse_kib=$5
  read -r one_s one_kib < <(measure "$build/racelint" scan "$corpus" --jobs 1 --format sarif -o "$build/bench.sarif")
  read -r two_s two_kib < <(measure "$build/racelint" scan "$corpus" --jobs 2 --format sarif -o "$build/bench.sarif")
  local findings
  findings=$(grep -c '"ruleId"' "$build/bench.sarif" || true)
  echo "$name parse-only ($what, 1 thread): ${parse_s}s, peak RSS ${parse_kib} KiB"
  echo "$name racelint --jobs 1: ${one_s}s, peak RSS ${one_kib} KiB, ratio $(ratio "$one_s" "$parse_s")"
  echo "$name racelint --jobs 2: ${two_s}s, peak RSS ${two_kib} KiB, ratio $(ratio "$two_s" "$parse_s")"
  echo "$name SARIF results: $findings"
}

sql=$build/bench-corpus
rm -rf "$sql"
python3 "$root/bench/generate_corpus.py" "$sql" "$sql_files"
statements=$("$build/racelint_parse_only" "$sql"/*.sql)
echo "sql corpus: $sql_files files, $statements, $(du -sh "$sql" | cut -f1)"
read -r parse_s parse_kib < <(measure "$build/racelint_parse_only" "$sql"/*.sql)
report sql "$sql" "libpg_query split+parse+plpgsql" "$parse_s" "$parse_kib"

tree_sitter_corpus() { # name generator modules extension note
  local name=$1 corpus=$build/bench-$1-corpus files summary
  rm -rf "$corpus"
  python3 "$root/bench/$2" "$corpus" "$3"
  mapfile -t files < <(find "$corpus" -name "*.$4" | sort)
  summary=$("$build/racelint_tree_sitter_parse_only" "${files[@]}")
  echo "$name corpus: $3 modules, $summary, $(du -sh "$corpus" | cut -f1)$5"
  read -r parse_s parse_kib < <(measure "$build/racelint_tree_sitter_parse_only" "${files[@]}")
  report "$name" "$corpus" "tree-sitter parse" "$parse_s" "$parse_kib"
}

tree_sitter_corpus typescript generate_ts_corpus.py "$ts_modules" ts " (with one schema.prisma)"
tree_sitter_corpus python generate_py_corpus.py "$py_modules" py ""


cpp=$build/bench-cpp-corpus
rm -rf "$cpp"
python3 "$root/bench/generate_cpp_corpus.py" "$cpp" "$cpp_units"
lines=$(cat "$cpp"/src/*.cpp | wc -l)
echo "cpp corpus: $cpp_units translation units, $lines lines (before headers), $(du -sh "$cpp" | cut -f1)"
read -r parse_s parse_kib < <(cd "$cpp" && measure bash -c \
  'for unit in src/*.cpp; do clang++-14 -std=c++17 -fsyntax-only -w "$unit"; done')
report cpp "$cpp" "clang++ -fsyntax-only" "$parse_s" "$parse_kib"
