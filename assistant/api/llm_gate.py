"""A gate in front of the LLM: at most `max_llm_concurrency` generations at once, the rest
queue. Only LLM-bound work passes it, so registry answers and health checks never wait.

One budget (`llm.timeout_s`) covers queueing here and the model call: what is left after the
wait is passed on as the call's own bound, so no LLM answer takes longer than the budget (plus
retrieval) however many are queued. Past it the request gets `LLMUnavailable`, which the answer
engine already turns into a cited extractive answer with a notice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.errors import LLMUnavailable
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.deadline import FOREGROUND


class GatedLLM:
    def __init__(self, inner: LLM, slots: int, wait_s: float) -> None:
        self.inner = inner
        self.slots = slots
        self.wait_s = wait_s
        self._semaphore = threading.BoundedSemaphore(slots)
        self._count_lock = threading.Lock()
        self.waiting = 0
        self.running = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else self.wait_s)
        options = {"max_tokens": max_tokens, "temperature": temperature, "stop": stop}
        return self._gated(messages, options, deadline)

    def _gated(
        self, messages: Sequence[ChatMessage], options: dict[str, Any], deadline: float
    ) -> Iterator[str]:
        # waiting for a slot is waiting for the model: the model must not pause for this thread
        FOREGROUND.leave()
        self._count("waiting", 1)
        try:
            acquired = self._semaphore.acquire(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            self._count("waiting", -1)
        if not acquired:
            raise LLMUnavailable(
                "All LLM slots are busy; try again shortly.", details={"queue_timeout_s": self.wait_s}
            )
        self._count("running", 1)
        try:
            if LLM in type(self.inner).__mro__:  # our backends take the rest of the budget
                options["timeout_s"] = max(0.001, deadline - time.monotonic())
            yield from self.inner.stream(messages, **options)
        finally:
            self._count("running", -1)
            self._semaphore.release()

    def complete(self, messages: Sequence[ChatMessage], **options: Any) -> str:
        return "".join(self.stream(messages, **options))

    def warmup(self, prefix_messages: Sequence[ChatMessage]) -> None:
        self.inner.warmup(prefix_messages)

    def healthy(self) -> bool:
        return self.inner.healthy()

    def _count(self, field: str, delta: int) -> None:
        with self._count_lock:
            setattr(self, field, getattr(self, field) + delta)


class LLMGate:
    """Puts a `GatedLLM` in front of an answer engine's LLM and takes it away again."""

    def __init__(self, slots: int, wait_s: float) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self._gate: GatedLLM | None = None
        self._engine: Any = None
        self._lock = threading.Lock()

    def install(self, engine: Any) -> None:
        with self._lock:
            llm = getattr(engine, "llm", None)
            if llm is None or llm is self._gate:
                return
            self._gate = GatedLLM(llm, self.slots, self.wait_s)
            self._engine = engine
            engine.llm = self._gate

    def uninstall(self) -> None:
        with self._lock:
            if self._engine is not None and self._gate is not None and self._engine.llm is self._gate:
                self._engine.llm = self._gate.inner
            self._engine = None
            self._gate = None

    def stats(self) -> dict[str, int]:
        gate = self._gate
        return {
            "slots": self.slots,
            "running": gate.running if gate else 0,
            "waiting": gate.waiting if gate else 0,
        }
