"""The one place where the error hierarchy becomes HTTP: status codes, the JSON envelope
`{"error": {"code", "message", "details"}}` and the user's language for bilingual messages.

Errors that exist only on this surface (auth, rate limit, conflicts) are `KenesError`
subclasses too, so routes raise and never build responses by hand."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import (
    IndexNotReady,
    KenesError,
    LLMUnavailable,
    NotFound,
    QuestionRejected,
    ValidationProblem,
)

log = logging.getLogger(__name__)


class Unauthorized(KenesError):
    code = "unauthorized"


class Forbidden(KenesError):
    code = "forbidden"


class RateLimited(KenesError):
    code = "rate_limited"


class Conflict(KenesError):
    code = "conflict"


class PayloadTooLarge(KenesError):
    code = "payload_too_large"


# first match wins, so subclasses come before their bases
STATUS: list[tuple[type[KenesError], int]] = [
    (QuestionRejected, 422),
    (ValidationProblem, 422),
    (NotFound, 404),
    (IndexNotReady, 503),
    (LLMUnavailable, 503),
    (Unauthorized, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (Conflict, 409),
    (PayloadTooLarge, 413),
]

MSG_UNAUTHORIZED = "Нужен действующий токен доступа. / Жарамды қол жеткізу токені қажет."
MSG_ADMIN_ONLY = "Доступно только администраторам. / Тек әкімшілерге қолжетімді."
MSG_RATE_LIMITED = "Слишком много вопросов — подождите немного. / Сұрақтар тым көп — сәл күте тұрыңыз."
MSG_INVALID_REQUEST = "Некорректный запрос. / Сұрау дұрыс емес."
MSG_INTERNAL = "Внутренняя ошибка сервера. / Сервердің ішкі қатесі."


def status_of(exc: KenesError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def localize(message: str, lang: str | None) -> str:
    """'Русский. / Қазақша.' → the part in `lang` (Russian by default); other messages as is."""
    if " / " not in message:
        return message
    ru, kk = message.split(" / ", 1)
    return kk if lang == "kk" else ru


def error_body(exc: KenesError, lang: str | None) -> dict[str, Any]:
    message = localize(exc.message, lang) if isinstance(exc, QuestionRejected) else exc.message
    return {"error": {"code": exc.code, "message": message, "details": exc.details}}


def request_lang(request: Request) -> str | None:
    """The language of the request: set by a route once it knows it, else Accept-Language."""
    lang = getattr(request.state, "lang", None)
    if lang:
        return str(lang)
    accept = request.headers.get("accept-language", "").lower()
    return "kk" if accept.startswith(("kk", "kz")) else None


async def kenes_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KenesError)
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse(error_body(exc, request_lang(request)), status_code=status, headers=headers)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}"
        for e in exc.errors()
    ]
    body = {
        "error": {
            "code": "invalid_request",
            "message": MSG_INVALID_REQUEST,
            "details": {"problems": problems},
        }
    }
    return JSONResponse(body, status_code=422)


# A crash is answered outside every middleware (Starlette's ServerErrorMiddleware), so the
# security headers go on this response here; a JSON body needs no sources at all.
CRASH_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s crashed", request.method, request.url.path, exc_info=exc)
    body = {"error": {"code": "internal_error", "message": MSG_INTERNAL, "details": {}}}
    return JSONResponse(body, status_code=500, headers=CRASH_HEADERS)


# what the framework itself refuses (unknown path, wrong method, a body it cannot parse)
_HTTP_CODES = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette/FastAPI's own errors in the same envelope as ours, never `{"detail": …}`."""
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = MSG_INVALID_REQUEST if exc.status_code == 400 else str(exc.detail)
    body = {"error": {"code": code, "message": message, "details": {}}}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KenesError, kenes_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
