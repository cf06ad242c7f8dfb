"""Filters, the error handler, settings and sending fallbacks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import SendMessage
from aiogram.types import ErrorEvent, Update

from bots.telegram.api import ApiError, ApiUnavailable
from bots.telegram.errors import on_error, user_message
from bots.telegram.filters import Addressed
from bots.telegram.memory import ChatMemory
from bots.telegram.replies import send_chunks, send_html
from bots.telegram.settings import BotSettings
from tests.unit.bots.fakes import BOT_USER, FakeBot, make_callback, make_message


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def _mention(text: str, word: str) -> dict[str, Any]:
    return {"type": "mention", "offset": text.index(word), "length": len(word)}


def test_private_text_is_a_question_but_commands_are_not() -> None:
    bot = FakeBot()
    assert run(Addressed()(make_message(" Кто? "), bot)) == {"question": "Кто?"}  # type: ignore[arg-type]
    assert run(Addressed()(make_message("/help"), bot)) is False  # type: ignore[arg-type]


def test_group_needs_a_mention_or_a_reply() -> None:
    bot = FakeBot()
    plain = make_message("обед?", chat_id=-5, chat_type="group")
    assert run(Addressed()(plain, bot)) is False  # type: ignore[arg-type]
    text = "@Kenes_Bot кто ведёт реестр?"
    mention = make_message(text, chat_id=-5, chat_type="group", entities=[_mention(text, "@Kenes_Bot")])
    assert run(Addressed()(mention, bot)) == {"question": "кто ведёт реестр?"}  # type: ignore[arg-type]
    other = "@other_bot кто?"
    elsewhere = make_message(other, chat_id=-5, chat_type="group", entities=[_mention(other, "@other_bot")])
    assert run(Addressed()(elsewhere, bot)) is False  # type: ignore[arg-type]
    ours = make_message("ответ", chat_id=-5, chat_type="group", user=BOT_USER)
    reply = make_message("а срок?", chat_id=-5, chat_type="supergroup", reply_to=ours)
    assert run(Addressed()(reply, bot)) == {"question": "а срок?"}  # type: ignore[arg-type]


def test_user_messages_for_api_errors() -> None:
    assert "недоступен" in user_message(ApiUnavailable("refused"), "ru")
    assert "уақытында" in user_message(ApiUnavailable("slow", timeout=True), "kk")
    assert "12 с" in user_message(ApiError(429, "rate_limited", "…", retry_after=12), "ru")
    assert user_message(ApiError(422, "question_rejected", "Вопрос пуст. / Сұрақ бос."), "kk") == "Сұрақ бос."


def _error_event(update: dict[str, Any], exc: Exception) -> ErrorEvent:
    return ErrorEvent(update=Update.model_validate({"update_id": 1, **update}), exception=exc)


def test_error_handler_tells_the_user_and_keeps_going() -> None:
    bot, memory = FakeBot(), ChatMemory()
    event = _error_event({"message": make_message("вопрос")}, ApiUnavailable("refused"))
    assert run(on_error(event, bot, memory)) is True
    assert "недоступен" in bot.sent[0]["text"]

    crash = _error_event({"callback_query": make_callback("s|ru|0|a#st1")}, RuntimeError("bug"))
    assert run(on_error(crash, bot, memory)) is True
    assert bot.answered[0]["show_alert"] and "не так" in bot.answered[0]["text"]


def test_error_handler_only_logs_telegram_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bots.telegram.errors")
    bot = FakeBot()
    blocked = TelegramForbiddenError(
        method=SendMessage(chat_id=7, text="x"), message="bot was blocked by the user"
    )
    assert run(on_error(_error_event({"message": make_message("x")}, blocked), bot, ChatMemory())) is True
    assert not bot.sent and "blocked" in caplog.text


def test_unparsable_html_is_resent_as_plain_text() -> None:
    bot = FakeBot()
    bot.errors.append(
        TelegramBadRequest(method=SendMessage(chat_id=1, text=""), message="can't parse entities")
    )
    run(send_html(bot, 1, "<b>[1]</b> a &amp; b"))  # type: ignore[arg-type]
    assert bot.sent[0]["text"] == "[1] a & b" and bot.sent[0]["parse_mode"] is None


def test_too_long_is_split_finer_and_keyboard_stays_on_the_last_piece() -> None:
    bot = FakeBot()
    bot.errors.append(
        TelegramBadRequest(method=SendMessage(chat_id=1, text=""), message="message is too long")
    )
    run(send_chunks(bot, 1, ["Первое предложение. " * 10], reply_markup="KB", reply_to=5))  # type: ignore[arg-type]
    assert len(bot.sent) == 2
    assert bot.sent[0]["reply_markup"] is None and bot.sent[1]["reply_markup"] == "KB"
    assert bot.sent[0]["reply_parameters"].message_id == 5 and bot.sent[1]["reply_parameters"] is None


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KENES_BOT__TOKEN", "1:abc")
    monkeypatch.setenv("KENES_BOT__API_TOKEN", "svc")
    monkeypatch.setenv("KENES_BOT__TELEGRAM_API_URL", "http://127.0.0.1:8081")
    settings = BotSettings()  # type: ignore[call-arg]
    assert settings.token.get_secret_value() == "1:abc" and "svc" not in repr(settings)
    assert settings.api_url == "http://127.0.0.1:8000" and settings.rate_limit_per_minute == 20
    assert settings.request_timeout_s == 120


def test_bot_uses_a_self_hosted_bot_api_server() -> None:
    from bots.telegram.app import create_bot

    settings = BotSettings(token="1:abc", api_token="svc", telegram_api_url="http://10.0.0.5:8081/")  # type: ignore[arg-type]
    bot = create_bot(settings)
    assert bot.session.api.api_url(bot.token, "getMe") == "http://10.0.0.5:8081/bot1:abc/getMe"
    run(bot.session.close())


def test_question_handler_keeps_the_conversation_and_puts_buttons_last() -> None:
    from bots.telegram.handlers.questions import question
    from bots.telegram.memory import ChatState
    from tests.unit.bots.fakes import FakeApi

    bot, api, state = FakeBot(), FakeApi({7}), ChatState(lang="kk")
    run(question(make_message("Кто?"), bot, api, state, "kk", "Кто?"))
    run(question(make_message("А срок?"), bot, api, state, "kk", "А срок?"))
    assert bot.actions and bot.actions[0]["action"] == "typing"
    assert api.asked[0]["conversation_id"] is None and api.asked[1]["conversation_id"] == "c1"
    assert api.asked[1]["lang"] == "kk"
    assert state.last_answer is not None and state.answer("a1") is state.last_answer
    assert "<b>[1]</b>" in bot.sent[-1]["text"] and bot.sent[-1]["reply_markup"] is not None


def test_source_button_opens_then_pages_in_place() -> None:
    from bots.telegram.handlers.sources import source_button
    from bots.telegram.keyboards import OPEN, PAGE, pack_source
    from tests.unit.bots.fakes import FakeApi

    bot, api = FakeBot(), FakeApi({7})
    run(source_button(make_callback(pack_source(OPEN, "a#st1", "ru")), bot, api, "ru"))
    assert "Текст статьи." in bot.sent[0]["text"] and not bot.edited
    run(source_button(make_callback(pack_source(PAGE, "a#st1", "ru", 0)), bot, api, "ru"))
    assert len(bot.sent) == 1 and "Текст статьи." in bot.edited[0]["text"]
