"""Which messages are questions: any text in a private chat; in a group only a text that
mentions the bot (@name) or replies to one of its messages, so the bot stays quiet otherwise."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import Message


class Addressed(Filter):
    """Passes the question text, with the bot's mention removed, as `question`."""

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        text = message.text
        if not text or text.startswith("/"):
            return False
        if message.chat.type == ChatType.PRIVATE:
            return {"question": text.strip()}
        me = await bot.me()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
            return {"question": _strip_mention(text, me.username).strip()}
        mentioned = False
        for entity in message.entities or []:
            if entity.type == "mention" and me.username:
                mentioned |= entity.extract_from(text).lower() == f"@{me.username.lower()}"
            elif entity.type == "text_mention" and entity.user is not None and entity.user.id == me.id:
                text = text.replace(entity.extract_from(text), " ", 1)
                mentioned = True
        if not mentioned:
            return False
        return {"question": _strip_mention(text, me.username).strip()}


def _strip_mention(text: str, username: str | None) -> str:
    if not username:
        return text
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
