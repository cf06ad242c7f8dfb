"""Server-sent events: framing for the chat stream, and a parser for clients and tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: Any


def frame(event: str, data: Any) -> str:
    """One SSE frame; JSON on one line (json.dumps never emits raw newlines)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def comment(text: str = "keepalive") -> str:
    return f": {text}\n\n"


class SseParser:
    """Incremental: feed text as it arrives, get complete events back. Comments are skipped;
    `data` lines of one event are joined with newlines and decoded as JSON when they parse."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[SseEvent]:
        self._buffer += text.replace("\r\n", "\n").replace("\r", "\n")
        events: list[SseEvent] = []
        while "\n\n" in self._buffer:
            block, self._buffer = self._buffer.split("\n\n", 1)
            event = _parse_block(block)
            if event is not None:
                events.append(event)
        return events


def parse(text: str) -> list[SseEvent]:
    parser = SseParser()
    return parser.feed(text if text.endswith("\n\n") else text + "\n\n")


def _parse_block(block: str) -> SseEvent | None:
    name, data_lines = "message", []
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data_lines.append(value)
    if not data_lines:
        return None
    raw = "\n".join(data_lines)
    try:
        return SseEvent(name, json.loads(raw))
    except json.JSONDecodeError:
        return SseEvent(name, raw)
