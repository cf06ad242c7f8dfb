"""Web sign-in sessions: a random token in an HttpOnly cookie, its sha256 and expiry here.
Server-side on purpose: signing out (or removing the user) ends the session at once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from assistant.db.models import User, WebSession, utcnow
from assistant.db.session import Database
from assistant.db.users import token_hash

SESSION_TTL = timedelta(hours=12)  # a working day; the civil servant signs in again next morning


def create_session(db: Database, user_id: int, ttl: timedelta = SESSION_TTL) -> str:
    """A new session for the user; returns the token for the cookie (never stored in clear)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.expires < now))  # housekeeping, cheap
        s.add(WebSession(token_hash=token_hash(token), user_id=user_id, created=now, expires=now + ttl))
    return token


def session_user(db: Database, token: str) -> User | None:
    if not token:
        return None
    with db.session() as s:
        row = s.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
        if row is None or _aware(row.expires) <= utcnow():
            return None
        return s.get(User, row.user_id)


def end_session(db: Database, token: str) -> None:
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def _aware(ts: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
