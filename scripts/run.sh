#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, then run the assistant on the bundled demo store
# with the embedded defaults (no GPU, no server to configure). Extra arguments go to `shopassist run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/shopassist run "$@"
