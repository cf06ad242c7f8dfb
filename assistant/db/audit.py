"""The audit log: every answer with its sources, model, index version and timings, and the
feedback users give on answers. Questions, answers (which may repeat what the user wrote) and
feedback comments are stored with personal data masked (`assistant.pii`)."""

from __future__ import annotations

from sqlalchemy import select

from assistant.db.models import CHANNELS, AuditLog, Feedback
from assistant.db.session import Database
from assistant.domain import Answer
from assistant.errors import NotFound, ValidationProblem
from assistant.pii import mask_pii

__all__ = ["find_answer", "mask_pii", "record_answer", "record_feedback"]


def record_answer(
    db: Database, answer: Answer, *, answer_id: str, user_id: int | None, channel: str
) -> AuditLog:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    row = AuditLog(
        user_id=user_id,
        channel=channel,
        question=mask_pii(answer.question),
        answer=mask_pii(answer.answer),
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
