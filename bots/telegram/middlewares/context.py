"""Puts the chat's remembered state and the language to talk in into the handler data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bots.telegram.memory import ChatMemory, ChatState


class ChatContextMiddleware(BaseMiddleware):
    def __init__(self, memory: ChatMemory) -> None:
        self.memory = memory

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        state = self.memory.get(chat.id) if chat is not None else ChatState()
        data["chat_state"] = state
        data["lang"] = state.ui_lang(user.language_code if user else None)
        return await handler(event, data)
