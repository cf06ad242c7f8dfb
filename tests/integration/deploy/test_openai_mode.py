"""The docker-compose topology without Docker: Kenes in `llm.mode=openai` against a real
OpenAI-compatible server process on loopback (llama-cpp-python's `python -m llama_cpp.server`
serving the packaged GGUF, standing in for the `llm` service), answering a law question from
the demo index through the one facade.

The vector store stays in embedded mode: no Qdrant server binary can be installed here (neither
Debian nor PyPI ships one), so `qdrant.url` is exercised only by the compose file."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant.container import Container
from assistant.settings import LLMSettings, Settings

# The module-scoped fixture that starts `python -m llama_cpp.server` on a free loopback port.
from tests.conftest import dev_item
from tests.integration.llm.test_openai_server import server_url  # noqa: F401

pytestmark = pytest.mark.e2e

ITEM_ID = "d-law-008"  # a law question the demo index answers from access-to-information


@pytest.fixture(scope="module")
def server_deps() -> None:
    """`llama_cpp.server` needs the `server` extra of llama-cpp-python."""
    for module in ("llama_cpp", "sse_starlette", "starlette_context", "uvicorn"):
        pytest.importorskip(module, reason=f"{module} missing: pip install 'llama-cpp-python[server]'")


@pytest.fixture(scope="module")
def served_model(server_deps: None, server_url: str) -> str:  # noqa: F811
    models = httpx.get(f"{server_url}/models", timeout=10).json()["data"]
    assert models, "the server lists no model"
    return str(models[0]["id"])


@pytest.fixture(scope="module")
def container(
    tmp_path_factory: pytest.TempPathFactory,
    server_url: str,  # noqa: F811
    served_model: str,
) -> Iterator[Container]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("openai-mode") / "data",
        llm=LLMSettings(
            mode="openai",
            base_url=server_url,
            model=served_model,
            max_tokens=64,  # 2 shared cores: keep the generation short
            temperature=0.0,
            timeout_s=300,
            retries=0,
        ),
    )
    c = Container(settings)
    c.assistant.ingest()
    try:
        yield c
    finally:
        c.close()


def test_cited_law_answer_from_the_openai_server(container: Container, served_model: str) -> None:
    item = dev_item(ITEM_ID)
    answer = container.assistant.ask(str(item["question"]))

    assert not answer.refused, answer.answer
    assert answer.citations, "an answer without citations"
    cited = {c.citation.split(".p")[0] for c in answer.citations}
    assert set(item["gold_citations"]) & cited, f"expected {item['gold_citations']}, cited {sorted(cited)}"
    # every [n] in the text maps to a shown source
    numbers = {c.n for c in answer.citations}
    assert "[1]" in answer.answer and all(f"[{n}]" in answer.answer for n in numbers)
    # the synthesis came from the server: its model id is recorded, and it streamed a first token
    assert answer.model == served_model
    assert "ttft_ms" in answer.timings
    assert answer.mode in ("hybrid", "extractive")  # extractive only if the check dropped every sentence
    assert not answer.notice, answer.notice  # no "LLM unavailable" fallback


def test_settings_match_the_compose_api_environment(container: Container) -> None:
    """What the compose `api` service sets is what this test runs with (apart from URLs)."""
    s = container.settings
    assert s.llm.mode == "openai"
    assert s.llm.base_url.startswith("http://127.0.0.1:") and s.llm.base_url.endswith("/v1")
    assert container.llm.healthy()
