"""Any OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama) over plain httpx.

Retries only happen before the first delta: once text has reached the user, replaying the
request would duplicate it, so a mid-stream failure is reported instead.

Each call, retries included, is bounded by `llm.timeout_s` of wall-clock time: the request runs
on a thread of its own and the caller stops waiting at the deadline (a read timeout alone
restarts with every byte a slow server sends), see `deadline.py`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from typing import Any

import httpx

from assistant.errors import LLMUnavailable
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.deadline import Call, deadline_after, in_thread, results
from assistant.settings import Settings

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
HEALTH_TIMEOUT_S = 3.0
MAX_BACKOFF_S = 8.0


class _Retry(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


class OpenAICompatLLM(LLM):
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        cfg = settings.llm
        self.name = cfg.model
        self._base_url = cfg.base_url.rstrip("/")
        self._shown_url = _redact_url(self._base_url)
        self._model = cfg.model
        self._max_tokens = cfg.max_tokens
        self._temperature = cfg.temperature
        self._retries = max(0, cfg.retries)
        self._timeout_s = cfg.timeout_s
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._secret = cfg.api_key.get_secret_value() if cfg.api_key else ""
        headers = {"Accept": "text/event-stream, application/json"}
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        # A local server that does not accept a connection in 10 s is down, whatever the read
        # budget for a slow generation is.
        timeout = httpx.Timeout(cfg.timeout_s, connect=min(cfg.timeout_s, 10.0))
        self._client = httpx.Client(
            base_url=self._base_url + "/", headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        deadline = deadline_after(timeout_s if timeout_s is not None else self._timeout_s)
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [m.to_dict() for m in messages],
            "stream": True,
            "max_tokens": max_tokens if max_tokens is not None else self._max_tokens,
            "temperature": temperature if temperature is not None else self._temperature,
        }
        if stop:
            body["stop"] = stop
        return self._bounded(body, deadline)

    def _bounded(self, body: dict[str, Any], deadline: float) -> Iterator[str]:
        def work(call: Call) -> None:
            with closing(self._stream(body, deadline)) as deltas:  # closing drops the connection
                for delta in deltas:
                    if call.cancelled.is_set():
                        return
                    call.put(delta)

        call = in_thread(Call(work), "kenes-llm-http")
        yield from results(call, deadline, f"LLM server at {self._shown_url}")

    def _stream(self, body: dict[str, Any], deadline: float) -> Generator[str, None, None]:
        attempt = 0
        while True:
            started = False
            try:
                with self._client.stream("POST", "chat/completions", json=body) as resp:
                    self._check_status(resp)
                    for delta in self._deltas(resp):
                        started = True
                        yield delta
                return
            except _Retry as exc:
                wait = exc.wait_s if exc.wait_s is not None else self._backoff(attempt)
                if attempt >= self._retries or time.monotonic() + wait >= deadline:
                    raise self._unavailable(exc.reason) from None
                log.warning(
                    "LLM server at %s: %s; retry %d in %.1fs", self._shown_url, exc.reason, attempt + 1, wait
                )
                self._sleep(wait)
                attempt += 1
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                wait = self._backoff(attempt)
                if started or attempt >= self._retries or time.monotonic() + wait >= deadline:
                    raise self._unavailable(_describe(exc)) from None
                log.warning(
                    "LLM server at %s: %s; retry %d in %.1fs",
                    self._shown_url,
                    self._scrub(_describe(exc)),
                    attempt + 1,
                    wait,
                )
                self._sleep(wait)
                attempt += 1
            except httpx.HTTPError as exc:
                # Read timeouts and broken streams are not retried: the server got the request
                # and is busy or dying, a replay would only double its load.
                raise self._unavailable(_describe(exc)) from None

    def _check_status(self, resp: httpx.Response) -> None:
        if resp.status_code < 400:
            return
        resp.read()
        reason = f"HTTP {resp.status_code}: {resp.text[:200].strip()}"
        if resp.status_code in RETRYABLE_STATUS:
            raise _Retry(reason, _retry_after(resp))
        raise self._unavailable(reason)

    def _deltas(self, resp: httpx.Response) -> Iterator[str]:
        if "text/event-stream" not in resp.headers.get("content-type", "text/event-stream"):
            # Some servers ignore `stream: true` and answer with one JSON object.
            resp.read()
            text = _message_content(self._parse(resp.text))
            if text:
                yield text
            return
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" lines
            data = line[5:].strip()
            if data == "[DONE]":
                return
            if not data:
                continue
            delta = _delta_content(self._parse(data))
            if delta:
                yield delta

    def _parse(self, data: str) -> dict[str, Any]:
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            raise self._unavailable(f"malformed response: {data[:120]!r}") from None
        if not isinstance(event, dict):
            raise self._unavailable(f"malformed response: {data[:120]!r}")
        if "error" in event:
            raise self._unavailable(f"server error: {str(event['error'])[:200]}")
        return event

    def healthy(self) -> bool:
        try:
            resp = self._client.get("models", timeout=HEALTH_TIMEOUT_S)
        except httpx.HTTPError:
            return False
        return resp.status_code == 200

    def _backoff(self, attempt: int) -> float:
        return float(min(self._backoff_s * (2**attempt), MAX_BACKOFF_S))

    def _unavailable(self, reason: str) -> LLMUnavailable:
        return LLMUnavailable(
            f"LLM server at {self._shown_url} is unreachable: {self._scrub(reason)}",
            details={"base_url": self._shown_url},
        )

    def _scrub(self, text: str) -> str:
        # Servers sometimes echo request headers in error bodies.
        return text.replace(self._secret, "***") if self._secret else text


def _delta_content(event: dict[str, Any]) -> str:
    choices = event.get("choices") or []
    if not choices:
        return ""  # e.g. the trailing usage-only chunk
    delta = choices[0].get("delta") or {}
    content = delta.get("content")
    return content if isinstance(content, str) else ""


def _message_content(event: dict[str, Any]) -> str:
    choices = event.get("choices") or []
    if not choices:
        return ""
    content = (choices[0].get("message") or {}).get("content")
    return content if isinstance(content, str) else ""


def _retry_after(resp: httpx.Response) -> float | None:
    try:
        return min(float(resp.headers.get("retry-after", "")), MAX_BACKOFF_S)
    except ValueError:
        return None


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _redact_url(url: str) -> str:
    parsed = httpx.URL(url)
    if parsed.userinfo:
        return str(parsed.copy_with(username=None, password=None))
    return url
