"""The audit log: every answer with its sources, model, index version and timings, and the
feedback users give on answers. Questions are stored with personal data masked."""

from __future__ import annotations

import re

from sqlalchemy import select

from assistant.db.models import CHANNELS, AuditLog, Feedback
from assistant.db.session import Database
from assistant.domain import Answer
from assistant.errors import NotFound, ValidationProblem

# ИИН / БИН: exactly twelve digits, not part of a longer number
_IIN = re.compile(r"(?<!\d)\d{12}(?!\d)")
# +7 and ten digits, or 8 7xx and seven digits; spaces, dashes, dots and parentheses between
_SEP = r"[\s\-.()]*"
_PHONE = re.compile(rf"(?<![\d+])(?:\+7{_SEP}\d|8{_SEP}7)(?:{_SEP}\d){{9}}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_pii(text: str) -> str:
    """Replace ИИН/БИН, phone numbers and e-mail addresses with placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _IIN.sub("[ИИН]", text)
    return _PHONE.sub("[телефон]", text)


def record_answer(
    db: Database, answer: Answer, *, answer_id: str, user_id: int | None, channel: str
) -> AuditLog:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    row = AuditLog(
        user_id=user_id,
        channel=channel,
        question=mask_pii(answer.question),
        answer=answer.answer,
        citations=[c.model_dump() for c in answer.citations],
        refused=answer.refused,
        mode=answer.mode,
        model=answer.model,
        index_version=answer.index_version,
        timings={k: round(v, 2) for k, v in answer.timings.items()},
        answer_id=answer_id,
    )
    with db.session() as s:
        s.add(row)
    return row


def find_answer(db: Database, answer_id: str) -> AuditLog | None:
    with db.session() as s:
        return s.scalar(select(AuditLog).where(AuditLog.answer_id == answer_id))


def record_feedback(
    db: Database, answer_id: str, rating: int, *, user_id: int | None, comment: str = ""
) -> Feedback:
    """Store a rating of an answer; rating again replaces the user's earlier rating."""
    if rating not in (1, -1):
        raise ValidationProblem("invalid feedback", [f"rating: {rating} is not 1 or -1"])
    with db.session() as s:
        answer = s.scalar(select(AuditLog).where(AuditLog.answer_id == answer_id))
        if answer is None or (answer.user_id is not None and answer.user_id != user_id):
            raise NotFound(f"Unknown answer: {answer_id}")
        row = s.scalar(select(Feedback).where(Feedback.answer_id == answer_id, Feedback.user_id == user_id))
        if row is None:
            row = Feedback(answer_id=answer_id, user_id=user_id, rating=rating, comment=mask_pii(comment))
            s.add(row)
        else:
            row.rating, row.comment = rating, mask_pii(comment)
        s.flush()
    return row
