"""Per-chat memory: bounded, least recently used chats forgotten, only sources kept."""

from __future__ import annotations

from bots.telegram.api import AnswerView, Citation
from bots.telegram.memory import ChatMemory, ChatState


def _answer(i: int) -> AnswerView:
    citation = Citation(n=1, citation="a#st1", title="Статья 1", quote="длинная цитата " * 50)
    return AnswerView(answer_id=f"a{i}", conversation_id="c", answer="текст " * 500, citations=[citation])


def test_least_recently_used_chats_are_forgotten() -> None:
    memory = ChatMemory(capacity=2)
    memory.get(1).lang = "kk"
    memory.get(2)
    memory.get(1)  # used again: chat 2 is now the oldest
    memory.get(3)
    assert memory.peek(2) is None and memory.peek(1) is not None and len(memory) == 2
    assert memory.get(1).lang == "kk"


def test_recent_answers_are_bounded_and_light() -> None:
    state = ChatState()
    for i in range(8):
        state.remember(_answer(i))
    assert state.answer("a0") is None and state.answer("a7") is state.last_answer
    assert len(state.recent) == 5 and state.conversation_id == "c"
    assert state.last_answer is not None and state.last_answer.answer == ""
    assert state.last_answer.citations[0].quote == "" and state.last_answer.citations[0].title == "Статья 1"


def test_language_follows_telegram_until_chosen() -> None:
    assert ChatState().ui_lang("kk") == "kk"
    assert ChatState().ui_lang("en") == "ru"
    assert ChatState(lang="ru").ui_lang("kk") == "ru"
