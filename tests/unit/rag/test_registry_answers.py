"""Registry answers composed from the rows themselves, in Russian and Kazakh."""

from __future__ import annotations

import pytest

from assistant.domain import Chunk
from assistant.rag import registry_answers as reg
from assistant.rag.registry_query import RegistryQuery
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import AGENCY, OLD_AGENCY, OLD_BASIS, row, rows


def _chunks() -> list[Chunk]:
    return [row_to_chunk(RegistryRow.model_validate(r)) for r in rows()]


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "функций"),
        (1, "функция"),
        (2, "функции"),
        (4, "функции"),
        (5, "функций"),
        (11, "функций"),
        (12, "функций"),
        (14, "функций"),
        (21, "функция"),
        (22, "функции"),
        (101, "функция"),
        (111, "функций"),
        (112, "функций"),
        (354, "функции"),
    ],
)
def test_ru_plural(n: int, form: str) -> None:
    assert reg.ru_plural(n, ("функция", "функции", "функций")) == form


def test_row_citation() -> None:
    chunk = _chunks()[1]
    c = reg.row_citation(3, chunk)
    assert (c.n, c.citation, c.kind) == (3, "registry:TA-02-02", "registry")
    assert c.title == "TA-02-02: ведет реестр тестовых услуг"
    assert c.quote == chunk.text and c.version_date == "2024-01-01" and not c.repealed


def test_row_citation_of_a_repealed_row() -> None:
    c = reg.row_citation(1, _chunks()[2])
    assert c.repealed and c.status.startswith("Утратило силу")


def test_who_single_row_ru_and_kk() -> None:
    one = [_chunks()[1]]
    assert (
        reg.who(one, "ru")
        == f"По реестру эту функцию выполняет: {AGENCY} — «ведет реестр тестовых услуг» [1]."
    )
    kk = reg.who(one, "kk")
    assert kk.startswith("Тізілім бойынша бұл функцияны атқаратын орган:")
    assert AGENCY in kk and kk.endswith("[1].")


def test_who_same_function_of_one_agency_cites_all() -> None:
    twin = row_to_chunk(RegistryRow.model_validate(row(function_id="TA-02-09")))  # same agency, same text
    text = reg.who([_chunks()[0], twin], "ru")
    assert text == (
        f"По реестру эту функцию выполняет: {AGENCY} — «утверждает правила оказания тестовых услуг» [1][2]."
    )


def test_who_different_functions_of_one_agency_are_each_quoted() -> None:
    text = reg.who(_chunks()[:2], "ru")
    assert "«утверждает правила оказания тестовых услуг» [1]" in text
    assert "«ведет реестр тестовых услуг» [2]" in text


def test_who_rows_of_several_agencies_are_listed() -> None:
    text = reg.who(_chunks(), "ru")
    lines = text.split("\n")
    assert lines[0] == "В реестре несколько подходящих записей — функция закреплена за разными органами:"
    assert lines[1] == f"- {AGENCY}: «утверждает правила оказания тестовых услуг» [1]"
    assert lines[3] == f"- {OLD_AGENCY}: «выдача архивных справок гражданам» [3]"
    kk = reg.who(_chunks(), "kk").split("\n")
    assert kk[0].startswith("Тізілімде бірнеше лайықты жазба бар") and len(kk) == 4


def test_status_ru_and_kk() -> None:
    text = reg.status([_chunks()[1]], "ru")
    assert text == (
        f"Функция «ведет реестр тестовых услуг» ({AGENCY}) отмечена в реестре так: "
        "автоматизируемая: да, риск: низкий [1]. Обоснование: Ведение реестра — рутинная операция."
    )
    kk = reg.status([_chunks()[1]], "kk")
    assert "тізілімде былай белгіленген: автоматтандыру: да, тәуекел: низкий [1]. Негіздеме:" in kk


def test_status_numbers_each_row() -> None:
    lines = reg.status(_chunks()[:2], "ru").split("\n")
    assert len(lines) == 2
    assert "нет, риск: высокий [1]" in lines[0] and "да, риск: низкий [2]" in lines[1]


@pytest.mark.parametrize(
    ("basis", "short"),
    [
        (OLD_BASIS, "Положение о старом комитете по архивам, п. 2"),
        ("Закон РК «О тестовых услугах», ст. 2, пп. 1)", "Закон РК «О тестовых услугах», ст. 2, пп. 1)"),
        ("нет (демонстрационная запись)", "нет (демонстрационная запись)"),
        ("", ""),
    ],
)
def test_short_basis(basis: str, short: str) -> None:
    assert reg.short_basis(basis) == short


def test_legal_basis_cites_the_article_number() -> None:
    chunks = _chunks()
    text = reg.legal_basis([chunks[0], chunks[2]], {"tiny-act#st2": 3}, "ru")
    assert text == (
        "Правовое основание: Закон РК «О тестовых услугах», ст. 2, пп. 1) [3]; "
        "Положение о старом комитете по архивам, п. 2."
    )
    assert (
        reg.legal_basis([chunks[0]], {}, "kk")
        == "Құқықтық негіз: Закон РК «О тестовых услугах», ст. 2, пп. 1)."
    )


def test_legal_basis_empty() -> None:
    chunk = row_to_chunk(RegistryRow.model_validate(row(legal_basis="")))
    assert reg.legal_basis([chunk], {}, "ru") == ""


def test_legal_basis_is_not_repeated_for_rows_with_the_same_basis() -> None:
    # regression: the dedup compared bare bases with entries already carrying « [n]»
    a = row_to_chunk(RegistryRow.model_validate(row(function_id="TA-02-01")))
    b = row_to_chunk(RegistryRow.model_validate(row(function_id="TA-02-09", agency="другой орган")))
    text = reg.legal_basis([a, b], {"tiny-act#st2": 3}, "ru")
    assert text == "Правовое основание: Закон РК «О тестовых услугах», ст. 2, пп. 1) [3]."


def test_listing_ru() -> None:
    chunks = _chunks()
    text = reg.listing(chunks[:2], 2, "органы: " + AGENCY, "ru")
    lines = text.split("\n")
    assert lines[0] == f"В реестре органы: {AGENCY}: 2 функции."
    assert (
        lines[1]
        == f"1. «утверждает правила оказания тестовых услуг» — {AGENCY}; автоматизируемая: нет, риск: высокий [1]"
    )
    assert lines[2].endswith("автоматизируемая: да, риск: низкий [2]")
    assert len(lines) == 3


def test_listing_says_how_many_more() -> None:
    text = reg.listing(_chunks()[:1], 21, "все записи", "ru")
    assert text.split("\n")[0] == "В реестре все записи: 21 функция."
    assert text.split("\n")[-1].startswith("…и ещё 20 (полный список")
    kk = reg.listing(_chunks()[:1], 3, "барлық жазбалар", "kk")
    assert kk.split("\n")[0] == "Тізілімде барлық жазбалар: 3 функция."
    assert kk.split("\n")[-1].startswith("…және тағы 2")
    assert "автоматтандыру: нет, тәуекел: высокий [1]" in kk


def test_listing_of_nothing() -> None:
    assert reg.listing([], 0, "риск: высокий", "ru") == "В реестре риск: высокий: 0 функций."


def test_a_registry_query_describes_what_it_selects_ru_and_kk() -> None:
    q = RegistryQuery(agencies=["орган А", "орган Б"], category="иная", automatable="да", risk="низкий")
    assert q.describe("ru") == "органы: орган А; орган Б, категория: иная, автоматизируемая: да, риск: низкий"
    assert RegistryQuery(agencies=["орган А"], category="иная", automatable="да", risk="низкий").describe(
        "kk"
    ) == ("органдар: орган А, санат: иная, автоматтандыру: да, тәуекел: низкий")
    assert RegistryQuery().describe("ru") == "все записи"
    assert RegistryQuery().describe("kk") == "барлық жазбалар"
    assert RegistryQuery(risk="высокий").describe("ru") == "риск: высокий"
    assert RegistryQuery(acts={"law": "О тестах"}).describe("ru") == "акты: «О тестах»"


def test_nearest_rows_follow_a_law_answer_before_its_quotes_cited_after_the_articles() -> None:
    from assistant.domain import Answer, Citation

    law = Answer(
        question="q",
        answer="Закон говорит так [1]\n\nЦитаты из источников:\n[1] «…»",
        lang="ru",
        citations=[Citation(n=1, citation="act#st1", kind="act", title="t", quote="…")],
    )
    nearest = _chunks()[1]
    out = reg.with_nearest_rows(law, [nearest], "ru", "Цитаты из источников:")
    text = out.answer
    assert text.startswith("Закон говорит так [1]")
    assert text.index("Ближайшие записи реестра:") < text.index("Цитаты из источников:")
    assert f"- {AGENCY}:" in text and "[2]" in text
    assert [c.citation for c in out.citations] == ["act#st1", nearest.citation]
    # no «performs this function» claim: the rows are the nearest entries, not the answer
    assert "выполняет" not in text
