#!/usr/bin/env bash
# Writes the manual pages from the binary's own --help (the same option tables the commands
# parse), at build time: ikiiki.1 lists every command; ikiiki-GROUP.1 holds each command of a group
# with its options. Usage: tools/gen-man.sh IKIIKI_BINARY OUTDIR VERSION GROUP...
set -euo pipefail
bin=$1 out=$2 version=$3
shift 3
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^'/\\\\(aq/" -e 's/^\./\\\&./'; }

# "group verb" or "group" per line, from ikiiki --help.
commands() {
  "$bin" --help | awk '/^commands:/{on=1; next} on && /^$/{exit} on' | cut -c3-18 | sed 's/ *$//'
}

# The options of one command as .TP entries, from its --help.
options() {
  "$@" --help | awk 'f && /^  --/ { sub(/^  /, ""); print ".TP"; print ".B " $0; next }
                     f && /^      / { sub(/^      /, ""); print; next }
                     /^options:/ { f=1 }' | esc_keep_macros
}
esc_keep_macros() { while IFS= read -r l; do case "$l" in .TP) echo "$l" ;; ".B "*) printf '.B %s\n' "$(printf '%s' "${l#.B }" | esc)" ;; *) printf '%s\n' "$l" | esc ;; esac; done; }

summary() { "$@" --help | sed -n '3p'; }

mkdir -p "$out"
{
  echo ".TH IKIIKI 1 \"$date\" \"ikiiki $version\" \"ikiiki manual\""
  echo ".SH NAME"
  echo "ikiiki \\- well-being survey, harassment policy and call guard for contact centers"
  echo ".SH SYNOPSIS"
  echo ".B ikiiki"
  echo ".I command"
  echo "[options]"
  echo ".SH COMMANDS"
  "$bin" --help | awk '/^commands:/{on=1; next} on && /^$/{exit} on' | while IFS= read -r l; do
    name=$(printf '%s' "$l" | cut -c3-18 | sed 's/ *$//') text=$(printf '%s' "$l" | cut -c20-)
    echo ".TP"; printf '.B ikiiki %s\n' "$(printf '%s' "$name" | esc)"; printf '%s\n' "$text" | esc
  done
  echo ".SH ENVIRONMENT"
  echo ".TP"; echo ".B IKIIKI_DB"; echo "database URL when \\-\\-db is not given (default ./ikiiki.db)"
  echo ".TP"; echo ".B IKIIKI_CONFIG"; echo "configuration file of ikiiki serve and ikiiki config check"
  echo ".TP"; echo ".B IKIIKI_DATA_DIR"; echo "folder of the data files (questionnaire, policy, lexicon, prompts)"
  echo ".SH SEE ALSO"
  for g in "$@"; do printf '.BR ikiiki\\-%s (1)\n' "$g"; done | sed '$!s/$/,/'
} >"$out/ikiiki.1"

for g in "$@"; do
  {
    echo ".TH IKIIKI\\-$(echo "$g" | tr a-z A-Z | esc) 1 \"$date\" \"ikiiki $version\" \"ikiiki manual\""
    echo ".SH NAME"
    echo "ikiiki\\-$(printf '%s' "$g" | esc) \\- the ikiiki $(printf '%s' "$g" | esc) commands"
    found=0
    while read -r cg verb; do
      [ "$cg" = "$g" ] || continue
      found=1
      if [ -n "$verb" ]; then words=("$g" "$verb"); else words=("$g"); fi
      echo ".SH \"IKIIKI $(printf '%s' "${words[*]}" | tr a-z A-Z | esc)\""
      printf '.B ikiiki %s\n' "$(printf '%s' "${words[*]}" | esc)"
      echo "[options]"
      echo ".PP"
      summary "$bin" "${words[@]}" | esc
      echo ".SS Options"
      options "$bin" "${words[@]}"
    done < <(commands)
    [ "$found" = 1 ] || { echo "gen-man: no command in group \"$g\"" >&2; exit 1; }
    echo ".SH SEE ALSO"
    echo ".BR ikiiki (1)"
  } >"$out/ikiiki-$g.1.tmp"
  mv "$out/ikiiki-$g.1.tmp" "$out/ikiiki-$g.1"
done
