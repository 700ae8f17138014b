#!/usr/bin/env bash
# Guard lexical detector benchmark: 1,000,000 synthetic utterances (10–60 characters, about 30 %
# with an abusive phrase) through guard_detect on one thread, next to NFKC + MeCab alone; then the
# whole process a user runs, `ikiiki guard analyze --json` on a transcript of the same utterances
# (start-up, lexicon, engine and output included), next to the aim of issue 16 (≥ 60,000/s).
# Environment (all optional):
#   N          utterances (default 1000000)
#   BUILD_DIR  meson build directory, configured --buildtype=release if new (default build-rel)
#   LEXICON    lexicon file (default data/lexicon/ja.tsv)
#   CALL_N     utterances of the analysed transcript (default 100000; the command reads ≤ 16 MiB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-build-rel}
cd "$root"
bash scripts/deps.sh build
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null # the program and its modules
ninja -C "$build" bench/guard/bench_guard_detect >/dev/null
echo "guard detect bench, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/bench/guard/bench_guard_detect" "${N:-1000000}" "${LEXICON:-$root/data/lexicon/ja.tsv}"

# Whole process: best of three wall times, and the CPU time of that run (user + sys), one thread.
call_n=${CALL_N:-100000}
call=$(mktemp)
trap 'rm -f "$call"' EXIT
"$build/bench/guard/bench_guard_detect" --emit "$call_n" >"$call"
best=""
for _ in 1 2 3; do
  t=$( { /usr/bin/time -f '%e %U %S' "$build/ikiiki" guard analyze --json --lexicon \
         "${LEXICON:-$root/data/lexicon/ja.tsv}" <"$call" >/dev/null; } 2>&1 | tail -1)
  best=$(printf '%s\n%s\n' "$best" "$t" | awk 'NF == 3' | sort -n | head -1)
done
read -r wall user sys <<<"$best"
awk -v n="$call_n" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
  printf "guard analyze --json (whole process, %d utterances): %.2f s wall, %.0f utterances/s; " \
         "%.2f s CPU, %.0f utterances/s per CPU second (aim ≥ 60000)\n", n, w, n / w, u + s, n / (u + s) }'
