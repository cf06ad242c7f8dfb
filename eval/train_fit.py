"""What every fit of `eval/train_ranker.py` shares: a question's record (its candidates, their
feature rows and labels, searched once) and the logistic fits, on generated questions alone or
with the dev questions mixed in at DEV_SHARE of the weight."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.container import Container
from assistant.domain import Chunk, SearchHit
from assistant.rag.features import QuestionTerms
from assistant.rag.learned import LinearModel
from assistant.rag.rerank import candidate_rows
from assistant.rag.routed import RERANK_DEPTH, action_scores
from assistant.rag.understand import understand
from eval.datasets import EvalItem
from eval.metrics import matches

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 5
DEV_SHARE = 0.3  # of a model's training weight, from real (dev) questions


@dataclass
class Record:
    item: EvalItem
    hits: list[SearchHit]
    q: QuestionTerms
    rows: list[list[float]]
    labels: list[bool]
    baseline: list[str]  # the hand-ruled order, for comparison
    kb: Any
    dense: dict[str, float]
    probs: list[float] = field(default_factory=list)
    sources: list[tuple[Chunk, float]] = field(default_factory=list)


def group_of(item: EvalItem) -> int:
    """Items made from one article (or row) stay in one fold."""
    source = item.notes.rpartition("from=")[2] if "from=" in item.notes else ",".join(item.gold_citations)
    return zlib.crc32((source or item.id).encode())


def split_of(item: EvalItem) -> str:
    return item.id.split("-")[1] if item.id.startswith("gen-") else "dev"


def collect(
    container: Container,
    items: Sequence[EvalItem],
    filters: dict[str, Any] | None = None,
    across_offset: float = 0.0,
    *,
    as_if_russian_only: bool = False,
) -> list[Record]:
    """`as_if_russian_only`: every article candidate read as one with no Kazakh text (the
    offset added to all of them), for Kazakh questions searched in the Russian texts alone."""
    routed = container.routed_retriever
    records: list[Record] = []
    for item in items:
        u = understand(item.question, item.history or None, item.lang)
        if u.injection or u.intent in ("registry_list", "registry_count"):
            continue  # answered from exact registry selections, not ranked
        result = container.retriever.search(
            u.retrieval_query, top_k=RERANK_DEPTH, lang=u.lang, filters=filters
        )
        kb = container.knowledge.for_version(result.index_version)
        hits = routed.candidates(u, result.hits, kb)
        dense = routed.similarities(result, hits, across_offset, as_if_no_own_text=as_if_russian_only)
        q, rows = candidate_rows(u, hits, kb, action_scores(u.question, hits, kb), dense)
        labels = [any(matches(h.chunk.citation, g) for g in item.gold_ids) for h in hits]
        base = routed.search(u.question, u=u, top_k=RERANK_DEPTH, use_rankers=False)
        records.append(Record(item, hits, q, rows, labels, [h.chunk.citation for h in base.hits], kb, dense))
    return records


# -- fitting ----------------------------------------------------------------------------------
def fit(
    x: np.ndarray, y: np.ndarray, c: float, names: Sequence[str], weight: np.ndarray | None = None
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    # a feature not measured for a row (NaN: no dense similarity) is read as the mean, as
    # LinearModel.score reads it at answer time
    mean = np.nanmean(x, axis=0) if x.size else x.mean(axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    x = np.where(np.isnan(x), mean, x)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    clf.fit((x - mean) / scale, y, sample_weight=weight)
    return LinearModel(tuple(names), tuple(clf.coef_[0].tolist()), float(clf.intercept_[0]),
                       tuple(mean.tolist()), tuple(scale.tolist()))  # fmt: skip


def fit_with_dev(
    generated: tuple[np.ndarray, np.ndarray],
    dev: tuple[np.ndarray, np.ndarray],
    dev_total: int,
    c: float,
    names: Sequence[str],
) -> LinearModel:
    """A model fitted on the generated rows and `dev` rows (some of `dev_total`), each dev row
    weighted so that all dev rows together would carry DEV_SHARE of the generated weight."""
    (gx, gy), (dx, dy) = generated, dev
    w_dev = DEV_SHARE * len(gy) / max(1, dev_total)
    w = np.concatenate([np.ones(len(gy)), np.full(len(dy), w_dev)])
    return fit(np.vstack([gx, dx]) if len(dy) else gx, np.concatenate([gy, dy]), c, names, w)


def choose(
    train: tuple[np.ndarray, np.ndarray], names: Sequence[str], valid_metric: Any
) -> tuple[LinearModel, float, dict[str, float]]:
    """The C whose model scores best on the validation split."""
    scores = {}
    best: tuple[float, LinearModel, float] | None = None
    for c in C_GRID:
        model = fit(*train, c, names)
        score = valid_metric(model)
        scores[str(c)] = round(score, 4)
        if best is None or score > best[0]:
            best = (score, model, c)
    assert best is not None
    return best[1], best[2], scores
