"""Ratings of answers (👍 +1 / 👎 -1, optional comment), linked to the audit log."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import CurrentUser, State
from assistant.api.schemas import FeedbackOut, FeedbackRequest
from assistant.db import audit

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback", response_model=FeedbackOut)
def feedback(body: FeedbackRequest, principal: CurrentUser, state: State) -> FeedbackOut:
    audit.record_feedback(
        state.db, body.answer_id, body.rating, user_id=principal.user_id, comment=body.comment
    )
    return FeedbackOut(answer_id=body.answer_id, rating=body.rating)
