"""The learned models: arithmetic, loading, and the guard against a model fitted on other features."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.rag.features import ANSWERABILITY_FEATURES, CANDIDATE_FEATURES, SENTENCE_FEATURES
from assistant.rag.learned import DEFAULT_PATH, LinearModel, Rankers


def model(weights: tuple[float, ...], bias: float = 0.0) -> LinearModel:
    n = len(weights)
    return LinearModel(tuple(f"f{i}" for i in range(n)), weights, bias, (0.0,) * n, (1.0,) * n)


def test_probability_is_the_logistic_of_the_standardised_score() -> None:
    m = LinearModel(("a", "b"), (2.0, -1.0), 0.5, (1.0, 0.0), (2.0, 1.0))
    assert m.score([3.0, 1.0]) == pytest.approx(0.5 + 2.0 * 1.0 - 1.0)
    assert m.prob([3.0, 1.0]) == pytest.approx(1 / (1 + pytest.importorskip("math").exp(-1.5)))
    assert model((1.0,)).prob([0.0]) == pytest.approx(0.5)
    assert model((1.0,)).prob([-1000.0]) == 0.0  # no overflow on extreme inputs


def test_round_trip_through_json() -> None:
    m = model((0.3, -0.2), bias=1.0)
    again = LinearModel.from_dict(json.loads(json.dumps(m.to_dict())), m.features)
    assert again == m


def test_a_model_fitted_on_other_features_is_refused() -> None:
    with pytest.raises(ConfigError, match="re-run"):
        LinearModel.from_dict(model((1.0,)).to_dict(), ("something_else",))


def test_zero_scale_does_not_divide_by_zero() -> None:
    data = {**model((1.0,)).to_dict(), "scale": [0.0]}
    assert LinearModel.from_dict(data, ("f0",)).prob([1.0]) > 0.5


def test_the_packaged_models_match_the_code() -> None:
    rankers = Rankers.load()
    assert rankers.candidate.features == CANDIDATE_FEATURES
    assert rankers.sentence.features == SENTENCE_FEATURES
    assert rankers.answerable.features == ANSWERABILITY_FEATURES
    assert 0.0 < rankers.refuse_below <= rankers.caution_below < 1.0
    assert rankers.across_offset > 0.0  # fitted: Kazakh questions score lower against Russian text
    assert DEFAULT_PATH.exists()


def test_a_model_without_the_across_offset_loads_with_none(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data.pop("across_offset")
    older = tmp_path / "rankers.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    assert Rankers.load(older).across_offset == 0.0


def test_an_unreadable_model_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "rankers.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        Rankers.load(bad)
    with pytest.raises(ConfigError):
        Rankers.load(tmp_path / "missing.json")


def test_candidate_rows_carry_their_gap_to_the_best_candidate_of_the_question() -> None:
    from assistant.rag.features import GAPPED, candidate_gaps

    own = len(CANDIDATE_FEATURES) - len(GAPPED)
    at = CANDIDATE_FEATURES.index("coverage")
    rows = [[0.0] * own for _ in range(3)]
    for row, cov in zip(rows, (0.2, 0.9, 0.5), strict=True):
        row[at] = cov
    out = candidate_gaps(rows)
    assert all(len(r) == len(CANDIDATE_FEATURES) for r in out)
    gap = CANDIDATE_FEATURES.index("coverage_gap")
    assert [round(r[gap], 3) for r in out] == [-0.7, 0.0, -0.4]  # the best is at 0, the rest below
    assert candidate_gaps([]) == []


def test_the_focus_is_the_last_question_with_words_of_its_own() -> None:
    from assistant.rag.features import focus_sentence

    asked = (
        "Облакимат разбирает жалобы граждан. По реестру эту работу можно автоматизировать? Если нет — почему?"
    )
    # «Если нет — почему?» names nothing; the question before it points back to the situation
    assert (
        focus_sentence(asked)
        == "Облакимат разбирает жалобы граждан. По реестру эту работу можно автоматизировать?"
    )
    assert focus_sentence("Мы — акимат. Какой орган утверждает правила?") == "Какой орган утверждает правила?"
    assert focus_sentence("Почему?") == "Почему?"
