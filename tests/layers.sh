#!/bin/sh
# The front doors only parse, call the service layer and format (README "Layers"): no file of
# src/cli or src/http compares a role (access rules live in src/org), and the files whose
# operations have moved to src/svc make no store call other than opening and closing the store.
# Usage: layers.sh SOURCE_ROOT
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0

# 1. Role decisions: every file of both doors.
hits=$(grep -nE 'ROLE_[A-Z_]+[[:space:]]*[!=]=|[!=]=[[:space:]]*ROLE_' src/cli/*.c src/cli/*.h \
    src/http/*.c src/http/*.h)
if [ -n "$hits" ]; then
    echo "layers: a role compared in a front door (use an org_can_* rule in src/org/access.c):"
    echo "$hits"
    fail=1
fi

# 2. Store calls: the files whose operations have moved to the service layer. A door may open,
# close and name the store and report its message; everything else goes through src/svc.
moved="src/cli/cmd_company.c src/cli/cmd_center.c src/cli/cmd_team.c src/cli/cmd_user.c
src/cli/cmd_apikey.c src/http/api_org.c src/cli/cmd_cx.c src/http/api_cx.c src/cli/cmd_skills.c src/http/api_skills.c"
allowed='store_(open|free|default_url|errmsg|backend)[[:space:]]*\('
for f in $moved; do
    [ -f "$f" ] || { echo "layers: $f is listed but missing"; fail=1; continue; }
    bad=$(grep -nE '\bstore_[a-z_]+[[:space:]]*\(' "$f" | grep -vE "$allowed")
    if [ -n "$bad" ]; then
        echo "layers: $f calls the store directly (move the operation into src/svc):"
        echo "$bad"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "layers: ok (roles: src/cli, src/http; store calls: $(echo $moved | wc -w) files)"
exit $fail
