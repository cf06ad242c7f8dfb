"""Hybrid retrieval's own logic over a stub store: what it does with the engine's answer."""

from __future__ import annotations

from typing import Any

from assistant.domain import Chunk
from assistant.embeddings.hashing import HashingEmbedder
from assistant.rag.retrieval import HybridRetriever
from assistant.settings import RetrievalSettings
from assistant.store.base import ScoredChunk
from assistant.text.analyzer import Analyzer
from assistant.text.sparse import SparseEncoder


def chunk(n: int) -> Chunk:
    return Chunk(
        chunk_id=f"act#st{n}@ru", citation=f"act#st{n}", kind="act", lang="ru", title=f"Статья {n}", text="…"
    )


class StubStore:
    """Returns the same scored points in a given order, as an engine would for tied scores."""

    def __init__(self, scored: list[ScoredChunk]) -> None:
        self.scored = scored

    def live_collection(self) -> str:
        return "kenes__v1"

    def query(self, name: str, dense: Any, sparse: Any, **kwargs: Any) -> list[ScoredChunk]:
        return list(self.scored)


def search(scored: list[ScoredChunk], top_k: int) -> list[str]:
    store = StubStore(scored)
    retriever = HybridRetriever(store, HashingEmbedder(), SparseEncoder(Analyzer()), RetrievalSettings())  # type: ignore[arg-type]
    return [
        h.chunk.citation for h in retriever.search("срок рассмотрения жалобы", top_k=top_k, lang="ru").hits
    ]


def test_tied_scores_are_settled_the_same_way_whatever_the_engine_order() -> None:
    # RRF gives 1/(k + rank): a point ranked 9th by one side alone ties with one ranked 9th by
    # the other alone, and the engine orders such ties differently between processes
    top = ScoredChunk(chunk(1), 0.05)
    tied = [ScoredChunk(chunk(n), 1 / 29) for n in (7, 3, 5)]
    first = search([top, *tied], top_k=3)
    again = search([top, *reversed(tied)], top_k=3)
    assert first == again == ["act#st1", "act#st3", "act#st5"]
