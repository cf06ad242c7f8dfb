"""Defect 2: unbounded request bodies, read before authentication; unbounded string fields."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from assistant.api.middleware import MAX_JSON_BYTES
from assistant.api.state import ApiState
from assistant.db.users import add_user

MB = 1024 * 1024


def _raw_post(base: str, path: str, head: dict[str, str], body_prefix: bytes) -> tuple[int, bytes]:
    """Send the headers and only the first bytes of a (claimed) huge body; read the answer."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", *[f"{k}: {v}" for k, v in head.items()]]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body_prefix)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_unauthenticated_200mb_post_to_ask_is_refused_before_the_body_is_read(
    live: tuple[str, ApiState],
) -> None:
    base, _ = live
    started = time.monotonic()
    for _ in range(4):  # the probe: four 200 MB posts; only their first kilobyte is ever sent
        head = {"Content-Type": "application/json", "Content-Length": str(200 * MB)}
        status, body = _raw_post(base, "/api/ask", head, b'{"question": "' + b"a" * 1024)
        assert status in (401, 413)
        assert b'"error"' in body and b'"code"' in body
    assert time.monotonic() - started < 10  # answered without waiting for 800 MB


def test_unauthenticated_chunked_post_is_refused_before_the_body_is_read(
    live: tuple[str, ApiState],
) -> None:
    base, _ = live
    head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    status, body = _raw_post(base, "/api/ask", head, b"400\r\n" + b"a" * 1024 + b"\r\n")
    assert status == 401 and b'"unauthorized"' in body


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_authenticated_oversize_body_is_413_in_the_error_format(live: tuple[str, ApiState]) -> None:
    base, state = live
    _, token = add_user(state.db, "alice", "user")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    r = httpx.post(f"{base}/api/ask", content=b" " * (MAX_JSON_BYTES + 1), headers=auth, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    # no Content-Length (chunked): counted while it streams and cut off at the limit
    r = httpx.post(f"{base}/api/ask", content=_chunks(3 * MAX_JSON_BYTES), headers=auth, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_unauthenticated_upload_is_refused_before_the_body_is_read(live: tuple[str, ApiState]) -> None:
    base, _ = live
    head = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(90 * MB)}
    status, body = _raw_post(base, "/api/admin/ingest", head, b"--x\r\n")
    assert status == 401 and b'"unauthorized"' in body


def test_a_1mb_conversation_id_is_rejected_not_echoed(client: TestClient) -> None:
    from tests.security.conftest import token_for

    r = client.post(
        "/api/ask",
        json={"question": "Кто оказывает услугу?", "conversation_id": "c" * 1_000_000},
        headers=token_for(client, "alice"),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "ccccccccc" not in r.text


def test_every_string_field_of_the_request_schemas_is_bounded() -> None:
    from pydantic import BaseModel

    from assistant.api import schemas

    unbounded = []
    for name in dir(schemas):
        model = getattr(schemas, name)
        if isinstance(model, type) and issubclass(model, BaseModel) and name.endswith("Request"):
            for field, spec in model.model_json_schema()["properties"].items():
                options = spec.get("anyOf", [spec])
                if any(
                    o.get("type") == "string" and "maxLength" not in o and "enum" not in o for o in options
                ):
                    unbounded.append(f"{name}.{field}")
    assert unbounded == []


def test_oversize_question_gets_the_bilingual_message_first(client: TestClient) -> None:
    from tests.security.conftest import token_for

    r = client.post("/api/ask", json={"question": "а" * 3000}, headers=token_for(client, "alice"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "question_rejected"
    r = client.post("/api/ask", json={"question": "а" * 30_000}, headers=token_for(client, "bob"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
