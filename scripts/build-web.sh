#!/usr/bin/env bash
# Builds the browser app (web/ → web/dist) for embedding: `npm ci` when the lock changed, then
# type check, `vite build` and the gzip twins. make runs it only when a file under web/ is newer
# than web/dist/files.txt (the stamp the C build embeds from).
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "build-web: node and npm are needed (scripts/deps.sh build installs them)" >&2; exit 1; }
if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
echo "web: built web/dist ($(wc -l < dist/files.txt) files)"
