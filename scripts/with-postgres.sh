#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a temporary data directory, a free loopback
# port, trust authentication. Exports IKIIKI_TEST_PG (an admin URL; tests create their own
# databases from it) and stops and removes the server afterwards, whatever the command did.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d /tmp/ikiiki-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres system user.
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
cleanup() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
started=""
for _ in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  port_free "$port" || continue
  if "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
done
[ -n "$started" ] || { echo "with-postgres: could not start PostgreSQL" >&2; cat "$dir/server.log" >&2 || true; exit 1; }

export IKIIKI_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
