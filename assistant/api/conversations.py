"""Recent questions of each conversation, in memory, bounded (least recently used dropped)."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Hashable


class Conversations:
    def __init__(self, *, max_conversations: int = 2_000, max_turns: int = 5) -> None:
        self._max_conversations = max_conversations
        self._max_turns = max_turns
        self._items: OrderedDict[Hashable, deque[str]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, key: Hashable) -> list[str]:
        with self._lock:
            turns = self._items.get(key)
            if turns is None:
                return []
            self._items.move_to_end(key)
            return list(turns)

    def add(self, key: Hashable, question: str) -> None:
        with self._lock:
            turns = self._items.pop(key, None) or deque(maxlen=self._max_turns)
            turns.append(question)
            self._items[key] = turns
            while len(self._items) > self._max_conversations:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
