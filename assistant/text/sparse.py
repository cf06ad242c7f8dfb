"""BM25 sparse vectors for Qdrant.

The collection's sparse vector uses ``Modifier.IDF``: Qdrant computes IDF from its own document
counts at query time, so documents carry only the BM25 term-frequency component and queries
carry term weights. Indices must be identical in every process that writes or queries the index,
hence a fixed hash (CRC-32) rather than Python's per-process salted ``hash()``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.analyzer import Analyzer
from assistant.text.lang import Lang

__all__ = ["CorpusStats", "SparseEncoder", "SparseVector", "term_index"]

SparseVector = tuple[list[int], list[float]]

_INDEX_MASK = 0x7FFF_FFFF  # 31 bits: non-negative in every signed/unsigned 32-bit consumer


@lru_cache(maxsize=262_144)  # a build asks ~90 times per chunk, mostly for the same few words
def term_index(term: str) -> int:
    """Stable sparse-vector index of a term: CRC-32 of its UTF-8 bytes, masked to 31 bits."""
    return zlib.crc32(term.encode("utf-8")) & _INDEX_MASK


@dataclass(frozen=True)
class CorpusStats:
    """What BM25 length normalisation needs to know about the corpus."""

    avgdl: float
    n_docs: int

    @classmethod
    def from_lengths(cls, lengths: Iterable[int]) -> CorpusStats:
        """Stats from document lengths in terms, for callers that analyse documents themselves
        (e.g. with a known language per chunk)."""
        values = list(lengths)
        return cls(avgdl=sum(values) / len(values) if values else 0.0, n_docs=len(values))


# Russian derivation defeats lemmatisation (передать/передача, уведомить/уведомление): a
# truncated prefix of each long term is indexed as a second, weaker term, so a question's verb
# still meets the act's noun. Five letters catch свод/сводить and обобщать/обобщение; the prefixes of common roots get a low IDF anyway.
PREFIX_LEN = 5
PREFIX_QUERY_WEIGHT = 0.5


def prefix_of(term: str) -> str | None:
    """The weaker prefix term indexed beside a long word's term, or None for a short or numeric one."""
    return f"^{term[:PREFIX_LEN]}" if len(term) > PREFIX_LEN + 1 and term[0].isalpha() else None


def with_prefixes(terms: list[str]) -> list[str]:
    return terms + [p for p in map(prefix_of, terms) if p is not None]


def query_weights(analyzer: Analyzer, text: str, lang: Lang | None = None) -> dict[str, float]:
    """A question's terms as the sparse side sees them: lexicon expansions, then a weaker prefix
    term per long term. Relevance and evidence ranking use the same weights as retrieval."""
    weights = analyzer.query_terms(text, lang)
    for term, weight in list(weights.items()):
        key = prefix_of(term)
        if key is not None:
            weights[key] = max(weights.get(key, 0.0), weight * PREFIX_QUERY_WEIGHT)
    return weights


def _merge(weights: dict[str, float]) -> SparseVector:
    # Two terms may share a CRC; Qdrant rejects duplicate indices, so their weights are summed.
    merged: dict[int, float] = {}
    for term, weight in weights.items():
        index = term_index(term)
        merged[index] = merged.get(index, 0.0) + weight
    indices = sorted(merged)
    return indices, [merged[i] for i in indices]


def term_counts(terms: Iterable[str]) -> tuple[list[int], list[int]]:
    """A document's sparse indices, sorted, and how often its term behind each occurs: the part
    of its vector that needs no corpus statistics (so a worker process can compute it). Two
    terms sharing a CRC keep one entry each, to be weighted apart and then summed, as `_merge`
    does. A Counter is taken as already counted."""
    counted = terms if isinstance(terms, Counter) else Counter(terms)
    pairs = sorted(zip(map(term_index, counted), counted.values(), strict=True))
    return [i for i, _ in pairs], [n for _, n in pairs]


class SparseEncoder:
    """Encodes documents and queries into (indices, values) sparse vectors."""

    def __init__(self, analyzer: Analyzer, k1: float = 1.2, b: float = 0.75) -> None:
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b

    def term_index(self, term: str) -> int:
        return term_index(term)

    def doc_stats(self, texts: Iterable[str]) -> CorpusStats:
        """Average document length in terms (after analysis) and document count."""
        return CorpusStats.from_lengths(len(self.doc_terms(text)) for text in texts)

    def encode_terms(self, terms: list[str], stats: CorpusStats) -> SparseVector:
        """BM25 TF component of already analysed document terms (avoids analysing twice)."""
        return self.encode_counts(*term_counts(terms), stats)

    def encode_counts(self, indices: list[int], counts: list[int], stats: CorpusStats) -> SparseVector:
        """BM25 TF component, per distinct term tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)), from
        `term_counts` of a document's terms (counted in a worker process, say)."""
        if not indices:
            return [], []
        dl = sum(counts)
        avgdl = stats.avgdl if stats.avgdl > 0 else float(dl)
        norm = self.k1 * (1.0 - self.b + self.b * dl / avgdl)
        top = self.k1 + 1.0
        values = [tf * top / (tf + norm) for tf in counts]
        if len(set(indices)) == len(indices):
            return indices, values
        merged: dict[int, float] = {}
        for index, value in zip(indices, values, strict=True):
            merged[index] = merged.get(index, 0.0) + value
        return list(merged), list(merged.values())

    def doc_terms(self, text: str, lang: Lang | None = None) -> list[str]:
        return with_prefixes(self.analyzer.terms(text, lang))

    def doc_counts(self, parts: Iterable[tuple[str, Lang]]) -> Counter[str]:
        """The counted `doc_terms` of a document's parts: the prefixes are added once per distinct
        term, not once per occurrence (a build's analysis spent a sixth of its time on them)."""
        counts: Counter[str] = Counter()
        for text, lang in parts:
            counts.update(self.analyzer.terms(text, lang))
        prefixes: dict[str, int] = {}
        for term, n in counts.items():
            key = prefix_of(term)
            if key is not None:
                prefixes[key] = prefixes.get(key, 0) + n
        dict.update(counts, prefixes)  # no term starts with "^": nothing to add up
        return counts

    def encode_doc(self, text: str, stats: CorpusStats, lang: Lang | None = None) -> SparseVector:
        """Document vector: per distinct term tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)).

        Pass ``lang`` when it is known (a chunk's language): detection on a short Kazakh chunk
        without Kazakh letters can fail.
        """
        return self.encode_terms(self.doc_terms(text, lang), stats)

    def encode_query(self, text: str, lang: Lang | None = None) -> SparseVector:
        """Query vector from :func:`query_weights` (IDF is applied by Qdrant)."""
        return _merge(query_weights(self.analyzer, text, lang))
