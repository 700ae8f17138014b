#!/usr/bin/env bash
# 通話ガード under load: CALLS (default 1000) concurrent simulated calls post their transcripts to
# one `ikiiki serve` (automatic mode, SQLite or $BENCH_DB) over loopback. Prints the engine's own
# time from event received to action dispatched (p50/p99, from GET /api/v1/calls stats) and the
# SSE latency from POST to a dashboard receiving the alert. Figures, never pass/fail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${IKIIKI_BIN:-$root/build/ikiiki}
calls=${CALLS:-1000}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
db=${BENCH_DB:-$work/bench.db}
ulimit -n 8192 2>/dev/null || true
"$bin" init --demo --db "$db" >/dev/null
printf 'bench-pass-1\n' | "$bin" user add --login bench_sv --role admin --password-stdin --db "$db" >/dev/null
key=$("$bin" apikey add --name bench --scope calls --json --db "$db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
# Every simulated call is a connection from 127.0.0.1 that waits for the start signal: lift the
# per-address limit and the header deadline meant for clients on the internet.
"$bin" serve --db "$db" --listen 127.0.0.1:0 --guard-mode automatic --no-access-log \
  --conns-per-addr 4000 --header-timeout 120 \
  >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/out" | head -1)
cookie=$(curl -s -c - -H 'Content-Type: application/json' \
  -d '{"login":"bench_sv","password":"bench-pass-1"}' "http://127.0.0.1:$port/api/v1/session" |
  sed 's/^#HttpOnly_//' | awk '$0 !~ /^#/ && NF >= 7 {print $6 "=" $7}' | tail -1)
cc -O2 -o "$work/sse_client" "$here/sse_client.c" $(pkg-config --cflags --libs libcurl jansson)
echo "ikiiki guard bench: $calls calls, $(nproc) CPUs, database ${db%%\?*}"
python3 "$here/calls_load.py" 127.0.0.1 "$port" "$key" "$cookie" "$calls" "$work/sse_client"
curl -s -b "$cookie" "http://127.0.0.1:$port/api/v1/calls" | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print("engine: event received → action dispatched: samples %d, p50 %.3f ms, p99 %.3f ms, max %.3f ms"
      % (s["samples"], s["action_p50_ms"], s["action_p99_ms"], s["action_max_ms"]))
print("engine: events %d, actions dispatched %d, active calls now %d" % (s["events"], s["actions_dispatched"], s["active"]))'
