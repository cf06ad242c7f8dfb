"""/api/ask and /api/chat over a fake facade: answer JSON, SSE framing, errors, history, audit."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from assistant.api import sse
from assistant.db.audit import find_answer
from tests.unit.api.conftest import MakeClient, token_for


def test_ask_returns_answer_json_with_ids(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "Кто утверждает правила?"}, headers=token_for(client, "a"))
    assert r.status_code == 200
    data = r.json()
    assert {"answer", "lang", "refused", "citations", "index_version", "model", "timings"} <= set(data)
    assert data["answer_id"] and data["conversation_id"]
    assert data["citations"][0]["citation"] == "public-services#st8"
    assert data["timings"]["total_ms"] == 12.3


def test_every_answer_is_audited_with_pii_masked(client: TestClient) -> None:
    headers = token_for(client, "a")
    r = client.post(
        "/api/ask", json={"question": "Мой ИИН 900101300123, тел. 8 (701) 123-45-67"}, headers=headers
    )
    row = find_answer(client.app.state.kenes.db, r.json()["answer_id"])  # type: ignore[attr-defined]
    assert row is not None
    assert row.question == "Мой ИИН [ИИН], тел. [телефон]"
    assert row.channel == "api" and row.mode == "hybrid" and row.index_version == "kenes__v1"
    assert row.citations[0]["citation"] == "public-services#st8"


def test_history_is_per_conversation_last_five(client: TestClient) -> None:
    headers = token_for(client, "a")
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    cid = client.post("/api/ask", json={"question": "Вопрос 0"}, headers=headers).json()["conversation_id"]
    for i in range(1, 7):
        client.post("/api/ask", json={"question": f"Вопрос {i}", "conversation_id": cid}, headers=headers)
    assert fake.calls[0][1] == []
    assert fake.calls[-1][1] == [f"Вопрос {i}" for i in range(1, 6)]
    client.post("/api/ask", json={"question": "Другой"}, headers=headers)
    assert fake.calls[-1][1] == []


def test_conversations_of_different_users_do_not_mix(client: TestClient) -> None:
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    client.post(
        "/api/ask", json={"question": "Секрет", "conversation_id": "c1"}, headers=token_for(client, "a")
    )
    client.post(
        "/api/ask", json={"question": "Вопрос", "conversation_id": "c1"}, headers=token_for(client, "b")
    )
    assert fake.calls[-1][1] == []


def test_empty_and_oversize_questions_are_422_in_the_users_language(client: TestClient) -> None:
    headers = token_for(client, "a")
    r = client.post("/api/ask", json={"question": "   "}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "question_rejected",
        "message": "Вопрос пуст.",
        "details": {"reason": "empty"},
    }
    r = client.post("/api/ask", json={"question": " ", "lang": "kk"}, headers=headers)
    assert r.json()["error"]["message"] == "Сұрақ бос."
    r = client.post("/api/chat", json={"question": "а" * 2001}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("Вопрос длиннее 2000 символов")
    r = client.post("/api/ask", json={"question": "Сұрақ " + "ә" * 2001}, headers=headers)
    assert r.json()["error"]["message"].startswith("Сұрақ 2000 таңбадан ұзын")


def test_malformed_body_uses_the_same_error_envelope(client: TestClient) -> None:
    r = client.post("/api/ask", json={"lang": "en"}, headers=token_for(client, "a"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert any(p.startswith("question") for p in error["details"]["problems"])


def test_chat_stream_framing(client: TestClient) -> None:
    r = client.post("/api/chat", json={"question": "Кто утверждает?"}, headers=token_for(client, "a"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse.parse(r.text)
    names = [e.event for e in events]
    assert names == ["meta", "token", "token", "citations", "final"]
    meta, final = events[0].data, events[-1].data
    assert final["answer_id"] == meta["answer_id"] and final["conversation_id"] == meta["conversation_id"]
    assert "".join(e.data["text"] for e in events if e.event == "token") == "Ответ [1]"
    assert events[3].data["citations"] == final["citations"]
    row = find_answer(client.app.state.kenes.db, meta["answer_id"])  # type: ignore[attr-defined]
    assert row is not None and row.channel == "web"


def test_chat_stream_error_event(client: TestClient) -> None:
    r = client.post("/api/chat", json={"question": "сломай"}, headers=token_for(client, "a"))
    events = sse.parse(r.text)
    assert [e.event for e in events] == ["meta", "token", "error"]
    assert events[-1].data == {"code": "llm_unavailable", "message": "LLM down"}


def test_ask_error_maps_to_status(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "сломай"}, headers=token_for(client, "a"))
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "llm_unavailable"


def test_health_answers_while_an_answer_is_in_progress(client: TestClient) -> None:
    headers = token_for(client, "a")
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    result: dict[str, int] = {}
    worker = threading.Thread(
        target=lambda: result.update(
            status=client.post("/api/ask", json={"question": "жди"}, headers=headers).status_code
        )
    )
    worker.start()
    assert fake.started.wait(5)
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/api/me", headers=headers).status_code == 200
    assert "status" not in result  # the answer is still running
    fake.release.set()
    worker.join(5)
    assert result["status"] == 200


def test_sources(client: TestClient) -> None:
    headers = token_for(client, "a")
    r = client.get("/api/sources/public-services%23st8?lang=kk", headers=headers)
    assert r.status_code == 200
    assert r.json()["citation"] == "public-services#st8" and r.json()["lang"] == "kk"
    r = client.get("/api/sources/nope%23st1", headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_feedback_links_to_an_answer_of_the_same_user(client: TestClient) -> None:
    a, b = token_for(client, "a"), token_for(client, "b")
    answer_id = client.post("/api/ask", json={"question": "Кто?"}, headers=a).json()["answer_id"]
    assert (
        client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1}, headers=a).status_code == 200
    )
    r = client.post("/api/feedback", json={"answer_id": answer_id, "rating": -1, "comment": "нет"}, headers=a)
    assert r.json() == {"ok": True, "answer_id": answer_id, "rating": -1}
    assert (
        client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1}, headers=b).status_code == 404
    )
    assert (
        client.post("/api/feedback", json={"answer_id": answer_id, "rating": 5}, headers=a).status_code == 422
    )


def test_health_ready_root_and_docs(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get("/health").json() == {"status": "ok"}
    client.app.state.kenes.warmup.done.wait(5)  # type: ignore[attr-defined]
    r = client.get("/ready")
    assert r.status_code == 200
    assert (
        r.json()["ready"] is True
        and r.json()["index_version"] == "kenes__v1"
        and r.json()["llm_mode"] == "fake"
    )
    assert client.get("/").status_code == 200
    assert client.get("/docs").status_code == 200
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]
