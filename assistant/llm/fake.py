"""A deterministic stand-in for the LLM, so answer/citation logic is testable without a model.

With numbered sources in the last user message ("[1] …", "[2] …") it answers with the first
sentence of source 1 plus " [1]" — a reply that citation checks accept; without sources it
refuses in Russian like the real prompt asks the model to.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence

from assistant.errors import LLMUnavailable
from assistant.llm.base import LLM, ChatMessage

NO_ANSWER = "Источники не содержат ответа."

# "[1] text", or the prompt's "Источник [1] (label): text" / "Дереккөз [1] (label): text"
_SOURCE_1 = re.compile(
    r"^[ \t]*(?:(?:Источник|Дереккөз)[ \t]+)?\[1\](?:[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))?:?[ \t]*(?P<body>.*?)"
    r"(?=^[ \t]*(?:(?:Источник|Дереккөз)[ \t]+)?\[\d+\]|^\s*$|\Z)",
    re.MULTILINE | re.DOTALL,
)
# A sentence ends at .!?… before a capitalised word; "Статья 8. Услугодатели" and "ст. Закона"
# are not ends (a number or a short lowercase abbreviation precedes the dot).
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s+[«\"(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
_PIECES = re.compile(r"\s*\S+\s*")


class FakeLLM(LLM):
    def __init__(
        self,
        *,
        reply: str | None = None,
        fail: bool = False,
        fail_after: int | None = None,
        delay_s: float = 0.0,
        name: str = "fake",
        timeout_s: float | None = None,
    ) -> None:
        """`reply` replaces the source-based answer; `fail` raises before the first delta,
        `fail_after=n` after n deltas (a server dying mid-answer); `delay_s` sleeps before
        each delta so timeouts and streaming surfaces can be exercised; `timeout_s` bounds each
        call like the real backends' `llm.timeout_s` (None: unbounded)."""
        self.name = name
        self.timeout_s = timeout_s
        self.reply = reply
        self.fail = fail
        self.fail_after = fail_after
        self.delay_s = delay_s
        self.calls: list[list[ChatMessage]] = []
        self.warmed_prefix: list[ChatMessage] | None = None
        self._lock = threading.Lock()

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        with self._lock:
            self.calls.append(list(messages))
        text = self.reply if self.reply is not None else answer_from_sources(messages)
        bound = timeout_s if timeout_s is not None else self.timeout_s
        deadline = time.monotonic() + bound if bound is not None else None
        return self._bounded(self._emit(_cut_at_stop(text, stop), max_tokens), deadline)

    def _emit(self, text: str, max_tokens: int | None) -> Iterator[str]:
        # A generator, so failures surface on iteration exactly like the real backends.
        if self.fail:
            raise LLMUnavailable("fake LLM is configured to fail")
        pieces = _PIECES.findall(text)
        if max_tokens is not None:
            pieces = pieces[:max_tokens]
        for i, piece in enumerate(pieces):
            if self.fail_after is not None and i >= self.fail_after:
                raise LLMUnavailable("fake LLM failed mid-stream")
            if self.delay_s:
                time.sleep(self.delay_s)
            yield piece

    @staticmethod
    def _bounded(pieces: Iterator[str], deadline: float | None) -> Iterator[str]:
        """Stop like the real backends when the call's time is up (checked between deltas,
        which is as often as a real model can be stopped too)."""
        for piece in pieces:
            if deadline is not None and time.monotonic() > deadline:
                raise LLMUnavailable("fake LLM exceeded its time limit", details={"timeout": True})
            yield piece

    def warmup(self, prefix_messages: Sequence[ChatMessage]) -> None:
        self.warmed_prefix = list(prefix_messages)

    def healthy(self) -> bool:
        return not self.fail


def answer_from_sources(messages: Sequence[ChatMessage]) -> str:
    last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
    match = _SOURCE_1.search(last_user)
    if match is None:
        return NO_ANSWER
    body = " ".join(match.group("body").split())
    if not body:
        return NO_ANSWER
    return f"{first_sentence(body)} [1]"


def first_sentence(text: str) -> str:
    for end in _SENTENCE_END.finditer(text):
        before = text[: end.start()].split()
        word = before[-1] if before else ""
        if word and (word[-1].isdigit() or (len(word) <= 3 and word.islower())):
            continue
        return text[: end.end()]
    return text


def _cut_at_stop(text: str, stop: list[str] | None) -> str:
    for s in stop or []:
        if s and s in text:
            text = text[: text.index(s)]
    return text
