from __future__ import annotations

import math
from typing import Any

import pytest

from eval.datasets import EvalItem
from eval.metrics import (
    agency_match,
    aggregate,
    citation_precision,
    citation_recall,
    count_match,
    group_metrics,
    hit_at_k,
    item_score,
    language_match,
    matches,
    must_contain,
    ndcg_at_k,
    percentile,
    reciprocal_rank,
    refusal_confusion,
    score_item,
    strip_quotes,
    value_match,
)


def item(**kw: Any) -> EvalItem:
    base: dict[str, Any] = {
        "id": "x-1", "lang": "ru", "kind": "law", "question": "Кто утверждает правила?",
        "answerable": True, "gold_citations": ["public-services#st8"],
    }  # fmt: skip
    return EvalItem(**{**base, **kw})


# -- retrieval -------------------------------------------------------------------------------
def test_article_prefix_match_but_registry_exact() -> None:
    assert matches("public-services#st8", "public-services#st8")
    assert matches("public-services#st8.p3", "public-services#st8")
    assert not matches("public-services#st80", "public-services#st8")
    assert not matches("public-services#st8-1", "public-services#st8")
    assert matches("registry:PS-10-13", "registry:PS-10-13")
    assert not matches("registry:PS-10-13.1", "registry:PS-10-13")


def test_hits_and_reciprocal_rank() -> None:
    retrieved = ["a#st1", "a#st2.p1", "a#st3", "a#st4", "a#st5", "a#st6"]
    assert hit_at_k(retrieved, ["a#st2"], 1) is False
    assert hit_at_k(retrieved, ["a#st2"], 5) is True
    assert hit_at_k(retrieved, ["a#st6"], 5) is False
    assert hit_at_k(retrieved, ["a#st6"], 10) is True
    assert reciprocal_rank(retrieved, ["a#st2"]) == 0.5
    assert reciprocal_rank(retrieved, ["b#st1"]) == 0.0
    assert reciprocal_rank([], ["b#st1"]) == 0.0


def test_no_gold_means_not_applicable() -> None:
    assert hit_at_k(["a#st1"], [], 5) is None
    assert reciprocal_rank(["a#st1"], []) is None
    assert ndcg_at_k(["a#st1"], [], 10) is None
    assert citation_recall(["a#st1"], []) is None


def test_ndcg_values() -> None:
    assert ndcg_at_k(["g#st1", "x#st1"], ["g#st1"]) == 1.0
    assert ndcg_at_k(["x#st1", "g#st1"], ["g#st1"]) == pytest.approx(1 / math.log2(3))
    # two gold, one found at rank 1: DCG 1 / IDCG (1 + 1/log2 3)
    assert ndcg_at_k(["g#st1"], ["g#st1", "g#st2"]) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(["x#st1"] * 3, ["g#st1"]) == 0.0


def test_duplicate_retrieved_ids_do_not_inflate_ranks_or_gain() -> None:
    # A second window of the same article is no new evidence and takes no rank.
    retrieved = ["x#st1", "x#st1", "g#st1"]
    assert reciprocal_rank(retrieved, ["g#st1"]) == 0.5
    # two windows of one gold article gain once: nDCG stays <= 1
    assert ndcg_at_k(["g#st1.p1", "g#st1.p2"], ["g#st1"]) == 1.0
    assert ndcg_at_k(["g#st1.p1", "g#st1.p2"], ["g#st1", "g#st2"]) == pytest.approx(
        1 / (1 + 1 / math.log2(3))
    )


# -- answer text -----------------------------------------------------------------------------
def test_must_contain_normalises_case_yo_quotes_and_spaces() -> None:
    answer = "Решение  оформляется ПРИКАЗОМ.\nСрок — «три\u00a0рабочих» дня; всё учтено."
    assert must_contain(answer, ["приказом"]) is True
    assert must_contain(answer, ['"три рабочих"']) is True
    assert must_contain(answer, ["все учтено"]) is True
    assert must_contain(answer, ["срок - "]) is True
    assert must_contain(answer, ["постановлением", "указом"]) is False
    assert must_contain(answer, []) is None
    assert must_contain("", ["приказ"]) is False


def test_agency_value_and_count() -> None:
    answer = (
        "По реестру: Правительство Республики Казахстан. Автоматизируемая: частично, риск: средний. Всего 3."
    )
    assert agency_match(answer, "правительство республики казахстан") is True
    assert agency_match(answer, "Министерство финансов") is False
    assert agency_match(answer, None) is None
    assert value_match(answer, "частично") is True
    assert value_match(answer, "средний") is True
    assert value_match("ставка нетто", "нет") is False  # a word, not a substring
    assert value_match("ответ: нет.", "нет") is True
    assert value_match(answer, None) is None
    assert count_match(answer, 3) is True
    assert count_match("всего 13 функций", 3) is False
    assert count_match(answer, None) is None


# -- citations ---------------------------------------------------------------------------------
def test_citation_precision_support_rules() -> None:
    gold = ["registry:PS-10-13.1"]
    cited = ["registry:PS-10-13.1", "public-services#st10", "registry:PS-10-02", "registry:PD-01"]
    agencies = {"registry:PS-10-02": "Центральные государственные органы", "registry:PD-01": "Правительство"}
    p = citation_precision(
        cited, gold, gold_row_articles=["public-services#st10"], row_agencies=agencies,
        gold_agency="центральные  государственные органы",
    )  # fmt: skip
    assert p == 0.75
    assert citation_precision(cited, gold) == 0.25
    assert citation_precision([], gold) is None


def test_duplicate_citations_count_once() -> None:
    cited = ["a#st1", "a#st1", "b#st2"]
    assert citation_precision(cited, ["a#st1"]) == 0.5
    assert citation_recall(cited, ["a#st1", "c#st3"]) == 0.5
    assert citation_recall(["a#st1.p2"], ["a#st1"]) == 1.0


def test_refusal_confusion() -> None:
    # (refusal expected, refused)
    c = refusal_confusion([(True, True), (True, False), (False, True), (False, False), (False, False)])
    assert (c["tp"], c["fn"], c["fp"], c["tn"]) == (1, 1, 1, 2)
    assert c["precision"] == 0.5 and c["recall"] == 0.5
    none = refusal_confusion([(False, False)])
    assert none["precision"] is None and none["recall"] is None


# -- language ----------------------------------------------------------------------------------
def test_strip_quotes_handles_nesting() -> None:
    text = 'См. «Закон «О госуслугах» и другие» ст. 8 и "quoted" конец'
    assert strip_quotes(text).split() == ["См.", "ст.", "8", "и", "конец"]


def test_language_match() -> None:
    ru = "По реестру эту функцию выполняет уполномоченный орган в сфере защиты данных [1]."
    assert language_match(ru, "ru") is True
    assert language_match(ru, "kk") is False
    kk_with_ru_value = (
        "Тізілім бойынша бұл функцияны атқаратын орган: уполномоченный орган по оценке и контролю "
        "за качеством оказания государственных услуг — «осуществляет государственный контроль» [1]."
    )
    assert language_match(kk_with_ru_value, "kk") is True
    kk_quoting_ru = (
        "Жауап дереккөздер мәтінінде:\n[1] «Заявление рассматривается в течение пяти дней» — 1-бап"
    )
    assert language_match(kk_quoting_ru, "kk") is True
    mixed = "Тізілім бойынша жауап бар [1].\nЭто решение принимается и утверждается в течение дня."
    assert language_match(mixed, "kk") is False
    assert language_match("", "ru") is False


def test_language_match_strips_given_foreign_phrases() -> None:
    text = (
        "Тізілім бойынша жауап:\nуполномоченный орган в сфере защиты персональных данных и его ведомства [1]."
    )
    assert language_match(text, "kk") is False
    foreign = ["уполномоченный орган в сфере защиты персональных данных и его ведомства"]
    assert language_match(text, "kk", foreign) is True


# -- one item and aggregates ---------------------------------------------------------------------
def test_score_item_refused_answer_cites_nothing() -> None:
    answerable = score_item(
        item(), retrieved=["public-services#st8"], answer="Источники не содержат ответа.", refused=True,
        cited=["public-services#st8"],
    )  # fmt: skip
    assert answerable["hit@1"] is True
    assert answerable["refusal_correct"] is False
    assert answerable["citation_precision"] is None
    assert answerable["citation_recall"] == 0.0
    unanswerable = item(id="u", kind="unanswerable", answerable=False, gold_citations=[],
                        must_contain_any=["не содерж"])  # fmt: skip
    m = score_item(unanswerable, retrieved=["x#st1"], answer="Источники не содержат ответа.", refused=True)
    assert m["refusal_correct"] is True and m["must_contain"] is True
    assert m["hit@5"] is None and m["citation_recall"] is None


def test_score_item_failed_steps_and_empty_answer() -> None:
    m = score_item(item(must_contain_any=["правил"]))
    assert all(v is None for v in m.values())
    empty = score_item(item(must_contain_any=["правил"]), retrieved=[], answer="", refused=False)
    assert empty["hit@10"] is False and empty["mrr"] == 0.0
    assert empty["must_contain"] is False and empty["language_match"] is False
    assert empty["citation_precision"] is None and empty["citation_recall"] == 0.0


def test_item_score() -> None:
    assert item_score({"hit@5": True, "must_contain": False, "mrr": 0.1}) == 0.5
    assert item_score({"hit@5": True}, error="ask: boom") == 0.0
    assert item_score({}) == 1.0


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([None, 5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)


def _record(
    rid: str, kind: str, lang: str, answerable: bool, refused: bool | None, **metrics: Any
) -> dict[str, Any]:
    return {
        "id": rid, "kind": kind, "lang": lang, "answerable": answerable, "refused": refused,
        "metrics": metrics, "timings": {"total_ms": 100.0},
        "error": None if refused is not None else "ask: x",
    }  # fmt: skip


def test_aggregate_ignores_not_applicable_and_counts_support() -> None:
    results = [
        _record("a", "law", "ru", True, False, **{"hit@5": True, "must_contain": True}),
        _record("b", "law", "kk", True, True, **{"hit@5": False, "must_contain": None}),
        _record("c", "unanswerable", "ru", False, True, **{"hit@5": None, "must_contain": False}),
        _record("d", "law", "ru", True, None, **{"hit@5": True}),
    ]
    g = group_metrics(results)
    assert g["n"] == 4 and g["errors"] == 1
    assert g["hit@5"] == pytest.approx(2 / 3) and g["support"]["hit@5"] == 3
    assert g["must_contain"] == 0.5 and g["support"]["must_contain"] == 2
    assert g["refusal_recall"] == 1.0 and g["refusal_precision"] == 0.5
    assert g["agency_accuracy"] is None
    assert g["total_p50"] == 100.0 and g["ttft_p50"] is None
    by_kind = aggregate(results, "kind")
    assert list(by_kind) == ["law", "unanswerable"]
    assert by_kind["law"]["n"] == 3 and by_kind["unanswerable"]["refusal_recall"] == 1.0
    assert aggregate(results)["overall"]["n"] == 4
    by_pair = aggregate(results, "kind/lang")
    assert list(by_pair) == ["law/kk", "law/ru", "unanswerable/ru"]
    assert by_pair["law/ru"]["n"] == 2 and by_pair["law/ru"]["must_contain"] == 1.0


def test_gate_reads_kind_and_language_pairs() -> None:
    from eval.gate import check_gate
    from eval.report import build_summary

    results = [
        _record("a", "law", "ru", True, False, must_contain=True),
        _record("b", "law", "ru", True, False, must_contain=False),
        _record("c", "law", "kk", True, False, must_contain=True),
    ]
    summary = build_summary(results)
    assert check_gate(summary, {"kind_lang:law/kk": {"must_contain": {"min": 0.9}}}) == []
    failures = check_gate(summary, {"kind_lang:law/ru": {"must_contain": {"min": 0.9}}})
    assert failures == ["kind_lang:law/ru must_contain = 0.500 < min 0.9"]
