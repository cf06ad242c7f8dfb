from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from assistant.db.models import User
from assistant.db.session import Database, database_url
from assistant.db.users import add_user, authenticate, by_telegram_id, list_users, remove_user
from assistant.errors import NotFound, ValidationProblem
from tests.conftest import make_settings


def test_add_stores_only_the_hash(db: Database) -> None:
    _, token = add_user(db, "alice", "admin")
    assert len(token) >= 40
    with db.session() as s:
        stored = s.scalar(select(User).where(User.name == "alice"))
    assert stored is not None and stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


def test_authenticate(db: Database) -> None:
    _, token = add_user(db, "alice", "user")
    user = authenticate(db, token)
    assert user is not None and (user.name, user.role) == ("alice", "user")
    assert authenticate(db, token + "x") is None
    assert authenticate(db, "") is None


def test_telegram_lookup(db: Database) -> None:
    add_user(db, "aigerim", "user", telegram_id=12345)
    found = by_telegram_id(db, 12345)
    assert found is not None and found.name == "aigerim"
    assert by_telegram_id(db, 1) is None


def test_bad_role_duplicates_and_empty_name(db: Database) -> None:
    add_user(db, "alice", "user", telegram_id=7)
    with pytest.raises(ValidationProblem) as exc:
        add_user(db, "alice", "root", telegram_id=7)
    assert len(exc.value.problems) == 1 and "role" in exc.value.problems[0]
    with pytest.raises(ValidationProblem) as exc:
        add_user(db, "alice", "user", telegram_id=7)
    assert len(exc.value.problems) == 2
    with pytest.raises(ValidationProblem):
        add_user(db, "  ", "user")


def test_list_and_remove(db: Database) -> None:
    _, token = add_user(db, "a", "user")
    add_user(db, "b", "service")
    assert [u.name for u in list_users(db)] == ["a", "b"]
    remove_user(db, "a")
    assert authenticate(db, token) is None
    with pytest.raises(NotFound):
        remove_user(db, "a")


def test_url_from_settings(tmp_path: object) -> None:
    from pathlib import Path

    data = Path(str(tmp_path)) / "data"
    assert database_url(make_settings(data)) == f"sqlite:///{(data / 'kenes.db').resolve()}"
    pg = "postgresql+psycopg://kenes@db/kenes"
    assert database_url(make_settings(data, api={"database_url": pg})) == pg


def test_removing_a_user_keeps_their_audit_rows(db: Database) -> None:
    from assistant.db.audit import find_answer, record_answer
    from assistant.domain import Answer

    user, _ = add_user(db, "gone", "user")
    record_answer(
        db, Answer(question="q", answer="a", lang="ru"), answer_id="a1", user_id=user.id, channel="api"
    )
    remove_user(db, "gone")
    row = find_answer(db, "a1")
    assert row is not None and row.user_id is None
