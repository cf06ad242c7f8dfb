"""Request and response bodies of the REST API (what /docs shows)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.domain import Answer, Chunk


class AskRequest(BaseModel):
    # no length constraints here: the facade rejects empty/oversize questions with a
    # bilingual message, which pydantic's English one must not pre-empt
    question: str
    lang: Literal["ru", "kk"] | None = None
    conversation_id: str | None = Field(default=None, description="omit to start a new conversation")


class AnswerOut(BaseModel):
    """The `kenes ask --json` answer plus the ids a client needs for feedback and follow-ups."""

    answer_id: str
    conversation_id: str
    answer: str
    lang: str
    refused: bool
    mode: str
    citations: list[dict[str, Any]]
    retrieved: list[str] = Field(default_factory=list)
    notice: str = ""
    index_version: str
    model: str
    timings: dict[str, float]

    @classmethod
    def of(cls, answer: Answer, *, answer_id: str, conversation_id: str) -> AnswerOut:
        data = answer.model_dump(exclude={"question"})
        data["timings"] = {k: round(v, 1) for k, v in answer.timings.items()}
        return cls(answer_id=answer_id, conversation_id=conversation_id, **data)


class SourceOut(BaseModel):
    citation: str
    kind: str
    title: str
    text: str
    act_title: str
    article: str
    version_date: str
    source_url: str
    repealed: bool
    status: str
    lang: str
    registry: dict[str, str]

    @classmethod
    def of(cls, chunk: Chunk) -> SourceOut:
        return cls.model_validate(chunk.model_dump(include=set(cls.model_fields)))


class FeedbackRequest(BaseModel):
    answer_id: str
    rating: Literal[1, -1]
    comment: str = Field(default="", max_length=4000)


class FeedbackOut(BaseModel):
    ok: bool = True
    answer_id: str
    rating: int


class MeOut(BaseModel):
    name: str
    role: str
    acting_service: str | None = None


class HealthOut(BaseModel):
    status: str = "ok"


class ReadyOut(BaseModel):
    ready: bool
    index_version: str
    model: str
    llm_mode: str
    warming: bool = False
    error: str = ""
    llm_queue: dict[str, int] = Field(default_factory=dict)


class RollbackRequest(BaseModel):
    version: str | None = Field(
        default=None, description="version id or collection; default: the previous one"
    )


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    progress: float
    stage: str
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created: str
    finished: str | None = None


class JobStarted(BaseModel):
    job_id: str
