"""Answers of particular kinds through the real path — «what does it mean?», a «who?» that the
law answers — on the demo index with the learned rankers (fake LLM: the answer is the quoted
evidence)."""

from __future__ import annotations

import pytest

from assistant.container import Container

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("question", "citation", "definition"),
    [
        (
            "Нам поручили «проактивно распространять информацию». Что это значит по закону?",
            "access-to-information#st1",
            "без запроса пользователя информации",
        ),
        (
            "Что означает «услугополучатель»?",
            "public-services#st1",
            "физические и юридические лица",
        ),
        (
            "«Мемлекеттік көрсетілетін қызмет» дегеніміз не?",
            "public-services#st1",
            "көрсетілетін қызметті алушылардың өтініш жасауы бойынша",
        ),
    ],
)
def test_the_law_s_definition_leads_the_answer(
    demo_container: Container, question: str, citation: str, definition: str
) -> None:
    answer = demo_container.assistant.ask(question)
    assert not answer.refused
    assert definition in answer.answer.split("\n")[0], answer.answer[:300]
    assert answer.citations[0].citation == citation
    assert answer.retrieved[0] == citation


def test_a_who_question_the_law_answers_leads_with_the_law_and_shows_rows_as_nearest(
    demo_container: Container,
) -> None:
    # the State Corporation's staff identify the applicant (ст. 20); no registry row has that
    # function, so rows are shown only as the nearest entries, after the law
    answer = demo_container.assistant.ask(
        "ХҚКО арқылы қызмет көрсеткенде келген адамның жеке басын кім анықтап, сәйкестендіреді?"
    )
    first = answer.answer.split("\n")[0]
    assert "сәйкестендіруді Мемлекеттік корпорацияның қызметкерлері" in first, answer.answer[:300]
    assert answer.citations[0].citation == "public-services#st20"
    assert "Тізілімнің ең жақын жазбалары:" in answer.answer
    assert "бұл функцияны атқаратын орган" not in answer.answer
