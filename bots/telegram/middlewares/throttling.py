"""Per-user rate limit in the bot itself, so a user who floods the chat is slowed down before
anything reaches the API (which has its own, per-account limit as well)."""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, User

from bots.telegram.replies import notify
from bots.telegram.texts import t

log = logging.getLogger(__name__)


class TokenBucket:
    """`per_minute` tokens a minute per key, bursts up to the same number; 0 disables."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def acquire(self, key: int) -> float:
        """Take a token: 0.0 when allowed, else the seconds until the next one."""
        if self.per_minute <= 0:
            return 0.0
        capacity = float(self.per_minute)
        rate = capacity / 60.0
        now = self._clock()
        tokens, at = self._buckets.pop(key, (capacity, now))
        tokens = min(capacity, tokens + (now - at) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return wait


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.bucket = TokenBucket(per_minute, clock=clock)
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
