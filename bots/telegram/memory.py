"""What the bot remembers per chat, in memory and bounded: the chosen language, the conversation
id that makes follow-up questions keep their context, and the last answer (for /sources).

Lost on restart on purpose: the API holds the real conversation history and the audit log."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from bots.telegram.api import AnswerView
from bots.telegram.paging import ListPage
from bots.telegram.texts import Lang, as_lang

RECENT_ANSWERS = 5


@dataclass
class ChatState:
    lang: Lang | None = None  # set by /lang; None → from the user's Telegram language
    conversation_id: str | None = None
    last_answer: AnswerView | None = None
    # the few latest answers, for buttons pressed under an older answer of this chat
    recent: OrderedDict[str, AnswerView] = field(default_factory=OrderedDict)
    # the pages of those answers that are long lists (bots/telegram/paging.py), for ◀ ▶
    pages: dict[str, list[ListPage]] = field(default_factory=dict)

    def remember(self, answer: AnswerView, keep: int = RECENT_ANSWERS) -> None:
        self.conversation_id = answer.conversation_id
        # only the sources are needed later: drop the texts to keep thousands of chats small
        citations = [c.model_copy(update={"quote": ""}) for c in answer.citations]
        answer = answer.model_copy(update={"answer": "", "citations": citations})
        self.last_answer = answer
        self.recent[answer.answer_id] = answer
        while len(self.recent) > keep:
            dropped, _ = self.recent.popitem(last=False)
            self.pages.pop(dropped, None)

    def answer(self, answer_id: str) -> AnswerView | None:
        return self.recent.get(answer_id)

    def ui_lang(self, telegram_language: str | None) -> Lang:
        if self.lang:
            return self.lang
        return "kk" if as_lang((telegram_language or "")[:2]) == "kk" else "ru"


class ChatMemory:
    def __init__(self, capacity: int = 5_000) -> None:
        self._capacity = capacity
        self._chats: OrderedDict[int, ChatState] = OrderedDict()

    def get(self, chat_id: int) -> ChatState:
        state = self._chats.pop(chat_id, None) or ChatState()
        self._chats[chat_id] = state  # most recently used last
        while len(self._chats) > self._capacity:
            self._chats.popitem(last=False)
        return state

    def peek(self, chat_id: int) -> ChatState | None:
        return self._chats.get(chat_id)

    def __len__(self) -> int:
        return len(self._chats)
