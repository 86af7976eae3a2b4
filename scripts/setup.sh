#!/usr/bin/env bash
# Set up (or update) the project's virtual environment in .venv at the repository root.
# Idempotent: when .venv already matches pyproject.toml it returns in about a second.
#   scripts/setup.sh          runtime dependencies (what `scripts/run.sh` needs)
#   scripts/setup.sh --dev    plus test tools and the system packages browser tests need
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PY=${PYTHON:-python3}

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)'; then
  echo "error: Python 3.11 or 3.12 is required (found $("$PY" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv

extras=""
[ "$DEV" = 1 ] && extras="[dev]"
stamp=".venv/.shopassist-setup$( [ "$DEV" = 1 ] && echo -dev )"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: .venv is up to date"
else
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  .venv/bin/python -m pip install -q --upgrade pip
  # The CPU build of torch first and pinned, so no dependency can pull a CUDA build.
  .venv/bin/python -m pip install -q "torch==2.13.0"
  echo "setup: installing shopassist$extras (first time: a few minutes; llama-cpp-python compiles)"
  .venv/bin/python -m pip install -q -e ".$extras"
  echo "$want" > "$stamp"
fi

if [ "$DEV" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian chromium for the browser tests"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup: chromium not found; browser tests will be skipped (install Debian's chromium)" >&2
  fi
fi
echo "setup: ready ($ROOT/.venv/bin/shopassist)"
