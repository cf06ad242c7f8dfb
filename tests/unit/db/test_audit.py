from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from assistant.db.audit import find_answer, record_answer, record_feedback
from assistant.db.models import AuditLog, Feedback
from assistant.db.session import Database
from assistant.db.users import add_user
from assistant.domain import Answer, Citation
from assistant.errors import NotFound, ValidationProblem


def _answer(question: str = "Мой ИИН 900101300123, кто оказывает услугу?") -> Answer:
    citation = Citation(n=1, citation="registry:PS-08-03", kind="registry", title="Функция")
    answer = Answer(question=question, answer="Уполномоченный орган [1]", lang="ru", mode="registry")
    answer.citations, answer.index_version, answer.timings = [citation], "kenes__v1", {"total_ms": 3.14159}
    return answer


def test_record_answer_masks_the_question(db: Database) -> None:
    user, _ = add_user(db, "alice", "user")
    answer_id = str(uuid.uuid4())
    record_answer(db, _answer(), answer_id=answer_id, user_id=user.id, channel="web")
    row = find_answer(db, answer_id)
    assert row is not None
    assert row.question == "Мой ИИН [ИИН], кто оказывает услугу?"
    assert (row.user_id, row.channel, row.mode, row.refused) == (user.id, "web", "registry", False)
    assert row.citations[0]["citation"] == "registry:PS-08-03"
    assert row.timings == {"total_ms": 3.14}
    assert row.index_version == "kenes__v1" and row.ts is not None


def test_unknown_channel_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        record_answer(db, _answer(), answer_id="x", user_id=None, channel="fax")


def test_feedback_is_stored_and_replaced(db: Database) -> None:
    user, _ = add_user(db, "alice", "user")
    other, _ = add_user(db, "bob", "user")
    record_answer(db, _answer(), answer_id="a1", user_id=user.id, channel="api")
    record_feedback(db, "a1", 1, user_id=user.id)
    record_feedback(db, "a1", -1, user_id=user.id, comment="звоните 8 701 123 45 67")
    with db.session() as s:
        rows = list(s.scalars(select(Feedback)))
    assert [(r.rating, r.comment) for r in rows] == [(-1, "звоните [телефон]")]
    with pytest.raises(NotFound):
        record_feedback(db, "a1", 1, user_id=other.id)
    with pytest.raises(NotFound):
        record_feedback(db, "nope", 1, user_id=user.id)
    with pytest.raises(ValidationProblem):
        record_feedback(db, "a1", 2, user_id=user.id)


def test_concurrent_writes(db: Database) -> None:
    def write(i: int) -> None:
        for j in range(10):
            record_answer(db, _answer(), answer_id=f"{i}-{j}", user_id=None, channel="api")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 40
