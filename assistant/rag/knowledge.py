"""Per-index-version knowledge the answer engine needs besides retrieval: whole articles,
term statistics for relevance, and the registry rows — loaded once per live version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.domain import Chunk, Lang
from assistant.rag import readmodel, sentence_vectors
from assistant.rag.readmodel import RootIndex
from assistant.rag.registry_index import RegistryIndex
from assistant.rag.relevance import TermStats, text_terms
from assistant.text.views import lexical_parts, lexical_text, whole_text

T = TypeVar("T")
RECENT_QUESTIONS = 64  # questions answered at once, with room to spare
ARTICLES_KEPT = 4_096  # whole articles assembled from their chunks, most recently used
MEMO_KEPT = 50_000  # per-text derived values (sentences, bigrams, index terms)

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.rag.sentence_vectors import SentenceVectors
    from assistant.store.base import VectorStore
    from assistant.text.analyzer import Analyzer
    from assistant.text.sparse import SparseEncoder


class _Lru:
    """A bounded, thread-safe map: at a million chunks the per-text values of every question
    ever asked would not fit, and the recent ones are the ones asked again."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return cast(T, self._items[key])
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


class VersionKnowledge:
    """The read model of one index version. It holds what every question needs — term
    statistics, the root index, the registry rows — and reads whole articles from the store on
    demand, so its size follows the registry and the vocabulary, not the number of chunks."""

    def __init__(
        self,
        registry_rows: list[Chunk],
        stats: TermStats,
        roots: RootIndex,
        analyzer: Analyzer,
        articles: Callable[[str], list[Chunk]],
        rows_where: Callable[[dict[str, Any]], list[Chunk]],
        count_where: Callable[[dict[str, Any]], int],
        sentences: SentenceVectors | None = None,
    ) -> None:
        self.analyzer = analyzer
        # the dense vectors of every article sentence and row function clause, if the build saved them
        self.sentences = sentences
        self.stats = stats
        self.roots = roots
        self.registry = RegistryIndex(registry_rows, analyzer)
        self._by_citation = articles
        self._rows_where = rows_where
        self._count_where = count_where
        self._articles = _Lru(ARTICLES_KEPT)
        self._terms = _Lru(MEMO_KEPT)
        self._texts = _Lru(MEMO_KEPT)
        self._memo: dict[tuple[str, ...], Any] = {}
        self._memo_lock = threading.Lock()
        self._recent = _Lru(RECENT_QUESTIONS)

    def _assembled(self, citation: str) -> dict[str, Chunk]:
        parts: dict[str, list[Chunk]] = {}
        for c in self._by_citation(citation):
            if c.kind == "act":
                parts.setdefault(c.lang, []).append(c)
        whole = {}
        for lang, pieces in parts.items():
            pieces.sort(key=lambda c: c.seq)
            whole[lang] = pieces[0].model_copy(
                update={
                    "text": whole_text([p.text for p in pieces]),
                    "point": "",
                    "chunk_id": f"{citation}@{lang}",
                }
            )
        return whole

    def article(self, citation: str, lang: Lang | str) -> Chunk | None:
        """The whole article (its chunks joined in order) in one language."""
        return self._articles.get(citation, lambda: self._assembled(citation)).get(str(lang))

    def article_any(self, citation: str, lang: Lang | str) -> Chunk | None:
        return self.article(citation, lang) or self.article(citation, "ru") or self.article(citation, "kk")

    def registry_rows(self, filters: dict[str, Any]) -> list[Chunk]:
        """Registry rows the engine selects by payload (agency, act, category, marks)."""
        return self._rows_where(filters)

    def registry_count(self, filters: dict[str, Any]) -> int:
        return self._count_where(filters)

    def lexical(self, chunk: Chunk) -> str:
        return lexical_text(chunk)

    def recent(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """A value derived from one question, kept while that question is being answered (its
        analysis is read by the re-ranking and by the answer); only the last few are kept."""
        return self._recent.get(key, compute)

    def memo(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """A value derived from this version as a whole (e.g. the analytics), computed once."""
        with self._memo_lock:
            if key in self._memo:
                return cast(T, self._memo[key])
        value = compute()
        with self._memo_lock:
            return cast(T, self._memo.setdefault(key, value))

    def per_text(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """A value derived from one text (its sentences, its bigrams): kept while recently used."""
        return self._texts.get(key, compute)

    def terms(self, chunk: Chunk) -> set[str]:
        """Index terms (with prefixes) of a chunk or whole article, as the sparse side sees them."""
        return self._terms.get(chunk.chunk_id, lambda: text_terms(list(lexical_parts(chunk)), self.analyzer))


class Knowledge:
    def __init__(
        self, store: VectorStore, analyzer: Analyzer, sparse: SparseEncoder, stats_dir: Path | None = None
    ) -> None:
        self._store = store
        self._analyzer = analyzer
        self._sparse = sparse
        self._stats_dir = stats_dir
        self._cache: dict[str, VersionKnowledge] = {}
        self._lock = threading.Lock()

    def for_version(self, collection: str) -> VersionKnowledge:
        with self._lock:
            if collection not in self._cache:
                self._cache = {collection: self._load(collection)}
            return self._cache[collection]

    def _load(self, collection: str) -> VersionKnowledge:
        """The version's statistics as its build saved them (or, for a version built before
        that, one pass over its texts and sparse indices, saved for the next start), then the
        registry rows in full."""
        stats = readmodel.load(self._stats_dir, collection) if self._stats_dir else None
        if stats is None:
            stats = readmodel.VersionStats.scanned(self._store, collection)
            if self._stats_dir:
                readmodel.save(self._stats_dir, collection, stats)
        rows = [p.chunk for p in self._store.scroll(collection, filters={"kind": "registry"})]
        store = self._store
        return VersionKnowledge(
            rows,
            TermStats(stats.df, stats.n_docs, self._sparse),
            stats.roots,
            self._analyzer,
            lambda citation: store.by_citation(collection, citation),
            lambda filters: [p.chunk for p in store.scroll(collection, filters=filters)],
            lambda filters: store.count(collection, filters),
            sentence_vectors.load(self._stats_dir, collection) if self._stats_dir else None,
        )
