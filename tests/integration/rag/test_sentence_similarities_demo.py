"""The learned source ranker reads a candidate's best unit against the question (an article's
sentence, a row's function or one of its clauses): vectors the demo build saved beside its index,
read by the live read model."""

from __future__ import annotations

import pytest

from assistant.container import Container
from assistant.rag.sentence_vectors import sentences_of

pytestmark = pytest.mark.integration

QUESTION = "В какой срок нужно удалить незаконно размещённые персональные данные по требованию уполномоченного органа?"


def test_the_build_saved_a_vector_for_every_sentence_and_function(demo_container: Container) -> None:
    c = demo_container
    live = c.store.require_live()
    sentences = c.knowledge.for_version(live).sentences
    assert sentences is not None and sentences.embedder == c.embedder.name
    assert set(sentences.members) == {p.chunk.citation for p in c.store.scroll(live) if sentences_of(p.chunk)}
    assert {"registry:PS-08-02.1", "public-services#st8"} <= set(sentences.members)


def test_a_candidate_is_scored_by_its_best_unit_not_its_windows(demo_container: Container) -> None:
    c = demo_container
    result = c.retriever.search(QUESTION, lang="ru")
    citations = [h.chunk.citation for h in result.hits]
    kb = c.knowledge.for_version(result.index_version)
    assert kb.sentences is not None and result.query_vector is not None
    sims = c.routed_retriever.similarities(result, result.hits)
    windows = c.retriever.similarities(result, citations)
    assert sims == {**windows, **kb.sentences.similarities(result.query_vector, citations)}
    # one sentence of a long article matches better than the windows that average it away
    assert any(sims[x] > windows[x] for x in citations if not x.startswith("registry:"))


def test_an_articles_sentences_are_scored_one_by_one(demo_container: Container) -> None:
    c = demo_container
    result = c.retriever.search(QUESTION, lang="ru")
    kb = c.knowledge.for_version(result.index_version)
    article = kb.article("personal-data#st6", "ru")
    assert article is not None
    sims = c.routed_retriever.unit_similarities(result, [article])
    assert set(sims) == set(sentences_of(article))
    best = max(sims, key=sims.__getitem__)
    assert "одного рабочего дня" in best  # the sentence that answers, found by meaning alone


def test_an_article_fusion_missed_joins_the_candidates_by_meaning(demo_container: Container) -> None:
    from assistant.rag.understand import understand

    c = demo_container
    question = "Ақпарат сұрауына жауап беру мерзімі қандай?"  # the answer: access-to-information, ст. 11
    u = understand(question, None, "kk")
    result = c.retriever.search(u.retrieval_query, top_k=20, lang="kk")
    kb = c.knowledge.for_version(result.index_version)
    fused = c.routed_retriever.candidates(u, result.hits, kb)
    assert "access-to-information#st11" not in {h.chunk.citation for h in fused}
    added = c.routed_retriever.by_meaning(u, result, fused)
    assert 0 < len(added) <= c.settings.retrieval.by_meaning
    assert all(
        h.chunk.kind == "act" and h.chunk.citation not in {f.chunk.citation for f in fused} for h in added
    )
    assert "access-to-information#st11" in {h.chunk.citation for h in added}
    ranked = c.routed_retriever.search(question, lang="kk")
    assert "access-to-information#st11" in [h.chunk.citation for h in ranked.hits[:5]]
