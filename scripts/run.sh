#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, check the machine (`shopassist doctor`), then run the
# assistant with the embedded defaults (no GPU, no server to configure): for the store profile in
# ./shopassist.toml (or SHOPASSIST_CONFIG; `shopassist init` writes one), else for the bundled demo store.
# Extra arguments go to `shopassist run` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${SHOPASSIST_CONFIG:-}" ] && [ ! -f shopassist.toml ]; then
  export SHOPASSIST_CONFIG="$PWD/assistant/demo_store/shopassist.toml"  # no store profile yet: the demo store
fi
if ! .venv/bin/shopassist doctor; then
  echo "run: fix the FAIL line above and run this again (SHOPASSIST_LLM__BACKEND=fake runs without a model)" >&2
  exit 1
fi
exec .venv/bin/shopassist run "$@"
