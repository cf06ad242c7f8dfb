"""`kenes bot`: the Telegram bot. It talks to a running Kenes API (`kenes serve`) over HTTP, so
the model is loaded once and access control and the audit log live in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys


def run_bot() -> None:
    from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
    from pydantic import ValidationError

    from bots.telegram.app import KenesBot
    from bots.telegram.settings import BotSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = BotSettings()  # type: ignore[call-arg]  # required fields come from the environment
    except ValidationError as exc:
        missing = ", ".join(f"KENES_BOT__{'_'.join(map(str, e['loc'])).upper()}" for e in exc.errors())
        sys.stderr.write(f"error: the bot needs settings: {missing} (see docs/bot.md)\n")
        raise SystemExit(2) from None
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is the normal way to stop it
            asyncio.run(KenesBot(settings).run())
    except TelegramUnauthorizedError:
        sys.stderr.write("error: Telegram rejected KENES_BOT__TOKEN (check the token from @BotFather)\n")
        raise SystemExit(2) from None
    except TelegramAPIError as exc:  # only at start-up: once polling, aiogram retries by itself
        where = settings.telegram_api_url or "api.telegram.org"
        sys.stderr.write(f"error: cannot reach the Telegram Bot API at {where}: {exc.message}\n")
        raise SystemExit(1) from None
