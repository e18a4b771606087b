#!/usr/bin/env bash
# Install the Debian packages camnang needs, when they are missing.
#   scripts/system-deps.sh build   fonts and Pango for WeasyPrint
#   scripts/system-deps.sh test    the above, plus Chromium for browser tests
#                                  and nginx and caddy for the hosting test
# As root it installs with apt-get; otherwise it prints the command to run.
set -euo pipefail
what=${1:-build}

missing=()
# A Vietnamese-capable font family for the PDFs (Noto Sans, Noto Serif).
fc-list ':lang=vi' family 2>/dev/null | grep -q 'Noto Sans' || missing+=(fonts-noto-core)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
# WeasyPrint lays out text with Pango.
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
if [ "$what" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # Vietnamese voice for the optional radio audio preview.
  command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
  # README "Hosting": its nginx block is run for real (tests/test_hosting.py).
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  # ... and its Caddy block too.
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "camnang: missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "camnang: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
