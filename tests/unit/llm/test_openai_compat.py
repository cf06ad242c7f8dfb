from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatMessage
from assistant.llm.factory import build_llm
from assistant.llm.openai_compat import OpenAICompatLLM
from assistant.settings import LLMSettings, Settings

KEY = "sk-very-secret-key-123"
MESSAGES = [ChatMessage("system", "Ты помощник."), ChatMessage("user", "Привет")]

Handler = Callable[[httpx.Request], httpx.Response]


def sse(*deltas: str | None, done: bool = True) -> bytes:
    lines = [": keep-alive", ""]
    lines.append("data: " + json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}))
    lines.append("")
    for d in deltas:
        lines.append("data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": d}}]}))
        lines.append("")
    lines.append("data: " + json.dumps({"choices": [], "usage": {"total_tokens": 3}}))
    lines.append("")
    if done:
        lines += ["data: [DONE]", ""]
    return "\n".join(lines).encode()


def stream_response(body: bytes) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def make_llm(
    handler: Handler, *, retries: int = 2, key: str | None = KEY
) -> tuple[OpenAICompatLLM, list[float]]:
    sleeps: list[float] = []
    settings = Settings(
        llm=LLMSettings(
            mode="openai",
            base_url="http://llm.test:8080/v1",
            model="qwen",
            api_key=SecretStr(key) if key else None,
            retries=retries,
            max_tokens=64,
            temperature=0.2,
        )
    )
    llm = OpenAICompatLLM(settings, transport=httpx.MockTransport(handler), sleep=sleeps.append)
    return llm, sleeps


def test_streams_deltas_and_sends_a_proper_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return stream_response(sse("При", None, "вет", "!"))

    llm, _ = make_llm(handler)
    assert list(llm.stream(MESSAGES, stop=["\n\n"])) == ["При", "вет", "!"]
    req = seen[0]
    assert req.method == "POST"
    assert str(req.url) == "http://llm.test:8080/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(req.content)
    assert body["stream"] is True
    assert body["model"] == "qwen"
    assert body["max_tokens"] == 64 and body["temperature"] == 0.2
    assert body["stop"] == ["\n\n"]
    assert body["messages"] == [
        {"role": "system", "content": "Ты помощник."},
        {"role": "user", "content": "Привет"},
    ]


def test_explicit_arguments_override_defaults_and_complete_joins() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return stream_response(sse("a", "b"))

    llm, _ = make_llm(handler, key=None)
    assert llm.complete(MESSAGES, max_tokens=5, temperature=0.0) == "ab"
    assert bodies[0]["max_tokens"] == 5 and bodies[0]["temperature"] == 0.0
    assert "stop" not in bodies[0]


def test_stream_without_done_marker_ends_cleanly() -> None:
    llm, _ = make_llm(lambda r: stream_response(sse("x", done=False)))
    assert llm.complete(MESSAGES) == "x"


def test_non_streaming_json_answer_is_accepted() -> None:
    payload = {"choices": [{"message": {"role": "assistant", "content": "целиком"}}]}
    llm, _ = make_llm(lambda r: httpx.Response(200, json=payload))
    assert list(llm.stream(MESSAGES)) == ["целиком"]


def test_retries_on_503_then_succeeds() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:
            return httpx.Response(503, text="loading model")
        return stream_response(sse("ok"))

    llm, sleeps = make_llm(handler, retries=2)
    assert llm.complete(MESSAGES) == "ok"
    assert calls == 3
    assert sleeps == [0.5, 1.0]


def test_429_honours_retry_after() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(429, headers={"retry-after": "2"})
        return stream_response(sse("ok"))

    llm, sleeps = make_llm(handler)
    assert llm.complete(MESSAGES) == "ok"
    assert sleeps == [2.0]


def test_gives_up_after_retries() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(502, text="bad gateway")

    llm, sleeps = make_llm(handler, retries=2)
    with pytest.raises(
        LLMUnavailable, match=r"LLM server at http://llm.test:8080/v1 is unreachable: HTTP 502"
    ):
        llm.complete(MESSAGES)
    assert calls == 3 and len(sleeps) == 2


def test_client_error_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, text=f"invalid key {KEY}")

    llm, _ = make_llm(handler)
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(MESSAGES)
    assert calls == 1
    assert "HTTP 401" in str(info.value)
    assert KEY not in str(info.value)


def test_down_server_raises_unavailable_after_retries_without_leaking_the_key() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError(
            f"connection refused (auth {request.headers['authorization']})", request=request
        )

    llm, sleeps = make_llm(handler, retries=1)
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(MESSAGES)
    message = str(info.value)
    assert message.startswith("LLM server at http://llm.test:8080/v1 is unreachable:")
    assert "ConnectError" in message
    assert KEY not in message
    assert KEY not in repr(info.value.details)
    assert calls == 2 and sleeps == [0.5]


def test_key_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {KEY}", request=request)

    llm, _ = make_llm(handler, retries=2)
    with caplog.at_level("DEBUG"), pytest.raises(LLMUnavailable):
        llm.complete(MESSAGES)
    assert caplog.records
    assert KEY not in caplog.text


def test_read_timeout_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("timed out", request=request)

    llm, _ = make_llm(handler)
    with pytest.raises(LLMUnavailable, match="ReadTimeout"):
        llm.complete(MESSAGES)
    assert calls == 1


def test_error_event_in_stream() -> None:
    body = b'data: {"error": {"message": "context overflow"}}\n\n'
    llm, _ = make_llm(lambda r: stream_response(body))
    with pytest.raises(LLMUnavailable, match="context overflow"):
        llm.complete(MESSAGES)


def test_malformed_event() -> None:
    llm, _ = make_llm(lambda r: stream_response(b"data: {not json\n\n"))
    with pytest.raises(LLMUnavailable, match="malformed"):
        llm.complete(MESSAGES)


def test_no_retry_after_first_token() -> None:
    calls = 0

    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b'data: {"choices": [{"delta": {"content": "start"}}]}\n\n'
            raise httpx.ReadError("connection reset")

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())

    llm, _ = make_llm(handler)
    got: list[str] = []
    with pytest.raises(LLMUnavailable, match="ReadError"):
        for delta in llm.stream(MESSAGES):
            got.append(delta)
    assert got == ["start"]
    assert calls == 1


def test_healthy() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/models"
        return httpx.Response(200, json={"data": [{"id": "qwen"}]})

    llm, _ = make_llm(handler)
    assert llm.healthy()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    llm_down, _ = make_llm(down)
    assert not llm_down.healthy()
    llm_500, _ = make_llm(lambda r: httpx.Response(500))
    assert not llm_500.healthy()


def test_credentials_in_url_are_not_shown() -> None:
    settings = Settings(llm=LLMSettings(mode="openai", base_url="http://user:pw@llm.test/v1", retries=0))

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    llm = OpenAICompatLLM(settings, transport=httpx.MockTransport(handler))
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(MESSAGES)
    assert "pw" not in str(info.value)
    assert "llm.test" in str(info.value)


def test_factory_builds_openai() -> None:
    llm = build_llm(Settings(llm=LLMSettings(mode="openai", model="m")))
    assert isinstance(llm, OpenAICompatLLM)
    assert llm.name == "m"
    llm.close()
