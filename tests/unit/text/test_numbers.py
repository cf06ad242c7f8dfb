"""Numerals in digits or words, Russian and Kazakh, whole words only."""

from __future__ import annotations

import pytest

from assistant.text.numbers import amounts, numbers, value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("продолжительностью двадцать четыре календарных дня", {"24"}),
        ("не менее четырнадцати календарных дней", {"14"}),
        ("не позднее сорока пяти дней", {"45"}),
        ("не более трех месяцев", {"3"}),
        ("в течение одного рабочего дня", {"1"}),
        ("в течение пяти (5) рабочих дней", {"5"}),
        ("в течение 5 (пяти) рабочих дней", {"5"}),
        ("он жұмыс күні ішінде", {"10"}),
        ("жиырма бес күн", {"25"}),
    ],
)
def test_time_spans_in_any_wording(text: str, expected: set[str]) -> None:
    assert amounts(text) == expected


@pytest.mark.parametrize("text", ["Труд дней", "она дней", "семья", "Статья 24 кодекса", "2) одного из"])
def test_words_that_only_start_like_a_number_count_nothing(text: str) -> None:
    assert amounts(text) == set()


def test_every_number_a_text_states() -> None:
    assert numbers("Статья 24: в течение трех рабочих дней, 2) по двум основаниям") == {"24", "3", "2"}
    assert numbers("трудовой договор, семья, она") == set()
    assert value("сто двадцать") == "120" and value("стол") is None
