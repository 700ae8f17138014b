#!/usr/bin/env bash
# Media benchmark and measurements (bench/media/README.md):
#   1. cost per 20 ms frame of the analyzer, recorders and voiceprint session, and calls per core;
#   2. how well the arousal score separates calm from loud+high espeak-ng speech;
#   3. the voiceprint equal error rate on espeak-ng voice variants.
# Environment: BUILD_DIR (default build-rel, configured --buildtype=release if new), SECONDS_AUDIO
# (default 600), KEEP=1 keeps the temporary directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-build-rel}
secs=${SECONDS_AUDIO:-600}
cd "$root"
bash scripts/deps.sh bench
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" ikiiki >/dev/null
tmp=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] && echo "temporary directory: $tmp" || trap 'rm -rf "$tmp"' EXIT

# Meson targets (build_by_default false): they link whatever libikiiki needs today.
for prog in analysis vp_eval; do
  ninja -C "$build" "bench/media/bench_media_$prog" >/dev/null
  cp "$build/bench/media/bench_media_$prog" "$tmp/$prog"
done

echo "== cost per frame =="
espeak-ng -v ja -w "$tmp/raw.wav" "もしもし、せんげつ、こうにゅうした、しなものの、けんで、おでんわしました。でんげんをいれても、すぐにとまってしまいます。しゅうりか、こうかんを、おねがいできますか。"
sox -V1 -G "$tmp/raw.wav" -r 8000 -c 1 -b 16 "$tmp/speech.wav"
"$tmp/analysis" "$tmp/speech.wav" "$secs" "$tmp"

echo
echo "== arousal: calm vs loud+high (espeak-ng, same sentences) =="
sentences=(
  "すみません、せんしゅう、ちゅうもんした、しなものが、まだとどいていないのですが。"
  "なんどでんわしても、つながらないのは、どういうことですか。"
  "せつめいしょのとおりにしても、うごかないんです。"
  "へんきんのてつづきは、いつおわるのか、おしえてください。"
  "たんとうしゃから、れんらくがくると、いわれたのに、まだきていません。"
)
: >"$tmp/arousal.tsv"
for v in m1 m3 f2 f4; do
  for i in "${!sentences[@]}"; do
    # calm: quiet and low; loud+high: espeak's top amplitude, a raised pitch, +6 dB on the line
    espeak-ng -v "ja+$v" -a 70 -p 35 -w "$tmp/c.wav" "${sentences[$i]}"
    sox -V1 -G "$tmp/c.wav" -r 8000 -c 1 -b 16 "$tmp/calm.wav" gain -4
    espeak-ng -v "ja+$v" -a 200 -p 80 -s 190 -w "$tmp/l.wav" "${sentences[$i]}"
    sox -V1 -G "$tmp/l.wav" -r 8000 -c 1 -b 16 "$tmp/loud.wav" gain 6
    for kind in calm loud; do
      "$build/ikiiki" media analyze "$tmp/$kind.wav" --json |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(sys.argv[1], d["arousal_max"], d["shouting"], sep="\t")' "$kind" >>"$tmp/arousal.tsv"
    done
  done
done
python3 - "$tmp/arousal.tsv" <<'PY'
import sys, statistics as st
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
calm = [float(r[1]) for r in rows if r[0] == "calm"]
loud = [float(r[1]) for r in rows if r[0] == "loud"]
auc = sum((l > c) + 0.5 * (l == c) for l in loud for c in calm) / (len(loud) * len(calm))
sh_c = sum(r[2].strip() == "True" for r in rows if r[0] == "calm")
sh_l = sum(r[2].strip() == "True" for r in rows if r[0] == "loud")
print(f"{len(calm)} calm and {len(loud)} loud+high utterances (4 voices x 5 sentences)")
print(f"arousal_max calm  mean {st.mean(calm):.3f} (min {min(calm):.3f}, max {max(calm):.3f})")
print(f"arousal_max loud  mean {st.mean(loud):.3f} (min {min(loud):.3f}, max {max(loud):.3f})")
print(f"AUC (loud scored above calm) {auc:.3f}; shouting flagged: calm {sh_c}/{len(calm)}, loud {sh_l}/{len(loud)}")
PY

echo
echo "== voiceprint EER (espeak-ng voice variants; synthetic voices are not real callers) =="
bash "$here/voices.sh" "$tmp/eval" eval
"$tmp/vp_eval" eer "$tmp/eval/list.tsv"
"$tmp/vp_eval" eer "$tmp/eval/list.tsv" 5
