"""The REST API over the real demo index (embedded Qdrant, real embedder, llm.mode=fake).

The `demo_container` is shared by the whole test session: every test leaves the live index
and the LLM as it found them."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.api import sse
from assistant.api.app import create_app
from assistant.api.llm_gate import GatedLLM
from assistant.container import Container
from assistant.db.audit import find_answer
from assistant.db.models import Feedback
from assistant.db.users import add_user
from assistant.llm.fake import FakeLLM
from assistant.settings import DEMO_DIR

pytestmark = pytest.mark.integration

REGISTRY_Q = "Кто обеспечивал работу проектного офиса программы «Рухани жаңғыру»?"


@dataclass
class Api:
    client: TestClient
    app: FastAPI
    user: dict[str, str]
    admin: dict[str, str]
    bot: dict[str, str]
    telegram_id: int

    def auth(self, headers: dict[str, str], **extra: str) -> dict[str, str]:
        return {**headers, **extra}


def _bearer(app: FastAPI, name: str, role: str, telegram_id: int | None = None) -> dict[str, str]:
    _, token = add_user(app.state.kenes.db, f"{name}-{uuid.uuid4().hex[:8]}", role, telegram_id)
    return {"Authorization": f"Bearer {token}"}


def _wait_ready(client: TestClient) -> None:
    for _ in range(600):
        if client.get("/ready").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError(client.get("/ready").json())


@pytest.fixture(scope="module")
def api(demo_container: Container) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_container.settings.api, "rate_limit_per_minute", 1000)
        app = create_app(demo_container)
    with TestClient(app) as client:
        _wait_ready(client)
        telegram_id = uuid.uuid4().int % 10**9
        yield Api(
            client=client,
            app=app,
            user=_bearer(app, "user", "user"),
            admin=_bearer(app, "admin", "admin"),
            bot=_bearer(app, "bot", "service"),
            telegram_id=telegram_id,
        )
    # the app's LLM gate is gone with the app: the shared container is as it was
    assert not isinstance(demo_container.answer_engine.llm, GatedLLM)


def test_health_ready_page_and_docs(api: Api, demo_container: Container) -> None:
    c = api.client
    assert c.get("/health").json() == {"status": "ok"}
    ready = c.get("/ready").json()
    assert ready["ready"] is True and ready["llm_mode"] == "fake" and ready["model"] == "fake"
    assert ready["index_version"] == demo_container.assistant.index_version()
    assert c.get("/").headers["content-type"].startswith("text/html")
    assert c.get("/docs").status_code == 200
    paths = c.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/chat", "/api/admin/ingest", "/api/sources/{citation}"} <= set(paths)


def test_unauthenticated_and_forbidden(api: Api) -> None:
    c = api.client
    assert c.post("/api/ask", json={"question": REGISTRY_Q}).status_code == 401
    assert c.get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/sources/public-services%23st8").status_code == 401
    assert c.get("/api/me", headers=api.user).json()["role"] == "user"
    assert c.get("/api/admin/index", headers=api.user).status_code == 403
    assert c.post("/api/admin/index/rollback", json={}, headers=api.bot).status_code == 403


def test_bot_acts_for_allowlisted_telegram_user(api: Api) -> None:
    c = api.client
    _bearer(api.app, "tg", "user", api.telegram_id)
    me = c.get("/api/me", headers=api.auth(api.bot, **{"X-Kenes-Telegram-User": str(api.telegram_id)})).json()
    assert me["name"].startswith("tg-") and me["acting_service"].startswith("bot-")
    unknown = c.get("/api/me", headers=api.auth(api.bot, **{"X-Kenes-Telegram-User": "1"}))
    assert unknown.status_code == 403
    r = c.post(
        "/api/ask",
        json={"question": REGISTRY_Q},
        headers=api.auth(api.bot, **{"X-Kenes-Telegram-User": str(api.telegram_id)}),
    )
    row = find_answer(api.app.state.kenes.db, r.json()["answer_id"])
    assert row is not None and row.channel == "bot"


def test_ask_registry_answer(api: Api) -> None:
    r = api.client.post("/api/ask", json={"question": REGISTRY_Q}, headers=api.user)
    assert r.status_code == 200
    data = r.json()
    assert data["mode"] == "registry" and not data["refused"] and data["lang"] == "ru"
    assert "registry:MIOR-C-097" in [c["citation"] for c in data["citations"]]
    assert any(c["repealed"] for c in data["citations"])  # the ministry statute lost force
    assert uuid.UUID(data["answer_id"]) and data["conversation_id"] and data["index_version"]
    body = {"question": "А какой риск автоматизации?", "conversation_id": data["conversation_id"]}
    follow = api.client.post("/api/ask", json=body, headers=api.user)
    assert follow.status_code == 200 and follow.json()["conversation_id"] == data["conversation_id"]


def test_chat_stream_framing(api: Api, llm_question: str) -> None:
    r = api.client.post("/api/chat", json={"question": llm_question, "lang": "ru"}, headers=api.user)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse.parse(r.text)
    names = " ".join(e.event for e in events)
    assert re.fullmatch(r"meta( token)+ citations final", names), names
    meta, citations, final = events[0].data, events[-2].data, events[-1].data
    assert set(meta) == {"answer_id", "conversation_id", "position"} and meta["position"] == 0
    assert final["answer_id"] == meta["answer_id"]
    assert citations["citations"] == final["citations"] and final["citations"]
    assert final["mode"] in ("hybrid", "extractive") and final["model"] == "fake"
    assert find_answer(api.app.state.kenes.db, meta["answer_id"]) is not None


def test_rejected_questions_are_422_in_russian(api: Api) -> None:
    c = api.client
    empty = c.post("/api/ask", json={"question": "  "}, headers=api.user)
    assert empty.status_code == 422
    assert empty.json()["error"] == {
        "code": "question_rejected",
        "message": "Вопрос пуст.",
        "details": {"reason": "empty"},
    }
    long = c.post("/api/chat", json={"question": "Какой орган " + "а" * 2000}, headers=api.user)
    assert long.status_code == 422
    error = long.json()["error"]
    assert error["details"]["reason"] == "too_long"
    assert error["message"] == "Вопрос длиннее 2000 символов — сократите его."


def test_sources(api: Api) -> None:
    c = api.client
    article = c.get("/api/sources/public-services%23st8?lang=ru", headers=api.user).json()
    assert (
        article["citation"] == "public-services#st8" and article["kind"] == "act" and article["lang"] == "ru"
    )
    assert (
        "Статья 8" in article["title"] and article["text"] and article["act_title"] and article["source_url"]
    )
    row = c.get("/api/sources/registry:MIOR-C-097", headers=api.user).json()
    assert (
        row["kind"] == "registry"
        and row["repealed"] is True
        and row["registry"]["function_id"] == "MIOR-C-097"
    )
    missing = c.get("/api/sources/no-such-act%23st1", headers=api.user)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_audit_masks_pii_and_feedback_is_stored(api: Api) -> None:
    c = api.client
    question = "Мой ИИН 900101300123, телефон +7 701 123-45-67. " + REGISTRY_Q
    answer_id = c.post("/api/ask", json={"question": question}, headers=api.user).json()["answer_id"]
    db = api.app.state.kenes.db
    row = find_answer(db, answer_id)
    assert row is not None
    assert "900101300123" not in row.question and "701" not in row.question
    assert row.question.startswith("Мой ИИН [ИИН], телефон [телефон].")
    assert row.channel == "api" and row.index_version and row.citations and row.timings["total_ms"] > 0
    r = c.post(
        "/api/feedback", json={"answer_id": answer_id, "rating": -1, "comment": "неполно"}, headers=api.user
    )
    assert r.status_code == 200
    with db.session() as s:
        fb = s.scalar(select(Feedback).where(Feedback.answer_id == answer_id))
    assert fb is not None and (fb.rating, fb.comment, fb.user_id) == (-1, "неполно", row.user_id)
    assert (
        c.post("/api/feedback", json={"answer_id": "nope", "rating": 1}, headers=api.user).status_code == 404
    )


def test_rate_limit(demo_container: Container) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_container.settings.api, "rate_limit_per_minute", 2)
        app = create_app(demo_container)
    with TestClient(app) as client:
        headers = _bearer(app, "limited", "user")
        codes = [
            client.post("/api/ask", json={"question": REGISTRY_Q}, headers=headers).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        r = client.post("/api/ask", json={"question": REGISTRY_Q}, headers=headers)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"


def _bad_registry() -> bytes:
    rows = list(
        csv.reader(io.StringIO((DEMO_DIR / "registry" / "functions.csv").read_text(encoding="utf-8")))
    )
    header = rows[0]
    rows[2][header.index("automatable")] = "может быть"
    rows[4][header.index("function_id")] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows[:10])
    return out.getvalue().encode("utf-8")


def test_admin_bad_registry_is_refused_and_live_index_untouched(api: Api) -> None:
    c = api.client
    before = c.get("/api/admin/index", headers=api.admin).json()
    files = {"registry": ("functions-bad.csv", _bad_registry())}
    r = c.post("/api/admin/ingest", files=files, data={"incremental": "true"}, headers=api.admin)
    assert r.status_code == 422
    problems = r.json()["error"]["details"]["problems"]
    assert len(problems) == 2
    assert all(re.match(r"functions-bad\.csv:\d+: ", p) for p in problems)
    assert any("automatable" in p for p in problems)
    assert c.get("/api/admin/index", headers=api.admin).json() == before


def _wait_job(c: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    seen = []
    for _ in range(1200):
        job: dict[str, Any] = c.get(f"/api/admin/jobs/{job_id}", headers=headers).json()
        seen.append(job["progress"])
        if job["state"] in ("done", "failed"):
            assert seen == sorted(seen)  # progress never goes back
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_admin_incremental_registry_v2_then_rollback(api: Api, demo_container: Container) -> None:
    c = api.client
    original = demo_container.assistant.index_version()
    files = {"registry": ("functions-v2.csv", (DEMO_DIR / "registry" / "functions-v2.csv").read_bytes())}
    r = c.post("/api/admin/ingest", files=files, data={"incremental": "true"}, headers=api.admin)
    assert r.status_code == 202, r.text
    try:
        job = _wait_job(c, r.json()["job_id"], api.admin)
        assert job["state"] == "done", job["error"]
        report = job["report"]
        assert report["incremental"] is True
        assert report["summary"] == {
            "registry_added": 4, "registry_removed": 3, "registry_text_edited": 2,
            "registry_assessment_changed": 5, "acts_changed": 0,
        }  # fmt: skip
        index = c.get("/api/admin/index", headers=api.admin).json()
        assert index["live"] == report["collection"] != original
        assert [v["collection"] for v in index["versions"] if v["live"]] == [report["collection"]]
        status = c.get("/api/sources/registry:PS-08-03", headers=api.user).json()
        assert status["registry"]["automatable"] == "частично"
    finally:
        back = c.post("/api/admin/index/rollback", json={"version": original}, headers=api.admin)
    assert back.status_code == 200 and back.json()["live"] == original
    assert demo_container.assistant.index_version() == original
    assert c.get("/api/sources/registry:PS-08-03", headers=api.user).json()["registry"]["automatable"] == "да"


class HeldLLM(FakeLLM):
    """A FakeLLM with a per-token delay that also holds after its first token until released,
    so a test can act while an answer is provably in progress."""

    def __init__(self, reply: str, delay_s: float) -> None:
        super().__init__(reply=reply, delay_s=delay_s)
        self.release = threading.Event()

    def _emit(self, text: str, max_tokens: int | None) -> Iterator[str]:
        for i, piece in enumerate(super()._emit(text, max_tokens)):
            if i == 1:
                self.release.wait(30)
            yield piece


@pytest.fixture(scope="module")
def llm_question(demo_container: Container) -> str:
    """A dev-set law question that the engine currently sends to the LLM."""
    from assistant.rag.answer import Token
    from tests.conftest import load_dev_items

    for item in load_dev_items():
        if item["lang"] != "ru" or not item["kind"].startswith("law"):
            continue
        for event in demo_container.assistant.stream(item["question"], lang="ru"):
            if isinstance(event, Token):
                return str(item["question"])
    pytest.fail("no Russian dev-set law question reaches the LLM")


def test_health_answers_during_a_slow_llm_answer(demo_container: Container, llm_question: str) -> None:
    """A real server: tokens arrive while /health and a registry question are served, and the
    registry answer does not queue behind the LLM (max_llm_concurrency=1)."""
    import uvicorn

    engine = demo_container.answer_engine
    original_llm = engine.llm
    slow = HeldLLM(reply="Правила утверждает уполномоченный орган по согласованию [1].", delay_s=0.2)
    engine.llm = slow
    app = create_app(demo_container)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started:
                break
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        headers = _bearer(app, "slow", "user")
        parser = sse.SseParser()
        seen: list[str] = []
        with (
            httpx.Client(base_url=base, timeout=120) as streamer,
            httpx.Client(base_url=base, timeout=120) as other,
        ):
            _wait_ready_http(other)
            with streamer.stream(
                "POST", "/api/chat", json={"question": llm_question}, headers=headers
            ) as response:
                chunks = response.iter_text()
                while "token" not in seen:
                    seen += [event.event for event in parser.feed(next(chunks))]
                assert other.get("/health").json() == {"status": "ok"}  # mid-answer
                assert other.get("/ready").json()["llm_queue"]["running"] == 1
                registry = other.post("/api/ask", json={"question": REGISTRY_Q}, headers=headers).json()
                assert registry["mode"] == "registry"
                assert (
                    other.get("/ready").json()["llm_queue"]["running"] == 1
                )  # the LLM answer is still going
                slow.release.set()
                for chunk in chunks:
                    seen += [event.event for event in parser.feed(chunk)]
        assert seen[0] == "meta" and seen[-2:] == ["citations", "final"] and seen.count("token") >= 2
    finally:
        slow.release.set()
        server.should_exit = True
        thread.join(30)
        engine.llm = original_llm
    assert demo_container.answer_engine.llm is original_llm


def _wait_ready_http(client: httpx.Client) -> None:
    for _ in range(600):
        if client.get("/ready").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("server never became ready")
