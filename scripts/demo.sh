#!/usr/bin/env bash
# Install orgsim into .venv and run the demo study (three organisations, three years,
# replications with the same seeds, a client report in HTML and PDF in results/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
# Chinese, Japanese and Korean names in the reports need a TrueType CJK font (ReportLab
# embeds only TrueType outlines): Debian's fonts-wqy-zenhei. Without it such a name is
# refused in one line.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# the classroom page (orgsim app) too: its extra pins the Solara release that works offline
.venv/bin/python -m pip install --quiet -e ".[app]"
.venv/bin/orgsim demo --out results/demo "$@"
