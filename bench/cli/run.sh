#!/usr/bin/env bash
# Start-up of the ikiiki command: light commands (no media, report, XLSX or PostgreSQL) next to
# the ≤ 10 ms aim of issue 16, and commands that load a module, as whole processes. Per command:
# the mean and minimum wall time (hyperfine), the shared objects the process loads, and the
# dynamic loader's own start-up time (LD_DEBUG=statistics).
# Environment (all optional):
#   BUILD_DIR  meson build directory, configured --buildtype=release if new (default build-rel)
#   BEFORE     another ikiiki binary (an older build) measured on the same commands, side by side
#   RUNS       runs per command (default 100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-build-rel}
runs=${RUNS:-100}
cd "$root"
bash scripts/deps.sh bench
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null
bin=$root/$build/ikiiki
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
db=$scratch/bench.db
"$bin" init --db "$db" >/dev/null

# name | aim in ms ("-" for none) | arguments
commands=(
  "--version|10|--version"
  "harass judge|10|harass judge --behaviour 3 --demand 2"
  "cx check|10|cx check --areas 1,2,1,0"
  "company list (SQLite)|-|company list --db $db"
  "guard analyze (MeCab)|-|guard analyze --json"
  "survey report --help (report module)|-|survey report --help"
  "media analyze --help (media module)|-|media analyze --help"
  "serve --help (serve module)|-|serve --help"
)

# Mean and minimum in ms of one command line (stdin empty: guard analyze still opens MeCab and
# its lexicon).
timeit() {
  hyperfine -N --warmup 5 --runs "$runs" --export-json "$scratch/h.json" --output null "$*" \
    >/dev/null
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %.1f" % (r["mean"]*1e3, r["min"]*1e3))' "$scratch/h.json"
}

# Shared objects the process maps (its own executable and the vDSO left out), dlopen'd ones too.
objects() {
  LD_DEBUG=files "$@" </dev/null 2>&1 >/dev/null | grep -c 'generating link map' || true
}

loader_ms() {
  local cycles ghz
  cycles=$(LD_DEBUG=statistics "$@" </dev/null 2>&1 >/dev/null |
    sed -n 's/.*total startup time in dynamic loader: \([0-9]*\) cycles.*/\1/p' | head -1)
  ghz=$(awk '/cpu MHz/ {print $4 / 1000; exit}' /proc/cpuinfo)
  awk -v c="${cycles:-0}" -v g="${ghz:-1}" 'BEGIN {printf "%.1f", c / g / 1e6}'
}

echo "ikiiki start-up bench, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "build: $build ($(ldd "$bin" | wc -l) lines of ldd for the executable)${BEFORE:+; before: $BEFORE ($(ldd "$BEFORE" | wc -l) lines of ldd)}"
printf '%-38s %6s %9s %8s %8s %9s' command aim mean_ms min_ms objects loader_ms
[ -n "${BEFORE:-}" ] && printf ' | %9s %8s %8s %9s' before_mean before_min objects loader_ms
printf '\n'
for c in "${commands[@]}"; do
  IFS='|' read -r name aim args <<<"$c"
  read -r mean min <<<"$(timeit "$bin" $args)"
  verdict=""
  [ "$aim" != "-" ] && verdict=$(awk -v m="$mean" -v a="$aim" 'BEGIN {print (m <= a) ? "ok" : "over"}')
  printf '%-38s %6s %9s %8s %8s %9s' "$name" "$([ "$aim" = - ] && echo - || echo "≤$aim")" "$mean" "$min" \
    "$(objects "$bin" $args)" "$(loader_ms "$bin" $args)"
  if [ -n "${BEFORE:-}" ]; then
    read -r bmean bmin <<<"$(timeit "$BEFORE" $args)"
    printf ' | %9s %8s %8s %9s' "$bmean" "$bmin" "$(objects "$BEFORE" $args)" "$(loader_ms "$BEFORE" $args)"
  fi
  printf ' %s\n' "$verdict"
done
