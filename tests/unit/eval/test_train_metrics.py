"""The refusal threshold the fit chooses from out-of-fold answerability scores."""

from __future__ import annotations

import pytest

from eval.train_metrics import quantile_threshold, refusal_rates, refusal_threshold


def test_the_threshold_stops_where_refusing_more_answerable_questions_buys_no_out_of_scope_one() -> None:
    answerable = [0.05, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97]
    out_of_scope = [0.01, 0.02, 0.2]
    probs, labels = answerable + out_of_scope, [1] * 10 + [0] * 3
    t = refusal_threshold(probs, labels, 0.2)
    # every out-of-scope score lies below 0.3: refusing at 0.3 or above (as the plain quantile
    # does) would refuse the answerable 0.3 for nothing
    assert t == pytest.approx(0.25)
    assert quantile_threshold(probs, labels, 0.2) == 0.5
    rates = refusal_rates(probs, labels, t)
    assert rates["oos_refused"] == 1.0 and rates["answerable_refused"] == pytest.approx(0.1)


def test_the_threshold_never_refuses_more_answerable_questions_than_allowed() -> None:
    answerable = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    out_of_scope = [0.65, 0.75, 0.85]  # out-of-scope questions that score like answerable ones
    probs, labels = answerable + out_of_scope, [1] * 10 + [0] * 3
    t = refusal_threshold(probs, labels, 0.1)
    # refusing the answerable 0.1 would refuse no out-of-scope question: nothing is refused
    assert refusal_rates(probs, labels, t)["answerable_refused"] == 0.0


def test_without_out_of_scope_questions_the_threshold_is_the_quantile() -> None:
    probs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert refusal_threshold(probs, [1] * 10, 0.1) == quantile_threshold(probs, [1] * 10, 0.1)
