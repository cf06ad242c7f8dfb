"""Stand-ins for the bot's collaborators: a Telegram Bot that records what it was asked to do,
a Kenes API with canned answers, and ready-made aiogram events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, Chat, Message, User

from bots.telegram.api import AccessDenied, AnswerView, ApiError, SourceView

BOT_USER = User(id=42, is_bot=True, first_name="Kenes", username="kenes_bot")


class FakeBot:
    id = BOT_USER.id

    def __init__(self) -> None:
        self.actions: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.edited: list[dict[str, Any]] = []
        self.answered: list[dict[str, Any]] = []
        self.errors: list[Exception] = []  # raised by the next send_message calls, in order

    async def me(self) -> User:
        return BOT_USER

    async def send_chat_action(self, **kwargs: Any) -> bool:
        self.actions.append(kwargs)
        return True

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append({"chat_id": chat_id, "text": text, **kwargs})
        return make_message(text, chat_id=chat_id, user=BOT_USER, message_id=100 + len(self.sent))

    async def edit_message_text(self, **kwargs: Any) -> bool:
        if self.errors:
            raise self.errors.pop(0)
        self.edited.append(kwargs)
        return True

    async def answer_callback_query(self, callback_query_id: str, **kwargs: Any) -> bool:
        self.answered.append({"id": callback_query_id, **kwargs})
        return True


class FakeApi:
    """Telegram ids in `allowed` pass `/api/me`; everything else is refused with 403."""

    def __init__(self, allowed: set[int] | None = None) -> None:
        self.allowed = allowed or set()
        self.me_calls: list[int] = []
        self.asked: list[dict[str, Any]] = []
        self.down: ApiError | None = None

    async def me(self, telegram_id: int) -> dict[str, Any]:
        self.me_calls.append(telegram_id)
        if self.down is not None:
            raise self.down
        if telegram_id not in self.allowed:
            raise AccessDenied(403, "forbidden", "Этот пользователь Telegram не допущен к Kenes. / …")
        return {"name": "user", "role": "user"}

    async def ask(self, telegram_id: int, question: str, **kwargs: Any) -> AnswerView:
        self.asked.append({"telegram_id": telegram_id, "question": question, **kwargs})
        await asyncio.sleep(0.05)  # long enough for the "typing…" sender to start
        return AnswerView(answer_id="a1", conversation_id="c1", answer=f"Ответ [1] на «{question}»")

    async def source(self, telegram_id: int, citation: str, lang: str = "ru") -> SourceView:
        return SourceView(citation=citation, title="Статья 1", text="Текст статьи.")


def make_user(user_id: int = 7, language_code: str | None = "ru") -> User:
    return User(id=user_id, is_bot=False, first_name="Айгерим", language_code=language_code)


def make_message(
    text: str,
    *,
    chat_id: int = 7,
    chat_type: str = "private",
    user: User | None = None,
    message_id: int = 1,
    reply_to: Message | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Message:
    return Message.model_validate(
        {
            "message_id": message_id,
            "date": datetime.now(UTC),
            "chat": Chat(id=chat_id, type=chat_type),
            "from_user": user or make_user(),
            "text": text,
            "reply_to_message": reply_to,
            "entities": entities,
        }
    )


def make_callback(data: str, *, user: User | None = None, message: Message | None = None) -> CallbackQuery:
    return CallbackQuery(
        id="cb1",
        from_user=user or make_user(),
        chat_instance="ci",
        data=data,
        message=message or make_message("ответ", user=BOT_USER, message_id=50),
    )


def handler_data(bot: FakeBot, user: User | None = None, chat_id: int = 7) -> dict[str, Any]:
    return {
        "bot": bot,
        "event_from_user": user or make_user(),
        "event_chat": Chat(id=chat_id, type="private"),
        "lang": "ru",
    }
