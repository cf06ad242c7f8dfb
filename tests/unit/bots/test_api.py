"""The API client against a small aiohttp stand-in: headers, URL quoting and error mapping."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bots.telegram.api import AccessDenied, ApiError, ApiUnavailable, KenesApi

Scenario = Callable[[KenesApi, list[web.Request]], Awaitable[None]]


def _with_server(routes: list[web.RouteDef], scenario: Scenario, timeout_s: float = 5.0) -> None:
    async def main() -> None:
        seen: list[web.Request] = []

        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            seen.append(request)
            return await handler(request)

        app = web.Application(middlewares=[record])
        app.add_routes(routes)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        api = KenesApi(str(server.make_url("")), "service-token", timeout_s=timeout_s)
        try:
            await scenario(api, seen)
        finally:
            await api.close()
            await server.close()

    asyncio.run(main())


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


def test_ask_relays_the_telegram_user_and_parses_the_answer() -> None:
    async def ask(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(
            {
                "answer_id": "a1",
                "conversation_id": body.get("conversation_id") or "c-new",
                "answer": "Ответ [1].",
                "lang": "ru",
                "refused": False,
                "citations": [{"n": 1, "citation": "x#st1", "kind": "act", "title": "Статья 1"}],
                "extra": "ignored",
            }
        )

    async def scenario(api: KenesApi, seen: list[web.Request]) -> None:
        answer = await api.ask(42, "Вопрос?", lang="kk", conversation_id="c-old")
        assert answer.conversation_id == "c-old" and answer.citations[0].citation == "x#st1"
        assert seen[0].headers["Authorization"] == "Bearer service-token"
        assert seen[0].headers["X-Kenes-Telegram-User"] == "42"

    _with_server([web.post("/api/ask", ask)], scenario)


def test_source_citation_is_quoted_whole() -> None:
    async def source(request: web.Request) -> web.Response:
        return web.json_response(
            {"citation": request.match_info["c"], "text": "…", "lang": request.query["lang"]}
        )

    async def scenario(api: KenesApi, seen: list[web.Request]) -> None:
        got = await api.source(1, "public-services#st9-1", "kk")
        assert got.citation == "public-services#st9-1"
        assert "%23" in seen[0].raw_path and "lang=kk" in seen[0].raw_path

    _with_server([web.get("/api/sources/{c}", source)], scenario)


def test_errors_are_mapped() -> None:
    async def me(request: web.Request) -> web.Response:
        return _error(403, "forbidden", "Не допущен. / Рұқсат жоқ.")

    async def ask(request: web.Request) -> web.Response:
        return _error(429, "rate_limited", "Слишком много", **{"Retry-After": "7"})

    async def feedback(request: web.Request) -> web.Response:
        return _error(503, "index_not_ready", "Индекс не готов")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="not json", status=502)

    async def scenario(api: KenesApi, seen: list[web.Request]) -> None:
        with pytest.raises(AccessDenied):
            await api.me(1)
        with pytest.raises(ApiError) as busy:
            await api.ask(1, "?")
        assert busy.value.status == 429 and busy.value.retry_after == 7
        with pytest.raises(ApiUnavailable):
            await api.feedback(1, "a", 1)
        assert await api.health() is False

    routes = [web.get("/api/me", me), web.post("/api/ask", ask), web.post("/api/feedback", feedback)]
    _with_server([*routes, web.get("/health", health)], scenario)


def test_slow_api_is_a_timeout() -> None:
    async def ask(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({})

    async def scenario(api: KenesApi, seen: list[web.Request]) -> None:
        with pytest.raises(ApiUnavailable) as slow:
            await api.ask(1, "?")
        assert slow.value.timeout

    _with_server([web.post("/api/ask", ask)], scenario, timeout_s=0.3)


def test_api_down_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def main() -> None:
        api = KenesApi(f"http://127.0.0.1:{port}", "t")
        try:
            with pytest.raises(ApiUnavailable) as down:
                await api.ask(1, "?")
            assert not down.value.timeout
        finally:
            await api.close()

    asyncio.run(main())
