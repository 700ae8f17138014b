#!/usr/bin/env bash
# HTTP throughput of `ikiiki serve`: wrk against GET /api/v1/health (public) and GET /api/v1/me
# (session cookie), once with the access log off and once with it on. See bench/http/README.md.
#
# Environment (all optional):
#   IKIIKI_BIN      the binary (default ./build/ikiiki)
#   WRK_THREADS     wrk threads (default 2)
#   WRK_CONNS       open connections (default 64)
#   WRK_DURATION    per run (default 10s)
#   SERVER_THREADS  --threads for the server (default: the server's own, one per CPU)
set -euo pipefail

bin=${IKIIKI_BIN:-./build/ikiiki}
wrk_threads=${WRK_THREADS:-2}
wrk_conns=${WRK_CONNS:-64}
wrk_duration=${WRK_DURATION:-10s}
server_threads=${SERVER_THREADS:-}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$bin" ] || die "no binary at $bin (build first, or set IKIIKI_BIN)"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk, or make bench)"
command -v curl >/dev/null || die "curl not found"

tmp=$(mktemp -d /tmp/ikiiki-bench.XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db="$tmp/bench.db"
init_out=$("$bin" init --db "$db" --demo --json) || die "init failed"
admin_pw=$(printf '%s\n' "$init_out" | sed -n 's/.*"admin_password": *"\([^"]*\)".*/\1/p')
[ -n "$admin_pw" ] || die "init --demo printed no admin password"

# Starts the server (extra args in "$@"), sets server_pid and base; stderr goes to $tmp/$label.log.
start_server() {
  local label=$1
  shift
  # wrk is one address with WRK_CONNS connections: above the per-address limit unless lifted.
  local out="$tmp/$label.out" args=(serve --db "$db" --listen 127.0.0.1:0 --conns-per-addr 4000 "$@")
  [ -n "$server_threads" ] && args+=(--threads "$server_threads")
  : >"$out"
  "$bin" "${args[@]}" >"$out" 2>"$tmp/$label.log" &
  server_pid=$!
  local line=""
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$out")
    case "$line" in listening\ on\ http://*) break ;; esac
    kill -0 "$server_pid" 2>/dev/null || die "server exited: $(tail -n 3 "$tmp/$label.log")"
    sleep 0.1
  done
  case "$line" in listening\ on\ http://*) ;; *) die "server did not start" ;; esac
  base=${line#listening on }
}

# Signs in once (login is rate-limited) and prints the session cookie "ikiiki_session=…".
login_cookie() {
  curl -sS -D - -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"login\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/session" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(ikiiki_session=[^;]*\).*/\1/p' | head -n 1
}

results=()
# run_wrk LABEL PATH [wrk args...]: appends "label|path|req/s|p50|p99|errors" to results.
run_wrk() {
  local label=$1 path=$2
  shift 2
  local out
  out=$(wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --latency "$@" "$base$path")
  printf '%s\n' "$out" >"$tmp/wrk-$label-${path//\//_}.txt"
  local rps p50 p99 non2xx sockerr
  rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {print $2}')
  p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
  sockerr=$(printf '%s\n' "$out" | awk '/Socket errors:/ {s=0; for (i=3;i<=NF;i++) if ($i ~ /^[0-9]+,?$/) s+=$i; print s}')
  results+=("$label|$path|${rps:-?}|${p50:-?}|${p99:-?}|$(( ${non2xx:-0} + ${sockerr:-0} ))")
}

bench_pass() {
  local label=$1
  shift
  start_server "$label" "$@"
  local cookie
  cookie=$(login_cookie)
  [ -n "$cookie" ] || die "sign-in failed ($label); see $tmp/$label.log"
  # The cookie must work before we measure, or /me would only count 401s.
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/api/v1/me")
  [ "$code" = 200 ] || die "GET /api/v1/me with the session cookie gave $code"
  run_wrk "$label" /api/v1/health
  run_wrk "$label" /api/v1/me -H "Cookie: $cookie"
  stop_server
}

cpus=$(nproc 2>/dev/null || echo "?")
echo "ikiiki HTTP bench: $("$bin" --version)"
echo "wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration --latency; $cpus CPUs shared by wrk and the server"
bench_pass no-log --no-access-log
bench_pass access-log
log_lines=$(wc -l <"$tmp/access-log.log")

echo
printf '%-11s %-18s %12s %10s %10s %8s\n' "ACCESS LOG" "ENDPOINT" "REQUESTS/S" "P50" "P99" "ERRORS"
for row in "${results[@]}"; do
  IFS='|' read -r label path rps p50 p99 errs <<<"$row"
  printf '%-11s %-18s %12s %10s %10s %8s\n' "$([ "$label" = no-log ] && echo off || echo on)" "GET $path" "$rps" "$p50" "$p99" "$errs"
done
echo
echo "access log on: $log_lines lines written to stderr during the run"
echo "aim: >= 30000 requests/s for GET /api/v1/health on 2 cores (wrk included)"
