"""Questions: one JSON answer (`/api/ask`) or a server-sent event stream (`/api/chat`).

A signed-in user's turns are kept in their conversation (assistant/db/conversations.py): the
question when it arrives, the answer when it is final, stopped or failed. Stop = the client
aborts the stream; the server notices the disconnect, the answer worker stops at the next token
(`AnswerService.events` sets its cancel flag when the stream is closed) and the partial answer is
stored as stopped."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from assistant.api import sse
from assistant.api.answering import AnswerService, Heartbeat, Turn, request_lang
from assistant.api.deps import Asker, State
from assistant.api.errors import MSG_INTERNAL, error_body, localize
from assistant.api.schemas import AnswerOut, ChatRequest
from assistant.api.state import ApiState
from assistant.db import conversations
from assistant.errors import KenesError
from assistant.rag.answer import Final, Token

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["questions"])

_STREAM_DOC = {
    200: {
        "content": {"text/event-stream": {}},
        "description": "event: meta {answer_id, conversation_id, position} → event: token {text}* → "
        "event: citations {citations} → event: final {answer JSON}; on failure event: error {code, message}",
    }
}


@dataclass
class Record:
    """Where a signed-in user's turn is kept; `position` is the question's place in it."""

    state: ApiState
    turn: Turn
    position: int

    def finish(self, text: str, status: str, data: dict[str, object] | None = None) -> None:
        try:
            conversations.finish_turn(
                self.state.db,
                self.turn.conversation_id,
                self.position,
                text,
                status=status,
                answer_id=self.turn.answer_id if status == "done" else None,
                data=data,
            )
        except SQLAlchemyError:  # the answer itself is not lost: it went to the client and audit log
            log.exception("could not store answer %s in its conversation", self.turn.answer_id)


async def _begin(state: ApiState, body: ChatRequest, turn: Turn) -> Record | None:
    user_id = turn.principal.user_id
    if user_id is None:  # anonymous (auth not required): nothing to keep it under
        return None
    position, earlier = await run_in_threadpool(
        conversations.start_turn, state.db, user_id, turn.conversation_id, turn.question, body.replace_from
    )
    turn.history = earlier  # the stored questions: right after an edit, after a restart
    return Record(state, turn, position)


@router.post("/ask", response_model=AnswerOut)
async def ask(body: ChatRequest, request: Request, principal: Asker, state: State) -> AnswerOut:
    request.state.lang = request_lang(body)
    service = AnswerService(state)
    turn = service.prepare(body, principal, principal.channel)
    record = await _begin(state, body, turn)
    try:
        answer = await service.answer(turn)
    except KenesError as exc:
        if record is not None:
            await run_in_threadpool(record.finish, exc.message, "error")
        raise
    out = AnswerOut.of(answer, answer_id=turn.answer_id, conversation_id=turn.conversation_id)
    if record is not None:
        await run_in_threadpool(record.finish, out.answer, "done", out.model_dump())
    return out


@router.post("/chat", response_class=StreamingResponse, responses=_STREAM_DOC)  # type: ignore[arg-type]
async def chat(body: ChatRequest, request: Request, principal: Asker, state: State) -> StreamingResponse:
    request.state.lang = lang = request_lang(body)
    service = AnswerService(state)
    turn = service.prepare(body, principal, "bot" if principal.acting_service else "web")
    record = await _begin(state, body, turn)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    frames = _frames(service, turn, lang, record)
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)


async def _frames(
    service: AnswerService, turn: Turn, lang: str | None, record: Record | None
) -> AsyncGenerator[str, None]:
    meta: dict[str, object] = {"answer_id": turn.answer_id, "conversation_id": turn.conversation_id}
    if record is not None:
        meta["position"] = record.position
    streamed: list[str] = []
    outcome: tuple[str, str, dict[str, object] | None] | None = None
    try:
        yield sse.frame("meta", meta)
        try:
            async for event in service.events(turn):
                if isinstance(event, Heartbeat):
                    yield sse.comment()
                elif isinstance(event, Token):
                    streamed.append(event.text)
                    yield sse.frame("token", {"text": event.text})
                elif isinstance(event, Final):
                    out = AnswerOut.of(
                        event.answer, answer_id=turn.answer_id, conversation_id=turn.conversation_id
                    )
                    outcome = (out.answer, "done", out.model_dump())
                    yield sse.frame("citations", {"citations": out.citations})
                    yield sse.frame("final", out.model_dump())
        except KenesError as exc:
            error = error_body(exc, lang)["error"]
            outcome = (error["message"], "error", {"code": error["code"]})
            yield sse.frame("error", {"code": error["code"], "message": error["message"]})
        except Exception:
            log.exception("answer stream %s failed", turn.answer_id)
            message = localize(MSG_INTERNAL, lang)
            outcome = (message, "error", {"code": "internal_error"})
            yield sse.frame("error", {"code": "internal_error", "message": message})
    finally:
        # also on a client disconnect (stop): the stream is closed or cancelled mid-way, and
        # leaving `service.events` has already told the answer worker to stop
        if outcome is None:
            log.info("answer %s stopped by the client after %d tokens", turn.answer_id, len(streamed))
            outcome = ("".join(streamed), "stopped", None)
        if record is not None:
            record.finish(*outcome)  # sync on purpose: a cancelled task cannot await any more
