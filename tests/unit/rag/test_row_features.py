"""The registry-row features that tell apart functions sharing their words: how much of a row's
function the question names, and which of two rows doing different things to one object the
question's action picks."""

from __future__ import annotations

from typing import Any

from assistant.domain import Chunk
from assistant.rag.features import QuestionTerms, act_named, row_precision, sibling_actions
from assistant.text.analyzer import Analyzer
from assistant.text.lexicon import Lexicon
from assistant.text.sparse import query_weights


class _Stats:
    def idf(self, term: str) -> float:
        return 1.0


class _Knowledge:
    """What the row features read of a live version: the analyzer, IDF and a memo."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.analyzer = Analyzer(lexicon=lexicon)
        self.stats = _Stats()
        self._memo: dict[tuple[str, ...], Any] = {}

    def memo(self, key: tuple[str, ...], compute: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _row(function_id: str, agency: str, function_text: str) -> Chunk:
    return Chunk(
        chunk_id=f"registry:{function_id}",
        citation=f"registry:{function_id}",
        kind="registry",
        lang="ru",
        title=function_text,
        text=f"{agency}: {function_text}",
        registry={"function_id": function_id, "agency": agency, "function_text": function_text},
    )


CENTRAL = _row("C-1", "министерство (центральный аппарат)", "утверждение правил аккредитации журналистов")
COMMITTEES = _row("V-1", "ведомства министерства", "разработка правил аккредитации журналистов")


def _question(text: str, kb: _Knowledge) -> QuestionTerms:
    return QuestionTerms(weights=query_weights(kb.analyzer, text, "ru"), types=[])


def test_a_row_the_question_names_whole_scores_one_and_a_wordier_row_less() -> None:
    kb = _Knowledge()
    q = _question("Кто утверждает правила сбора и обработки персональных данных?", kb)
    exact = _row("PD-1", "уполномоченный орган", "утверждает правила сбора, обработки персональных данных")
    wordier = _row(
        "PS-1",
        "уполномоченный орган",
        "утверждает правила сбора, обработки и хранения биометрических данных для аутентификации",
    )
    assert row_precision(q, exact, kb) == 1.0  # type: ignore[arg-type]
    assert 0.3 < row_precision(q, wordier, kb) < 0.8  # type: ignore[arg-type]


def test_a_function_word_met_only_by_its_root_counts_half() -> None:
    kb = _Knowledge()
    row = _row("X-1", "орган", "разработка стандартов")
    whole = row_precision(_question("Кто занимается разработкой стандартов?", kb), row, kb)  # type: ignore[arg-type]
    # «разработчик» is another word of the same root as «разработка»
    by_root = row_precision(_question("Кто разработчик стандартов?", kb), row, kb)  # type: ignore[arg-type]
    assert whole == 1.0
    assert by_root == 0.75


def test_the_action_the_question_names_picks_between_rows_on_one_object() -> None:
    kb = _Knowledge()
    asked = _question("Кто разрабатывал правила аккредитации журналистов?", kb)
    gaps = sibling_actions(asked, [CENTRAL, COMMITTEES], kb)  # type: ignore[arg-type]
    assert gaps["registry:V-1"] > 0 > gaps["registry:C-1"]
    assert gaps["registry:V-1"] == -gaps["registry:C-1"]
    approved = sibling_actions(
        _question("Кто утверждает правила аккредитации журналистов?", kb), [CENTRAL, COMMITTEES], kb
    )  # type: ignore[arg-type]
    assert approved["registry:C-1"] > 0 > approved["registry:V-1"]


def test_rows_without_a_sibling_of_another_action_get_no_value() -> None:
    kb = _Knowledge()
    same_action = _row("V-2", "ведомства министерства", "утверждение правил аккредитации журналистов")
    other_object = _row("V-3", "ведомства министерства", "разработка стандартов")
    q = _question("Кто утверждает правила аккредитации журналистов?", kb)
    assert sibling_actions(q, [CENTRAL, same_action, other_object], kb) == {}  # type: ignore[arg-type]


def _article(act_title: str, lang: str = "ru") -> Chunk:
    return Chunk(
        chunk_id=f"{act_title}#st1@{lang}",
        citation=f"{act_title}#st1",
        kind="act",
        lang=lang,  # type: ignore[arg-type]
        title="Статья 1",
        text="…",
        act_title=act_title,
    )


def test_the_act_a_question_names_is_named_also_through_the_lexicon() -> None:
    kb = _Knowledge(Lexicon.load())
    personal_data = _article("О персональных данных и их защите")
    services = _article("О государственных услугах")
    for asked, lang in (
        ("Что требует закон о персональных данных при передаче их за границу?", "ru"),
        # Kazakh words that meet the Russian title only through the lexicon's expansions
        ("Дербес деректер туралы заң шетелге беруге рұқсат ете ме?", "kk"),
    ):
        q = QuestionTerms(weights=query_weights(kb.analyzer, asked, lang), types=[])  # type: ignore[arg-type]
        assert act_named(q, personal_data, kb) >= 0.5  # type: ignore[arg-type]
        assert act_named(q, services, kb) == 0.0  # type: ignore[arg-type]
    row = _row("PD-1", "уполномоченный орган", "утверждает правила")
    row.registry["act_title"] = "О персональных данных и их защите"
    q = QuestionTerms(weights=query_weights(kb.analyzer, "закон о персональных данных", "ru"), types=[])
    assert act_named(q, row, kb) == act_named(q, personal_data, kb)  # type: ignore[arg-type]


def test_a_row_whose_exception_clause_holds_what_is_asked_does_not_cover_it() -> None:
    from assistant.rag.row_scope import asks_what_it_excludes

    kb = _Knowledge()
    gambling = _row(
        "C-2",
        "министерство (центральный аппарат)",
        "утверждение квалификационных требований, за исключением квалификационных требований к "
        "лицензируемым видам деятельности в сфере игорного бизнеса",
    )
    asked = _question("Какой орган выдаёт лицензию на игорный бизнес?", kb)
    assert asks_what_it_excludes(asked, gambling, kb)  # type: ignore[arg-type]
    # what the row does is asked: the clause only narrows it
    assert not asks_what_it_excludes(
        _question("Кто утверждает квалификационные требования?", kb), gambling, kb
    )  # type: ignore[arg-type]
    # the clause ends at the comma: what follows is the function again
    analysis = _row(
        "AI-1",
        "уполномоченный орган",
        "проводит анализ данных, за исключением информации с ограниченным доступом, содержащихся в "
        "объектах информатизации, с целью их размещения на портале открытых данных",
    )
    q = _question("Кто анализирует данные для размещения на портале открытых данных?", kb)
    assert not asks_what_it_excludes(q, analysis, kb)  # type: ignore[arg-type]
    restricted = _question("Кто анализирует информацию с ограниченным доступом?", kb)
    assert asks_what_it_excludes(restricted, analysis, kb)  # type: ignore[arg-type]
    # a row with no exception clause excludes nothing
    assert not asks_what_it_excludes(asked, CENTRAL, kb)  # type: ignore[arg-type]
