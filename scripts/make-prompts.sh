#!/usr/bin/env bash
# Generates the announcement prompts data/prompts/ja/<name>.wav (8 kHz mono s16) with espeak-ng
# from data/prompts/ja/prompts.tsv (name, text, kana reading: espeak-ng reads kanji as "Chinese
# letter", so it speaks the reading). Idempotent: a WAV newer than the tsv is left alone, so a
# center's own recording put in its place stays (touch it after editing the tsv).
# Usage: scripts/make-prompts.sh [DIR]   (default data/prompts/ja)
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/data/prompts/ja}
tsv="$dir/prompts.tsv"
[ -r "$tsv" ] || { echo "make-prompts: cannot read \"$tsv\"" >&2; exit 2; }
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is missing (scripts/deps.sh build)" >&2; exit 1; }
done
made=0
while IFS=$'\t' read -r name text reading; do
  case "$name" in ''|'#'*) continue ;; esac
  [[ "$name" =~ ^[a-z0-9_]+$ ]] || { echo "make-prompts: $tsv: name \"$name\" is not a-z 0-9 _" >&2; exit 2; }
  [ -n "${reading:-}" ] || { echo "make-prompts: $tsv: \"$name\" has no reading" >&2; exit 2; }
  out="$dir/$name.wav"
  [ "$out" -nt "$tsv" ] && continue
  tmp=$(mktemp --suffix=.wav)
  espeak-ng -v ja -s 150 -w "$tmp" "$reading"
  # -G guards against clipping in the rate change; the result is what the phone line carries.
  sox -V1 -G "$tmp" -r 8000 -c 1 -b 16 "$out.part.wav"
  mv "$out.part.wav" "$out"
  rm -f "$tmp"
  made=$((made + 1))
done <"$tsv"
[ "$made" -eq 0 ] || echo "make-prompts: $made prompt(s) written to $dir"
