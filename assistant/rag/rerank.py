"""Applying the learned models: re-order the candidates retrieval found, pick the sentences that
answer, and decide whether the question is answerable at all."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from assistant.domain import SearchHit
from assistant.rag.evidence import Evidence, pick
from assistant.rag.features import (
    QuestionTerms,
    answerability_features,
    candidate_features,
    candidate_gaps,
    question_terms,
    sentence_features,
    sentences_of,
    sibling_actions,
    with_gaps,
)
from assistant.rag.relevance import act_topic

if TYPE_CHECKING:
    from assistant.domain import Chunk
    from assistant.rag.knowledge import VersionKnowledge
    from assistant.rag.learned import Rankers
    from assistant.rag.understand import Understanding


def candidate_rows(
    u: Understanding,
    hits: list[SearchHit],
    kb: VersionKnowledge,
    action: dict[str, float],
    dense: dict[str, float],
) -> tuple[QuestionTerms, list[list[float]]]:
    """Feature rows of the hits in their retrieved order (the training script uses this too)."""
    q = question_terms(u, kb)
    topic = act_topic(hits)
    top = hits[0].score if hits else 0.0
    siblings = sibling_actions(q, [h.chunk for h in hits if h.chunk.kind == "registry"], kb)
    rows = [
        candidate_features(
            q, kb.article_any(h.chunk.citation, h.chunk.lang) or h.chunk if h.chunk.kind == "act" else h.chunk,
            rank, h.score, top, topic, action.get(h.chunk.citation, 0.0), u.lang, kb,
            dense.get(h.chunk.citation, math.nan), siblings.get(h.chunk.citation, 0.0),
        )
        for rank, h in enumerate(hits)
    ]  # fmt: skip
    return q, candidate_gaps(rows)


def rerank(
    rankers: Rankers,
    u: Understanding,
    hits: list[SearchHit],
    kb: VersionKnowledge,
    action: dict[str, float],
    dense: dict[str, float],
) -> list[SearchHit]:
    """Hits re-ordered by the candidate model; each hit's score becomes its probability of
    being the source that answers."""
    if not hits:
        return hits
    _, rows = candidate_rows(u, hits, kb, action, dense)
    scored = [
        SearchHit(chunk=h.chunk, score=rankers.candidate.prob(x)) for h, x in zip(hits, rows, strict=True)
    ]
    return sorted(scored, key=lambda h: h.score, reverse=True)


def sentence_rows(
    q: QuestionTerms, sources: list[tuple[Chunk, float]], kb: VersionKnowledge
) -> list[tuple[Chunk, str, list[float]]]:
    out: list[tuple[Chunk, str, list[float]]] = []
    for rank, (article, prob) in enumerate(sources):
        units = sentences_of(article, kb)
        covs = [q.covers(terms, kb.stats) for _, terms in units]
        best = max(covs, default=0.0)
        previous = 0.0
        for position, ((sentence, terms), cov) in enumerate(zip(units, covs, strict=True)):
            if len(sentence) >= 25:
                x = sentence_features(q, sentence, terms, cov, position, previous, prob, rank, best, kb)
                out.append((article, sentence, x))
            previous = cov
    rows = with_gaps([x for _, _, x in out])
    return [(a, s, x) for (a, s, _), x in zip(out, rows, strict=True)]


def best_sentences(
    rankers: Rankers, q: QuestionTerms, sources: list[tuple[Chunk, float]], kb: VersionKnowledge, limit: int
) -> list[Evidence]:
    return pick(
        [Evidence(a, s, rankers.sentence.prob(x)) for a, s, x in sentence_rows(q, sources, kb)], limit
    )


def answerable_prob(
    rankers: Rankers,
    q: QuestionTerms,
    hits: list[SearchHit],
    best: Evidence | None,
    kb: VersionKnowledge,
    dense: dict[str, float],
) -> float:
    probs = [(h.score, h.chunk) for h in hits]
    x = answerability_features(q, probs, (best.score, best.sentence) if best else (0.0, ""), kb, dense)
    return rankers.answerable.prob(x)
