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
) -> None:
    """Add a user and print their token (shown only this once; only its hash is stored)."""
    from assistant.cli import cli_errors
    from assistant.db.users import add_user

    with cli_errors():
        user, token = add_user(_db(), name, role, telegram_id)
        typer.echo(token)
        typer.secho(
            f"user '{user.name}' ({user.role}) added; keep the token above — it is not shown again", err=True
        )


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
