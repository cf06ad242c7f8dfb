#!/usr/bin/env bash
# Everything CI runs: set up (with test tools and Debian chromium), lint, type-check, then the
# unit, integration and end-to-end tests on the real components.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
export KENES_TEST_DATA_DIR="${KENES_TEST_DATA_DIR:-$(mktemp -d)}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -q --timeout=900 "$@"
