"""The access, throttling, context and flood-control middlewares, with fake collaborators."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, SendMessage

from bots.telegram.api import AccessDenied, ApiUnavailable
from bots.telegram.memory import ChatMemory
from bots.telegram.middlewares import (
    AccessMiddleware,
    ChatContextMiddleware,
    RetryAfterMiddleware,
    ThrottlingMiddleware,
)
from tests.unit.bots.fakes import FakeApi, FakeBot, handler_data, make_callback, make_message, make_user


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Handler:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error

    async def __call__(self, event: Any, data: dict[str, Any]) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return "handled"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# -- access -----------------------------------------------------------------------------------


def test_allowed_user_reaches_the_handler_and_is_remembered() -> None:
    api, bot, handler, clock = FakeApi({7}), FakeBot(), Handler(), Clock()
    mw = AccessMiddleware(api, clock=clock)  # type: ignore[arg-type]
    for _ in range(3):
        assert run(mw(handler, make_message("вопрос"), handler_data(bot))) == "handled"
    assert handler.calls == 3 and api.me_calls == [7]  # asked the API once
    clock.now += 301
    run(mw(handler, make_message("вопрос"), handler_data(bot)))
    assert api.me_calls == [7, 7]  # the admission expired and was checked again


def test_stranger_is_refused_politely_and_the_refusal_is_cached() -> None:
    api, bot, handler, clock = FakeApi(), FakeBot(), Handler(), Clock()
    mw = AccessMiddleware(api, clock=clock)  # type: ignore[arg-type]
    user = make_user(99)
    for _ in range(3):
        assert (
            run(mw(handler, make_message("вопрос", user=user, chat_id=99), handler_data(bot, user, 99)))
            is None
        )
    assert handler.calls == 0
    assert api.me_calls == [99]  # later attempts answered from the negative cache
    assert len(bot.sent) == 3 and "нет доступа" in bot.sent[0]["text"] and "99" in bot.sent[0]["text"]
    clock.now += 61
    api.allowed.add(99)  # an admin added the user: they get in once the refusal expires
    assert (
        run(mw(handler, make_message("вопрос", user=user, chat_id=99), handler_data(bot, user, 99)))
        == "handled"
    )


def test_a_button_press_by_a_stranger_gets_an_alert() -> None:
    api, bot = FakeApi(), FakeBot()
    mw = AccessMiddleware(api)  # type: ignore[arg-type]
    run(mw(Handler(), make_callback("s|ru|0|a#st1"), handler_data(bot)))
    assert bot.answered and bot.answered[0]["show_alert"] is True and not bot.sent


def test_a_403_from_a_later_call_refuses_and_caches() -> None:
    api, bot = FakeApi({7}), FakeBot()
    mw = AccessMiddleware(api)  # type: ignore[arg-type]
    removed = Handler(AccessDenied(403, "forbidden", "not allowed"))
    assert run(mw(removed, make_message("вопрос"), handler_data(bot))) is None
    assert "нет доступа" in bot.sent[0]["text"]
    fine = Handler()
    run(mw(fine, make_message("вопрос"), handler_data(bot)))
    assert fine.calls == 0  # refused from the cache, without asking again
    assert api.me_calls == [7]


def test_api_down_during_the_check_goes_to_the_error_handler() -> None:
    api = FakeApi({7})
    api.down = ApiUnavailable("connection refused")
    mw = AccessMiddleware(api)  # type: ignore[arg-type]
    with pytest.raises(ApiUnavailable):
        run(mw(Handler(), make_message("вопрос"), handler_data(FakeBot())))
    api.down = None
    assert run(mw(Handler(), make_message("вопрос"), handler_data(FakeBot()))) == "handled"  # not cached


def test_updates_without_a_user_are_ignored() -> None:
    api, handler = FakeApi(), Handler()
    data = handler_data(FakeBot())
    data["event_from_user"] = None
    assert run(AccessMiddleware(api)(handler, make_message("x"), data)) is None  # type: ignore[arg-type]
    assert handler.calls == 0 and not api.me_calls


# -- throttling -------------------------------------------------------------------------------


def test_token_bucket_refills_over_time() -> None:
    clock = Clock()
    bucket = ThrottlingMiddleware(2, clock=clock).bucket
    assert bucket.acquire(1) == 0 and bucket.acquire(1) == 0
    assert bucket.acquire(1) == pytest.approx(30.0)
    assert bucket.acquire(2) == 0  # per user
    clock.now += 30
    assert bucket.acquire(1) == 0
    assert ThrottlingMiddleware(0).bucket.acquire(1) == 0  # disabled


def test_throttling_warns_once_per_stretch_and_drops_the_rest() -> None:
    clock, bot, handler = Clock(), FakeBot(), Handler()
    mw = ThrottlingMiddleware(2, clock=clock)
    results = [run(mw(handler, make_message("вопрос"), handler_data(bot))) for _ in range(5)]
    assert results == ["handled", "handled", None, None, None]
    assert handler.calls == 2
    assert len(bot.sent) == 1 and "подождите 30 с" in bot.sent[0]["text"]
    clock.now += 31
    assert run(mw(handler, make_message("вопрос"), handler_data(bot))) == "handled"


def test_throttled_button_press_is_answered() -> None:
    bot = FakeBot()
    mw = ThrottlingMiddleware(1, clock=Clock())
    run(mw(Handler(), make_callback("n"), handler_data(bot)))
    run(mw(Handler(), make_callback("n"), handler_data(bot)))
    assert len(bot.answered) == 1 and "Слишком много" in bot.answered[0]["text"]


# -- context ----------------------------------------------------------------------------------


def test_context_gives_the_chat_state_and_language() -> None:
    memory = ChatMemory()
    mw = ChatContextMiddleware(memory)
    seen: dict[str, Any] = {}

    async def handler(event: Any, data: dict[str, Any]) -> None:
        seen.update(data)

    data = handler_data(FakeBot(), make_user(7, "kk"))
    run(mw(handler, make_message("x"), data))
    assert seen["lang"] == "kk" and seen["chat_state"] is memory.peek(7)
    memory.get(7).lang = "ru"  # /lang ru wins over the Telegram language
    run(mw(handler, make_message("x"), handler_data(FakeBot(), make_user(7, "kk"))))
    assert seen["lang"] == "ru"


# -- flood control ----------------------------------------------------------------------------


def test_flood_control_waits_and_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("bots.telegram.middlewares.retry.asyncio.sleep", no_sleep)
    method = SendMessage(chat_id=1, text="x")
    attempts = {"n": 0}

    async def make_request(bot: Any, m: Any) -> str:
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise TelegramRetryAfter(method=m, message="Too Many Requests", retry_after=2)
        return "sent"

    mw = RetryAfterMiddleware(max_retries=3)
    assert run(mw(make_request, None, method)) == "sent"  # type: ignore[arg-type]
    assert slept == [2, 2]

    attempts["n"] = -10  # always failing: gives up after max_retries
    with pytest.raises(TelegramRetryAfter):
        run(mw(make_request, None, method))  # type: ignore[arg-type]


def test_flood_control_leaves_polling_and_long_waits_alone() -> None:
    async def make_request(bot: Any, m: Any) -> str:
        raise TelegramRetryAfter(method=m, message="Too Many Requests", retry_after=500)

    with pytest.raises(TelegramRetryAfter):
        run(RetryAfterMiddleware()(make_request, None, GetUpdates()))  # type: ignore[arg-type]
    with pytest.raises(TelegramRetryAfter):
        run(RetryAfterMiddleware()(make_request, None, SendMessage(chat_id=1, text="x")))  # type: ignore[arg-type]
