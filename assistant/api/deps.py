"""Request dependencies: the API state, who is asking (bearer token → user; the Telegram bot's
service account acting for an allow-listed Telegram user), role checks and the rate limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Cookie, Depends, Header, Request

from assistant.api.errors import (
    MSG_ADMIN_ONLY,
    MSG_RATE_LIMITED,
    MSG_UNAUTHORIZED,
    Forbidden,
    RateLimited,
    Unauthorized,
)
from assistant.api.state import ApiState
from assistant.db import sessions, users
from assistant.ratelimit import RateLimiter

TELEGRAM_HEADER = "X-Kenes-Telegram-User"
SESSION_COOKIE = "kenes_session"  # the web page's sign-in (routes/auth.py); bearer tokens for the rest
MSG_NOT_SERVICE = (
    "Действовать от имени пользователя Telegram может только сервисная учётная запись. / "
    "Telegram пайдаланушысы атынан тек сервистік есептік жазба әрекет ете алады."
)
MSG_TELEGRAM_DENIED = (
    "Этот пользователь Telegram не допущен к Kenes. / Бұл Telegram пайдаланушысына Kenes-ке рұқсат жоқ."
)


@dataclass(frozen=True)
class Principal:
    """Who a request is authorised and audited as."""

    user_id: int | None
    name: str
    role: str
    acting_service: str | None = None  # the service account that relayed the request (the bot)

    @property
    def channel(self) -> str:
        return "bot" if self.acting_service else "api"


ANONYMOUS = Principal(user_id=None, name="anonymous", role="user")


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.kenes
    return state


State = Annotated[ApiState, Depends(get_state)]


def current_principal(
    state: State,
    authorization: Annotated[str | None, Header()] = None,
    telegram_user: Annotated[str | None, Header(alias=TELEGRAM_HEADER)] = None,
    session: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Principal:
    """Sync on purpose: FastAPI runs it in a worker thread, so the DB lookup never blocks the loop."""
    token = _bearer(authorization)
    if token is None and session and telegram_user is None:
        signed_in = sessions.session_user(state.db, session)
        if signed_in is None:
            raise Unauthorized(MSG_UNAUTHORIZED)
        return Principal(signed_in.id, signed_in.name, signed_in.role)
    if token is None:
        if state.container.settings.api.auth_required:
            raise Unauthorized(MSG_UNAUTHORIZED)
        if telegram_user is not None:
            raise Forbidden(MSG_NOT_SERVICE)
        return ANONYMOUS
    user = users.authenticate(state.db, token)
    if user is None:
        raise Unauthorized(MSG_UNAUTHORIZED)
    if telegram_user is None:
        return Principal(user.id, user.name, user.role)
    return _acting_for_telegram(state, user.name, user.role, telegram_user)


def _acting_for_telegram(state: ApiState, service: str, role: str, telegram_user: str) -> Principal:
    """The one allowlist check: a Telegram user may use Kenes only if a user row carries their id."""
    if role != "service":
        raise Forbidden(MSG_NOT_SERVICE)
    try:
        telegram_id = int(telegram_user.strip())
    except ValueError:
        raise Forbidden(MSG_TELEGRAM_DENIED, details={"telegram_id": telegram_user}) from None
    user = users.by_telegram_id(state.db, telegram_id)
    if user is None:
        raise Forbidden(MSG_TELEGRAM_DENIED, details={"telegram_id": telegram_id})
    return Principal(user.id, user.name, user.role, acting_service=service)


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_admin(principal: CurrentUser) -> Principal:
    """Admin endpoints need an admin's own token (not one relayed by the bot)."""
    if principal.role != "admin" or principal.acting_service is not None:
        raise Forbidden(MSG_ADMIN_ONLY)
    return principal


Admin = Annotated[Principal, Depends(require_admin)]


def rate_limited(principal: CurrentUser, state: State, request: Request) -> Principal:
    """Per-user token bucket for question endpoints (per client address when anonymous)."""
    limiter: RateLimiter = state.limiter
    if principal.user_id is not None:
        key = f"user:{principal.user_id}"
    else:
        key = f"ip:{request.client.host if request.client else '?'}"
    wait = limiter.acquire(key)
    if wait > 0:
        retry = RateLimiter.retry_after_header(wait)
        raise RateLimited(MSG_RATE_LIMITED, details={"retry_after": retry})
    return principal


Asker = Annotated[Principal, Depends(rate_limited)]
