"""Eval metrics as pure functions: no I/O, no assistant, so each is unit-tested by hand.

Conventions: a metric that does not apply to an item (no gold, nothing cited, no gold agency)
is `None` and is left out of averages rather than counted as 0 or 1; `support` in an aggregate
says how many items each average rests on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from assistant.text.lang import detect_lang, has_kazakh_letters, normalize
from eval.datasets import EvalItem

ItemMetrics = dict[str, float | bool | None]

RETRIEVAL_KS = (1, 5, 10)
NDCG_K = 10
# The per-item metrics that say "this answer is good"; their mean ranks the worst items.
QUALITY_KEYS = (
    "hit@5", "must_contain", "citation_precision", "citation_recall", "refusal_correct",
    "agency", "automatable", "risk", "count", "language_match", "faithfulness",
)  # fmt: skip
# item metric -> name of its average in an aggregate
MEAN_KEYS = {
    "hit@1": "hit@1", "hit@5": "hit@5", "hit@10": "hit@10", "mrr": "mrr", "ndcg@10": "ndcg@10",
    "must_contain": "must_contain", "citation_precision": "citation_precision",
    "citation_recall": "citation_recall", "agency": "agency_accuracy",
    "automatable": "automatable_accuracy", "risk": "risk_accuracy", "count": "count_accuracy",
    "language_match": "language_match", "faithfulness": "faithfulness",
}  # fmt: skip
RATE_KEYS = (*MEAN_KEYS.values(), "refusal_precision", "refusal_recall")


# -- retrieval ------------------------------------------------------------------------------
def matches(candidate: str, gold: str) -> bool:
    """Article-level prefix match: `public-services#st8.p3` matches gold `public-services#st8`;
    registry ids only exactly (`registry:PS-10-13.1` is a different row from `registry:PS-10-13`)."""
    if candidate == gold:
        return True
    return not gold.startswith("registry:") and candidate.startswith(gold + ".")


def dedupe(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def first_match_rank(retrieved: Sequence[str], gold: Collection[str]) -> int | None:
    for rank, rid in enumerate(dedupe(retrieved), 1):
        if any(matches(rid, g) for g in gold):
            return rank
    return None


def hit_at_k(retrieved: Sequence[str], gold: Collection[str], k: int) -> bool | None:
    if not gold:
        return None
    rank = first_match_rank(retrieved, gold)
    return rank is not None and rank <= k


def reciprocal_rank(retrieved: Sequence[str], gold: Collection[str]) -> float | None:
    if not gold:
        return None
    rank = first_match_rank(retrieved, gold)
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at_k(retrieved: Sequence[str], gold: Collection[str], k: int = NDCG_K) -> float | None:
    """Binary-relevance nDCG. Each gold id earns gain once: a second window of the same article
    further down is no new evidence, so it must not lift the score above the ideal."""
    if not gold:
        return None
    found: set[str] = set()
    dcg = 0.0
    for rank, rid in enumerate(dedupe(retrieved)[:k], 1):
        new = [g for g in gold if g not in found and matches(rid, g)]
        if new:
            found.add(new[0])
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


# -- answer text ----------------------------------------------------------------------------
_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟″'’‘`"})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―"})


def normalize_text(text: str) -> str:
    """What "appears in the answer" compares: lower case, ё→е, one kind of quote and dash,
    single spaces (NBSP and line breaks included)."""
    text = normalize(text).lower().translate(_QUOTES).translate(_DASHES)
    return " ".join(text.split())


def contains_phrase(text: str, phrase: str) -> bool:
    needle = normalize_text(phrase)
    return bool(needle) and needle in normalize_text(text)


def must_contain(answer: str, phrases: Sequence[str]) -> bool | None:
    """True if any of the phrases appears (substring, so stems like «электронн» work)."""
    if not phrases:
        return None
    return any(contains_phrase(answer, p) for p in phrases)


def agency_match(answer: str, gold_agency: str | None) -> bool | None:
    if not gold_agency:
        return None
    return contains_phrase(answer, gold_agency)


def value_match(answer: str, value: str | None) -> bool | None:
    """The gold value appears as a whole word («нет» must not match inside «нетто»)."""
    if not value:
        return None
    needle = re.escape(normalize_text(value))
    return re.search(rf"(?<!\w){needle}(?!\w)", normalize_text(answer)) is not None


def count_match(answer: str, count: int | None) -> bool | None:
    if count is None:
        return None
    return re.search(rf"(?<!\d){count}(?!\d)", answer) is not None


# -- citations ------------------------------------------------------------------------------
def citation_precision(
    cited: Sequence[str],
    gold: Collection[str],
    *,
    gold_row_articles: Collection[str] = (),
    row_agencies: Mapping[str, str] | None = None,
    gold_agency: str | None = None,
) -> float | None:
    """Share of distinct cited ids that are supported: gold, or the article a gold registry row
    rests on, or a registry row of the gold agency (another row of the right agency is a fair
    source for "who does X"). None when nothing is cited."""
    ids = dedupe(cited)
    if not ids:
        return None
    agencies = row_agencies or {}
    want = normalize_text(gold_agency) if gold_agency else None

    def supported(cid: str) -> bool:
        if any(matches(cid, g) for g in gold) or any(matches(cid, a) for a in gold_row_articles):
            return True
        return want is not None and cid in agencies and normalize_text(agencies[cid]) == want

    return sum(1 for c in ids if supported(c)) / len(ids)


def citation_recall(cited: Sequence[str], gold: Collection[str]) -> float | None:
    if not gold:
        return None
    ids = dedupe(cited)
    return sum(1 for g in gold if any(matches(c, g) for c in ids)) / len(gold)


# -- refusals ---------------------------------------------------------------------------------
def refusal_confusion(pairs: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """pairs: (refusal expected, refused). Precision: refusals that were right; recall:
    unanswerable items that were refused. None when the denominator is empty."""
    tp = fp = fn = tn = 0
    for expected, refused in pairs:
        if refused and expected:
            tp += 1
        elif refused:
            fp += 1
        elif expected:
            fn += 1
        else:
            tn += 1
    return {
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }  # fmt: skip


# -- language -------------------------------------------------------------------------------
_STRAIGHT_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|„[^“”\n]*[“”]')
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")
_CYR_WORD = re.compile(r"[\u0400-\u04ff]+")


def strip_quotes(text: str) -> str:
    """The text outside quotations; «…» may nest (act titles quote law names)."""
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "«":
            depth += 1
        elif ch == "»" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return _STRAIGHT_QUOTED.sub(" ", "".join(out))


def language_match(answer: str, expected: str, foreign: Sequence[str] = ()) -> bool | None:
    """Is the answer (quotes and the given foreign phrases, e.g. Russian registry values, taken
    out) in the expected language? A Kazakh answer may carry Russian registry names inside its
    sentences, so it matches when every sentence long enough to judge is Kazakh (detected so, or
    holding Kazakh-only letters); a Russian answer is judged as a whole."""
    if not answer.strip():
        return False
    text = strip_quotes(answer)
    for phrase in sorted((p for p in foreign if p), key=len, reverse=True):
        text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    if expected != "kk":
        return detect_lang(text) == expected
    judged = [s for s in _SENTENCE_SPLIT.split(text) if len(_CYR_WORD.findall(s)) >= 3]
    if not judged:
        return detect_lang(text) == "kk"
    return all(detect_lang(s) == "kk" or has_kazakh_letters(s) for s in judged)


# -- one item ---------------------------------------------------------------------------------
def score_item(
    item: EvalItem,
    *,
    retrieved: Sequence[str] | None = None,
    answer: str | None = None,
    refused: bool | None = None,
    cited: Sequence[str] = (),
    gold_row_articles: Collection[str] = (),
    row_agencies: Mapping[str, str] | None = None,
    foreign: Sequence[str] = (),
) -> ItemMetrics:
    """Every per-item metric. `retrieved`/`answer` None means that step failed: its metrics are
    None. A refusal's "closest sources" are not claims, so a refused answer cites nothing."""
    gold = item.gold_ids
    m: ItemMetrics = {}
    for k in RETRIEVAL_KS:
        m[f"hit@{k}"] = hit_at_k(retrieved, gold, k) if retrieved is not None else None
    m["mrr"] = reciprocal_rank(retrieved, gold) if retrieved is not None else None
    m["ndcg@10"] = ndcg_at_k(retrieved, gold, NDCG_K) if retrieved is not None else None
    keys = ("must_contain", "citation_precision", "citation_recall", "refusal_correct", "agency",
            "automatable", "risk", "count", "language_match")  # fmt: skip
    if answer is None:
        return {**m, **dict.fromkeys(keys)}
    claims = [] if refused else list(cited)
    m["must_contain"] = must_contain(answer, item.must_contain_any)
    m["citation_precision"] = citation_precision(
        claims, item.gold_citations, gold_row_articles=gold_row_articles,
        row_agencies=row_agencies, gold_agency=item.gold_agency,
    )  # fmt: skip
    m["citation_recall"] = citation_recall(claims, item.gold_citations)
    m["refusal_correct"] = bool(refused) == (not item.answerable)
    m["agency"] = agency_match(answer, item.gold_agency)
    m["automatable"] = value_match(answer, item.gold_automatable)
    m["risk"] = value_match(answer, item.gold_risk)
    m["count"] = count_match(answer, item.gold_count)
    m["language_match"] = language_match(answer, item.lang, foreign)
    return m


def item_score(metrics: Mapping[str, Any], error: str | None = None) -> float:
    """One number per item for "worst items" and regressions: the mean of its quality metrics."""
    if error:
        return 0.0
    values = [float(metrics[k]) for k in QUALITY_KEYS if metrics.get(k) is not None]
    return sum(values) / len(values) if values else 1.0


# -- aggregates -------------------------------------------------------------------------------
def mean(values: Iterable[float | bool | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    vals = sorted(float(v) for v in values if v is not None)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def group_metrics(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Averages over result records (the lines of results.jsonl)."""
    out: dict[str, Any] = {"n": len(results), "errors": sum(1 for r in results if r.get("error"))}
    support: dict[str, int] = {}
    for key, name in MEAN_KEYS.items():
        values = [r.get("metrics", {}).get(key) for r in results]
        out[name] = mean(values)
        support[name] = sum(1 for v in values if v is not None)
    answered = [r for r in results if r.get("refused") is not None]
    confusion = refusal_confusion((not r["answerable"], bool(r["refused"])) for r in answered)
    out["refusal_precision"] = confusion["precision"]
    out["refusal_recall"] = confusion["recall"]
    out["refusal"] = {k: confusion[k] for k in ("tp", "fp", "fn", "tn")}
    support["refusal_precision"] = confusion["tp"] + confusion["fp"]
    support["refusal_recall"] = confusion["tp"] + confusion["fn"]
    for name, key in (("ttft", "ttft_ms"), ("total", "total_ms")):
        values = [r.get("timings", {}).get(key) for r in results]
        out[f"{name}_p50"] = percentile(values, 50)
        out[f"{name}_p95"] = percentile(values, 95)
        support[f"{name}_ms"] = sum(1 for v in values if v is not None)
    out["support"] = support
    return out


def aggregate(results: Sequence[Mapping[str, Any]], by: str | None = None) -> dict[str, dict[str, Any]]:
    """`by=None`: {"overall": metrics}; `by="kind"`, `"lang"` or `"kind/lang"`: one entry per
    value (per pair of values), sorted."""
    if by is None:
        return {"overall": group_metrics(results)}

    def key(r: Mapping[str, Any]) -> str:
        # "kind/lang" (law/ru …): the targets are set per kind and language
        return "/".join(str(r.get(part, "")) for part in by.split("/"))

    keys = sorted({key(r) for r in results})
    return {k: group_metrics([r for r in results if key(r) == k]) for k in keys}
