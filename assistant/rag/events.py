"""What an answer stream yields: the model's tokens as they come, then the finished answer."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.domain import Answer


@dataclass
class Token:
    text: str


@dataclass
class Final:
    answer: Answer


Event = Token | Final
