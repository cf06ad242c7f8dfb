from __future__ import annotations

import time

import pytest

from assistant.errors import LLMUnavailable
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.factory import build_llm
from assistant.llm.fake import NO_ANSWER, FakeLLM
from assistant.settings import LLMSettings, Settings

SYSTEM = ChatMessage("system", "Отвечай только по источникам и ставь ссылки [n].")

QUESTION_WITH_SOURCES = """Источники:
[1] public-services#st8 Статья 8. Услугодатели обязаны обеспечивать доступность государственных услуг.
Они также информируют получателей о порядке оказания услуг.
[2] public-services#st9 Статья 9. Второй источник не должен попасть в ответ.

Вопрос: Что обязаны обеспечивать услугодатели?"""


def ask(llm: LLM, user: str) -> list[str]:
    return list(llm.stream([SYSTEM, ChatMessage("user", user)]))


def test_answers_with_first_sentence_of_source_1_and_cites_it() -> None:
    llm = FakeLLM()
    text = llm.complete([SYSTEM, ChatMessage("user", QUESTION_WITH_SOURCES)])
    assert text == (
        "public-services#st8 Статья 8. Услугодатели обязаны обеспечивать доступность "
        "государственных услуг. [1]"
    )
    assert "Второй источник" not in text


def test_first_sentence_only() -> None:
    llm = FakeLLM()
    text = llm.complete([ChatMessage("user", "[1] Первое предложение. Второе предложение.\n[2] Иное.")])
    assert text == "Первое предложение. [1]"


def test_abbreviations_do_not_end_the_sentence() -> None:
    text = FakeLLM().complete([ChatMessage("user", "[1] Согласно ст. 5 Закона услуга бесплатна. Далее.")])
    assert text == "Согласно ст. 5 Закона услуга бесплатна. [1]"


def test_refuses_without_sources() -> None:
    assert FakeLLM().complete([SYSTEM, ChatMessage("user", "Сколько звёзд на небе?")]) == NO_ANSWER


def test_uses_the_last_user_message_only() -> None:
    messages = [
        ChatMessage("user", "[1] Старый источник."),
        ChatMessage("assistant", "Старый источник. [1]"),
        ChatMessage("user", "А без источников?"),
    ]
    assert FakeLLM().complete(messages) == NO_ANSWER


def test_streams_word_by_word_and_joins_back_exactly() -> None:
    llm = FakeLLM(reply="Раз два  три.")
    deltas = ask(llm, "?")
    assert deltas == ["Раз ", "два  ", "три."]
    assert "".join(deltas) == "Раз два  три."


def test_canned_reply_is_deterministic_and_recorded() -> None:
    llm = FakeLLM(reply="Ответ [1]")
    assert llm.complete([ChatMessage("user", "a")]) == llm.complete([ChatMessage("user", "b")]) == "Ответ [1]"
    assert [c[-1].content for c in llm.calls] == ["a", "b"]


def test_max_tokens_and_stop() -> None:
    llm = FakeLLM(reply="один два три четыре")
    assert llm.complete([ChatMessage("user", "?")], max_tokens=2) == "один два "
    assert llm.complete([ChatMessage("user", "?")], stop=[" три"]) == "один два"


def test_fail_raises_llm_unavailable_on_iteration() -> None:
    llm = FakeLLM(fail=True)
    stream = llm.stream([ChatMessage("user", "?")])
    with pytest.raises(LLMUnavailable):
        next(iter(stream))
    assert not llm.healthy()


def test_fail_after_some_deltas() -> None:
    llm = FakeLLM(reply="a b c d", fail_after=2)
    got: list[str] = []
    with pytest.raises(LLMUnavailable):
        for delta in llm.stream([ChatMessage("user", "?")]):
            got.append(delta)
    assert got == ["a ", "b "]


def test_delay_per_token() -> None:
    llm = FakeLLM(reply="a b c", delay_s=0.02)
    start = time.perf_counter()
    llm.complete([ChatMessage("user", "?")])
    assert time.perf_counter() - start >= 0.05


def test_warmup_and_health() -> None:
    llm = FakeLLM()
    llm.warmup([SYSTEM])
    assert llm.warmed_prefix == [SYSTEM]
    assert llm.healthy()
    assert isinstance(llm, LLM)


def test_factory_builds_fake() -> None:
    llm = build_llm(Settings(llm=LLMSettings(mode="fake")))
    assert isinstance(llm, FakeLLM)
    assert llm.name == "fake"


def test_source_labels_with_nested_parentheses_are_not_quoted() -> None:
    """The prompt labels sources like «(«Заң», 3-бап (ред. 2023-07-01))»: the label is not part of
    the source text the fake model repeats."""
    from assistant.llm.base import ChatMessage
    from assistant.llm.fake import answer_from_sources

    prompt = "Сұрақ: x\n\nДереккөз [1] («Заң», 3-бап (ред. 2023-07-01)): Өтініш бес күнде қаралады.\nДереккөз [2] (y): z."
    assert answer_from_sources([ChatMessage("user", prompt)]) == "Өтініш бес күнде қаралады. [1]"
