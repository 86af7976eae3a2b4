#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, check the machine (`shopassist doctor`), then run the
# assistant on the bundled demo store with the embedded defaults (no GPU, no server to configure).
# Extra arguments go to `shopassist run` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! .venv/bin/shopassist doctor; then
  echo "run: fix the FAIL line above and run this again (SHOPASSIST_LLM__BACKEND=fake runs without a model)" >&2
  exit 1
fi
exec .venv/bin/shopassist run "$@"
