#!/usr/bin/env bash
# Install orgsim into .venv and run the demo study (three organisations, three years,
# replications with the same seeds, a client report in HTML and PDF in results/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/orgsim demo --out results/demo "$@"
