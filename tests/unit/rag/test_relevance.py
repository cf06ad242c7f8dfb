"""Answerability signals from the index's own statistics: TermStats, coverage, unknown_salient."""

from __future__ import annotations

import math
from typing import Any

import pytest

from assistant.rag.relevance import (
    Answerability,
    TermStats,
    act_topic,
    coverage,
    doc_frequencies,
    query_weights,
    text_terms,
    unknown_salient,
)
from assistant.text.sparse import SparseEncoder, with_prefixes
from tests.unit.rag.tiny_data import analyzer

DOCS = [
    "Заявление рассматривается в течение пяти рабочих дней со дня его поступления.",
    "Уполномоченный орган утверждает правила оказания тестовых услуг.",
    "Уполномоченный орган ведет реестр тестовых услуг.",
]


@pytest.fixture(scope="module")
def stats() -> TermStats:
    sparse = SparseEncoder(analyzer())
    return TermStats(
        *doc_frequencies([sparse.term_index(t) for t in with_prefixes(analyzer().terms(d))] for d in DOCS),
        sparse,
    )


def _terms(text: str) -> set[str]:
    return text_terms([(text, "ru")], analyzer())


def test_term_stats_counts_documents_not_occurrences(stats: TermStats) -> None:
    assert stats.n_docs == 3
    assert stats.doc_freq("заявление") == 1
    assert stats.doc_freq("орган") == 2
    assert stats.doc_freq("день") == 1  # twice in one document («дней», «дня») counts once
    assert stats.doc_freq("отсутствует") == 0


def test_idf_is_bm25_style_and_decreases_with_frequency(stats: TermStats) -> None:
    assert stats.idf("заявление") == pytest.approx(math.log(1 + (3 - 1 + 0.5) / 1.5))
    assert stats.idf("отсутствует") == pytest.approx(math.log(1 + 3.5 / 0.5))
    assert stats.idf("отсутствует") > stats.idf("заявление") > stats.idf("орган") > 0


def test_empty_term_stats() -> None:
    empty = TermStats(*doc_frequencies([]), SparseEncoder(analyzer()))
    assert empty.n_docs == 0 and empty.doc_freq("x") == 0
    assert empty.idf("x") == pytest.approx(math.log(2))


def test_query_weights_add_half_weight_prefixes() -> None:
    w = query_weights("В какой срок рассматривается заявление?", analyzer())
    assert w["заявление"] == 1.0 and w["рассматриваться"] == 1.0
    assert w["^заявл"] == 0.5
    assert "^срок" not in w  # short words have no prefix term
    assert all(0 < v <= 2.0 for v in w.values())


def test_text_terms_include_prefixes() -> None:
    terms = _terms("Заявление рассматривается")
    assert {"заявление", "рассматриваться", "^заявл", "^рассм"} <= terms


def test_coverage_full_partial_and_none(stats: TermStats) -> None:
    w = query_weights("Кто ведет реестр тестовых услуг?", analyzer())
    assert coverage(w, _terms(DOCS[2]), stats) == pytest.approx(1.0)
    partial = coverage(w, _terms(DOCS[1]), stats)
    assert 0.0 < partial < 1.0
    assert coverage(w, _terms(DOCS[0]), stats) == 0.0


def test_coverage_weighs_rare_terms_more(stats: TermStats) -> None:
    # «реестр» (1 document) matters more than «орган» (2 documents)
    w = {"реестр": 1.0, "орган": 1.0}
    assert coverage(w, {"реестр"}, stats) > coverage(w, {"орган"}, stats)


def test_coverage_credits_a_shared_root(stats: TermStats) -> None:
    w = {"рассмотрение": 1.0}
    assert coverage(w, {"^рассм"}, stats) == pytest.approx(0.7)
    assert coverage(w, {"рассмотрение"}, stats) == pytest.approx(1.0)


def test_coverage_expansions_count_only_when_found(stats: TermStats) -> None:
    assert coverage({"срок": 1.0, "мерзім": 0.6}, {"срок"}, stats) == pytest.approx(1.0)
    assert coverage({"срок": 1.0, "мерзім": 0.6}, {"мерзім"}, stats) == pytest.approx(0.6)
    assert coverage({"мерзім": 0.6}, {"мерзім"}, stats) == 0.0  # nothing required → nothing covered


def test_coverage_of_nothing(stats: TermStats) -> None:
    assert coverage({}, {"x"}, stats) == 0.0


def test_unknown_salient_names_what_the_corpus_never_mentions(stats: TermStats) -> None:
    corpus = " ".join(DOCS).lower()
    unknown = unknown_salient("Какой размер МРП для летчиков?", analyzer(), stats, corpus)
    assert unknown == ["размер", "МРП", "летчиков"]


def test_unknown_salient_accepts_known_words_in_any_form(stats: TermStats) -> None:
    corpus = " ".join(DOCS).lower()
    assert unknown_salient("Кто рассматривает заявления?", analyzer(), stats, corpus) == []
    assert unknown_salient("Какой орган ведет реестр услуг?", analyzer(), stats, corpus) == []
    # not indexed, but its root is somewhere in the text: «золота» → «золотовалютного»
    question = "Запасы золота"
    assert unknown_salient(question, analyzer(), stats, corpus) == ["Запасы", "золота"]
    assert unknown_salient(question, analyzer(), stats, corpus + " золотовалютного") == ["Запасы"]


def test_unknown_salient_ignores_verbs_and_short_words(stats: TermStats) -> None:
    corpus = " ".join(DOCS).lower()
    assert unknown_salient("Кто летает и плавает?", analyzer(), stats, corpus) == []


@pytest.mark.parametrize(
    ("cov", "unknown", "answerable"),
    [
        (0.1, [], False),  # below the floor: never
        (0.3, [], True),
        (0.3, ["МРП"], False),  # names something unknown and covers little
        (0.5, ["МРП"], True),  # covers enough despite an unknown word
        (0.2, [], True),  # the floor itself passes
    ],
)
def test_answerability(cov: float, unknown: list[str], answerable: bool) -> None:
    assert Answerability(cov, unknown).answerable(threshold=0.45, floor=0.2) is answerable


def test_act_topic_is_the_share_of_retrieved_articles_per_act() -> None:
    from assistant.domain import Chunk, SearchHit

    def hit(kind: str, slug: str) -> SearchHit:
        c = Chunk(
            chunk_id=f"{slug}{kind}",
            citation=f"{slug}#st1",
            kind=kind,
            lang="ru",
            title="",
            text="",
            act_slug=slug,
        )  # type: ignore[arg-type]
        return SearchHit(chunk=c, score=1.0)

    hits = [hit("act", "a"), hit("registry", "b"), hit("act", "a"), hit("act", "b"), hit("act", "a")]
    assert act_topic(hits) == {"a": 0.75, "b": 0.25}  # registry rows do not count
    assert act_topic(hits, depth=1) == {"a": 1.0}
    assert act_topic([]) == {}


def test_prepared_coverage_equals_the_plain_formula() -> None:
    from assistant.rag.relevance import Coverage, coverage

    class Stats:
        def idf(self, term: str) -> float:
            return 1.0 + len(term) / 10

    weights = {"заявление": 1.0, "рассмотреть": 1.0, "обращение": 0.6, "^заяв": 0.5, "срок": 2.0}
    stats: Any = Stats()
    prepared = Coverage(weights, stats)
    for text in ({"заявление"}, {"^рассм", "срок"}, {"обращение", "срок"}, set(), {"другое"}):
        assert prepared(text) == pytest.approx(coverage(weights, text, stats))
    assert Coverage({}, stats)({"срок"}) == 0.0
