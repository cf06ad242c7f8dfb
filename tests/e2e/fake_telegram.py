"""A local stand-in for the Telegram Bot API (what a self-hosted `telegram-bot-api` serves at
`<base>/bot<token>/<method>`), enough for a real aiogram polling loop: getMe, getUpdates (long
poll), sendMessage, editMessageText, sendChatAction, answerCallbackQuery, deleteWebhook,
setMyCommands. Every call is recorded; tests queue updates and wait for calls.

It checks what real Telegram checks and a bot most easily gets wrong: the 4,096-character limit
and HTML that Telegram can parse (known tags, balanced, valid entities). Errors can be injected
(e.g. flood control) with `fail()`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MESSAGE_LIMIT = 4096
_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_RAW_FIELDS = {"text", "data", "description", "callback_data", "url"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True
    at: float = field(default_factory=time.monotonic)


def parse_html(text: str) -> str | None:
    """The visible text of Telegram HTML, or None where Telegram would say "can't parse entities"."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in re.finditer(r"<[^<>]*>|&[^&;\s<>]*;?|[<>]", text):
        out.append(text[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token.startswith("&"):
            if not _ENTITY.fullmatch(token):
                return None
            out.append("x")
            continue
        tag = _TAG.fullmatch(token)
        if tag is None or tag.group(2).lower() not in _ALLOWED_TAGS:
            return None
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if closing:
            if not stack or stack.pop() != name:
                return None
        else:
            stack.append(name)
    out.append(text[pos:])
    return None if stack else "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram:
    def __init__(self, token: str, *, bot_id: int = 777_000_001, username: str = "kenes_test_bot") -> None:
        self.token = token
        self.me = {"id": bot_id, "is_bot": True, "first_name": "Kenes", "username": username}
        self.calls: list[Call] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._failures: dict[str, list[dict[str, Any]]] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1") -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what users do --------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "Тест", language_code: str = "ru") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}

    def send_text(
        self,
        user: dict[str, Any],
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        entities = [
            {"type": "mention", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
            for m in re.finditer(r"@\w+", text)
        ]
        if text.startswith("/"):
            command = text.split()[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self._queue({"message": message})
        return message

    def press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> str:
        callback_id = f"cb{next(self._callback_ids)}"
        self._queue(
            {
                "callback_query": {
                    "id": callback_id,
                    "from": user,
                    "chat_instance": f"ci{message['chat']['id']}",
                    "message": message,
                    "data": data,
                }
            }
        )
        return callback_id

    def fail(self, method: str, error_code: int, description: str, **parameters: Any) -> None:
        """Make the next call of `method` fail like Telegram does (e.g. 429 with retry_after)."""
        error: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
        if parameters:
            error["parameters"] = parameters
        self._failures.setdefault(method, []).append(error)

    # -- what the test checks ---------------------------------------------------------------
    def calls_of(self, method: str, **match: Any) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met in {timeout} s; calls: {self.summary()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.2)

    def summary(self) -> list[str]:
        return [f"{c.method}{'' if c.ok else '!'}({c.params.get('chat_id', '')})" for c in self.calls[-30:]]

    # -- the Bot API ------------------------------------------------------------------------
    def _queue(self, update: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **update})
        self._changed.set()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
            return dict(data) if isinstance(data, dict) else {}
        raw = dict(request.query)
        if request.can_read_body:
            raw.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _RAW_FIELDS:
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        try:
            failures = self._failures.get(method)
            if failures:
                call.ok = False
                error = failures.pop(0)
                return web.json_response(error, status=error["error_code"])
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                call.ok = False
                return _error(404, "Not Found: method not found")
            result = await handler(params)
            if isinstance(result, web.Response):
                call.ok = False
                return result
            return web.json_response({"ok": True, "result": result})
        finally:
            self._changed.set()

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return self.me

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed ones go
        deadline = time.monotonic() + timeout
        while not self._updates and time.monotonic() < deadline:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
        return self._updates[:limit]

    def _check_text(self, params: dict[str, Any]) -> tuple[str, web.Response | None]:
        text = str(params.get("text", ""))
        visible = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if visible is None:
            return text, _error(400, "Bad Request: can't parse entities: unsupported or unbalanced markup")
        if not visible.strip():
            return text, _error(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MESSAGE_LIMIT:
            return text, _error(400, "Bad Request: message is too long")
        return text, None

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        text, problem = self._check_text(params)
        if problem is not None:
            return problem
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self.me,
            "text": text,
        }
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        text, problem = self._check_text(params)
        if problem is not None:
            return problem
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message["text"] == text and message.get("reply_markup") == markup:
            return _error(400, "Bad Request: message is not modified")
        message["text"] = text
        if isinstance(markup, dict):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]
