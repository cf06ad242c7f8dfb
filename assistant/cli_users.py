"""`kenes users …`: add API/web/bot users and list them. Mounted by `assistant.cli`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.db.session import Database

users_app = typer.Typer(help="Users of the API, web chat and Telegram bot.", no_args_is_help=True)


def _db() -> Database:
    from assistant.db.session import Database
    from assistant.settings import Settings

    return Database.from_settings(Settings())


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help="user | analyst | admin | service")] = "user",
    telegram_id: Annotated[
        int | None, typer.Option("--telegram-id", help="allow this Telegram user in the bot")
    ] = None,
    password: Annotated[
        bool,
        typer.Option("--password", help="also set a web sign-in password (prompted, or read from stdin)"),
    ] = False,
) -> None:
    """Add a user and print their token (shown only this once; only its hash is stored)."""
    from assistant.cli import cli_errors
    from assistant.db.users import add_user, set_password

    with cli_errors():
        secret = _read_password() if password else None
        db = _db()
        user, token = add_user(db, name, role, telegram_id)
        if secret is not None:
            set_password(db, user.name, secret)
        typer.echo(token)
        typer.secho(
            f"user '{user.name}' ({user.role}) added; keep the token above — it is not shown again", err=True
        )


@users_app.command("password")
def password_(name: Annotated[str, typer.Argument()]) -> None:
    """Set or change a user's web sign-in password (prompted, or read from stdin)."""
    from assistant.cli import cli_errors
    from assistant.db.users import set_password

    with cli_errors():
        set_password(_db(), name, _read_password())
        typer.echo(f"password of '{name}' set")


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise the first line of stdin (for scripts)."""
    from assistant.db.users import MIN_PASSWORD_CHARS
    from assistant.errors import ValidationProblem

    if sys.stdin.isatty():
        secret = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    if len(secret) < MIN_PASSWORD_CHARS:
        raise ValidationProblem(
            "cannot set the password", [f"password: at least {MIN_PASSWORD_CHARS} characters"]
        )
    return secret


@users_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users with their role and Telegram id (never tokens)."""
    from assistant.cli import cli_errors
    from assistant.db.users import list_users

    with cli_errors():
        users = list_users(_db())
        rows: list[dict[str, Any]] = [
            {
                "id": u.id,
                "name": u.name,
                "role": u.role,
                "telegram_id": u.telegram_id,
                "created": u.created.isoformat(),
            }
            for u in users
        ]
        if as_json:
            sys.stdout.write(json.dumps({"users": rows}, ensure_ascii=False) + "\n")
            return
        for r in rows:
            tg = f"  telegram={r['telegram_id']}" if r["telegram_id"] is not None else ""
            typer.echo(f"{r['id']:>4}  {r['name']:<24} {r['role']:<8} {r['created'][:19]}{tg}")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument()]) -> None:
    """Delete a user; their token stops working at once."""
    from assistant.cli import cli_errors
    from assistant.db.users import remove_user

    with cli_errors():
        remove_user(_db(), name)
        typer.echo(f"user '{name}' removed")
