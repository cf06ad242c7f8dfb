"""Questions: one JSON answer (`/api/ask`) or a server-sent event stream (`/api/chat`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from assistant.api import sse
from assistant.api.answering import AnswerService, Heartbeat, Turn, request_lang
from assistant.api.deps import Asker, State
from assistant.api.errors import MSG_INTERNAL, error_body, localize
from assistant.api.schemas import AnswerOut, AskRequest
from assistant.errors import KenesError
from assistant.rag.answer import Final, Token

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["questions"])

_STREAM_DOC = {
    200: {
        "content": {"text/event-stream": {}},
        "description": "event: meta {answer_id, conversation_id} → event: token {text}* → "
        "event: citations {citations} → event: final {answer JSON}; on failure event: error {code, message}",
    }
}


@router.post("/ask", response_model=AnswerOut)
async def ask(body: AskRequest, request: Request, principal: Asker, state: State) -> AnswerOut:
    request.state.lang = request_lang(body)
    service = AnswerService(state)
    turn = service.prepare(body, principal, principal.channel)
    answer = await service.answer(turn)
    return AnswerOut.of(answer, answer_id=turn.answer_id, conversation_id=turn.conversation_id)


@router.post("/chat", response_class=StreamingResponse, responses=_STREAM_DOC)  # type: ignore[arg-type]
async def chat(body: AskRequest, request: Request, principal: Asker, state: State) -> StreamingResponse:
    request.state.lang = lang = request_lang(body)
    service = AnswerService(state)
    turn = service.prepare(body, principal, "bot" if principal.acting_service else "web")
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(_frames(service, turn, lang), media_type="text/event-stream", headers=headers)


async def _frames(service: AnswerService, turn: Turn, lang: str | None) -> AsyncIterator[str]:
    yield sse.frame("meta", {"answer_id": turn.answer_id, "conversation_id": turn.conversation_id})
    try:
        async for event in service.events(turn):
            if isinstance(event, Heartbeat):
                yield sse.comment()
            elif isinstance(event, Token):
                yield sse.frame("token", {"text": event.text})
            elif isinstance(event, Final):
                out = AnswerOut.of(
                    event.answer, answer_id=turn.answer_id, conversation_id=turn.conversation_id
                )
                yield sse.frame("citations", {"citations": out.citations})
                yield sse.frame("final", out.model_dump())
    except KenesError as exc:
        error = error_body(exc, lang)["error"]
        yield sse.frame("error", {"code": error["code"], "message": error["message"]})
    except Exception:
        log.exception("answer stream %s failed", turn.answer_id)
        yield sse.frame("error", {"code": "internal_error", "message": localize(MSG_INTERNAL, lang)})
