"""Who the token (or the bot's relayed Telegram user) is."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import CurrentUser
from assistant.api.schemas import MeOut

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/me", response_model=MeOut)
def me(principal: CurrentUser) -> MeOut:
    return MeOut(name=principal.name, role=principal.role, acting_service=principal.acting_service)
