"""Request guard (pure ASGI, so it runs before FastAPI reads a byte of the body):

- a request body is limited in size: a `Content-Length` over the limit is refused at once, and a
  body without one (chunked) is counted as it streams and cut off at the limit (413);
- a request with a body to a route that needs a user is authenticated before its body is read,
  with the route's own rule (`deps.current_principal`), so an anonymous 200 MB post costs
  nothing (401).

FastAPI parses a JSON body *before* it runs dependencies, which is why neither can live there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api import deps
from assistant.api.errors import PayloadTooLarge, error_body, request_lang, status_of
from assistant.api.uploads import MAX_UPLOAD_BYTES
from assistant.errors import KenesError

MAX_JSON_BYTES = 1024 * 1024  # a question is ≤ 2,000 characters; 1 MB is generous
UPLOAD_PATHS = frozenset({"/api/admin/ingest"})
MULTIPART_SLACK = 1024 * 1024  # part headers and boundaries around the files
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Limits = Callable[[str], int]  # path → body limit in bytes


def body_limit(path: str) -> int:
    return MAX_UPLOAD_BYTES + MULTIPART_SLACK if path in UPLOAD_PATHS else MAX_JSON_BYTES


class _TooLarge(PayloadTooLarge):
    pass


def too_large(limit: int) -> PayloadTooLarge:
    mb = f"{limit / (1024 * 1024):g}"
    message = f"Запрос больше {mb} МБ. / Сұрау {mb} МБ-тан үлкен."
    return _TooLarge(message, details={"limit": limit})


def _needs_user(dependant: Dependant) -> bool:
    return any(d.call is deps.current_principal or _needs_user(d) for d in dependant.dependencies)


class RequestGuard:
    def __init__(self, app: ASGIApp, *, fastapi: FastAPI, limits: Limits = body_limit) -> None:
        self.app = app
        self.fastapi = fastapi
        self.limits = limits
        self._protected: dict[int, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits(scope["path"])
        declared = Request(scope).headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await refuse(scope, receive, send, too_large(limit))
            return
        guarded = _Guarded(self, scope, receive, send, limit)
        try:
            await self.app(scope, guarded.receive, guarded.send)
        except Exception:
            if guarded.refusal is None:
                raise
        if guarded.refusal is not None and not guarded.started:
            await refuse(scope, receive, send, guarded.refusal)

    def needs_user(self, scope: Scope) -> bool:
        """Whether the route the router matched depends on `current_principal` (cached)."""
        route = scope.get("route")
        if scope["method"] not in BODY_METHODS or not isinstance(route, APIRoute):
            return False
        key = id(route)
        if key not in self._protected:
            self._protected[key] = _needs_user(route.dependant)
        return self._protected[key]

    def authenticate(self, scope: Scope) -> None:
        """The route's own check, run early: raises `Unauthorized`/`Forbidden`."""
        request = Request(scope)
        credentials = {
            "authorization": request.headers.get("authorization"),
            "telegram_user": request.headers.get(deps.TELEGRAM_HEADER),
        }
        cookie = getattr(deps, "SESSION_COOKIE", None)  # the web page's sign-in session, when built
        if cookie:
            credentials["session"] = request.cookies.get(cookie)
        deps.current_principal(self.fastapi.state.kenes, **credentials)


class _Guarded:
    """One request's receive/send: on the first read of the body (the router has matched by
    then and put the route into the scope) authenticate, then count the bytes. A refusal raised
    inside the app is answered by the guard, whatever the app made of it."""

    def __init__(self, guard: RequestGuard, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self.guard, self.scope, self._receive, self._send, self.limit = guard, scope, receive, send, limit
        self.refusal: KenesError | None = None
        self.started = False
        self.first = True
        self.received = 0

    async def receive(self) -> Message:
        if self.first:
            self.first = False
            if self.guard.needs_user(self.scope):
                try:
                    await run_in_threadpool(self.guard.authenticate, self.scope)
                except KenesError as exc:
                    self.refusal = exc
                    raise
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refusal = too_large(self.limit)
                raise self.refusal
        return message

    async def send(self, message: Message) -> None:
        if self.refusal is not None:
            return
        self.started = True
        await self._send(message)


async def refuse(scope: Scope, receive: Receive, send: Send, exc: KenesError) -> None:
    headers: dict[str, Any] = {"Connection": "close"}  # the unread body stays unread
    if status_of(exc) == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = error_body(exc, request_lang(Request(scope)))
    response = JSONResponse(body, status_code=status_of(exc), headers=headers)
    await response(scope, receive, send)
