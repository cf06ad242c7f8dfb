"""Retrieval on the real demo corpus with the real embedder and embedded Qdrant."""

from __future__ import annotations

import pytest

from assistant.container import Container
from tests.conftest import load_dev_items

pytestmark = pytest.mark.integration


def _hit(gold: list[str], citations: list[str]) -> bool:
    return any(c == g or c.startswith(g + ".") for g in gold for c in citations)


def test_dev_sets_gold_in_top5(demo_container: Container) -> None:
    items = [i for i in load_dev_items() if i["answerable"]]
    hits = 0
    misses = []
    for item in items:
        result = demo_container.assistant.search(item["question"], top_k=5)
        found = [h.chunk.citation for h in result.hits]
        if _hit(item["gold_citations"], found):
            hits += 1
        else:
            misses.append((item["id"], found))
    # measured 0.86-0.91 over the 22 answerable dev items (docs/benchmarks.md); the guard sits
    # just under the measured value so a real regression fails it
    assert hits / len(items) >= 0.85, misses


def test_kazakh_question_finds_kazakh_article(demo_container: Container) -> None:
    result = demo_container.assistant.search("Мемлекеттік қызметті қандай жолдармен алуға болады?", top_k=5)
    assert result.lang == "kk"
    acts = [h.chunk for h in result.hits if h.chunk.kind == "act"]
    assert acts and acts[0].lang == "kk"


def test_kazakh_question_reaches_russian_registry_row(demo_container: Container) -> None:
    result = demo_container.assistant.search(
        "Мемлекеттік қызметтердің сапасын мемлекет атынан кім бақылайды?", top_k=10
    )
    assert "registry:PS-07-02" in [h.chunk.citation for h in result.hits]


def test_russian_question_gets_no_kazakh_text(demo_container: Container) -> None:
    result = demo_container.assistant.search(
        "Какими способами можно получить государственную услугу?", top_k=8
    )
    assert all(h.chunk.lang == "ru" for h in result.hits)


def test_registry_filters_are_exact(demo_container: Container) -> None:
    result = demo_container.assistant.search(
        "функции", top_k=20, filters={"kind": "registry", "registry.automatable": "да"}
    )
    assert result.hits
    assert all(h.chunk.registry["automatable"] == "да" for h in result.hits)


def test_synonym_lexicon_bridges_officials_speech(demo_container: Container) -> None:
    result = demo_container.assistant.search("Что делает ЦОН при оказании госуслуг?", top_k=8)
    assert any("Государственн" in h.chunk.text and "корпорац" in h.chunk.text for h in result.hits)


def test_repealed_statute_is_flagged(demo_container: Container) -> None:
    result = demo_container.assistant.search("Из какого бюджета финансируется МИОР?", top_k=5)
    statute = [h.chunk for h in result.hits if h.chunk.act_slug == "mior-statute"]
    assert statute and all(c.repealed for c in statute)
