#!/usr/bin/env bash
# Install orgsim with its test dependencies into .venv and run the whole test suite.
# CI (.ci/run) calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."
# The classroom page's browser tests drive Debian's chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium
fi
# Chinese, Japanese and Korean names in the reports need a TrueType CJK font (ReportLab
# embeds only TrueType outlines): Debian's fonts-wqy-zenhei. Without it such a name is
# refused in one line.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m pytest "$@"
