"""Web sign-in (password → HttpOnly session cookie), conversations kept per user (list, get,
rename, delete, search), edit/regenerate by `replace_from`, stop by closing the stream, the
registry row's official link and the bot's allow-list count."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api import sse
from assistant.api.answering import AnswerService
from assistant.api.deps import Principal
from assistant.api.routes.ask import _begin, _frames
from assistant.api.schemas import ChatRequest
from assistant.db import conversations
from assistant.db.users import add_user, set_password
from assistant.domain import Chunk
from tests.unit.api.conftest import MakeClient, token_for

PASSWORD = "correct horse battery"


def _user(client: TestClient, name: str, role: str = "user") -> int:
    db = client.app.state.kenes.db  # type: ignore[attr-defined]
    user, _ = add_user(db, name, role)
    set_password(db, name, PASSWORD)
    return user.id


def _login(client: TestClient, name: str) -> None:
    r = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_password_sign_in_sets_a_strict_httponly_cookie_and_logout_ends_it(client: TestClient) -> None:
    _user(client, "Айгерим", "analyst")
    bad = client.post("/api/auth/login", json={"username": "Айгерим", "password": "wrong password"})
    assert bad.status_code == 401
    assert (
        client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    )

    r = client.post("/api/auth/login", json={"username": "Айгерим", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "analyst"
    cookie = r.headers["set-cookie"].lower()
    assert "kenes_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http in the test; https (or a proxy saying so) adds it
    assert client.get("/api/me").json()["name"] == "Айгерим"

    assert client.post("/api/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/me").status_code == 401


def test_cookie_is_secure_behind_an_https_proxy(client: TestClient) -> None:
    _user(client, "a")
    r = client.post(
        "/api/auth/login",
        json={"username": "a", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "secure" in r.headers["set-cookie"].lower()


def test_a_stale_session_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set("kenes_session", "forged")
    assert client.get("/api/me").status_code == 401


def test_conversations_are_kept_listed_renamed_searched_and_deleted(client: TestClient) -> None:
    _user(client, "a")
    _login(client, "a")
    first = client.post("/api/chat", json={"question": "Кто ведёт реестр госуслуг?"})
    meta = sse.parse(first.text)[0].data
    cid = meta["conversation_id"]
    assert meta["position"] == 0
    client.post("/api/chat", json={"question": "А в какой срок?", "conversation_id": cid})
    client.post("/api/chat", json={"question": "Совсем другое"})

    listed = client.get("/api/conversations").json()
    assert [c["title"] for c in listed] == ["Совсем другое", "Кто ведёт реестр госуслуг?"]

    conv = client.get(f"/api/conversations/{cid}").json()
    assert [(m["position"], m["role"], m["status"]) for m in conv["messages"]] == [
        (0, "user", "done"),
        (1, "assistant", "done"),
        (2, "user", "done"),
        (3, "assistant", "done"),
    ]
    assert conv["messages"][1]["answer"]["citations"][0]["citation"] == "public-services#st8"
    assert conv["messages"][1]["answer_id"]

    found = client.get("/api/conversations", params={"q": "какой срок"}).json()
    assert [c["id"] for c in found] == [cid] and "срок" in found[0]["snippet"]
    assert client.get("/api/conversations", params={"q": "нет такого"}).json() == []

    assert client.patch(f"/api/conversations/{cid}", json={"title": "Реестр"}).json()["title"] == "Реестр"
    assert client.delete(f"/api/conversations/{cid}").status_code == 204
    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert len(client.get("/api/conversations").json()) == 1


def test_someone_elses_conversation_does_not_exist(client: TestClient) -> None:
    cid = client.post("/api/ask", json={"question": "Секрет"}, headers=token_for(client, "a")).json()[
        "conversation_id"
    ]
    other = token_for(client, "b")
    assert client.get(f"/api/conversations/{cid}", headers=other).status_code == 404
    assert client.delete(f"/api/conversations/{cid}", headers=other).status_code == 404
    r = client.post("/api/ask", json={"question": "Вопрос", "conversation_id": cid}, headers=other)
    assert r.status_code == 404
    assert client.get("/api/conversations", headers=other).json() == []


def test_edit_replaces_the_question_and_what_followed(client: TestClient) -> None:
    headers = token_for(client, "a")
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    cid = client.post("/api/ask", json={"question": "Первый"}, headers=headers).json()["conversation_id"]
    client.post("/api/ask", json={"question": "Второй", "conversation_id": cid}, headers=headers)
    client.post("/api/ask", json={"question": "Третий", "conversation_id": cid}, headers=headers)
    # edit the second question: the third turn goes, the history is only the first question
    client.post(
        "/api/ask",
        json={"question": "Второй, иначе", "conversation_id": cid, "replace_from": 2},
        headers=headers,
    )
    assert fake.calls[-1][1] == ["Первый"]
    messages = client.get(f"/api/conversations/{cid}", headers=headers).json()["messages"]
    assert [m["text"] for m in messages if m["role"] == "user"] == ["Первый", "Второй, иначе"]
    assert len(messages) == 4


def test_a_failed_answer_is_kept_as_an_error_and_retry_replaces_it(client: TestClient) -> None:
    headers = token_for(client, "a")
    r = client.post("/api/chat", json={"question": "сломай всё"}, headers=headers)
    cid = sse.parse(r.text)[0].data["conversation_id"]
    messages = client.get(f"/api/conversations/{cid}", headers=headers).json()["messages"]
    assert messages[1]["status"] == "error"
    client.post(
        "/api/chat",
        json={"question": "теперь нормально", "conversation_id": cid, "replace_from": 0},
        headers=headers,
    )
    messages = client.get(f"/api/conversations/{cid}", headers=headers).json()["messages"]
    assert (messages[0]["text"], messages[0]["status"]) == ("теперь нормально", "done")
    assert len(messages) == 2


def test_closing_the_stream_stops_the_answer_and_keeps_the_part_as_stopped(client: TestClient) -> None:
    state = client.app.state.kenes  # type: ignore[attr-defined]
    user, _ = add_user(state.db, "a", "user")
    fake = state.assistant

    async def run() -> None:
        service = AnswerService(state)
        body = ChatRequest(question="жди ответа")
        turn = service.prepare(body, Principal(user.id, "a", "user"), "web")
        record = await _begin(state, body, turn)
        frames = _frames(service, turn, "ru", record)
        assert (await anext(frames)).startswith("event: meta")
        assert "Ответ" in await anext(frames)
        await frames.aclose()  # what the server does when the browser aborts the fetch

    asyncio.run(run())
    # the answer worker may or may not have reached the blocking part before the stop arrived
    # (a race the server is free to win either way); release it in case it did
    fake.release.set()
    (conv,) = conversations.list_conversations(state.db, user.id)
    _, messages = conversations.get_conversation(state.db, user.id, conv.id)
    assert [(m.role, m.status, m.text) for m in messages] == [
        ("user", "done", "жди ответа"),
        ("assistant", "stopped", "Ответ "),
    ]


def test_registry_row_links_to_the_act_behind_its_legal_basis(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    url = "https://zan.gov.kz/client/#!/doc/1/rus"

    def source(citation: str, lang: Any = "ru") -> Chunk:
        if citation.startswith("registry:"):
            act = "public-services#st8" if citation.endswith("1") else "unknown#st1"
            registry = {"citation": act, "agency": "МЦРИАП"}
            return Chunk(
                chunk_id=citation,
                citation=citation,
                kind="registry",
                lang="ru",
                title="",
                text="",
                registry=registry,
            )
        if citation == "public-services#st8":
            return Chunk(
                chunk_id="x", citation=citation, kind="act", lang=lang, title="", text="", source_url=url
            )
        from assistant.errors import NotFound

        raise NotFound(citation)

    monkeypatch.setattr(fake, "source", source)
    headers = token_for(client, "a")
    assert client.get("/api/sources/registry:PS-1", headers=headers).json()["source_url"] == url
    assert client.get("/api/sources/registry:PS-2", headers=headers).json()["source_url"] == ""


def test_allowlist_size_is_for_service_accounts(client: TestClient) -> None:
    token_for(client, "u1", telegram_id=11)
    token_for(client, "u2", telegram_id=12)
    token_for(client, "u3")
    service = token_for(client, "bot", "service")
    assert client.get("/api/me/allowlist", headers=service).json() == {"telegram_users": 2}
    assert client.get("/api/me/allowlist", headers=token_for(client, "plain")).status_code == 403


def test_password_guessing_is_rate_limited_per_client_address(make_client: MakeClient) -> None:
    client = make_client(api={"rate_limit_per_minute": 2})
    _user(client, "a")
    wrong = {"username": "a", "password": "guess guess"}
    assert [client.post("/api/auth/login", json=wrong).status_code for _ in range(3)] == [401, 401, 429]
