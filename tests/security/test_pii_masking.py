"""Defect 4: PII masking gaps in the audit log — ИИН with spaces or dashes, 10-digit and foreign
phone numbers, card and passport numbers were stored in clear; the answer was never masked."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from assistant.db.audit import find_answer, record_answer
from assistant.domain import Answer
from assistant.pii import find_pii, iin_check_ok, luhn_ok, mask_pii
from tests.security.compare_pii import ours, score
from tests.security.conftest import token_for
from tests.security.pii_sample import SAMPLE

NUMBERS = [(text, [g for g in gold if any(ch.isdigit() or ch == "@" for ch in g)]) for text, gold in SAMPLE]


@pytest.mark.parametrize(("text", "gold"), [s for s in NUMBERS if s[1]], ids=lambda v: str(v)[:30])
def test_every_labelled_number_and_address_is_masked(text: str, gold: list[str]) -> None:
    masked = mask_pii(text)
    for value in gold:
        assert value not in masked
        digits = "".join(ch for ch in value if ch.isdigit())
        assert digits[-4:] not in "".join(ch for ch in masked if ch.isdigit()) or not digits


@pytest.mark.parametrize("text", [t for t, gold in SAMPLE if not gold], ids=lambda v: v[:30])
def test_law_numbers_dates_and_sums_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_rules_score_on_the_labelled_sample() -> None:
    precision, recall, _, _ = score(ours, names=False)
    assert (precision, recall) == (1.0, 1.0)


def test_check_digits() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iin_check_ok("120340018822") is not iin_check_ok("120340018823")


def test_kinds_are_named() -> None:
    kinds = [s.kind for s in find_pii("ИИН 900101 300 123, +49 171 1234567, N12345678, 4111 1111 1111 1111")]
    assert kinds == ["iin", "phone", "passport", "card"]


def test_question_and_answer_are_masked_in_the_audit_log_through_the_api(client: TestClient) -> None:
    question = "ИИН 900101 300 123, тел. 7011234567, карта 4111 1111 1111 1111 — кто оказывает услугу?"
    r = client.post("/api/ask", json={"question": question}, headers=token_for(client, "alice"))
    assert r.status_code == 200
    row = find_answer(client.app.state.kenes.db, r.json()["answer_id"])  # type: ignore[attr-defined]
    assert row is not None
    assert row.question == "ИИН [ИИН], тел. [телефон], карта [карта] — кто оказывает услугу?"


def test_the_answer_column_is_masked(client: TestClient) -> None:
    db = client.app.state.kenes.db  # type: ignore[attr-defined]
    answer = Answer(
        question="Мой номер +7 701 123 45 67",
        answer="Вы указали +7 701 123 45 67 и a@b.kz [1]",
        lang="ru",
        mode="hybrid",
    )
    answer_id = str(uuid.uuid4())
    record_answer(db, answer, answer_id=answer_id, user_id=None, channel="api")
    row = find_answer(db, answer_id)
    assert row is not None and row.answer == "Вы указали [телефон] и [email] [1]"
