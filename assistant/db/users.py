"""Users, their bearer tokens and web passwords (argon2id). Only the sha256 of a token is stored; the token itself is
shown once, when the user is added. The users table is also the Telegram allowlist."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select

from assistant.db.models import ROLES, User, UserPassword, utcnow
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


# -- passwords (web sign-in) -----------------------------------------------------------------
MIN_PASSWORD_CHARS = 8


def _hasher() -> Any:
    from argon2 import PasswordHasher  # argon2id with the library's maintained defaults

    return PasswordHasher()


def set_password(db: Database, name: str, password: str) -> User:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationProblem(
            "cannot set the password", [f"password: at least {MIN_PASSWORD_CHARS} characters"]
        )
    hashed = _hasher().hash(password)
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"No user named '{name}'.")
        row = s.get(UserPassword, user.id)
        if row is None:
            s.add(UserPassword(user_id=user.id, password_hash=hashed))
        else:
            row.password_hash, row.updated = hashed, utcnow()
        return user


def verify_password(db: Database, name: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (also for an unknown name, after the
    same hashing work, so the answer time does not tell which names exist)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name.strip()))
        row = s.get(UserPassword, user.id) if user is not None else None
        if user is None or row is None:
            hasher.hash(password)
            return None
        try:
            hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if hasher.check_needs_rehash(row.password_hash):
            row.password_hash = hasher.hash(password)
        return user
