#!/usr/bin/env bash
# Live-call load: for each N, a fresh `ikiiki serve` with analysis, recording and the guard on;
# bench/media/load.c streams N callers of espeak-ng speech at 20 ms over AudioSocket for SECONDS;
# the server's frame-handling lag (its `media: stats {…}` line: sched_lag_* is against the
# sender's 20 ms schedule, so it includes socket queueing and tick lateness), its CPU and memory
# per call and the load average are printed.
# Usage: bench/media/load.sh [SECONDS] [N…]   (default 20 s, 100 250 500 750)
# Environment: BENCH_RECORD=wav-then-opus (default, as serve) | opus | off; BENCH_THREADS (--media-threads,
# default one loop per CPU); BENCH_SERVE_ARGS replaces the recording options altogether.
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
  case ${BENCH_RECORD:-wav-then-opus} in
    off) rec=() ;;
    opus) rec=(--recordings "$work/rec$n" --record-mode opus) ;;
    wav-then-opus) rec=(--recordings "$work/rec$n" --record-mode wav-then-opus) ;;
    *) echo "BENCH_RECORD: \"$BENCH_RECORD\" is not off, opus or wav-then-opus" >&2; exit 2 ;;
  esac
  [ -n "${BENCH_THREADS:-}" ] && rec+=(--media-threads "$BENCH_THREADS")
  # shellcheck disable=SC2086
  "$bin" serve --db "$db" --listen 127.0.0.1:0 --audiosocket 127.0.0.1:0 --media-ws off \
    ${BENCH_SERVE_ARGS-"${rec[@]}"} --media-per-peer 100000 --guard-mode advisory \
    --no-access-log >/dev/null 2>"$work/log$n" &
  pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*media: audiosocket listening on port \([0-9]*\).*/\1/p' "$work/log$n")
    [ -n "$port" ] && break
    sleep 0.1
  done
  client=$("$work/load" "$port" "$n" "$secs" "$work/s.raw" "$pid")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  t_stop=$(date +%s.%N)
  kill -TERM "$pid"
  wait "$pid" || true
  stop_s=$(echo "$(date +%s.%N) - $t_stop" | bc)
  echo "$client"
  echo "  server: $(sed -n 's/.*media: stats //p' "$work/log$n")"
  echo "  load average $load; shutdown took ${stop_s}s (WAV-then-Opus encodes what is left)"
  [ -d "$work/rec$n" ] && echo "  recordings: $(find "$work/rec$n" -name "*.opus" | wc -l) .opus, $(find "$work/rec$n" -name "*.wav" | wc -l) .wav, $(du -sh "$work/rec$n" | cut -f1)"
done
