"""Bearer tokens, roles, the bot's service account acting for allow-listed Telegram users."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.db.models import AuditLog
from tests.unit.api.conftest import MakeClient, token_for


def test_no_token_is_401_with_bearer_challenge(client: TestClient) -> None:
    r = client.get("/api/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthorized"


def test_invalid_or_malformed_token_is_401(client: TestClient) -> None:
    token_for(client, "alice")
    assert client.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_me_returns_name_and_role(client: TestClient) -> None:
    headers = token_for(client, "alice", "analyst")
    assert client.get("/api/me", headers=headers).json() == {
        "name": "alice",
        "role": "analyst",
        "acting_service": None,
    }


def test_admin_endpoints_need_admin_role(client: TestClient) -> None:
    for role in ("user", "analyst", "service"):
        r = client.get("/api/admin/index", headers=token_for(client, f"u-{role}", role))
        assert r.status_code == 403, role
        assert r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/admin/jobs/x", headers=token_for(client, "plain")).status_code == 403


def test_service_acts_for_allowlisted_telegram_user(client: TestClient) -> None:
    bot = token_for(client, "bot", "service")
    token_for(client, "aigerim", "user", telegram_id=555)
    r = client.get("/api/me", headers={**bot, "X-Kenes-Telegram-User": "555"})
    assert r.json() == {"name": "aigerim", "role": "user", "acting_service": "bot"}
    r = client.post("/api/ask", json={"question": "Кто?"}, headers={**bot, "X-Kenes-Telegram-User": "555"})
    assert r.status_code == 200
    row = _audit_row(client, r.json()["answer_id"])
    assert row.channel == "bot" and row.user_id is not None


def test_unknown_telegram_user_is_403(client: TestClient) -> None:
    bot = token_for(client, "bot", "service")
    for value in ("999", "abc"):
        r = client.get("/api/me", headers={**bot, "X-Kenes-Telegram-User": value})
        assert r.status_code == 403
        assert "Telegram" in r.json()["error"]["message"]


def test_only_service_role_may_act_for_telegram_users(client: TestClient) -> None:
    token_for(client, "aigerim", "user", telegram_id=555)
    admin = token_for(client, "root", "admin")
    assert client.get("/api/me", headers={**admin, "X-Kenes-Telegram-User": "555"}).status_code == 403


def test_relayed_admin_gets_no_admin_rights(client: TestClient) -> None:
    bot = token_for(client, "bot", "service")
    token_for(client, "boss", "admin", telegram_id=777)
    r = client.get("/api/admin/index", headers={**bot, "X-Kenes-Telegram-User": "777"})
    assert r.status_code == 403


def test_auth_optional_gives_anonymous_user(make_client: MakeClient) -> None:
    client = make_client(api={"auth_required": False})
    assert client.get("/api/me").json()["name"] == "anonymous"
    assert client.post("/api/ask", json={"question": "Кто?"}).status_code == 200
    assert client.get("/api/admin/index").status_code == 403
    assert client.get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code == 401


def _audit_row(client: TestClient, answer_id: str) -> AuditLog:
    from assistant.db.audit import find_answer

    row = find_answer(client.app.state.kenes.db, answer_id)  # type: ignore[attr-defined]
    assert row is not None
    return row
