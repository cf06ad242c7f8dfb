"""OpenAICompatLLM against a real OpenAI-compatible server: llama-cpp-python's own
`python -m llama_cpp.server` serving the packaged model on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatMessage
from assistant.llm.model_files import prepare_model
from assistant.llm.openai_compat import OpenAICompatLLM
from assistant.settings import LLMSettings, Settings
from tests.live_server import free_port

pytestmark = pytest.mark.e2e

STARTUP_TIMEOUT_S = 120.0
QUESTION = [
    ChatMessage("system", "Отвечай кратко, по-русски."),
    ChatMessage("user", "Как называется столица Казахстана?"),
]


def model_data_dir() -> Path:
    return Path(os.environ.get("KENES_DATA_DIR") or Path.home() / ".cache" / "kenes" / "test-data")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")
    gguf = prepare_model(Settings(data_dir=model_data_dir()))
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        # Same reason as in LlamaCppLLM: spinning OpenMP workers crawl on a busy 2-core box.
        env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{base}/models", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"llama_cpp.server not up in {STARTUP_TIMEOUT_S:.0f}s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def test_streams_a_reply_from_a_real_server(server_url: str) -> None:
    settings = Settings(llm=LLMSettings(mode="openai", base_url=server_url, model="local", retries=0))
    llm = OpenAICompatLLM(settings)
    try:
        assert llm.healthy()
        deltas = list(llm.stream(QUESTION, max_tokens=24, temperature=0.0))
        assert "".join(deltas).strip()
        assert len(deltas) > 1, "expected several streamed deltas"
    finally:
        llm.close()


def test_closed_port_is_unavailable() -> None:
    port = free_port()  # bound then released: nothing listens there now
    url = f"http://127.0.0.1:{port}/v1"
    settings = Settings(llm=LLMSettings(mode="openai", base_url=url, retries=1, timeout_s=5))
    llm = OpenAICompatLLM(settings, backoff_s=0.01)
    try:
        assert not llm.healthy()
        with pytest.raises(LLMUnavailable, match=rf"LLM server at {url} is unreachable"):
            llm.complete(QUESTION)
    finally:
        llm.close()
