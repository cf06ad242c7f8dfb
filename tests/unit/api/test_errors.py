from __future__ import annotations

from assistant.api.errors import (
    Conflict,
    Forbidden,
    RateLimited,
    Unauthorized,
    error_body,
    localize,
    status_of,
)
from assistant.errors import (
    ConfigError,
    IndexNotReady,
    KenesError,
    LLMUnavailable,
    NotFound,
    QuestionRejected,
    StoreLocked,
    ValidationProblem,
)


def test_status_codes() -> None:
    cases = {
        QuestionRejected("q"): 422,
        ValidationProblem("v", []): 422,
        NotFound("n"): 404,
        IndexNotReady("i"): 503,
        LLMUnavailable("l"): 503,
        Unauthorized("u"): 401,
        Forbidden("f"): 403,
        RateLimited("r"): 429,
        Conflict("c"): 409,
        ConfigError("c"): 500,
        StoreLocked("s"): 500,
        KenesError("k"): 500,
    }
    assert {type(e).__name__: status_of(e) for e in cases} == {type(e).__name__: s for e, s in cases.items()}


def test_localize_bilingual_messages() -> None:
    assert localize("Вопрос пуст. / Сұрақ бос.", None) == "Вопрос пуст."
    assert localize("Вопрос пуст. / Сұрақ бос.", "kk") == "Сұрақ бос."
    assert localize("plain", "kk") == "plain"


def test_only_question_rejections_are_localized() -> None:
    body = error_body(ValidationProblem("bad", ["functions.csv:3: x"]), "kk")
    assert body == {
        "error": {"code": "invalid_input", "message": "bad", "details": {"problems": ["functions.csv:3: x"]}}
    }
    assert (
        error_body(QuestionRejected("А. / Ә.", details={"reason": "empty"}), "kk")["error"]["message"] == "Ә."
    )
