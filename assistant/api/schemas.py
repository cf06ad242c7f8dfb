"""Request and response bodies of the REST API (what /docs shows)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from assistant.domain import Answer, Chunk

# Every string a client sends is bounded (a 1 MB conversation_id was echoed back and kept as a
# memory key) and free of lone surrogates ("\ud800" is valid JSON but no text: the database,
# the tokenizer and the JSON answer all fail on it).
MAX_QUESTION_FIELD = 20_000  # a hard ceiling; the facade's own, bilingual limit is far lower
MAX_ID = 128
MAX_COMMENT = 4000
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("contains an invalid character (a lone UTF-16 surrogate)")
    return value


Text = Annotated[str, AfterValidator(_no_surrogates)]
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[\w.:\-]+$")]


class AskRequest(BaseModel):
    # only a hard ceiling here: the facade rejects empty/oversize questions and lone surrogates
    # with a bilingual message, which pydantic's English one must not pre-empt
    question: str = Field(max_length=MAX_QUESTION_FIELD)
    lang: Literal["ru", "kk"] | None = None
    conversation_id: Id | None = Field(default=None, description="omit to start a new conversation")


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
    answer_id: Id
    rating: Literal[1, -1]
    comment: Text = Field(default="", max_length=MAX_COMMENT)


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
    version: Id | None = Field(
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


# -- conversations kept per user (routes/conversations.py, routes/ask.py) ----------------------
class ChatRequest(AskRequest):
    replace_from: int | None = Field(
        default=None,
        ge=0,
        description="position of a stored question to replace with this one, dropping what followed "
        "(edit and resend; regenerate sends the same question)",
    )


class ConversationOut(BaseModel):
    id: str
    title: str
    created: str
    updated: str
    snippet: str = ""


class MessageOut(BaseModel):
    position: int
    role: Literal["user", "assistant"]
    text: str
    status: str = "done"
    answer_id: str | None = None
    answer: dict[str, Any] | None = Field(default=None, description="the final answer JSON of an answer")


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class RenameRequest(BaseModel):
    title: Text = Field(min_length=1, max_length=200)


class AllowlistOut(BaseModel):
    telegram_users: int
