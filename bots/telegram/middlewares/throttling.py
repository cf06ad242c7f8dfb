"""Per-user rate limit in the bot itself, so a user who floods the chat is slowed down before
anything reaches the API (which has its own, per-account limit as well)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, User

from assistant.ratelimit import RateLimiter
from bots.telegram.replies import notify
from bots.telegram.texts import t

log = logging.getLogger(__name__)


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.bucket = RateLimiter(per_minute, clock=clock)
        self._clock = clock
        # one warning per throttled stretch: a flood of messages must not become a flood of replies
        self._warned_until: dict[int, float] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        wait = self.bucket.acquire(user.id)
        if wait <= 0:
            return await handler(event, data)
        now = self._clock()
        if self._warned_until.get(user.id, 0.0) <= now:
            self._warned_until[user.id] = now + wait
            if len(self._warned_until) > 10_000:
                self._warned_until = {k: v for k, v in self._warned_until.items() if v > now}
            log.info("throttled Telegram user %s for %.1f s", user.id, wait)
            bot: Bot = data["bot"]
            await notify(bot, event, t("throttled", data.get("lang", "ru"), seconds=math.ceil(wait)))
        return None
