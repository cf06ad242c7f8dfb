"""«What does it mean?» through the real path: the demo index, the learned rankers, the answer
engine (fake LLM: the answer is the quoted evidence)."""

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
