#!/usr/bin/env python3
"""Prints the systematic variants of the call guard's dev set (tests/data/guard/ja-dev.tsv).

Speech recognisers hand the guard text that people never type: no punctuation, fillers,
kana where kanji is expected, and (from some adapters) half-width katakana. This script takes
the hand-written lines of the dev set (the part above the "# Variants" marker) and prints, for a
deterministic selection of them, the same utterance as a recogniser might give it, with the same
label and a note naming the variant and its line (so that a cross-validation keeps the two in
one fold). Only the dev set: the held-out sets are never touched.

Usage: tools/guard_dev_variants.py tests/data/guard/ja-dev.tsv > variants.tsv
"""
import random
import sys

FILLERS = ["えー ", "あの ", "えっと ", "あのー ", "まあ ", "いや ", "ちょっと ", "ええと "]
PUNCT = "、。！？!?,."
# Words a recogniser often returns in kana: written form -> reading.
KANA = [
    ("殺す", "ころす"), ("殺し", "ころし"), ("殺さ", "ころさ"), ("死ね", "しね"),
    ("死ん", "しん"), ("馬鹿", "ばか"), ("土下座", "どげざ"), ("謝れ", "あやまれ"),
    ("謝り", "あやまり"), ("謝罪", "しゃざい"), ("名前", "なまえ"), ("住所", "じゅうしょ"),
    ("誠意", "せいい"), ("会社", "かいしゃ"), ("電話", "でんわ"), ("返金", "へんきん"),
    ("責任者", "せきにんしゃ"), ("覚悟", "かくご"), ("晒し", "さらし"), ("晒す", "さらす"),
    ("下着", "したぎ"), ("殴る", "なぐる"), ("殴っ", "なぐっ"), ("頭が", "あたまが"),
    ("頭に", "あたまに"), ("頭悪", "あたま悪"), ("頭お", "あたまお"), ("頭下げ", "あたま下げ"),
    ("本当", "ほんとう"), ("毎日", "まいにち"), ("明日", "あした"), ("夜道", "よみち"),
    ("黙れ", "だまれ"), ("消えろ", "きえろ"), ("無能", "むのう"), ("外国人", "がいこくじん"),
    ("女は", "おんなは"), ("女の", "おんなの"), ("女に", "おんなに"), ("女だ", "おんなだ"),
    ("家族", "かぞく"), ("慰謝料", "いしゃりょう"), ("迷惑", "めいわく"),
    ("注文", "ちゅうもん"), ("商品", "しょうひん"), ("説明", "せつめい"), ("担当", "たんとう"),
    ("お前", "おまえ"), ("彼氏", "かれし"), ("何歳", "なんさい"), ("万円", "まん円"), ("万払", "まん払"),
    ("万よこ", "まんよこ"),
    ("訴え", "うったえ"), ("首を", "くびを"), ("首絞", "くび絞"), ("首根", "くび根"), ("辞め", "やめ"), ("猿", "さる"), ("豚", "ぶた"),
    ("犬", "いぬ"), ("人間", "にんげん"), ("届", "とど"), ("交換", "こうかん"),
]


def halfwidth(s):
    """Full-width katakana as the half-width forms some adapters emit."""
    base = ("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨ"
            "ラリルレロワヲンァィゥェォッャュョー")
    half = ("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖ"
            "ﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｯｬｭｮｰ")
    voiced = {"ガ": "ｶﾞ", "ギ": "ｷﾞ", "グ": "ｸﾞ", "ゲ": "ｹﾞ", "ゴ": "ｺﾞ", "ザ": "ｻﾞ", "ジ": "ｼﾞ",
              "ズ": "ｽﾞ", "ゼ": "ｾﾞ", "ゾ": "ｿﾞ", "ダ": "ﾀﾞ", "ヂ": "ﾁﾞ", "ヅ": "ﾂﾞ", "デ": "ﾃﾞ",
              "ド": "ﾄﾞ", "バ": "ﾊﾞ", "ビ": "ﾋﾞ", "ブ": "ﾌﾞ", "ベ": "ﾍﾞ", "ボ": "ﾎﾞ", "パ": "ﾊﾟ",
              "ピ": "ﾋﾟ", "プ": "ﾌﾟ", "ペ": "ﾍﾟ", "ポ": "ﾎﾟ", "ヴ": "ｳﾞ"}
    out = []
    for ch in s:
        if ch in voiced:
            out.append(voiced[ch])
        elif ch in base:
            out.append(half[base.index(ch)])
        else:
            out.append(ch)
    return "".join(out)


def asr(s, rnd):
    t = s
    for p in PUNCT:
        t = t.replace(p, " ")
    t = " ".join(t.split())
    if rnd.random() < 0.6:
        t = rnd.choice(FILLERS) + t
    return t


def kana(s):
    for w, r in KANA:
        if w in s:
            return s.replace(w, r, 1)
    return None


def main():
    rnd = random.Random(15)
    rows = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("# Variants"):
                break
            if not line.strip() or line.startswith("#") or line.startswith("speaker\t"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                rows.append([lineno] + cols)
    seen = {r[2] for r in rows}
    for lineno, sp, text, exp, *_ in rows:
        outs = []
        if any(p in text for p in PUNCT) or rnd.random() < 0.25:
            outs.append((asr(text, rnd), "variant: recogniser text, no punctuation"))
        if any("ァ" <= ch <= "ヶ" for ch in text) and rnd.random() < 0.5:
            outs.append((halfwidth(text), "variant: half-width katakana"))
        k = kana(text)
        if k and rnd.random() < 0.5:
            outs.append((k, "variant: kana for kanji"))
        for t, note in outs:
            if t and t not in seen:
                seen.add(t)
                print(f"{sp}\t{t}\t{exp}\t{note} (line {lineno})")


if __name__ == "__main__":
    main()
