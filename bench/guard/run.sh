#!/usr/bin/env bash
# Guard lexical detector benchmark: 1,000,000 synthetic utterances (10–60 characters, about 30 %
# with an abusive phrase) through guard_detect on one thread, next to NFKC + MeCab alone.
# Environment (all optional):
#   N          utterances (default 1000000)
#   BUILD_DIR  meson build directory, configured --buildtype=release if new (default build-rel)
#   LEXICON    lexicon file (default data/lexicon/ja.tsv)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-build-rel}
cd "$root"
bash scripts/deps.sh build
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" bench/guard/bench_guard_detect >/dev/null
echo "guard detect bench, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/bench/guard/bench_guard_detect" "${N:-1000000}" "${LEXICON:-$root/data/lexicon/ja.tsv}"
