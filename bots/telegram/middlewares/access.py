"""The allowlist, as the API decides it: a Telegram user may use the bot only if a Kenes user
carries their id. The bot asks the API once (`/api/me`) and remembers the answer briefly, a
refusal for a shorter time than an admission is trusted, so newly added users get in quickly
and a refused user's retries never reach the API, let alone the model.

A 403 from any later API call (the user was removed meanwhile) also ends in the refusal.

In a group every member reads the answers, so the bot answers there only when the group chat
itself is allow-listed (a Kenes user carries the group's chat id, e.g.
`kenes users add team-x --role user --telegram-id -1001234567890`), and stays silent otherwise:
a refusal in the group would only advertise the bot."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User

from bots.telegram.api import AccessDenied, KenesApi
from bots.telegram.replies import notify
from bots.telegram.texts import t

log = logging.getLogger(__name__)

ALLOW_TTL_S = 300.0
DENY_TTL_S = 60.0
_MAX_ENTRIES = 10_000


class _Expiring:
    def __init__(self, ttl_s: float, clock: Callable[[], float]) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._until: dict[int, float] = {}

    def __contains__(self, key: int) -> bool:
        return self._until.get(key, 0.0) > self._clock()

    def add(self, key: int) -> None:
        now = self._clock()
        self._until[key] = now + self.ttl_s
        if len(self._until) > _MAX_ENTRIES:
            self._until = {k: v for k, v in self._until.items() if v > now}

    def discard(self, key: int) -> None:
        self._until.pop(key, None)


class AccessMiddleware(BaseMiddleware):
    def __init__(
        self,
        api: KenesApi,
        *,
        allow_ttl_s: float = ALLOW_TTL_S,
        deny_ttl_s: float = DENY_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.allowed = _Expiring(allow_ttl_s, clock)
        self.denied = _Expiring(deny_ttl_s, clock)
        self.groups_allowed = _Expiring(allow_ttl_s, clock)
        self.groups_denied = _Expiring(deny_ttl_s, clock)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None  # channel posts, other bots: nobody to authorise
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type != ChatType.PRIVATE and not await self._group_allowed(chat.id):
            return None
        if user.id in self.denied:
            return await self._refuse(event, data, user)
        if user.id not in self.allowed:
            try:
                await self.api.me(user.id)
            except AccessDenied:
                return await self._refuse(event, data, user)
            self.allowed.add(user.id)
        try:
            return await handler(event, data)
        except AccessDenied:
            return await self._refuse(event, data, user)

    async def _group_allowed(self, chat_id: int) -> bool:
        if chat_id in self.groups_allowed:
            return True
        if chat_id in self.groups_denied:
            return False
        try:
            await self.api.me(chat_id)
        except AccessDenied:
            log.info("group chat %s is not on the allowlist; staying silent there", chat_id)
            self.groups_denied.add(chat_id)
            return False
        self.groups_allowed.add(chat_id)
        return True

    async def _refuse(self, event: TelegramObject, data: dict[str, Any], user: User) -> None:
        if user.id not in self.denied:
            log.info("Telegram user %s is not on the allowlist", user.id)
        self.allowed.discard(user.id)
        self.denied.add(user.id)
        bot: Bot = data["bot"]
        await notify(bot, event, t("denied", data.get("lang", "ru"), telegram_id=user.id))
