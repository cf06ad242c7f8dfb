"""Is the question answerable from what was found? Two signals, both from the live index's own
statistics (no model): how much of the question's IDF-weighted vocabulary the best sources
cover, and whether the question names a thing (a noun, an abbreviation, a participle) that the
corpus never mentions in any form. "Какой размер МРП…", "лицензии на охоту" are refused instead
of answered from a loosely related text."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.text.analyzer import Analyzer, raw_tokens
from assistant.text.sparse import SparseEncoder, prefix_of, with_prefixes
from assistant.text.sparse import query_weights as sparse_query_weights

if TYPE_CHECKING:
    from assistant.domain import SearchHit

SALIENT_POS = {"NOUN", "PRTF"}
ROOT_LEN = 5
PREFIX_CREDIT = 0.7
IDF_CACHE = 100_000


def doc_frequencies(doc_indices: Iterable[list[int]]) -> tuple[Counter[int], int]:
    """Documents holding each sparse term (a term counts once per document), and the documents."""
    df: Counter[int] = Counter()
    n_docs = 0
    for indices in doc_indices:
        df.update(set(indices))
        n_docs += 1
    return df, n_docs


class TermStats:
    def __init__(self, df: Counter[int], n_docs: int, sparse: SparseEncoder) -> None:
        self.df = df
        self.n_docs = n_docs
        self._sparse = sparse
        self._idf: dict[str, float] = {}

    def doc_freq(self, term: str) -> int:
        return self.df.get(self._sparse.term_index(term), 0)

    def idf(self, term: str) -> float:
        # asked hundreds of times per question (every term against every candidate sentence)
        value = self._idf.get(term)
        if value is None:
            if len(self._idf) >= IDF_CACHE:
                self._idf.clear()  # questions bring new words without end: keep it bounded
            df = self.doc_freq(term)
            value = self._idf[term] = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
        return value


def query_weights(question: str, analyzer: Analyzer) -> dict[str, float]:
    """The question's terms exactly as retrieval weighs them (one definition, in text/sparse)."""
    return sparse_query_weights(analyzer, question)


def coverage(weights: dict[str, float], text_terms: set[str], stats: TermStats) -> float:
    """Share of the question's IDF-weighted terms found in the text; expansions and prefixes
    (weight < 1) count when found but are not required."""
    return Coverage(weights, stats)(text_terms)


class Coverage:
    """`coverage` with the question's side prepared once: one question's terms are matched
    against every sentence of every candidate (hundreds of texts per question)."""

    def __init__(self, weights: dict[str, float], stats: TermStats) -> None:
        self.required: list[tuple[str, str | None, float]] = []  # term, its root key, weight × IDF
        self.optional: list[tuple[str, float]] = []
        self.needed = 0.0
        for term, weight in weights.items():
            idf = stats.idf(term)
            if weight >= 1.0:
                self.required.append((term, prefix_of(term), weight * idf))
                self.needed += weight * idf
            elif not term.startswith("^"):
                self.optional.append((term, weight * idf))  # a lexicon expansion: how the act words it

    def __call__(self, text_terms: set[str]) -> float:
        if self.needed <= 0:
            return 0.0
        found = 0.0
        for term, root, w in self.required:
            if term in text_terms:
                found += w
            elif root is not None and root in text_terms:
                found += PREFIX_CREDIT * w  # same root, another derivation
        for term, w in self.optional:
            if term in text_terms:
                found += w
        return min(1.0, found / self.needed)


def act_topic(hits: list[SearchHit], depth: int = 8) -> dict[str, float]:
    """Share of the retrieved articles (top `depth` hits) that come from each act."""
    acts = [h.chunk.act_slug for h in hits[:depth] if h.chunk.kind == "act" and h.chunk.act_slug]
    return {slug: acts.count(slug) / len(acts) for slug in set(acts)}


def text_terms(texts: list[tuple[str, str]], analyzer: Analyzer) -> set[str]:
    terms: set[str] = set()
    for text, lang in texts:
        terms.update(with_prefixes(analyzer.terms(text, lang)))  # type: ignore[arg-type]
    return terms


def unknown_salient(question: str, analyzer: Analyzer, stats: TermStats, roots: Container[str]) -> list[str]:
    """Nouns, participles and abbreviations of a Russian question that the corpus has in no
    form: not the word, not its root anywhere in the text (золота → «золотовалютных»), not any
    lexicon expansion of it."""
    from assistant.text.russian import get_morph

    morph = get_morph()
    unknown = []
    for token in raw_tokens(question):
        if not token.isalpha() or len(token) < 3:
            continue
        terms = analyzer.terms(token, "ru")
        if not terms:
            continue
        parse = morph.parse(token.lower())[0]
        if parse.tag.POS not in SALIENT_POS and not token.isupper():
            continue
        known = any(stats.doc_freq(t) > 0 for t in with_prefixes(terms))
        if not known:
            known = terms[0][:ROOT_LEN] in roots
        if not known:
            known = any(stats.doc_freq(t) > 0 for t in analyzer.query_terms(token) if t not in terms)
        if not known:
            unknown.append(token)
    return unknown


@dataclass
class Answerability:
    coverage: float
    unknown: list[str]

    def answerable(self, threshold: float, floor: float) -> bool:
        if self.coverage < floor:
            return False
        return not (self.unknown and self.coverage < threshold)
