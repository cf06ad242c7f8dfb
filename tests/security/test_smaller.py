"""Defect 7 (smaller): an uncapped problem list, upload folders surviving a crash, no security
headers, kenes.db and its WAL created 0644, Telegram answers in groups that are not allow-listed."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Chat
from fastapi.testclient import TestClient

from assistant.api.app import STATIC_DIR
from assistant.api.middleware_headers import inline_hashes
from assistant.db.session import Database
from bots.telegram.middlewares import AccessMiddleware
from ingest.registry import MAX_PROBLEMS
from tests.security.conftest import MakeClient, token_for
from tests.unit.bots.fakes import FakeApi, FakeBot, handler_data, make_message

HEADER = (
    "function_id,agency,function_text,act_slug,act_title,legal_basis,citation,category,"
    "automatable,automation_risk,automation_rationale,updated_on\n"
)


def test_a_huge_invalid_registry_lists_200_problems_and_counts_all(client: TestClient) -> None:
    bad = HEADER + "".join(f"X-{i},,текст,a,b,c,d,e,может быть,низкий,r,2024-01-01\n" for i in range(3000))
    files = {"registry": ("reg.csv", bad.encode())}
    r = client.post("/api/admin/ingest", files=files, headers=token_for(client, "root", "admin"))
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert details["problems_total"] == 9000  # three per row: agency, automatable, citation
    assert len(details["problems"]) == MAX_PROBLEMS + 1
    assert details["problems"][-1] == f"… and {9000 - MAX_PROBLEMS} more problem(s) not listed"
    assert len(r.content) < 64 * 1024


def test_stale_upload_folders_are_swept_at_start(make_client: MakeClient, tmp_path: Path) -> None:
    first = make_client()
    uploads = first.app.state.kenes.container.settings.data_dir / "uploads"  # type: ignore[attr-defined]
    stale = uploads / "upload-crashed"
    (stale / "registry").mkdir(parents=True)
    (stale / "registry" / "reg.csv").write_text("x", encoding="utf-8")
    keep = uploads / "not-an-upload"
    keep.mkdir()
    first.__exit__(None, None, None)
    first.__enter__()  # a restart of the same app: the lifespan runs again
    assert not stale.exists() and keep.exists()


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/static/app.js"),
        ("GET", "/health"),
        ("GET", "/api/me"),
        ("GET", "/nope"),
        ("POST", "/api/ask"),
    ],
)
def test_security_headers_on_every_response(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_csp_allows_the_inline_style_of_the_pages_by_hash(client: TestClient) -> None:
    csp = client.get("/analytics").headers["content-security-policy"]
    for source in inline_hashes(STATIC_DIR)["style"]:
        assert source in csp


def test_database_and_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "kenes.db"
    db = Database(f"sqlite:///{path}")
    with db.session() as s:
        s.execute(__import__("sqlalchemy").text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        s.execute(__import__("sqlalchemy").text("INSERT INTO t VALUES (1)"))
    files = [path, path.with_name("kenes.db-wal"), path.with_name("kenes.db-shm")]
    assert all(f.exists() for f in files)
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600, 0o600]
    db.close()


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "kenes.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Database(f"sqlite:///{path}").open()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class _Handler:
    calls = 0

    async def __call__(self, event: Any, data: dict[str, Any]) -> str:
        self.calls += 1
        return "handled"


def _in_group(group_id: int) -> dict[str, Any]:
    data = handler_data(FakeBot())
    data["event_chat"] = Chat(id=group_id, type="supergroup")
    return data


def test_telegram_group_that_is_not_allow_listed_gets_no_answer() -> None:
    api, handler = FakeApi({7}), _Handler()  # the member is allowed, the group is not
    message = make_message("@kenes_bot кто оказывает услугу?", chat_id=-100123, chat_type="supergroup")
    data = _in_group(-100123)
    assert asyncio.run(AccessMiddleware(api)(handler, message, data)) is None  # type: ignore[arg-type]
    assert handler.calls == 0 and data["bot"].sent == []


def test_telegram_group_that_is_allow_listed_gets_answers() -> None:
    api, handler = FakeApi({7, -100123}), _Handler()
    message = make_message("@kenes_bot кто оказывает услугу?", chat_id=-100123, chat_type="supergroup")
    mw = AccessMiddleware(api)  # type: ignore[arg-type]
    assert asyncio.run(mw(handler, message, _in_group(-100123))) == "handled"
    assert asyncio.run(mw(handler, message, _in_group(-100123))) == "handled"
    assert handler.calls == 2 and api.me_calls.count(-100123) == 1  # remembered


def test_private_chats_need_no_group_allowlist() -> None:
    api, handler = FakeApi({7}), _Handler()
    data = handler_data(FakeBot())
    assert asyncio.run(AccessMiddleware(api)(handler, make_message("вопрос"), data)) == "handled"  # type: ignore[arg-type]


def test_security_headers_on_a_crash_too(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client()
    client._transport.raise_server_exceptions = False  # type: ignore[attr-defined]  # answer, do not raise

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(client.app.state.kenes.assistant, "source", crash)  # type: ignore[attr-defined]
    r = client.get("/api/sources/public-services%23st8", headers=token_for(client, "alice"))
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    assert "default-src 'none'" in r.headers["content-security-policy"]
