"""One error hierarchy for the whole product; each surface translates it once."""

from __future__ import annotations


class KenesError(Exception):
    """Base class. `code` is stable and machine readable; the message is for people."""

    code = "kenes_error"

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ConfigError(KenesError):
    code = "config_error"


class ValidationProblem(KenesError):
    """Input data (registry file, act file, eval set) is malformed. `problems` lists each
    problem with its location so an admin can fix the file in one pass."""

    code = "invalid_input"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, details={"problems": problems})
        self.problems = problems


class QuestionRejected(KenesError):
    """Empty, oversize or otherwise unacceptable question."""

    code = "question_rejected"


class IndexNotReady(KenesError):
    """No index built yet, or the store is missing."""

    code = "index_not_ready"


class StoreLocked(KenesError):
    """Embedded Qdrant allows one process per path; another process (usually `kenes serve`)
    owns it."""

    code = "store_locked"


class LLMUnavailable(KenesError):
    """The LLM backend is down, missing or timed out; answers degrade to cited extracts."""

    code = "llm_unavailable"


class NotFound(KenesError):
    code = "not_found"
