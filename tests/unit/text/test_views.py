"""What the two retrievers see of a chunk: the registry assessment is never embedded."""

from __future__ import annotations

from assistant.domain import Chunk
from assistant.text.views import DENSE_CHARS, body, dense_text, lexical_parts, lexical_text, whole_text
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import AGENCY, row

ROW = row_to_chunk(RegistryRow.model_validate(row(automation_rationale="Уникальное обоснование оценки")))
ACT = Chunk(
    chunk_id="law#st1@ru",
    citation="law#st1",
    kind="act",
    lang="ru",
    title="Статья 1. Сроки",
    text="Заявление рассматривается в течение пяти рабочих дней.",
)


def test_registry_body_is_the_descriptive_columns() -> None:
    assert body(ROW) == (
        f"{AGENCY}. утверждает правила оказания тестовых услуг. нормотворческая. О тестовых услугах. "
        "Закон РК «О тестовых услугах», ст. 2, пп. 1)"
    )


def test_registry_assessment_is_not_in_the_embedded_or_lexical_text() -> None:
    assert "нет" in ROW.text and "высокий" in ROW.text  # shown to users …
    for view in (dense_text(ROW), lexical_text(ROW), *(t for t, _ in lexical_parts(ROW))):
        # … but never embedded or indexed
        assert "Автоматизация" not in view and "риск" not in view
        assert "высокий" not in view and "Уникальное обоснование" not in view


def test_changing_the_assessment_changes_no_view() -> None:
    other = row_to_chunk(
        RegistryRow.model_validate(
            row(automatable="да", automation_risk="низкий", automation_rationale="другое")
        )
    )
    assert other.text != ROW.text
    assert dense_text(other) == dense_text(ROW)
    assert lexical_text(other) == lexical_text(ROW)
    assert lexical_parts(other) == lexical_parts(ROW)


def test_empty_columns_are_skipped() -> None:
    bare = row_to_chunk(RegistryRow.model_validate(row(act_title="", legal_basis="")))
    assert body(bare) == f"{AGENCY}. утверждает правила оказания тестовых услуг. нормотворческая"


def test_act_views_carry_the_title() -> None:
    assert body(ACT) == ACT.text
    assert dense_text(ACT) == "Статья 1. Сроки\nЗаявление рассматривается в течение пяти рабочих дней."
    assert lexical_text(ACT) == dense_text(ACT)
    assert lexical_parts(ACT) == [(dense_text(ACT), "ru")]


def test_registry_views_have_no_title() -> None:
    assert not dense_text(ROW).startswith(ROW.title)
    assert dense_text(ROW) == body(ROW)


def test_kazakh_bridge_is_lexical_only_and_analysed_as_kazakh() -> None:
    bridged = ROW.model_copy(update={"bridge": "сынақ қызметтерін көрсету қағидаларын бекітеді;"})
    assert "сынақ" not in dense_text(bridged)
    assert lexical_text(bridged).startswith("сынақ қызметтерін")
    assert lexical_parts(bridged) == [
        (body(ROW), "ru"),
        ("сынақ қызметтерін көрсету қағидаларын бекітеді;", "kk"),
    ]


def test_dense_text_is_capped() -> None:
    long = ACT.model_copy(update={"text": "слово " * 1000})
    assert len(dense_text(long)) == DENSE_CHARS
    assert len(lexical_text(long)) > DENSE_CHARS  # the lexical side sees it all


def test_an_article_reads_once_from_windows_that_repeat_their_context() -> None:
    lead = "Услугодатели обязаны:"
    part = "3. По результатам мониторинга составляют заключение. Заключение включает:"
    windows = [
        f"{lead}\n1) соблюдать сроки;\n{part}",
        f"{lead}\n3. По результатам мониторинга составляют…\n1) информацию;\n2) рекомендации.",
    ]
    assert whole_text(windows) == f"{lead}\n1) соблюдать сроки;\n{part}\n1) информацию;\n2) рекомендации."
    # a window's own text is kept, even a line that happens to start like an earlier one
    assert whole_text(["1) сроки;", "1) сроки рассмотрения;"]) == "1) сроки;\n1) сроки рассмотрения;"
