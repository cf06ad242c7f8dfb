"""Per-index-version knowledge the answer engine needs besides retrieval: whole articles,
term statistics for relevance, and the registry rows — loaded once per live version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.domain import Chunk, Lang
from assistant.rag.registry_index import RegistryIndex
from assistant.rag.relevance import TermStats, text_terms
from assistant.text.lang import normalize
from assistant.text.views import lexical_parts, lexical_text

T = TypeVar("T")
RECENT_QUESTIONS = 64  # questions answered at once, with room to spare

if TYPE_CHECKING:
    from assistant.store.base import VectorStore
    from assistant.text.analyzer import Analyzer
    from assistant.text.sparse import SparseEncoder


class VersionKnowledge:
    def __init__(
        self, chunks: list[Chunk], sparse_indices: list[list[int]], analyzer: Analyzer, sparse: SparseEncoder
    ) -> None:
        self.analyzer = analyzer
        self.stats = TermStats(sparse_indices, sparse)
        self.registry = RegistryIndex(chunks, analyzer)
        self._terms: dict[str, set[str]] = {}
        self._memo: dict[tuple[str, ...], Any] = {}
        self._recent: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._recent_lock = threading.Lock()
        # lowercase text of everything indexed, to ask "is this root mentioned anywhere at all?"
        self.corpus_text = normalize(" ".join(c.text for c in chunks)).lower()
        parts: dict[tuple[str, str], list[Chunk]] = {}
        for c in chunks:
            if c.kind == "act":
                parts.setdefault((c.citation, c.lang), []).append(c)
        self._articles: dict[tuple[str, str], Chunk] = {}
        for key, pieces in parts.items():
            pieces.sort(key=lambda c: c.seq)
            text = "\n".join(p.text for p in pieces)
            self._articles[key] = pieces[0].model_copy(
                update={"text": text, "point": "", "chunk_id": f"{key[0]}@{key[1]}"}
            )

    def article(self, citation: str, lang: Lang | str) -> Chunk | None:
        return self._articles.get((citation, lang))

    def article_any(self, citation: str, lang: Lang | str) -> Chunk | None:
        return self.article(citation, lang) or self.article(citation, "ru") or self.article(citation, "kk")

    def lexical(self, chunk: Chunk) -> str:
        return lexical_text(chunk)

    def recent(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """A value derived from one question, kept while that question is being answered (its
        analysis is read by the re-ranking and by the answer); only the last few are kept."""
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return cast(T, self._recent[key])
        value = compute()
        with self._recent_lock:
            self._recent[key] = value
            while len(self._recent) > RECENT_QUESTIONS:
                self._recent.popitem(last=False)
        return value

    def memo(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """A value derived from this version's texts, computed once (the texts never change)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def terms(self, chunk: Chunk) -> set[str]:
        """Index terms (with prefixes) of a chunk or whole article, as the sparse side sees them."""
        key = chunk.chunk_id
        if key not in self._terms:
            self._terms[key] = text_terms(list(lexical_parts(chunk)), self.analyzer)
        return self._terms[key]


class Knowledge:
    def __init__(self, store: VectorStore, analyzer: Analyzer, sparse: SparseEncoder) -> None:
        self._store = store
        self._analyzer = analyzer
        self._sparse = sparse
        self._cache: dict[str, VersionKnowledge] = {}
        self._lock = threading.Lock()

    def for_version(self, collection: str) -> VersionKnowledge:
        with self._lock:
            if collection not in self._cache:
                chunks: list[Chunk] = []
                indices: list[list[int]] = []
                for point in self._store.scroll(collection, with_vectors=True):
                    chunks.append(point.chunk)
                    vectors = point.vectors or {}
                    sparse = vectors.get("sparse") if isinstance(vectors, dict) else None
                    indices.append(list(getattr(sparse, "indices", []) or []))
                self._cache = {collection: VersionKnowledge(chunks, indices, self._analyzer, self._sparse)}
            return self._cache[collection]
