"""Defect 6: any string a client can send gets a 4xx in the project's error format, never a 500:
a lone surrogate, invalid UTF-8, over-deep JSON, unknown paths and methods."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.errors import QuestionRejected
from tests.security.conftest import token_for


def _is_error(r: object, status: int, code: str) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    error = r.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
def test_a_lone_surrogate_in_a_question_is_a_422_not_a_500(client: TestClient, path: str) -> None:
    body = '{"question": "Кто оказывает услугу \\ud800?"}'  # valid JSON, no valid text
    headers = {**token_for(client, "alice"), "Content-Type": "application/json"}
    r = client.post(path, content=body.encode(), headers=headers)
    # pydantic's JSON parser refuses it at the boundary; the facade would refuse it too
    assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid_request", "question_rejected")


def test_a_lone_surrogate_in_any_other_field_is_a_422(client: TestClient) -> None:
    headers = {**token_for(client, "alice"), "Content-Type": "application/json"}
    bodies = [
        ("/api/ask", '{"question": "Кто?", "conversation_id": "c\\udfff"}'),
        ("/api/feedback", '{"answer_id": "a1", "rating": 1, "comment": "\\ud800"}'),
        ("/api/feedback", '{"answer_id": "\\ud800", "rating": 1}'),
    ]
    for path, body in bodies:
        _is_error(client.post(path, content=body.encode(), headers=headers), 422, "invalid_request")


def test_the_facade_refuses_a_lone_surrogate_before_the_tokenizer(client: TestClient) -> None:
    assistant = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    with pytest.raises(QuestionRejected):
        assistant.check_question("вопрос \ud800")
    assert assistant.check_question("вопрос\x00 с\x07 управляющими") == "вопрос с управляющими"


def test_invalid_utf8_body_is_a_4xx_in_the_error_format(client: TestClient) -> None:
    headers = {**token_for(client, "alice"), "Content-Type": "application/json"}
    r = client.post("/api/ask", content=b'{"question": "\xff\xfe\xc3("}', headers=headers)
    assert 400 <= r.status_code < 500 and r.json()["error"]["code"] == "invalid_request"


def test_over_deep_json_is_a_4xx_in_the_error_format(client: TestClient) -> None:
    headers = {**token_for(client, "alice"), "Content-Type": "application/json"}
    deep = b'{"question": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = client.post("/api/ask", content=deep, headers=headers)
    assert 400 <= r.status_code < 500 and r.json()["error"]["code"] in (
        "invalid_request",
        "payload_too_large",
    )
    deep = b"[" * 200_000  # unterminated as well
    r = client.post("/api/feedback", content=deep, headers=headers)
    assert 400 <= r.status_code < 500 and "error" in r.json()


def test_unknown_path_and_method_use_the_error_format(client: TestClient) -> None:
    _is_error(client.get("/api/nope"), 404, "not_found")
    _is_error(client.get("/api/ask"), 405, "method_not_allowed")
