#!/usr/bin/env bash
# Makes synthetic "speakers" with espeak-ng's Japanese voice and its variants, for the voiceprint
# measurements. These are NOT real callers: variants of one synthesiser differ far less (and far
# more regularly) than people do, and have no channel, noise or emotion. Usage:
#   bench/media/voices.sh DIR eval|norm
# Writes DIR/<speaker>_{enrol,test1,test2}.wav (8 kHz mono s16) and DIR/list.tsv
# (speaker<TAB>enrol|test<TAB>path). eval and norm use disjoint variants.
set -euo pipefail
dir=$1
set_name=$2
mkdir -p "$dir"

case "$set_name" in
  eval) variants=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 klatt klatt2 klatt3 klatt4) ;;
  norm) variants=(m8 croak grandpa grandma norbert steph anika max robert travis klatt5 klatt6) ;;
  *) echo "voices.sh: set \"$set_name\" is not eval or norm" >&2; exit 2 ;;
esac

# Enrolment and test sentences are different texts (a caller's enrolment is one call, the match
# is another).
# espeak-ng reads kanji as "Chinese letter", so the texts are in kana.
enrol=(
  "おせわになっております。せんげつ、こちらでこうにゅうした、そうじきのけんで、おでんわしました。"
  "でんげんをいれても、ごふんほどでとまってしまい、なんどためしても、おなじじょうたいです。"
  "せつめいしょにかいてあるとおりに、フィルターもそうじしたのですが、かいぜんしませんでした。"
  "ほしょうきかんないだとおもいますので、しゅうりか、こうかんのてつづきを、おしえていただけますか。"
  "へいじつのひるまは、しごとででられないので、ゆうがたいこうに、れんらくをいただけると、たすかります。"
)
test1=(
  "もしもし、さきほどおでんわしたものですが、たんとうのかたは、いらっしゃいますか。"
  "うけつけばんごうは、てもとにありますので、いまからよみあげます。"
)
test2=(
  "はいそうのにちじを、へんこうしたいのですが、らいしゅうのどようびの、ごぜんちゅうは、あいていますか。"
  "じゅうしょは、ぜんかいとおなじで、へやばんごうだけ、かわりました。"
)

say() { # variant pitch speed text out
  espeak-ng -v "ja+$1" -p "$2" -s "$3" -w "$5.tmp.wav" "$4"
  sox -V1 -G "$5.tmp.wav" -r 8000 -c 1 -b 16 "$5"
  rm -f "$5.tmp.wav"
}

: >"$dir/list.tsv"
i=0
for v in "${variants[@]}"; do
  p=$((30 + (i * 17) % 45))
  s=$((140 + (i * 23) % 60))
  spk="$v-p$p-s$s"
  for kind in enrol test1 test2; do
    out="$dir/${spk}_$kind.wav"
    if [ ! -s "$out" ]; then
      declare -n texts=$kind
      parts=()
      for j in "${!texts[@]}"; do
        say "$v" "$p" "$s" "${texts[$j]}" "$dir/${spk}_${kind}_$j.wav"
        parts+=("$dir/${spk}_${kind}_$j.wav")
      done
      sox -V1 "${parts[@]}" "$out"
      rm -f "${parts[@]}"
      unset -n texts
    fi
    printf '%s\t%s\t%s\n' "$spk" "${kind%[12]}" "$out" >>"$dir/list.tsv"
  done
  i=$((i + 1))
done
