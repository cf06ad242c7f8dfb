"""Answering for the API: the synchronous answer engine runs in a worker thread that feeds an
asyncio queue, so the event loop (health checks, registry answers, other users) never waits on
an LLM. Every finished answer is written to the audit log and remembered in its conversation."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from assistant.api.deps import Principal
from assistant.api.schemas import AskRequest
from assistant.api.state import ApiState
from assistant.db import audit
from assistant.domain import Answer, Lang
from assistant.llm.deadline import FOREGROUND
from assistant.rag.answer import Event, Final
from assistant.text.lang import detect_lang

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0


@dataclass(frozen=True)
class Heartbeat:
    """Nothing new yet (e.g. queued behind another LLM answer); streams send a keep-alive."""


@dataclass
class Turn:
    question: str
    lang: Lang | None
    conversation_id: str
    principal: Principal
    channel: str
    answer_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    history: list[str] = field(default_factory=list)

    @property
    def conversation_key(self) -> tuple[int | None, str]:
        return (self.principal.user_id, self.conversation_id)


def request_lang(body: AskRequest) -> Lang | None:
    """The user's language for messages about the request itself (e.g. a rejected question)."""
    if body.lang:
        return body.lang
    return detect_lang(body.question) if body.question.strip() else None


class AnswerService:
    def __init__(self, state: ApiState, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.state = state
        self.heartbeat_s = heartbeat_s

    def prepare(self, body: AskRequest, principal: Principal, channel: str) -> Turn:
        """Check the question (raises `QuestionRejected`) and attach the conversation's history."""
        self.state.assistant.check_question(body.question)
        turn = Turn(
            question=body.question,
            lang=body.lang,
            conversation_id=body.conversation_id or uuid.uuid4().hex,
            principal=principal,
            channel=channel,
        )
        turn.history = self.state.conversations.history(turn.conversation_key)
        return turn

    async def answer(self, turn: Turn) -> Answer:
        async for event in self.events(turn):
            if isinstance(event, Final):
                return event.answer
        raise RuntimeError("the answer engine ended without a final answer")

    async def events(self, turn: Turn) -> AsyncIterator[Event | Heartbeat]:
        """Token events as the model writes, then the Final answer; errors are re-raised here."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        cancel = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone (server shutting down)
                cancel.set()

        worker = threading.Thread(
            target=self._produce, args=(turn, put, cancel), name="kenes-answer", daemon=True
        )
        worker.start()
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self.heartbeat_s)
                except TimeoutError:
                    yield Heartbeat()
                    continue
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, Event)
                yield item
        finally:
            cancel.set()  # a client that went away stops the generation at the next token

    # -- worker thread ---------------------------------------------------------------------
    def _produce(self, turn: Turn, put: Callable[[object], None], cancel: threading.Event) -> None:
        try:
            self.state.gate.install(self.state.container.answer_engine)
            # Until it asks the model (if ever), this answer has priority over model work: the
            # embedded model pauses between tokens while registry answers and refusals run.
            with FOREGROUND.answering():
                stream = self.state.assistant.stream(turn.question, turn.history, turn.lang)
                try:
                    for event in stream:
                        if cancel.is_set():
                            break
                        if isinstance(event, Final):
                            self._finish(turn, event.answer)
                        put(event)
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
        except BaseException as exc:
            put(exc)
        finally:
            put(_DONE)

    def _finish(self, turn: Turn, answer: Answer) -> None:
        self.state.conversations.add(turn.conversation_key, turn.question)
        try:
            audit.record_answer(
                self.state.db,
                answer,
                answer_id=turn.answer_id,
                user_id=turn.principal.user_id,
                channel=turn.channel,
            )
        except SQLAlchemyError:
            log.exception("could not write the audit log entry of answer %s", turn.answer_id)


_DONE = object()
