"""A real large act indexed beside nothing else answers questions about it with the right
article citation (sparse-only, so the test needs no model and stays quick)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.container import Container
from assistant.settings import PROJECT_ROOT
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

ACT = PROJECT_ROOT / "data" / "large" / "civil-service"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    data_dir: Path = tmp_path_factory.mktemp("large") / "data"
    c = Container(make_settings(data_dir, embeddings={"mode": "none"}))
    try:
        report = c.assistant.ingest(ACT, None)
        assert report.counts["articles"] == 2 * 71  # ru + kk
        yield c
    finally:
        c.close()


@pytest.mark.parametrize(
    ("question", "citation", "lang"),
    [
        ("Что такое ротация государственных служащих?", "civil-service#st41", "ru"),
        pytest.param(
            "Какие отпуска положены государственным служащим?",
            "civil-service#st54",
            "ru",
            # sparse-only, the source ranker reads no dense similarity: since the seventh pass's
            # refit ст. 40 (call-up to military service) edges ст. 54 (leave), 0.848 to 0.842
            marks=pytest.mark.xfail(strict=True, reason="near tie in sparse-only mode (docs/benchmarks.md)"),
        ),
        ("Мемлекеттік қызметшілерді ротациялау дегеніміз не?", "civil-service#st41", "kk"),
    ],
)
def test_search_finds_the_article(container: Container, question: str, citation: str, lang: str) -> None:
    top = container.assistant.search(question, top_k=3).hits[0].chunk
    assert (top.citation, top.lang) == (citation, lang)
    assert top.repealed  # the law lost force on 1 July 2026: every source says so


def test_answer_cites_the_article(container: Container) -> None:
    answer = container.assistant.ask("Что такое ротация государственных служащих?")
    assert not answer.refused
    assert "civil-service#st41" in [c.citation for c in answer.citations]
