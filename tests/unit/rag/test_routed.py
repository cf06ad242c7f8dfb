"""Routed retrieval with hand-made hits: basis articles after their rows, answer-type boost,
exact registry rows first for list/count questions."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from assistant.domain import Chunk, Lang, SearchHit, SearchResult
from assistant.rag import registry_query
from assistant.rag.registry_index import RegistryIndex
from assistant.rag.routed import (
    RoutedRetriever,
    answer_type_boost,
    function_action,
    function_action_order,
    row_before_its_basis,
    with_basis_articles,
)
from assistant.rag.understand import understand
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import AGENCY, analyzer, row, rows


def act(citation: str, text: str = "Текст статьи.", lang: Lang = "ru") -> Chunk:
    return Chunk(
        chunk_id=f"{citation}@{lang}", citation=citation, kind="act", lang=lang, title=citation, text=text
    )


def reg_row(fid: str, basis: str) -> Chunk:
    return row_to_chunk(RegistryRow.model_validate(row(function_id=fid, citation=basis)))


def hits(*chunks: Chunk) -> list[SearchHit]:
    return [SearchHit(chunk=c, score=1.0 - i / 10) for i, c in enumerate(chunks)]


class FakeKB:
    """What routing needs from VersionKnowledge: whole articles and the registry index."""

    def __init__(self, articles: list[Chunk], registry: list[Chunk] | None = None) -> None:
        self.articles = {(a.citation, a.lang): a for a in articles}
        self.asked: list[tuple[str, str]] = []
        self.analyzer = analyzer()
        self.registry = RegistryIndex(registry or [], self.analyzer)

    def memo(self, key: tuple[str, ...], compute: Any) -> Any:
        return compute()

    def registry_rows(self, filters: dict[str, Any]) -> list[Chunk]:
        """The engine's payload filter over the rows: a list value is any of, else equal."""

        def value(row: Chunk, key: str) -> Any:
            return (
                row.registry.get(key.removeprefix("registry."), "")
                if key.startswith("registry.")
                else row.kind
            )

        def keeps(row: Chunk) -> bool:
            return all(
                value(row, k) in v if isinstance(v, list) else value(row, k) == v for k, v in filters.items()
            )

        return [r for r in self.registry.rows if keeps(r)]

    def registry_count(self, filters: dict[str, Any]) -> int:
        return len(self.registry_rows(filters))

    def article_any(self, citation: str, lang: str) -> Chunk | None:
        self.asked.append((citation, lang))
        for key in ((citation, lang), (citation, "ru"), (citation, "kk")):
            if key in self.articles:
                return self.articles[key]
        return None


def citations(out: list[SearchHit]) -> list[str]:
    return [h.chunk.citation for h in out]


# -- function_action_order ---------------------------------------------------------------------
def fn_row(fid: str, text: str) -> Chunk:
    return row_to_chunk(RegistryRow.model_validate(row(function_id=fid, function_text=text)))


def test_the_row_whose_function_action_the_question_names_leads() -> None:
    kb = FakeKB([])
    rules = fn_row("R-1", "разрабатывает и утверждает правила государственного контроля за качеством услуг")
    reports = fn_row("R-2", "представляют информацию в уполномоченный орган по контролю за качеством услуг")
    control = fn_row("R-3", "осуществляет государственный контроль за качеством услуг")
    a1 = act("law#st7")
    out = function_action_order("Кто контролирует качество услуг?", hits(rules, a1, reports, control), kb)  # type: ignore[arg-type]
    assert citations(out) == ["registry:R-3", "law#st7", "registry:R-1", "registry:R-2"]  # articles stay put


def test_rows_keep_their_order_when_no_action_matches() -> None:
    kb = FakeKB([])
    r1, r2 = fn_row("R-1", "ведет реестр услуг"), fn_row("R-2", "утверждает правила")
    original = hits(r1, act("law#st1"), r2)
    assert function_action_order("Что такое квота?", original, kb) == original  # type: ignore[arg-type]
    assert function_action_order("ведет реестр", hits(r1), kb) == hits(r1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("разрабатывает и утверждает правила оказания услуг", {"разрабатывать", "утверждать"}),
        ("осуществляет государственный контроль за качеством услуг", {"контроль", "качество"}),
        (
            "после внесения в реестр новой услуги принимают меры по переводу её в электронный формат",
            {"мера", "перевод"},
        ),
        ("проведение изучения и анализа деятельности объединений", {"изучение", "анализ"}),
        ("", set()),
    ],
)
def test_function_action(text: str, action: set[str]) -> None:
    assert function_action(text, analyzer()) == action


# -- row_before_its_basis -------------------------------------------------------------------
def test_a_row_just_below_the_article_it_rests_on_goes_first() -> None:
    chunks = [act("law#st2", lang="kk"), act("law#st1"), reg_row("R-1", "law#st2"), act("law#st3")]
    out = row_before_its_basis(hits(*chunks))
    assert citations(out) == ["registry:R-1", "law#st2", "law#st1", "law#st3"]


@pytest.mark.parametrize(
    "chunks",
    [
        # the row rests on another article
        [act("law#st2"), reg_row("R-1", "law#st9"), act("law#st1")],
        # the row stands too far below
        [act("law#st2"), act("law#st1"), act("law#st3"), reg_row("R-1", "law#st2")],
        # a row leads already
        [reg_row("R-2", "law#st5"), act("law#st2"), reg_row("R-1", "law#st2")],
    ],
)
def test_other_orders_are_kept(chunks: list[Chunk]) -> None:
    assert citations(row_before_its_basis(hits(*chunks))) == [c.citation for c in chunks]


# -- with_basis_articles ---------------------------------------------------------------------
def test_basis_article_is_moved_right_after_its_row() -> None:
    r1, a1, a2 = reg_row("R-1", "law#st2"), act("law#st1"), act("law#st2")
    out = with_basis_articles(hits(r1, a1, a2), FakeKB([]), "ru")
    assert citations(out) == ["registry:R-1", "law#st2", "law#st1"]
    assert out[1].score == out[0].score  # the article takes its row's score
    assert len(out) == 3  # no duplicate of the moved article


def test_basis_article_not_retrieved_is_fetched_from_knowledge() -> None:
    kb = FakeKB([act("law#st9", "Статья девять.")])
    out = with_basis_articles(hits(reg_row("R-1", "law#st9"), act("law#st1")), kb, "kk")
    assert citations(out) == ["registry:R-1", "law#st9", "law#st1"]
    assert kb.asked == [("law#st9", "kk")]


def test_missing_basis_article_is_skipped() -> None:
    out = with_basis_articles(hits(reg_row("R-1", "law#st9"), act("law#st1")), FakeKB([]), "ru")
    assert citations(out) == ["registry:R-1", "law#st1"]


def test_only_rows_near_the_top_bring_their_article() -> None:
    chunks = [act("law#st1"), act("law#st2"), act("law#st3"), reg_row("R-4", "law#st9")]
    out = with_basis_articles(hits(*chunks), FakeKB([act("law#st9")]), "ru")
    assert citations(out) == ["law#st1", "law#st2", "law#st3", "registry:R-4"]


def test_at_most_two_articles_are_inserted() -> None:
    kb = FakeKB([act("law#st7"), act("law#st8"), act("law#st9")])
    out = with_basis_articles(
        hits(reg_row("R-1", "law#st7"), reg_row("R-2", "law#st8"), reg_row("R-3", "law#st9")), kb, "ru"
    )
    assert citations(out) == ["registry:R-1", "law#st7", "registry:R-2", "law#st8", "registry:R-3"]


def test_rows_sharing_a_basis_insert_it_once() -> None:
    out = with_basis_articles(
        hits(reg_row("R-1", "law#st2"), reg_row("R-2", "law#st2"), act("law#st2")), FakeKB([]), "ru"
    )
    assert citations(out) == ["registry:R-1", "law#st2", "registry:R-2"]


def test_row_without_basis_and_plain_acts_pass_through() -> None:
    no_basis = row_to_chunk(RegistryRow.model_validate(row(function_id="R-0", citation="")))
    chunks = [no_basis, act("law#st1"), act("law#st2")]
    assert citations(with_basis_articles(hits(*chunks), FakeKB([]), "ru")) == [
        "registry:R-0",
        "law#st1",
        "law#st2",
    ]
    assert with_basis_articles([], FakeKB([]), "ru") == []


# -- answer_type_boost -------------------------------------------------------------------------
def test_deadline_question_moves_a_text_with_a_time_limit_up() -> None:
    plain = act("law#st1", "Заявление подается в электронной форме.")
    deadline = act("law#st2", "Заявление рассматривается в течение пяти рабочих дней.")
    out = answer_type_boost(
        "В какой срок рассматривается заявление?",
        [SearchHit(chunk=plain, score=0.50), SearchHit(chunk=deadline, score=0.48)],
    )
    assert citations(out) == ["law#st2", "law#st1"]
    assert out[0].score == 0.48 * 1.08 and out[1].score == 0.50


def test_boost_does_not_overturn_a_clear_ranking() -> None:
    plain = act("law#st1", "Заявление подается в электронной форме.")
    deadline = act("law#st2", "Заявление рассматривается в течение пяти рабочих дней.")
    out = answer_type_boost(
        "В какой срок?", [SearchHit(chunk=plain, score=0.9), SearchHit(chunk=deadline, score=0.5)]
    )
    assert citations(out) == ["law#st1", "law#st2"]


def test_refusal_and_document_questions_are_boosted() -> None:
    a = act("law#st1", "Заявление подается в электронной форме.")
    b = act("law#st2", "Услугодатель вправе отказать в оказании услуги.")
    c = act("law#st3", "Решение оформляется приказом руководителя.")
    refusal = answer_type_boost(
        "Основания для отказа?", [SearchHit(chunk=a, score=0.5), SearchHit(chunk=b, score=0.49)]
    )
    assert citations(refusal) == ["law#st2", "law#st1"]
    document = answer_type_boost(
        "Каким документом оформляется решение?",
        [SearchHit(chunk=a, score=0.5), SearchHit(chunk=c, score=0.49)],
    )
    assert citations(document) == ["law#st3", "law#st1"]


def test_other_question_types_are_not_boosted() -> None:
    given = [
        SearchHit(chunk=act("law#st1", "Орган."), score=0.4),
        SearchHit(chunk=act("law#st2", "Орган."), score=0.5),
    ]
    assert answer_type_boost("Кто утверждает правила?", given) is given


# -- registry_selection and RoutedRetriever --------------------------------------------------
def _registry() -> list[Chunk]:
    return [row_to_chunk(RegistryRow.model_validate(r)) for r in rows()]


def test_registry_selection_by_agency_and_filters() -> None:
    kb: Any = FakeKB([], _registry())
    query, total, selected = registry_query.select(understand(f"Какие функции у органа: {AGENCY}?"), kb)
    assert query.agencies == [AGENCY] and query.category is None
    assert query.engine_filter() == {"kind": "registry", "registry.agency": [AGENCY]}
    assert [r.citation for r in selected] == ["registry:TA-02-01", "registry:TA-02-02"] and total == 2
    query, total, risky = registry_query.select(understand("Перечисли функции с высоким риском"), kb)
    assert query.engine_filter() == {"kind": "registry", "registry.automation_risk": "высокий"}
    assert [r.citation for r in risky] == ["registry:TA-02-01"] and total == 1


def test_registry_selection_by_the_act_named() -> None:
    kb: Any = FakeKB([], _registry())
    query, total, selected = registry_query.select(
        understand("Сколько функций по Закону о тестовых услугах?"), kb
    )
    assert set(query.acts) == {"tiny-act"}
    # the title's words name the act here, not the agency «… в сфере тестовых услуг»
    assert query.agencies == []
    under_act = [r.citation for r in kb.registry.rows if r.registry["act_slug"] == "tiny-act"]
    assert [r.citation for r in selected] == under_act and total == len(under_act) < len(kb.registry.rows)


def test_registry_selection_needs_something_to_select_by() -> None:
    kb: Any = FakeKB([], _registry())
    query, total, selected = registry_query.select(understand("Какие функции есть?"), kb)
    assert not query.selects() and (total, selected) == (0, [])


class StubRetriever:
    def __init__(self, result_hits: list[SearchHit]) -> None:
        self.settings = SimpleNamespace(top_k=8)
        self.result_hits = result_hits
        self.calls: list[dict[str, Any]] = []

    def search(self, query: str, **kw: Any) -> SearchResult:
        self.calls.append({"query": query, **kw})
        return SearchResult(
            query=query, lang=kw.get("lang") or "ru", hits=list(self.result_hits), index_version="v1"
        )


class StubKnowledge:
    def __init__(self, kb: FakeKB) -> None:
        self.kb = kb

    def for_version(self, collection: str) -> FakeKB:
        assert collection == "v1"
        return self.kb


def test_routed_list_question_puts_the_exact_rows_first() -> None:
    registry = _registry()
    retriever = StubRetriever(hits(act("tiny-act#st1"), registry[2], registry[0]))
    routed = RoutedRetriever(retriever, StubKnowledge(FakeKB([], registry)))  # type: ignore[arg-type]
    result = routed.search("Перечисли функции с высоким риском", top_k=3)
    assert citations(result.hits) == ["registry:TA-02-01", "tiny-act#st1", "registry:OS-02-01"]
    assert result.hits[0].score == 1.0


def test_routed_registry_question_uses_the_content_query_and_brings_the_basis() -> None:
    registry = _registry()
    retriever = StubRetriever(hits(registry[1], act("tiny-act#st1")))
    routed = RoutedRetriever(retriever, StubKnowledge(FakeKB([act("tiny-act#st2")], registry)))  # type: ignore[arg-type]
    question = "Кто в реестре отмечен за ведение реестра тестовых услуг?"
    result = routed.search(question)
    assert retriever.calls[0]["query"] == understand(question).retrieval_query
    assert "отмечен" not in retriever.calls[0]["query"]
    assert retriever.calls[0]["top_k"] == 8  # the retriever's default
    assert citations(result.hits) == ["registry:TA-02-02", "tiny-act#st2", "tiny-act#st1"]


def test_routed_explicit_filters_are_not_rerouted() -> None:
    registry = _registry()
    retriever = StubRetriever(hits(registry[1], act("tiny-act#st1")))
    routed = RoutedRetriever(retriever, StubKnowledge(FakeKB([act("tiny-act#st2")], registry)))  # type: ignore[arg-type]
    result = routed.search("Кто ведет реестр тестовых услуг?", filters={"kind": "registry"})
    assert citations(result.hits) == ["registry:TA-02-02", "tiny-act#st1"]
    assert retriever.calls[0]["filters"] == {"kind": "registry"}


def test_routed_cuts_to_top_k() -> None:
    registry = _registry()
    retriever = StubRetriever(hits(registry[1], act("tiny-act#st1"), registry[0]))
    routed = RoutedRetriever(retriever, StubKnowledge(FakeKB([act("tiny-act#st2")], registry)))  # type: ignore[arg-type]
    assert len(routed.search("Кто ведет реестр тестовых услуг?", top_k=2).hits) == 2
