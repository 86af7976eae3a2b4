#!/usr/bin/env bash
# Build llama.cpp's `llama-server` (the embedded model's own process) and install it as
# .venv/bin/llama-server. This file is the one place that pins llama.cpp and its CPU flags.
#
# Why these flags: llama.cpp's default build compiles for the *build machine's* CPU
# (-march=native). Built on an AVX-512/AMX Xeon it crashed on the first decode (a general
# protection fault in libggml-cpu), and a native build also breaks on any older CPU the
# binary is copied to. So the build is portable by construction: GGML_NATIVE=OFF and an
# explicit x86-64 level every CPU a store may rent has had since 2013 (AVX2 + FMA + F16C +
# BMI2, "x86-64-v3"); AVX-512 and AMX off (the AMX kernels are the ones that crash). They
# are passed explicitly because with SOURCE_DATE_EPOCH set ggml defaults them all to OFF.
# Measured on 2 cores (see the README, "Language model"): this build gives the same tokens/s
# as the runtime-dispatch build (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS), which would pick
# the AMX variant on exactly the machines where it crashes.
#
# The source is the llama.cpp tree vendored in the pinned llama-cpp-python sdist (PyPI is
# the one registry every install here reaches). The binary is cached by version + flags in
# ${XDG_CACHE_HOME:-~/.cache}/shopassist/llama-server, so a new .venv does not rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON_VERSION="0.3.36"   # vendors llama.cpp 0c1e57098
PORTABLE_FLAGS=(
  -DGGML_NATIVE=OFF
  -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
  -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF
  -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
)
BUILD_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_APP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
  # the web UI would be downloaded from Hugging Face at build time; the API does not need it
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF
)

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
key=$(printf '%s\n' "$LLAMA_CPP_PYTHON_VERSION" "${PORTABLE_FLAGS[@]}" "${BUILD_FLAGS[@]}" | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/shopassist/llama-server/$LLAMA_CPP_PYTHON_VERSION-$key"
target="$VENV/bin/llama-server"

install_binary() {
  cp "$cache/llama-server" "$target.tmp" && mv "$target.tmp" "$target"
  cp "$cache/build.json" "$VENV/bin/llama-server.build.json"
}

if [ -x "$cache/llama-server" ] && [ -f "$cache/build.json" ]; then
  if ! cmp -s "$cache/llama-server" "$target" 2>/dev/null; then
    install_binary
  fi
  echo "setup: llama-server $LLAMA_CPP_PYTHON_VERSION (portable build, cached)"
  exit 0
fi

echo "setup: building llama-server from llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (first time: about 6 minutes)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" -m pip download -q --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
src=$(echo "$work"/llama_cpp_python-*/vendor/llama.cpp)
# cmake and ninja from PyPI when the machine has none (a fresh server often lacks cmake)
if ! command -v cmake >/dev/null 2>&1 || ! command -v ninja >/dev/null 2>&1; then
  "$PY" -m pip install -q "cmake>=3.21,<5" "ninja>=1.11"
  export PATH="$(cd "$VENV/bin" && pwd):$PATH"
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$src" -B "$work/build" -G Ninja "${BUILD_FLAGS[@]}" "${PORTABLE_FLAGS[@]}" >"$work/configure.log" 2>&1 \
  || { tail -30 "$work/configure.log" >&2; echo "error: llama.cpp configure failed (log above)" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "$jobs" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; echo "error: llama.cpp build failed (log above)" >&2; exit 1; }
# Refuse a binary that was compiled for this machine's CPU anyway.
if grep -q -- "-march=native" "$work/build/compile_commands.json" 2>/dev/null; then
  echo "error: the llama.cpp build used -march=native; refusing a non-portable binary" >&2
  exit 1
fi
mkdir -p "$cache"
cp "$work/build/bin/llama-server" "$cache/llama-server.tmp"
"$PY" - "$cache/build.json" "$LLAMA_CPP_PYTHON_VERSION" "${PORTABLE_FLAGS[@]}" <<'EOF'
import json, sys
path, version, *flags = sys.argv[1:]
json.dump({"llama_cpp_python_sdist": version, "cmake_flags": flags, "portable": True}, open(path, "w"), indent=1)
EOF
mv "$cache/llama-server.tmp" "$cache/llama-server"
install_binary
echo "setup: llama-server built ($cache)"
