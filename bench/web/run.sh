#!/usr/bin/env bash
# Web app figures: bytes shipped per page and the answer form's first render time in headless
# Chromium on loopback. Needs `make build` (the binary embeds the app) and chromium
# (scripts/deps.sh test). Usage: bench/web/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/ikiiki ] || { echo "bench/web: build first (make build)" >&2; exit 1; }
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
IKIIKI_BIN=$PWD/build/ikiiki node bench/web/measure.mjs "${1:-30}"
