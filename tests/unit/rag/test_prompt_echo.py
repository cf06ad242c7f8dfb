"""A small model that repeats its instructions: the echo is cut before the citation check."""

from __future__ import annotations

from assistant.rag.prompts import LAW_TAIL, without_prompt_echo


def test_an_echoed_instruction_clause_is_removed_and_the_answer_kept() -> None:
    raw = "Сұраққа дереккөздер бойынша бір-екі сөйлеммен қазақша жауап бер, Қызмет порталда көрсетіледі [1]."
    assert without_prompt_echo(raw, "kk") == "Қызмет порталда көрсетіледі [1]."
    whole = f"{LAW_TAIL['ru']} Жалобу рассматривают в течение пяти рабочих дней [1]."
    assert without_prompt_echo(whole, "ru") == "Жалобу рассматривают в течение пяти рабочих дней [1]."


def test_an_answer_without_echo_is_unchanged() -> None:
    text = "Жалобу рассматривают в течение пяти рабочих дней со дня ее регистрации [1]."
    assert without_prompt_echo(text, "ru") == text
