"""How much lower e5 scores a Kazakh question against Russian text than against the same text in
Kazakh: the offset the source ranker adds to an article with no Kazakh text
(`Rankers.across_offset`). Measured on the generated Kazakh questions about the act that has both
texts, as the question's best unit (sentence) in the Kazakh text minus its best in the Russian one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.container import Container
from assistant.rag.sentence_vectors import sentences_of
from assistant.rag.understand import understand
from eval.datasets import EvalItem


def language_gaps(container: Container, items: Sequence[EvalItem]) -> list[float]:
    """Per Kazakh law question whose one gold article has both texts: best Kazakh unit minus best
    Russian unit."""
    live = container.store.live_collection()
    if live is None:
        return []
    kb = container.knowledge.for_version(live)
    vectors = kb.sentences
    if vectors is None or vectors.embedder != container.embedder.name:
        return []
    gaps: list[float] = []
    for item in items:
        if item.lang != "kk" or item.kind != "law" or len(item.gold_citations) != 1:
            continue
        kk_text, ru_text = (kb.article(item.gold_citations[0], lang) for lang in ("kk", "ru"))
        if kk_text is None or ru_text is None:
            continue
        # the question as retrieval embeds it
        vector = container.embedder.embed_query(understand(item.question, None, "kk").retrieval_query)
        kk, ru = (vectors.best_of_texts(vector, sentences_of(t)) for t in (kk_text, ru_text))
        if kk is not None and ru is not None:
            gaps.append(kk - ru)
    return gaps


def across_offset(
    container: Container, train: Sequence[EvalItem], valid: Sequence[EvalItem]
) -> tuple[float, dict[str, float]]:
    """The mean gap on the train split, and the report: its size, and the gap on valid."""
    fitted, held = language_gaps(container, train), language_gaps(container, valid)
    offset = float(np.mean(fitted)) if fitted else 0.0
    return offset, {
        "offset": round(offset, 4), "n_train": len(fitted),
        "valid_mean": round(float(np.mean(held)), 4) if held else float("nan"), "n_valid": len(held),
    }  # fmt: skip
