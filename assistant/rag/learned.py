"""The learned parts of answering: a candidate ranker (articles and registry rows), a sentence
ranker (which lines of the found articles answer the question) and the answerability decision.

Each is a logistic model over the features of `rag/features.py`, fitted by
`eval/train_ranker.py` on generated questions and stored as plain JSON (weights, feature
names, the standardisation it was fitted with, the thresholds chosen on held-out data), so
applying it needs nothing but arithmetic and loading it runs no code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parent / "models" / "rankers.json"


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def score(self, x: list[float]) -> float:
        """NaN marks a feature not measured here (no dense model in sparse-only mode): it counts
        as the training mean, so it moves the score neither way."""
        z = self.bias
        for value, w, m, s in zip(x, self.weights, self.mean, self.scale, strict=True):
            if not math.isnan(value):
                z += w * (value - m) / s
        return z

    def prob(self, x: list[float]) -> float:
        z = self.score(x)
        return 1.0 / (1.0 + math.exp(-z)) if z > -40 else 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: tuple[str, ...]) -> LinearModel:
        features = tuple(data["features"])
        if features != expected:
            raise ConfigError(
                f"ranker model was fitted on features {features}, the code computes {expected}: "
                "re-run `python -m eval.train_ranker`"
            )
        return cls(
            features=features,
            weights=tuple(float(w) for w in data["weights"]),
            bias=float(data["bias"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) if float(v) > 0 else 1.0 for v in data["scale"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }


@dataclass(frozen=True)
class Rankers:
    candidate: LinearModel
    sentence: LinearModel
    answerable: LinearModel
    # Below `refuse_below` the question is refused; between it and `caution_below` it is answered
    # with a caution that the sources answer it only in part.
    refuse_below: float
    caution_below: float
    # which ranker picks the quotes: the sentence model, or the hand-written evidence ranker when
    # that measured better on held-out data (the sentence model still scores the answerability)
    sentence_quotes: bool = True
    # added to the dense similarity of a candidate with no text in the question's language (a
    # Kazakh question, a Russian-only act): e5 scores a Kazakh question against Russian text
    # lower than against the same text in Kazakh, so Russian-only acts lost to any Kazakh article.
    # Fitted by `eval/train_ranker.py` on the act that has both texts
    across_offset: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Rankers:
        from assistant.rag.features import ANSWERABILITY_FEATURES, CANDIDATE_FEATURES, SENTENCE_FEATURES

        path = path or DEFAULT_PATH
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the ranker model {path}: {exc}") from exc
        return cls(
            candidate=LinearModel.from_dict(data["candidate"], CANDIDATE_FEATURES),
            sentence=LinearModel.from_dict(data["sentence"], SENTENCE_FEATURES),
            answerable=LinearModel.from_dict(data["answerable"], ANSWERABILITY_FEATURES),
            refuse_below=float(data["thresholds"]["refuse_below"]),
            caution_below=float(data["thresholds"]["caution_below"]),
            sentence_quotes=data.get("quotes_by", "learned") == "learned",
            across_offset=float(data.get("across_offset", 0.0)),
            info=dict(data.get("info", {})),
        )
