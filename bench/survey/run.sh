#!/usr/bin/env bash
# Survey benchmark: CENTERS x RESPONDENTS template CSVs imported into SQLite, then
# `survey score --json` and `survey rank --json` over the whole wave, against a pandas peer
# computing TOP3BOX per center x item from the same data. See bench/survey/README.md.
#
# Environment (all optional):
#   CENTERS        centers (default 1000)
#   RESPONDENTS    respondents per center (default 1000)
#   BUILD_DIR      meson build directory, configured --buildtype=release if new (default build-rel)
#   RUNS           runs of score and of rank; the best wall time is kept (default 3)
#   INPROC_IMPORT  1 (default) also imports every file again in one process (second wave) to
#                  split parse from store time; 0 skips it
#   CHECK          1 (default) compares ikiiki's item TOP3BOX with the peer's for every center
#   PYTHON         interpreter with pandas (default /usr/bin/python3: Debian's python3-pandas)
#   KEEP           1 keeps the temporary directory (its path is printed)
set -euo pipefail

centers=${CENTERS:-1000}
respondents=${RESPONDENTS:-1000}
build=${BUILD_DIR:-build-rel}
runs=${RUNS:-3}
inproc_import=${INPROC_IMPORT:-1}
check=${CHECK:-1}
python=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

die() { echo "bench: $*" >&2; exit 1; }
cd "$root"
bash scripts/deps.sh bench
[ -x /usr/bin/time ] || die "/usr/bin/time missing (Debian package time)"
"$python" -c 'import pandas' 2>/dev/null || die "$python cannot import pandas (python3-pandas)"

# ---- build ----
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" ikiiki >/dev/null
bin="$root/$build/ikiiki"
buildtype=$(meson introspect "$build" --buildoptions 2>/dev/null |
  "$python" -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo "?")

tmp=$(mktemp -d /tmp/ikiiki-survey-bench.XXXXXX)
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$tmp/gen" "$here/gen.c"
# The in-process tool is a meson target (build_by_default false), so it links whatever
# libikiiki needs today.
ninja -C "$build" bench_survey_inproc >/dev/null
cp "$build/bench_survey_inproc" "$tmp/inproc"

ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- data ----
mkdir -p "$tmp/csv"
t0=$(ns)
read -r _ rows bytes_centers bytes_all < <("$tmp/gen" "$tmp/csv" "$centers" "$respondents")
gen_s=$(secs "$t0" "$(ns)")
echo "bench: generated $rows rows in $centers files ($bytes_centers bytes) + all.csv ($bytes_all bytes) in ${gen_s}s" >&2

# ---- setup (not measured as import) ----
db="$tmp/bench.db"
t0=$(ns)
"$bin" init --db "$db" >/dev/null
"$bin" company add --db "$db" --code BENCH --name Bench >/dev/null
for ((i = 1; i <= centers; i++)); do
  code=$(printf 'C%04d' "$i")
  "$bin" center add --db "$db" --code "$code" --name "Center $i" --operators 800 --staff 200 \
    --company BENCH >/dev/null
done
"$bin" survey wave add --db "$db" --code W1 >/dev/null
setup_s=$(secs "$t0" "$(ns)")
echo "bench: setup (init, $centers centers, wave) ${setup_s}s" >&2

# ---- import: one `ikiiki survey import` process per center file, run in a loop ----
: >"$tmp/import.time"
sync
t0=$(ns)
for ((i = 1; i <= centers; i++)); do
  code=$(printf 'C%04d' "$i")
  /usr/bin/time -f '%e %M' -a -o "$tmp/import.time" \
    "$bin" survey import --db "$db" --wave W1 --center "$code" "$tmp/csv/$code.csv" >/dev/null
done
import_s=$(secs "$t0" "$(ns)")
import_rss=$(awk '$2 > m { m = $2 } END { print m }' "$tmp/import.time")
import_mbs=$(awk -v b="$bytes_centers" -v s="$import_s" 'BEGIN { printf "%.1f", b / 1e6 / s }')
db_bytes=$(stat -c %s "$db")
echo "bench: import ${import_s}s = $import_mbs MB/s, peak RSS ${import_rss} KB per process" >&2

# ---- score and rank through the CLI: best of $runs, peak RSS over the runs ----
# Prints "best_wall_s max_rss_kb" for: "$@" > $out
measure() {
  local out=$1 best="" rss=0 t0 w r
  shift
  for ((k = 0; k < runs; k++)); do
    t0=$(ns)
    /usr/bin/time -f '%M' -o "$tmp/one.time" "$@" >"$out"
    w=$(secs "$t0" "$(ns)")
    r=$(tail -n 1 "$tmp/one.time")
    best=$(awk -v a="$best" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }')
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$best $rss"
}
read -r score_s score_rss < <(measure "$tmp/score.json" "$bin" survey score --db "$db" --wave W1 --json)
score_bytes=$(stat -c %s "$tmp/score.json")
read -r rank_s rank_rss < <(measure "$tmp/rank.json" "$bin" survey rank --db "$db" --wave W1 --json)
echo "bench: score ${score_s}s (${score_rss} KB), rank ${rank_s}s (${rank_rss} KB)" >&2

# ---- in-process: load, score, rank and JSON text apart ----
inproc=$(/usr/bin/time -f 'rss_kb=%M' -o "$tmp/inproc.time" "$tmp/inproc" score "$db" W1 "$runs")
inproc="$inproc $(cat "$tmp/inproc.time")"
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ip_tally=$(kv "$inproc" tally_s)
ip_load=$(kv "$inproc" load_s)
ip_score=$(kv "$inproc" score_s)
ip_dump=$(kv "$inproc" score_dump_s)
ip_rank=$(kv "$inproc" rank_s)
ip_rss=$(kv "$inproc" rss_kb)

ip_parse="-" ip_store="-"
if [ "$inproc_import" = 1 ]; then
  "$bin" survey wave add --db "$db" --code W2 >/dev/null
  imp=$("$tmp/inproc" import "$db" W2 "$tmp/csv" "$centers")
  ip_parse=$(kv "$imp" parse_s)
  ip_store=$(kv "$imp" store_s)
fi

# ---- import: every center file in one `ikiiki survey import` (one process, one transaction) ----
"$bin" survey wave add --db "$db" --code W3 >/dev/null
sync
t0=$(ns)
/usr/bin/time -f '%M' -o "$tmp/many.time" \
  "$bin" survey import --db "$db" --wave W3 "$tmp"/csv/C*.csv >/dev/null
many_s=$(secs "$t0" "$(ns)")
many_rss=$(tail -n 1 "$tmp/many.time")
many_mbs=$(awk -v b="$bytes_centers" -v s="$many_s" 'BEGIN { printf "%.1f", b / 1e6 / s }')
echo "bench: import in one process ${many_s}s = $many_mbs MB/s, peak RSS ${many_rss} KB" >&2

# ---- the pandas peer ----
peer=$(/usr/bin/time -f 'rss_kb=%M' -o "$tmp/peer.time" "$python" "$here/peer.py" \
  "$tmp/csv/all.csv" "$tmp/peer.csv")
peer="$peer $(cat "$tmp/peer.time")"
peer_read=$(kv "$peer" read_s)
peer_compute=$(kv "$peer" compute_s)
peer_first=$(kv "$peer" compute_first_s)
peer_rss=$(kv "$peer" rss_kb)

# ---- cross-check: ikiiki's item TOP3BOX against the peer's ----
check_msg="skipped"
if [ "$check" = 1 ]; then
  check_msg=$("$python" - "$tmp/score.json" "$tmp/peer.csv" <<'EOF'
import json, sys
import pandas as pd
score = json.load(open(sys.argv[1]))
peer = pd.read_csv(sys.argv[2], index_col=0)
worst, n = 0.0, 0
for c in score["centers"]:
    for item, v in c["items"].items():
        if v["top3"] is None:
            continue
        worst = max(worst, abs(v["top3"] - peer.at[c["center"], item]))
        n += 1
print(f"{n} center x item TOP3BOX values, max |ikiiki - pandas| = {worst:.2e}")
EOF
)
fi

# ---- table ----
r2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
peer_total=$(awk -v a="$peer_read" -v b="$peer_first" 'BEGIN { printf "%.3f", a + b }')
cat <<EOF

Survey benchmark: $centers centers x $respondents respondents = $rows rows, 50 items
ikiiki $build ($buildtype), SQLite, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)
load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)

| step                                             | seconds | throughput / note        | peak RSS  |
|--------------------------------------------------|--------:|--------------------------|----------:|
| generate CSVs (gen.c)                            | $gen_s | $(awk -v b="$bytes_centers" 'BEGIN{printf "%.1f MB", b/1e6}') per-center files | - |
| import: $centers x \`survey import\` (1 process each) | $import_s | $import_mbs MB/s | $(mb "$import_rss") |
| import: one \`survey import\` of all $centers files   | $many_s | $many_mbs MB/s | $((many_rss / 1024)) MB |
| import in one process: parse (survey_import_file) | $ip_parse | $( [ "$ip_parse" = - ] || awk -v b="$bytes_centers" -v s="$ip_parse" 'BEGIN{printf "%.1f MB/s", b/1e6/s}') | - |
| import in one process: store (INSERT, 1 txn/center) | $ip_store | $( [ "$ip_store" = - ] || awk -v b="$bytes_centers" -v s="$ip_store" 'BEGIN{printf "%.1f MB/s", b/1e6/s}') | - |
| \`survey score --wave W1 --json\` (CLI, best of $runs) | $score_s | JSON $(awk -v b="$score_bytes" 'BEGIN{printf "%.1f MB", b/1e6}') | $(mb "$score_rss") |
| \`survey rank --wave W1 --json\` (CLI, best of $runs)  | $rank_s | | $(mb "$rank_rss") |
| in-process store_survey_load                     | $ip_load | | $(mb "$ip_rss") |
| in-process survey_score_json                     | $ip_score | scoring + building the jansson tree | (same) |
| in-process json_dumps of the score               | $ip_dump | | (same) |
| in-process survey_rank_json                      | $ip_rank | | (same) |
| in-process TOP3BOX center x item only (tally API) | $ip_tally | the peer's computation, best of $runs | (same) |
| pandas read_csv (all.csv)                        | $peer_read | $(awk -v b="$bytes_all" -v s="$peer_read" 'BEGIN{printf "%.1f MB/s", b/1e6/s}') | $(mb "$peer_rss") |
| pandas TOP3BOX per center x item, first run      | $peer_first | compute only | (same) |
| pandas TOP3BOX per center x item, best of 3      | $peer_compute | compute only | (same) |

Ratios (pandas / ikiiki; above 1 means ikiiki is faster):
  pandas read + first compute / CLI score wall (whole process each)  $(r2 "$peer_total" "$score_s")
  pandas first compute / CLI score wall                              $(r2 "$peer_first" "$score_s")
  pandas best compute / in-process survey_score_json                 $(r2 "$peer_compute" "$ip_score")
  pandas best compute / in-process TOP3BOX only (same computation)   $(r2 "$peer_compute" "$ip_tally")
Database after import: $(awk -v b="$db_bytes" 'BEGIN{printf "%.1f MB", b/1e6}') (wave W1 only)
Check: $check_msg
EOF
