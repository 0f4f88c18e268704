#!/usr/bin/env bash
# Install orgsim with its test dependencies into .venv and run the whole test suite.
# CI (.ci/run) calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m pytest "$@"
