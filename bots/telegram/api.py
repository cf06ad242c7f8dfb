"""The Kenes REST API as the bot sees it: a small aiohttp client authenticated with the service
token that relays the Telegram user id, so the API authorises and audits the real user.

The bot never imports the answer engine: the model is loaded once, by the API process."""

from __future__ import annotations

import logging
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

TELEGRAM_HEADER = "X-Kenes-Telegram-User"
# a source view or a feedback call is cheap; only answers may take the long timeout
SHORT_TIMEOUT_S = 20.0


class Citation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    n: int
    citation: str
    kind: str = "act"
    title: str = ""
    quote: str = ""
    act_title: str = ""
    lang: str = "ru"
    version_date: str = ""
    source_url: str = ""
    repealed: bool = False
    status: str = ""


class AnswerView(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answer_id: str
    conversation_id: str
    answer: str
    lang: str = "ru"
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    notice: str = ""


class SourceView(BaseModel):
    model_config = ConfigDict(extra="ignore")

    citation: str
    kind: str = "act"
    title: str = ""
    text: str = ""
    act_title: str = ""
    version_date: str = ""
    source_url: str = ""
    repealed: bool = False
    status: str = ""
    registry: dict[str, str] = Field(default_factory=dict)


class ApiError(Exception):
    """An error answer of the API (the `{"error": {code, message}}` envelope)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class AccessDenied(ApiError):
    """403: the Telegram user is not on the allowlist (or the bot's token is not a service one)."""


class ApiUnavailable(ApiError):
    """The API is down, unreachable, overloaded (5xx) or too slow."""

    def __init__(self, message: str, *, timeout: bool = False, status: int = 0) -> None:
        super().__init__(status, "timeout" if timeout else "unavailable", message)
        self.timeout = timeout


class KenesApi:
    def __init__(self, base_url: str, token: str, *, timeout_s: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # created lazily: an aiohttp session must be made inside the running event loop
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self._token}"})
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def health(self) -> bool:
        try:
            await self._request("GET", "/health", timeout_s=5.0)
        except ApiError:
            return False
        return True

    async def allowlist_size(self) -> int | None:
        """How many Telegram users may use the bot (None if the API cannot say)."""
        try:
            data = await self._request("GET", "/api/me/allowlist", timeout_s=5.0)
        except ApiError:
            return None
        count = data.get("telegram_users")
        return count if isinstance(count, int) else None

    async def me(self, telegram_id: int) -> dict[str, Any]:
        return await self._request("GET", "/api/me", telegram_id=telegram_id, timeout_s=SHORT_TIMEOUT_S)

    async def ask(
        self, telegram_id: int, question: str, *, lang: str | None = None, conversation_id: str | None = None
    ) -> AnswerView:
        body: dict[str, Any] = {"question": question}
        if lang:
            body["lang"] = lang
        if conversation_id:
            body["conversation_id"] = conversation_id
        data = await self._request("POST", "/api/ask", telegram_id=telegram_id, json=body)
        return _parse(AnswerView, data)

    async def source(self, telegram_id: int, citation: str, lang: str = "ru") -> SourceView:
        path = f"/api/sources/{quote(citation, safe='')}"
        data = await self._request(
            "GET", path, telegram_id=telegram_id, params={"lang": lang}, timeout_s=SHORT_TIMEOUT_S
        )
        return _parse(SourceView, data)

    async def feedback(self, telegram_id: int, answer_id: str, rating: int, comment: str = "") -> None:
        body = {"answer_id": answer_id, "rating": rating, "comment": comment}
        await self._request(
            "POST", "/api/feedback", telegram_id=telegram_id, json=body, timeout_s=SHORT_TIMEOUT_S
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        telegram_id: int | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        headers = {TELEGRAM_HEADER: str(telegram_id)} if telegram_id is not None else {}
        timeout = aiohttp.ClientTimeout(total=timeout_s or self.timeout_s)
        try:
            async with self.session.request(
                method, self.base_url + path, json=json, params=params, headers=headers, timeout=timeout
            ) as response:
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError as exc:
            raise ApiUnavailable(f"{method} {path}: no answer in {timeout.total} s", timeout=True) from exc
        except aiohttp.ClientError as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if status < 400:
            if not isinstance(data, dict):
                raise ApiUnavailable(f"{method} {path}: not a JSON object", status=status)
            return data
        raise _error(status, data, retry_after)


def _error(status: int, data: Any, retry_after: str | None) -> ApiError:
    error = data.get("error") if isinstance(data, dict) else None
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    message = message or f"HTTP {status}"
    if status == 403:
        return AccessDenied(status, code or "forbidden", message)
    if status >= 500:
        return ApiUnavailable(message, status=status)
    wait = int(retry_after) if retry_after and retry_after.isdigit() else None
    return ApiError(status, code or "error", message, retry_after=wait)


def _parse(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiUnavailable(
            f"unexpected {model.__name__} from the API: {exc.error_count()} problems"
        ) from exc
