#!/usr/bin/env bash
# Live-call load: for each N, a fresh `ikiiki serve` with analysis, Ogg Opus recording and the
# guard on; bench/media/load.c streams N callers of espeak-ng speech at 20 ms over AudioSocket
# for SECONDS; the server's own frame-handling lag (its shutdown line) and its CPU and memory per
# call are printed. Usage: bench/media/load.sh [SECONDS] [N…]   (default 20 s, 100 250 500 750)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/ikiiki
secs=${1:-20}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100 250 500 750)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/load" "$root/bench/media/load.c"
espeak-ng -v ja -s 150 -w "$work/s.wav" "もしもし、ちゅうもんした、しょうひんが、まだ、とどかないのですが、どうなっていますか"
sox -V1 "$work/s.wav" -r 8000 -c 1 -b 16 -e signed-integer -t raw "$work/s.raw" gain -n -6
ulimit -n 8192 || true
for n in "${counts[@]}"; do
  db="$work/b$n.db"
  "$bin" init --db "$db" >/dev/null
  "$bin" serve --db "$db" --listen 127.0.0.1:0 --audiosocket 127.0.0.1:0 --media-ws off \
    ${BENCH_SERVE_ARGS---recordings "$work/rec$n"} --guard-mode advisory --no-access-log >/dev/null 2>"$work/log$n" &
  pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*media: audiosocket listening on port \([0-9]*\).*/\1/p' "$work/log$n")
    [ -n "$port" ] && break
    sleep 0.1
  done
  client=$("$work/load" "$port" "$n" "$secs" "$work/s.raw" "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  stats=$(sed -n 's/.*media: stopped: //p' "$work/log$n")
  echo "$client"
  echo "  server: $stats"
  [ -d "$work/rec$n" ] && echo "  recordings: $(find "$work/rec$n" -name "*.opus" | wc -l) files, $(du -sh "$work/rec$n" | cut -f1)"
done
