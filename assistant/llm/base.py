"""The one interface the answer engine talks to, whatever runs the model.

Backends subclass `LLM` explicitly so they inherit `complete()` and the no-op `warmup()`;
anything else that quacks the same (a test double) satisfies the Protocol structurally.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@runtime_checkable
class LLM(Protocol):
    """A chat model that streams text deltas.

    Every backend failure (server down, timeout, model missing) surfaces as
    `assistant.errors.LLMUnavailable`, so callers can degrade to cited extracts in one place.
    A failure after the first delta also raises `LLMUnavailable`; callers that already showed
    part of the answer decide what to do with it.

    Every call is bounded in wall-clock time (`llm.timeout_s`, or `timeout_s` for one call, e.g.
    what is left of a request's budget after queueing): past it the backend stops generating
    and raises `LLMUnavailable`.
    """

    name: str

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        """Yield text deltas; `None` arguments mean the backend's configured defaults."""
        ...

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> str:
        return "".join(
            self.stream(
                messages, max_tokens=max_tokens, temperature=temperature, stop=stop, timeout_s=timeout_s
            )
        )

    def warmup(self, prefix_messages: Sequence[ChatMessage]) -> None:
        """Precompute the fixed prefix (system prompt) so the first request pays only for its
        own tokens. Backends without a local cache ignore it."""
        return None

    def healthy(self) -> bool: ...
