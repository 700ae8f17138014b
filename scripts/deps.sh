#!/usr/bin/env bash
# Installs the Debian packages ikiiki needs that are missing. Idempotent and quiet: it touches apt
# only when something is missing. Usage: scripts/deps.sh build|test|bench
set -euo pipefail

build_pkgs=(gcc make pkg-config meson ninja-build libjansson-dev libsqlite3-dev libpq-dev
            libsodium-dev libmicrohttpd-dev libgsl-dev libxlsxwriter-dev
            libutf8proc-dev libmecab-dev mecab-ipadic-utf8 libcairo2-dev libpango1.0-dev
            fonts-noto-cjk libzip-dev libexpat1-dev
            libuv1-dev libwslay-dev libspeexdsp-dev libcurl4-openssl-dev)
test_pkgs=(libcmocka-dev libcurl4-openssl-dev postgresql clang libclang-rt-14-dev curl
           poppler-utils)
# media (audio): analysis, recording, voiceprints; espeak-ng and sox make the prompts at set-up
build_pkgs+=(libspeexdsp-dev libaubio-dev libopusenc-dev libopus-dev libsndfile1-dev espeak-ng sox)
build_pkgs+=(libogg-dev) # media: Ogg pages for the Opus recorder
bench_pkgs=(wrk time python3-pandas hyperfine linux-perf)
# 通話ガード: the webhook notifier posts with libcurl from the library itself.
build_pkgs+=(libcurl4-openssl-dev)
# HTTPS of our own (serve --tls-cert): GnuTLS, as libmicrohttpd uses it; openssl makes test certificates.
build_pkgs+=(libgnutls28-dev)
# make deb and its test: dpkg-shlibdeps finds the library dependencies.
build_pkgs+=(dpkg-dev)
test_pkgs+=(openssl)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "deps.sh: unknown set \"$1\" (build, test or bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
