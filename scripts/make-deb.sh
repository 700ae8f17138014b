#!/usr/bin/env bash
# Builds a Debian package from a configured meson build directory: `meson install` into a staging
# folder, the library dependencies found by dpkg-shlibdeps, the configuration file as a conffile,
# a postinst that adds the ikiiki system user. `make deb` configures build-deb with prefix /usr for
# it; the test suite packages its own build (prefix /usr/local) the same way.
# Usage: scripts/make-deb.sh BUILD_DIR OUT_DIR   (prints the .deb's path)
set -euo pipefail
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
stage=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$stage" "$work"' EXIT

meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >/dev/null
bin=$(find "$stage" -path '*/bin/ikiiki' -type f | head -n 1)
[ -x "$bin" ] || { echo "make-deb: no bin/ikiiki under $stage" >&2; exit 1; }
version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

# Shared libraries the binary links, as package dependencies (what dpkg-buildpackage would do).
mkdir -p "$work/debian"
printf 'Source: ikiiki\n\nPackage: ikiiki\nArchitecture: any\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Data the libraries read at run time, and the tool postinst uses.
depends="$shlibs, mecab-ipadic-utf8, fonts-noto-cjk, adduser"

mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: ikiiki
Version: $version
Architecture: $arch
Maintainer: ikiiki project <ikiiki@localhost>
Installed-Size: $size
Depends: $depends
Suggests: postgresql, nginx, postgresql-client
Section: net
Priority: optional
Homepage: https://localhost/ikiiki
Description: well-being survey, harassment policy and call guard for contact centers
 ikiiki (イキイキ) runs a contact center's anonymous well-being survey, its customer
 harassment policy and review, live call protection for operators (Asterisk AudioSocket,
 Twilio media streams), a CX self-check and a competency model, as one self-hosted server.
CONTROL
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -path '*etc/ikiiki/*' -print | sed 's|^\.||') \
  >"$stage/DEBIAN/conffiles"
[ -s "$stage/DEBIAN/conffiles" ] || rm -f "$stage/DEBIAN/conffiles"
cat >"$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  getent group ikiiki >/dev/null || addgroup --quiet --system ikiiki
  getent passwd ikiiki >/dev/null || adduser --quiet --system --ingroup ikiiki \
    --home /var/lib/ikiiki --no-create-home --shell /usr/sbin/nologin ikiiki
  # The configuration may hold a database password: readable by the service, not by everyone.
  if [ -f /etc/ikiiki/ikiiki.conf ]; then
    chgrp ikiiki /etc/ikiiki/ikiiki.conf && chmod 0640 /etc/ikiiki/ikiiki.conf
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
POSTINST
chmod 0755 "$stage/DEBIAN/postinst"
deb="$out/ikiiki_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
