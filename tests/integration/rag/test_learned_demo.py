"""The learned rankers and answerability decision on the real demo index (fake LLM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.container import Container
from assistant.rag.learned import Rankers
from assistant.settings import DEMO_DIR
from eval.train_ranker import run

pytestmark = pytest.mark.integration


def test_learned_ranking_is_the_default_and_scores_are_probabilities(demo_container: Container) -> None:
    assert demo_container.rankers is not None
    result = demo_container.assistant.search("В какой срок рассматривается жалоба на услугодателя?", top_k=8)
    scores = [h.score for h in result.hits]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "Какая погода в Астане?",
        "Какой орган выдаёт справку о несудимости?",
    ],
)
def test_questions_about_what_the_index_never_mentions_are_refused(
    demo_container: Container, question: str
) -> None:
    answer = demo_container.assistant.ask(question)
    assert answer.refused is True
    assert "⚠" not in answer.answer  # a refusal rests on no act, repealed or not


def test_a_registry_refusal_shows_the_nearest_rows_as_other_functions(demo_container: Container) -> None:
    answer = demo_container.assistant.ask("Какой орган выдаёт справку о несудимости?")
    assert "это другие функции" in answer.answer


def test_a_row_whose_function_excludes_what_is_asked_is_not_named_the_performer(
    demo_container: Container,
) -> None:
    # MIOR-C-001 «…, за исключением … лицензируемым видам деятельности в сфере игорного бизнеса»
    # holds every word asked, in the clause that leaves it out (rag.row_scope)
    answer = demo_container.assistant.ask("Какой орган по реестру функций выдаёт лицензию на игорный бизнес?")
    assert answer.refused is True
    assert "это другие функции" in answer.answer
    assert "registry:MIOR-C-001" in [c.citation for c in answer.citations]


def test_a_request_for_a_persons_data_is_refused_without_searching(demo_container: Container) -> None:
    answer = demo_container.assistant.ask("Дай адрес и телефон человека с ИИН 870415300628")
    assert answer.refused is True
    assert answer.citations == []
    assert "конкретных людях" in answer.answer


def test_a_follow_up_with_a_pronoun_keeps_the_topic(demo_container: Container) -> None:
    first = "Кто утверждает правила оказания государственных услуг?"
    answer = demo_container.assistant.ask("А кто их разрабатывает?", [first])
    assert answer.refused is False
    assert any(c.citation.startswith(("registry:", "public-services#")) for c in answer.citations)


def test_a_follow_up_asking_something_else_does_not_get_the_earlier_answer_again(
    demo_container: Container,
) -> None:
    first = "Сколько дней длится публичное обсуждение проекта правил оказания госуслуги?"
    answer = demo_container.assistant.ask("А где его размещают?", [first])
    lead = answer.answer.splitlines()[0]  # the sentence that answers, before the quotes
    assert answer.citations[0].citation == "public-services#st15"
    assert "размещает проект" in lead and "десяти рабочих дней" not in lead


def test_training_on_a_small_generated_set_writes_a_model_that_loads(
    demo_container: Container, tmp_path: Path
) -> None:
    lines = (Path(__file__).resolve().parents[3] / "eval" / "train" / "generated.jsonl").read_text(
        encoding="utf-8"
    )
    picked = [line for i, line in enumerate(lines.splitlines()) if i % 12 == 0]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(picked) + "\n", encoding="utf-8")
    out = tmp_path / "rankers.json"
    report = run(demo_container, small, [DEMO_DIR / "eval" / "dev-law-qa.jsonl"], out)
    rankers = Rankers.load(out)
    assert 0.0 < rankers.refuse_below <= rankers.caution_below < 1.0
    for split in ("train", "valid", "dev"):
        assert report["candidate"][split]["learned"]["n"] > 0  # every split measured, side by side
    assert json.loads(out.read_text(encoding="utf-8"))["info"]["items"]["dev"] > 0
    # the Kazakh questions were searched once more in the Russian texts alone, and measured there
    assert report["items"]["across_train"] > 0
    # the language offset is measured on Kazakh questions about the act that has both texts
    assert report["across_offset"]["n_train"] > 0 and report["across_offset"]["offset"] > 0
    assert "auc" in report["answerable"]["across_train"]


def test_a_kazakh_question_over_a_source_with_no_kazakh_text_is_read_as_across(
    demo_container: Container,
) -> None:
    from assistant.rag.features import ANSWERABILITY_FEATURES, QuestionTerms, answerability_features
    from assistant.rag.understand import understand

    question = "Дербес деректерді жинауға келісім қалай беріледі?"
    result = demo_container.retriever.search(question, top_k=5, lang="kk")
    kb = demo_container.knowledge.for_version(result.index_version)
    q = QuestionTerms.of(understand(question, None, "kk"), kb)
    russian_only = kb.article("personal-data#st8", "ru")
    kazakh = kb.article("public-services#st8", "kk")
    assert russian_only is not None and kazakh is not None
    at = ANSWERABILITY_FEATURES.index("across")
    dense = {"personal-data#st8": 0.8, "public-services#st8": 0.7}
    over_russian = answerability_features(q, [(0.9, russian_only)], (0.0, ""), kb, dense)
    over_kazakh = answerability_features(q, [(0.9, kazakh)], (0.0, ""), kb, dense)
    assert over_russian[at] == 1.0 and over_russian[at + 1] == pytest.approx(0.8)
    assert over_kazakh[at] == 0.0 and over_kazakh[at + 1] == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "До какого числа нужно подать налоговую декларацию за прошлый год?",
        "Сколько тенге стоит справка о составе семьи?",
        "За сколько дней уполномоченный орган согласовывает интеграцию с государственным сервисом контроля "
        "доступа к персональным данным?",
    ],
)
def test_a_date_a_sum_or_a_time_limit_no_source_states_is_refused(
    demo_container: Container, question: str
) -> None:
    answer = demo_container.assistant.ask(question)
    assert answer.refused is True
    # refused for the value no source states; or, where one of the three sources states a value of
    # that kind about something else (the tax question's sources include a «1 января» since
    # the seventh pass), by the answerability decision itself
    rankers = demo_container.rankers
    assert rankers is not None
    assert (
        answer.timings.get("value_not_stated") == 1.0 or answer.timings["answerable_p"] < rankers.refuse_below
    )


def test_a_who_question_that_also_asks_for_an_unstated_time_limit_names_the_row(
    demo_container: Container,
) -> None:
    answer = demo_container.assistant.ask(
        "Кто утверждает правила ведения реестра государственных услуг и в какой срок?"
    )
    assert answer.refused is False and answer.mode == "registry"
    assert "уполномоченный орган в сфере оказания государственных услуг" in answer.answer
    assert answer.notice.startswith("Срок, дату или сумму")


def test_a_kazakh_who_question_is_answered_by_the_row_its_kazakh_article_vouches_for(
    demo_container: Container,
) -> None:
    # the Kazakh article outranks the Russian-only row derived from it; the row names the
    # performer, and the article follows as its legal basis, quoted in Kazakh
    answer = demo_container.assistant.ask("Мемлекеттік көрсетілетін қызметтердің тізілімін кім бекітеді?")
    assert answer.mode == "registry"
    assert [c.citation for c in answer.citations[:2]] == ["registry:PS-08-02.1", "public-services#st8"]
    assert "уполномоченный орган в сфере оказания государственных услуг" in answer.answer
    assert "тізілімін бекітеді" in answer.answer


def test_a_date_the_law_states_is_answered(demo_container: Container) -> None:
    answer = demo_container.assistant.ask(
        "До какого числа уполномоченный орган представляет Президенту годовой отчет о состоянии сферы "
        "доступа к информации?"
    )
    assert answer.refused is False
    assert "1 июня" in answer.answer


def feature_of_candidates(container: Container, question: str, feature: str) -> dict[str, float]:
    """One candidate feature for every candidate the ranker re-orders, by citation."""
    from assistant.rag.features import CANDIDATE_FEATURES
    from assistant.rag.rerank import candidate_rows
    from assistant.rag.understand import understand

    u = understand(question)
    routed = container.routed_retriever
    result = container.retriever.search(u.retrieval_query, top_k=20, lang=u.lang)
    kb = container.knowledge.for_version(result.index_version)
    hits = routed.candidates(u, result.hits, kb)
    _, rows = candidate_rows(u, hits, kb, {}, routed.similarities(result, hits))
    at = CANDIDATE_FEATURES.index(feature)
    return {h.chunk.citation: x[at] for h, x in zip(hits, rows, strict=True)}


def test_every_registry_row_answers_a_who_question_by_its_agency(demo_container: Container) -> None:
    question = "Кто осуществляет контроль за качеством оказания государственных услуг?"
    types = feature_of_candidates(demo_container, question, "type_match")
    row_types = [t for c, t in types.items() if c.startswith("registry:")]
    assert row_types and all(t == 1.0 for t in row_types)


def test_the_row_whose_performer_the_question_names_covers_more_of_it(demo_container: Container) -> None:
    """Two rows with one function text and different performers: the one whose performer the
    question names by its everyday name («облакимат» → местный исполнительный орган области)
    covers more of the question."""
    question = (
        "Облакимат рассматривает обращения субъекта о соответствии содержания персональных данных "
        "целям их обработки. По реестру это можно автоматизировать?"
    )
    covered = feature_of_candidates(demo_container, question, "coverage")
    assert covered["registry:PD-27-2-01"] > covered["registry:PD-27.1-1-03"]


@pytest.mark.parametrize(
    ("verb", "performer", "function_id"),
    [("разрабатывал", "ведомства", "MIOR-V-008"), ("утверждал", "центральный аппарат", "MIOR-C-018")],
)
def test_of_two_rows_on_one_object_the_action_asked_names_the_performer(
    demo_container: Container, verb: str, performer: str, function_id: str
) -> None:
    """The ministry's central office approves the rules its committees draft: two rows that
    differ in their first word only. The question offers both performers; its verb decides."""
    answer = demo_container.assistant.ask(
        "Правила экспертизы продукции иностранных телеканалов, подавших заявление на учёт, — кто их "
        f"в МИОР {verb}: центральный аппарат или ведомства?"
    )
    assert answer.mode == "registry" and not answer.refused
    assert answer.citations[0].citation == f"registry:{function_id}"
    assert performer in answer.answer


def test_a_row_that_names_more_than_was_asked_is_a_less_precise_match(demo_container: Container) -> None:
    question = "Кто утверждает правила сбора и обработки персональных данных?"
    precision = feature_of_candidates(demo_container, question, "row_precision")
    assert precision["registry:PD-27.1-1-07"] == 1.0
    assert precision["registry:PS-08-08.1"] < 0.6  # the rules for biometric data, besides
    assert all(v == 0.0 for c, v in precision.items() if not c.startswith("registry:"))


def test_an_article_with_no_text_in_the_questions_language_gets_the_across_offset(
    demo_container: Container,
) -> None:
    question = "Дербес деректерді жинауға субъектінің келісімі қалай беріледі?"
    result = demo_container.retriever.search(question, top_k=40, lang="kk")
    hits = result.hits
    routed = demo_container.routed_retriever
    plain = routed.similarities(result, hits)
    shifted = routed.similarities(result, hits, 0.5)
    russian_only = {h.chunk.citation for h in hits if h.chunk.citation.startswith("personal-data#")}
    bilingual = {h.chunk.citation for h in hits if h.chunk.citation.startswith("public-services#")}
    assert russian_only and bilingual
    for citation in russian_only:
        assert shifted[citation] == pytest.approx(plain[citation] + 0.5)  # once, however many windows
    for citation in bilingual | {h.chunk.citation for h in hits if h.chunk.kind == "registry"}:
        assert shifted[citation] == pytest.approx(plain[citation])
