from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli_users import users_app
from assistant.db.session import Database
from assistant.db.users import authenticate


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KENES_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_add_prints_a_working_token_once(data_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(users_app, ["add", "bot", "--role", "service", "--telegram-id", "42"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    user = authenticate(Database(f"sqlite:///{data_dir / 'kenes.db'}"), token)
    assert user is not None and (user.name, user.role, user.telegram_id) == ("bot", "service", 42)

    listed = runner.invoke(users_app, ["list", "--json"])
    users = json.loads(listed.stdout)["users"]
    assert [(u["name"], u["role"], u["telegram_id"]) for u in users] == [("bot", "service", 42)]
    assert token not in listed.stdout


def test_bad_role_and_duplicates_exit_with_a_message(data_dir: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(users_app, ["add", "x", "--role", "root"])
    assert bad.exit_code == 2 and "role" in bad.stderr
    runner.invoke(users_app, ["add", "x"])
    again = runner.invoke(users_app, ["add", "x"])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_remove(data_dir: Path) -> None:
    runner = CliRunner()
    runner.invoke(users_app, ["add", "x"])
    assert runner.invoke(users_app, ["remove", "x"]).exit_code == 0
    assert runner.invoke(users_app, ["remove", "x"]).exit_code == 1
    assert "x" not in runner.invoke(users_app, ["list"]).stdout


def test_add_with_password_from_stdin_lets_the_user_sign_in(data_dir: Path) -> None:
    from assistant.db.users import verify_password

    runner = CliRunner()
    result = runner.invoke(users_app, ["add", "Айгерим", "--password"], input="long enough pw\n")
    assert result.exit_code == 0, result.output
    db = Database(f"sqlite:///{data_dir / 'kenes.db'}")
    user = verify_password(db, "Айгерим", "long enough pw")
    assert user is not None and user.role == "user"
    assert verify_password(db, "Айгерим", "wrong") is None
    stored = db.engine.connect().exec_driver_sql("select password_hash from user_passwords").scalar()
    assert str(stored).startswith("$argon2id$")  # never the password itself

    short = runner.invoke(users_app, ["add", "b", "--password"], input="short\n")
    assert short.exit_code == 2 and "at least 8" in short.stderr
    changed = runner.invoke(users_app, ["password", "Айгерим"], input="another long pw\n")
    assert changed.exit_code == 0
    assert verify_password(db, "Айгерим", "another long pw") is not None
    db.close()
