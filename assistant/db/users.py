"""Users and their bearer tokens. Only the sha256 of a token is stored; the token itself is
shown once, when the user is added. The users table is also the Telegram allowlist."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from assistant.db.models import ROLES, User
from assistant.db.session import Database
from assistant.errors import NotFound, ValidationProblem


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(db: Database, name: str, role: str, telegram_id: int | None = None) -> tuple[User, str]:
    """Create a user; returns it with its new token (the only time the token exists in clear)."""
    name = name.strip()
    problems = []
    if not name:
        problems.append("name: must not be empty")
    if role not in ROLES:
        problems.append(f"role: '{role}' is not one of {', '.join(ROLES)}")
    if problems:
        raise ValidationProblem("cannot add the user", problems)
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            problems.append(f"name: a user named '{name}' already exists")
        if (
            telegram_id is not None
            and s.scalar(select(User.id).where(User.telegram_id == telegram_id)) is not None
        ):
            problems.append(f"telegram_id: {telegram_id} already belongs to another user")
        if problems:
            raise ValidationProblem("cannot add the user", problems)
        user = User(name=name, role=role, token_hash=token_hash(token), telegram_id=telegram_id)
        s.add(user)
        s.flush()
    return user, token


def authenticate(db: Database, token: str) -> User | None:
    if not token:
        return None
    with db.session() as s:
        return s.scalar(select(User).where(User.token_hash == token_hash(token)))


def by_telegram_id(db: Database, telegram_id: int) -> User | None:
    with db.session() as s:
        return s.scalar(select(User).where(User.telegram_id == telegram_id))


def list_users(db: Database) -> list[User]:
    with db.session() as s:
        return list(s.scalars(select(User).order_by(User.id)))


def remove_user(db: Database, name: str) -> None:
    """Delete a user; their token stops working at once. Audit rows keep no user then."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"No user named '{name}'.")
        s.delete(user)
