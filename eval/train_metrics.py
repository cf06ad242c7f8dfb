"""Numbers the fitting script reports: ranking AUC, refusal rates at a threshold, the threshold
that refuses a given share of answerable questions, and the train vs held-out table."""

from __future__ import annotations

import itertools
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


def refusal_threshold(probs: Sequence[float], labels: Sequence[int], max_false_refusals: float) -> float:
    """The threshold that refuses the most out-of-scope questions for the fewest answerable ones
    (the largest difference of the two refusal rates) among those refusing at most
    `max_false_refusals` of the answerable, set midway between the two scores it falls between.

    The plain quantile of the answerable scores reads one class only: where no out-of-scope
    question lies between two answerable ones it still moves up to the quantile, refusing
    answerable questions for nothing."""
    points = sorted(set(probs))
    oos_n = sum(1 for y in labels if not y)
    if not oos_n or len(points) < 2:
        return quantile_threshold(probs, labels, max_false_refusals)
    best: tuple[float, float] | None = None
    # the lowest score itself refuses nothing: better than refusing answerable questions for no gain
    for t in [points[0], *((a + b) / 2 for a, b in itertools.pairwise(points))]:
        rates = refusal_rates(probs, labels, t)
        if rates["answerable_refused"] > max_false_refusals:
            break  # refusal rates only grow with the threshold
        gain = rates["oos_refused"] - rates["answerable_refused"]
        if best is None or gain > best[0] + 1e-12:
            best = (gain, t)
    return best[1] if best else quantile_threshold(probs, labels, max_false_refusals)


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
        if "across_train" in a:  # the Kazakh questions read in the Russian texts alone
            rows.append([f"{label}, Kazakh over Russian texts",
                         *(r(a[p].get(k)) for p in ("across_train", "across_valid")), None, None])  # fmt: skip
    return rows
