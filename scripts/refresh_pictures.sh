#!/usr/bin/env bash
# Refresh the classroom page's screenshots in docs/ (classroom*.png, in English, Swedish
# and Norwegian):
# the browser tests run as usual and, with --refresh-docs, copy their pictures there.
# The test suite itself never writes into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q tests/test_app_browser.py tests/test_app_browser_languages.py \
    --refresh-docs "$@"
