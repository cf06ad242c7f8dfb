"""Registry list and count questions read as one engine filter plus a topic: what each part of a
question selects, and what is only the asker's frame or situation."""

from __future__ import annotations

from typing import Any

from assistant.domain import Chunk
from assistant.rag import registry_query
from assistant.rag.registry_index import RegistryIndex
from assistant.rag.understand import understand
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import analyzer, row

MIN = "Министерство информации и общественного развития Республики Казахстан (центральный аппарат)"
LOCAL = "местные исполнительные органы"


def _row(fid: str, agency: str, text: str, category: str = "нормотворческая", act: str = "law") -> Chunk:
    return row_to_chunk(
        RegistryRow.model_validate(
            row(function_id=fid, agency=agency, function_text=text, category=category, act_slug=act)
        )
    )


class EngineKB:
    """The read model with the engine's payload filter done over a list (a list value: any of)."""

    def __init__(self, rows: list[Chunk]) -> None:
        self.analyzer = analyzer()
        self.registry = RegistryIndex(rows, self.analyzer)
        self.filters: list[dict[str, Any]] = []

    def registry_rows(self, filters: dict[str, Any]) -> list[Chunk]:
        self.filters.append(filters)

        def value(r: Chunk, key: str) -> Any:
            return (
                r.registry.get(key.removeprefix("registry."), "") if key.startswith("registry.") else r.kind
            )

        return [
            r
            for r in self.registry.rows
            if all(value(r, k) in v if isinstance(v, list) else value(r, k) == v for k, v in filters.items())
        ]

    def registry_count(self, filters: dict[str, Any]) -> int:
        return len(self.registry_rows(filters))

    def memo(self, key: tuple[str, ...], compute: Any) -> Any:
        return compute()


ROWS = [
    _row("M-1", MIN, "создание общественных советов и обеспечение их деятельности"),
    _row("M-2", MIN, "внесение предложений по деятельности общественных советов"),
    _row("M-3", MIN, "выдача лицензий в части телерадиовещания"),
    _row("M-4", MIN, "мониторинг средств массовой информации"),
    _row("M-5", MIN, "осуществление иных полномочий", category="иная"),
    _row("L-1", LOCAL, "информирование услугополучателей о порядке оказания услуг"),
    _row("L-2", LOCAL, "осуществление иных полномочий", category="иная"),
]


def _select(question: str) -> tuple[registry_query.RegistryQuery, int, list[str]]:
    query, total, rows = registry_query.select(understand(question), EngineKB(ROWS))  # type: ignore[arg-type]
    return query, total, [r.registry["function_id"] for r in rows]


def test_the_topic_narrows_the_agency_rows_to_the_functions_that_name_it() -> None:
    query, total, ids = _select("Что по реестру делал центральный аппарат МИОР в части общественных советов?")
    assert query.agencies == [MIN]
    # «общественных» stands apart from the agency's name (МИОР): it is the topic here; «в части»
    # is the question's frame though a function says it too
    assert query.topic == ["общественный", "совет"]
    assert (total, ids) == (2, ["M-1", "M-2"])


def test_words_no_row_has_are_the_askers_own() -> None:
    query, total, ids = _select(
        "Нам поручили цифровизацию. Сколько функций у местных исполнительных органов?"
    )
    assert query.agencies == [LOCAL] and query.topic == []
    assert (total, ids) == (2, ["L-1", "L-2"])


def test_a_word_most_rows_share_describes_the_category_and_does_not_narrow() -> None:
    query, total, ids = _select("Сколько в реестре записей категории «иная» про иные полномочия?")
    assert query.category == "иная" and query.topic == []
    assert (total, ids) == (2, ["L-2", "M-5"])


def test_the_engine_gets_one_filter_for_everything_the_question_fixes() -> None:
    kb = EngineKB(ROWS)
    registry_query.select(
        understand("Сколько функций категории «иная» у местных исполнительных органов?"), kb
    )  # type: ignore[arg-type]
    assert kb.filters[0] == {"kind": "registry", "registry.agency": [LOCAL], "registry.category": "иная"}
