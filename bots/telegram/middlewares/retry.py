"""Flood control for every Telegram request: on 429 wait the time Telegram asks for and retry,
a few times, instead of losing the message. Long polling is left to aiogram's own backoff."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_retries: int = 3, max_wait_s: float = 60.0) -> None:
        self.max_retries = max_retries
        self.max_wait_s = max_wait_s

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                name = type(method).__name__
                if isinstance(method, GetUpdates) or attempt > self.max_retries:
                    raise
                if exc.retry_after > self.max_wait_s:
                    log.warning("flood control on %s asks %s s; giving up", name, exc.retry_after)
                    raise
                log.warning("flood control on %s: retry %d in %s s", name, attempt, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
