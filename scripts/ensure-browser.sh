#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
set -euo pipefail
# fonts-noto-cjk: Chinese text in screenshots (users' own machines have their fonts)
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-browser: install Debian's chromium (apt-get install chromium) to run the browser tests" >&2
  exit 1
fi
echo "ensure-browser: installing chromium and CJK fonts"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
