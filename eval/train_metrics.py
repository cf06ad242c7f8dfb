"""Numbers the fitting script reports: ranking AUC, refusal rates at a threshold, the threshold
that refuses a given share of answerable questions, and the train vs held-out table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def refusal_rates(probs: Sequence[float], labels: Sequence[int], t: float) -> dict[str, float]:
    ans = [p for p, y in zip(probs, labels, strict=True) if y]
    oos = [p for p, y in zip(probs, labels, strict=True) if not y]
    return {
        "answerable_refused": sum(p < t for p in ans) / len(ans) if ans else math.nan,
        "oos_refused": sum(p < t for p in oos) / len(oos) if oos else math.nan,
        "n_answerable": len(ans), "n_oos": len(oos),
    }  # fmt: skip


def quantile_threshold(probs: Sequence[float], labels: Sequence[int], share: float) -> float:
    ans = sorted(p for p, y in zip(probs, labels, strict=True) if y)
    return ans[min(len(ans) - 1, int(share * len(ans)))] if ans else 0.5


def held_out_table(report: dict[str, Any]) -> list[list[Any]]:
    """Rows of «what, train, valid (held-out articles), dev (out of fold / never fitted), dev
    with the hand rules» for the eval report."""
    c, s, a = report["candidate"], report["sentence"], report["answerable"]

    def r(x: Any) -> Any:
        return round(x, 3) if isinstance(x, float) else x

    rows = [
        [
            f"source {k}",
            *(r(c[p]["learned"].get(k)) for p in ("train", "valid", "dev")),
            r(c["dev"]["hand_rules"].get(k)),
        ]
        for k in ("hit@1", "hit@5", "mrr")
    ]
    rows.append(["quote top-1", *(r(s[p]["learned"].get("top1")) for p in ("train", "valid", "dev")),
                 r(s["dev"]["hand_rules"].get("top1"))])  # fmt: skip
    for k, label in (("auc", "answerability AUC"), ("answerable_refused", "answerable refused"),
                     ("oos_refused", "out-of-scope refused")):  # fmt: skip
        rows.append([label, *(r(a[p].get(k)) for p in ("train", "valid", "dev")), None])
    return rows
