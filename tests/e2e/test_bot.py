"""The Telegram bot end to end: the real aiogram polling loop (`KenesBot`) against a local Bot API
stand-in (`fake_telegram.py`) and the real Kenes API (demo index, fake LLM) under uvicorn, both
on loopback. Nothing is mocked between the bot and the API."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from assistant.container import Container
from assistant.db.models import AuditLog, Feedback
from assistant.db.session import Database
from bots.telegram.app import KenesBot
from bots.telegram.settings import BotSettings
from tests.e2e.fake_telegram import MESSAGE_LIMIT, FakeTelegram, buttons, parse_html, utf16_len
from tests.live_server import free_port, serving

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

TOKEN = "123456789:TEST-kenes-bot-token"
REGISTRY_QUESTION = "Кто обеспечивал работу проектного офиса программы «Рухани жаңғыру»?"
LONG_QUESTION = "Перечислите все функции Министерства информации и общественного развития"
GROUP_QUESTION = "Какой орган обеспечивал деятельность Проектного офиса «Рухани жаңғыру»?"


@dataclass
class LiveApi:
    base: str
    service_token: str
    db: Database
    allowed_id: int
    allowed_user_id: int


@pytest.fixture(scope="module")
def live_api(demo_container: Container) -> Iterator[LiveApi]:
    from assistant.api.app import create_app
    from assistant.db.users import add_user

    app = create_app(demo_container)
    db: Database = app.state.kenes.db
    db.open()
    suffix = time.monotonic_ns() % 1_000_000  # the session's database may already hold users
    _, service_token = add_user(db, f"telegram-bot-{suffix}", "service")
    allowed_id = 500_000_000 + suffix
    user, _ = add_user(db, f"Ерлан Сапаров {suffix}", "user", telegram_id=allowed_id)

    with serving(app) as base:
        yield LiveApi(base, service_token, db, allowed_id, user.id)


def _audit_rows(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def _audit_questions(db: Database) -> list[tuple[int | None, str, str]]:
    with db.session() as s:
        return [(r.user_id, r.channel, r.question) for r in s.scalars(select(AuditLog))]


class Chat:
    """One Telegram chat as the test sees it: what the bot sent there."""

    def __init__(self, tg: FakeTelegram, chat_id: int) -> None:
        self.tg, self.chat_id = tg, chat_id

    def sent(self) -> list[dict[str, Any]]:
        return [c.params for c in self.tg.calls_of("sendMessage", chat_id=self.chat_id) if c.ok]

    async def next_messages(self, before: int, *, until_keyboard: bool = False) -> list[dict[str, Any]]:
        """The messages sent after the first `before` ones (all of them up to one with a keyboard)."""

        def ready() -> list[dict[str, Any]] | None:
            new = self.sent()[before:]
            if not new:
                return None
            if until_keyboard and "reply_markup" not in new[-1]:
                return None
            return new

        result: list[dict[str, Any]] = await self.tg.wait_for(ready, timeout=120)
        return result


def _stored(tg: FakeTelegram, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The message object the fake returned for a sendMessage call (to press its buttons)."""
    for (cid, _), message in reversed(tg.messages.items()):
        if cid == chat_id and message["text"] == params["text"]:
            return message
    raise AssertionError("sent message not stored")


async def _scenario(api: LiveApi) -> None:
    tg = FakeTelegram(TOKEN)
    await tg.start()
    settings = BotSettings(
        token=TOKEN,  # type: ignore[arg-type]
        api_url=api.base,
        api_token=api.service_token,  # type: ignore[arg-type]
        telegram_api_url=tg.base_url,
        rate_limit_per_minute=60,
        request_timeout_s=60,
    )
    kenes = KenesBot(settings)
    polling = asyncio.create_task(kenes.run(handle_signals=False, polling_timeout=2))
    try:
        await tg.wait_for(lambda: tg.calls_of("getUpdates"), timeout=30)
        assert tg.calls_of("getMe") and tg.calls_of("deleteWebhook")

        # --- an allowlisted user asks; a cited answer with source buttons comes back ----------
        user = tg.user(api.allowed_id, "Ерлан")
        chat = Chat(tg, api.allowed_id)
        tg.send_text(user, "/start")
        intro = (await chat.next_messages(0))[0]["text"]
        assert "Kenes" in intro and "Сұрағыңызды" in intro  # both languages

        before_rows = _audit_rows(api.db)
        count = len(chat.sent())
        tg.send_text(user, REGISTRY_QUESTION)
        answer = (await chat.next_messages(count, until_keyboard=True))[-1]
        assert tg.calls_of("sendChatAction", chat_id=api.allowed_id, action="typing")
        assert "Министерство информации и общественного развития" in answer["text"]
        assert "<b>[1]</b>" in answer["text"] and parse_html(answer["text"]) is not None
        source_buttons = [b for b in buttons(answer) if b["callback_data"].startswith("s|")]
        assert source_buttons and source_buttons[0]["text"].startswith("[1]")
        rows = _audit_questions(api.db)
        assert len(rows) == before_rows + 1
        assert rows[-1][:2] == (api.allowed_user_id, "bot")
        conversation = kenes.memory.peek(api.allowed_id)
        assert conversation is not None and conversation.conversation_id
        first_conversation = conversation.conversation_id

        # --- pressing a source button shows the cited registry row ------------------------------
        answer_message = _stored(tg, api.allowed_id, answer)
        count = len(chat.sent())
        cb = tg.press(user, answer_message, source_buttons[0]["callback_data"])
        source = (await chat.next_messages(count))[0]
        await tg.wait_for(lambda: tg.calls_of("answerCallbackQuery", callback_query_id=cb))
        assert "MIOR-C-097" in source["text"]
        assert "Проектного офиса" in source["text"] and "утратил силу" in source["text"]

        # --- the statute paragraph is long: paged, ▶ edits the message in place -----------------
        statute = next(b for b in source_buttons if "mior-statute" in b["callback_data"])
        count = len(chat.sent())
        tg.press(user, answer_message, statute["callback_data"])
        page1 = (await chat.next_messages(count))[0]
        nav = [b for b in buttons(page1) if b["text"] == "▶"]
        assert nav, "a long article should come with ◀ ▶ buttons"
        assert utf16_len(page1["text"]) <= MESSAGE_LIMIT
        tg.press(user, _stored(tg, api.allowed_id, page1), nav[0]["callback_data"])
        edit = await tg.wait_for(lambda: tg.calls_of("editMessageText", chat_id=api.allowed_id))
        assert edit[0].ok and edit[0].params["text"] != page1["text"]
        assert any(b["text"] == "◀" for b in buttons(edit[0].params))

        # --- 👍 goes to the same feedback store as the web chat ----------------------------------
        thumbs = next(b for b in buttons(answer) if b["text"] == "👍")
        cb = tg.press(user, answer_message, thumbs["callback_data"])
        await tg.wait_for(lambda: tg.calls_of("answerCallbackQuery", callback_query_id=cb))
        with api.db.session() as s:
            ratings = list(s.scalars(select(Feedback.rating).where(Feedback.user_id == api.allowed_user_id)))
        assert ratings == [1]

        # --- a long list comes as one message paged in place with ◀ ▶, not a wall of text -------
        count = len(chat.sent())
        tg.send_text(user, LONG_QUESTION)
        (listed,) = await chat.next_messages(count, until_keyboard=True)
        assert utf16_len(listed["text"]) <= MESSAGE_LIMIT and parse_html(listed["text"]) is not None
        assert "Список: стр. 1 из" in listed["text"]
        assert "kenes analytics" not in listed["text"] and "странице аналитики" not in listed["text"]
        labels = [b["text"] for b in buttons(listed)]
        assert "▶" in labels and "◀" not in labels and "👍" in labels
        next_page = next(b for b in buttons(listed) if b["text"] == "▶")
        edits = len(tg.calls_of("editMessageText", chat_id=api.allowed_id))
        cb = tg.press(user, _stored(tg, api.allowed_id, listed), next_page["callback_data"])
        await tg.wait_for(lambda: tg.calls_of("answerCallbackQuery", callback_query_id=cb))
        page2 = tg.calls_of("editMessageText", chat_id=api.allowed_id)[edits:]
        assert page2 and page2[0].ok
        assert "Список: стр. 2 из" in page2[0].params["text"] and page2[0].params["text"] != listed["text"]
        assert "◀" in [b["text"] for b in buttons(page2[0].params)]
        assert kenes.memory.peek(api.allowed_id).conversation_id == first_conversation  # type: ignore[union-attr]

        # --- /sources lists the sources of the last answer ---------------------------------------
        count = len(chat.sent())
        tg.send_text(user, "/sources")
        listing = await chat.next_messages(count, until_keyboard=True)
        assert "Источники" in listing[0]["text"] and "[1]" in listing[0]["text"]

        # --- a user who is not on the allowlist is refused; nothing reaches the model ------------
        stranger_id = api.allowed_id + 1
        stranger = tg.user(stranger_id, "Гость")
        rows_before = _audit_rows(api.db)
        tg.send_text(stranger, REGISTRY_QUESTION)
        refusal = (await Chat(tg, stranger_id).next_messages(0))[0]
        assert "нет доступа" in refusal["text"] and str(stranger_id) in refusal["text"]
        tg.send_text(stranger, "ещё раз: " + REGISTRY_QUESTION)  # refused again, from the cache
        await Chat(tg, stranger_id).next_messages(1)
        assert not tg.calls_of("sendChatAction", chat_id=stranger_id)
        assert _audit_rows(api.db) == rows_before
        # bot rows only: the browser tests of the same session ask this question on the web
        assert all(
            q != REGISTRY_QUESTION or uid == api.allowed_user_id
            for uid, channel, q in _audit_questions(api.db)
            if channel == "bot"
        )

        # --- in a group the bot answers only when mentioned, and only if the group itself is
        # allow-listed (its members may not be): elsewhere it stays silent -----------------------
        from assistant.db.users import add_user

        group_id = -100_000_000_000 - api.allowed_id
        other_group = {"id": group_id - 1, "type": "supergroup", "title": "Чужой отдел"}
        tg.send_text(user, f"@{tg.me['username']} {GROUP_QUESTION}", chat=other_group)
        add_user(api.db, f"Отдел {group_id}", "user", telegram_id=group_id)
        group = {"id": group_id, "type": "supergroup", "title": "Отдел"}
        group_chat = Chat(tg, group_id)
        tg.send_text(user, "коллеги, кто идёт на обед?", chat=group)
        tg.send_text(user, f"@{tg.me['username']} {GROUP_QUESTION}", chat=group)
        group_answer = await group_chat.next_messages(0, until_keyboard=True)
        assert len(group_chat.sent()) == len(group_answer)
        assert "Проектного офиса" in group_answer[0]["text"]
        assert Chat(tg, group_id - 1).sent() == []

        # --- flood control: the bot waits as told and delivers -----------------------------------
        count = len(chat.sent())
        tg.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        tg.send_text(user, "/help")
        help_text = (await chat.next_messages(count))[0]["text"]
        assert "/sources" in help_text
        assert [c.ok for c in tg.calls_of("sendMessage", chat_id=api.allowed_id)][-2:] == [False, True]

        # --- the API is down: a clear message, and the bot keeps running -------------------------
        live_base = kenes.api.base_url
        kenes.api.base_url = f"http://127.0.0.1:{free_port()}"
        count = len(chat.sent())
        tg.send_text(user, "Что такое государственная услуга?")
        down = (await chat.next_messages(count))[0]["text"]
        assert "недоступен" in down
        kenes.api.base_url = live_base
        tg.send_text(user, REGISTRY_QUESTION)
        again = await chat.next_messages(count + 1, until_keyboard=True)
        assert "Министерство информации" in again[-1]["text"]
        assert not polling.done()

        failed = [c for c in tg.calls if not c.ok]
        assert len(failed) == 1, tg.summary()  # only the injected flood control
    finally:
        await kenes.stop()
        await asyncio.wait_for(polling, 30)
        await tg.stop()


def test_bot_end_to_end(live_api: LiveApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bots.telegram.app")
    asyncio.run(_scenario(live_api))
    # one start-up line names the bot, the API it talks to and how many may use it
    started = [r.getMessage() for r in caplog.records if "starting" in r.getMessage()]
    assert started and "@kenes_test_bot" in started[0] and live_api.base in started[0], started
    assert re.search(r"allow-list: [1-9]\d* Telegram user", started[0]), started
