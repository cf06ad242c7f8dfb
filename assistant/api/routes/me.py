"""Who the token, session cookie (or the bot's relayed Telegram user) is."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from assistant.api.deps import CurrentUser, State
from assistant.api.errors import Forbidden
from assistant.api.schemas import AllowlistOut, MeOut
from assistant.db.models import User

router = APIRouter(prefix="/api", tags=["users"])

MSG_SERVICE_ONLY = "Только для сервисных учётных записей. / Тек сервистік есептік жазбалар үшін."


@router.get("/me", response_model=MeOut)
def me(principal: CurrentUser) -> MeOut:
    return MeOut(name=principal.name, role=principal.role, acting_service=principal.acting_service)


@router.get("/me/allowlist", response_model=AllowlistOut)
def allowlist(principal: CurrentUser, state: State) -> AllowlistOut:
    """How many Telegram users may use the bot (the bot logs it at start-up)."""
    if principal.role not in ("service", "admin") or principal.acting_service is not None:
        raise Forbidden(MSG_SERVICE_ONLY)
    with state.db.session() as s:
        count = s.scalar(select(func.count()).select_from(User).where(User.telegram_id.is_not(None)))
    return AllowlistOut(telegram_users=int(count or 0))
