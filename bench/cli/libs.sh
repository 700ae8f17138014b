#!/usr/bin/env bash
# What each library ikiiki links costs at start-up: for every NEEDED entry of an ikiiki binary (by
# default the pre-module build given as $1, else build-rel/ikiiki and its modules), the best of 7
# fresh processes that only dlopen it (with what it pulls in), and how many objects that maps.
# Usage: bench/cli/libs.sh [ikiiki-or-module ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tool=$(mktemp)
trap 'rm -f "$tool"' EXIT
cc -O2 -o "$tool" "$here/dlcost.c" -ldl
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("$root"/build-rel/ikiiki "$root"/build-rel/ikiiki-*.so)
echo "library start-up costs, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %-22s %8s %8s\n' library needed_by best_ms objects
for t in "${targets[@]}"; do
  for lib in $(readelf -d "$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' |
               grep -v -e '^libc\.so' -e '^ld-linux' -e '^libm\.so' -e '^libdl\.so'); do
    best=$(for _ in 1 2 3 4 5 6 7; do "$tool" "$lib"; done | sort -n | head -1)
    objs=$(LD_DEBUG=files "$tool" "$lib" 2>&1 >/dev/null | grep -c 'generating link map' || true)
    printf '%-28s %-22s %8s %8s\n' "$lib" "$(basename "$t")" "$best" "$objs"
  done
done
