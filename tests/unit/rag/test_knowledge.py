"""The read model of one index version: statistics and roots from one pass, whole articles read
from the store on demand (and kept while recently used), bounded per-text caches."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.domain import Chunk
from assistant.rag import knowledge
from assistant.rag.knowledge import VersionKnowledge
from assistant.rag.readmodel import RootIndex
from assistant.rag.relevance import doc_frequencies
from assistant.text.sparse import SparseEncoder
from tests.unit.rag import tiny_data as td


def part(citation: str, seq: int, text: str, lang: str = "ru") -> Chunk:
    return Chunk(
        chunk_id=f"{citation}.p{seq}@{lang}",
        citation=citation,
        kind="act",
        lang=lang,
        title=citation,
        text=text,
        act_slug="law",
        seq=seq,
    )


PARTS = [
    part("law#st2", 2, "Вторая часть."),
    part("law#st2", 1, "Первая часть."),
    part("law#st2", 1, "Бірінші.", "kk"),
]


def test_roots_are_word_pieces_not_the_text() -> None:
    roots = RootIndex()
    roots.add("Золотовалютные активы Национального банка; 2025 год.")
    roots.done()
    assert "золот" in roots and "валют" in roots and "актив" in roots
    assert "2025 " not in roots and "ы нац" not in roots  # no digits, nothing across words


def test_articles_are_read_from_the_store_when_asked_and_kept() -> None:
    asked: list[str] = []

    def by_citation(citation: str) -> list[Chunk]:
        asked.append(citation)
        return [p for p in PARTS if p.citation == citation]

    kb = VersionKnowledge(
        [],
        knowledge.TermStats(Counter(), 0, SparseEncoder(td.analyzer())),
        RootIndex(),
        td.analyzer(),
        by_citation,
        lambda filters: [],
        lambda filters: 0,
    )
    assert asked == []  # nothing is read up front
    whole = kb.article("law#st2", "ru")
    assert (
        whole is not None and whole.text == "Первая часть.\nВторая часть." and whole.chunk_id == "law#st2@ru"
    )
    assert kb.article_any("law#st2", "kk") is not None and kb.article("law#st9", "ru") is None
    assert kb.article("law#st2", "ru") is whole
    assert asked == ["law#st2", "law#st9"]  # one read per citation, misses included


def test_per_text_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    stats = knowledge.TermStats(*doc_frequencies([[1], [2], [3]]), SparseEncoder(td.analyzer()))
    kb = VersionKnowledge(
        [],
        stats,
        RootIndex(),
        td.analyzer(),
        lambda c: [p for p in PARTS if p.citation == c],
        lambda f: [],
        lambda f: 0,
    )
    small = knowledge._Lru(3)
    monkeypatch.setattr(kb, "_texts", small)
    for i in range(10):
        kb.per_text(("sentences", str(i)), lambda: [])
    assert len(small) == 3
    assert kb.stats.n_docs == 3 and kb.article("law#st2", "kk") is not None
