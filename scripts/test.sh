#!/usr/bin/env bash
# The test command: set up .venv with the dev tools, then lint, type-check and run every test
# (slow ones included: real models, real Chroma, real servers on 127.0.0.1).
# Pass pytest arguments to narrow it, e.g. scripts/test.sh -m "not slow" tests/retrieval
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
export SHOPASSIST_REQUIRE_POSTGRES=1  # setup installed PostgreSQL: its contract tests fail rather than skip
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
