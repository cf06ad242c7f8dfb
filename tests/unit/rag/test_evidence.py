"""Evidence first: question types and the sentence ranker over hand-made articles."""

from __future__ import annotations

import pytest

from assistant.domain import Chunk
from assistant.rag.evidence import (
    Evidence,
    EvidenceRanker,
    answer_types,
    led_by_meaning,
    question_types,
    value_not_stated,
)
from tests.unit.rag.tiny_data import analyzer

ARTICLE = Chunk(
    chunk_id="x#st5@ru",
    citation="x#st5",
    kind="act",
    lang="ru",
    title="Статья 5. Порядок рассмотрения заявления",
    text=(
        "1. Заявление о выдаче справки подается услугополучателем в электронной форме через портал.\n\n"
        "2. Заявление о выдаче справки регистрируется в журнале учета заявлений услугодателя.\n\n"
        "3. Услугодатель рассматривает заявление о выдаче справки и выдает справку в течение пяти рабочих "
        "дней со дня поступления заявления.\n\n"
        "4. Основанием для отказа в рассмотрении заявления о выдаче справки является представление "
        "недостоверных сведений."
    ),
)
OTHER = Chunk(
    chunk_id="x#st6@ru",
    citation="x#st6",
    kind="act",
    lang="ru",
    title="Статья 6. Справки",
    text=(
        "1. Справка выдается на бумажном носителе или в электронной форме.\n\n"
        "2. Справка о рассмотрении заявления подписывается руководителем услугодателя."
    ),
)
KK_ARTICLE = Chunk(
    chunk_id="tiny-act#st1@kk",
    citation="tiny-act#st1",
    kind="act",
    lang="kk",
    title="1-бап. Қарау мерзімдері",
    text="Өтініш ол түскен күннен бастап бес жұмыс күні ішінде қаралады. Өтініш қағаз түрінде де берілуі мүмкін.",
)


def _ranker() -> EvidenceRanker:
    return EvidenceRanker(analyzer(), lambda term: 1.0)


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("В какой срок рассматривается заявление?", ["deadline"]),
        ("За сколько дней нужно предупредить?", ["deadline"]),
        ("Өтініш қанша күнде қаралады?", ["deadline"]),
        ("Какова продолжительность сверхурочной работы в год?", ["deadline"]),  # any span of time
        ("Сколько часов в неделю длится рабочее время?", ["deadline"]),
        ("Еңбек демалысының ұзақтығы қанша?", ["deadline"]),
        ("Кто утверждает правила?", ["who"]),
        ("Қай орган бекітеді?", ["who"]),
        ("Какие основания для отказа?", ["refusal"]),
        ("Где можно получить услугу?", ["where"]),
        ("Каким документом оформляется решение?", ["document"]),
        ("Можно ли отказать в приеме?", ["refusal", "permission"]),
        ("Кто и в какой срок рассматривает жалобу?", ["deadline", "who"]),
        ("Что такое государственная услуга?", ["definition"]),
        ("Как часто акимат отчитывается?", ["frequency"]),
        ("Какой документ составить по итогам?", ["document"]),
        ("Какая государственная услуга нужна?", []),
    ],
)
def test_question_types(question: str, types: list[str]) -> None:
    assert question_types(question) == types


def test_deadline_question_picks_the_deadline_sentence() -> None:
    evidence = _ranker().rank("В какой срок рассматривается заявление о выдаче справки?", [ARTICLE], limit=3)
    assert evidence[0].sentence.startswith("3. Услугодатель рассматривает заявление")
    assert "пяти рабочих дней" in evidence[0].sentence
    assert evidence[0].chunk is ARTICLE
    assert evidence[0].score > evidence[1].score


def test_refusal_question_picks_the_refusal_sentence() -> None:
    evidence = _ranker().rank("Какие основания для отказа в выдаче справки?", [ARTICLE])
    assert evidence[0].sentence.startswith("4. Основанием для отказа")


def test_a_follow_up_is_answered_by_what_it_asks_not_by_what_the_topic_asked() -> None:
    # a follow-up's query carries the earlier question: its time limit must not pull the earlier
    # answer back in place of the place now asked for
    article = Chunk(
        chunk_id="x#st7@ru",
        citation="x#st7",
        kind="act",
        lang="ru",
        title="Статья 7. Публичное обсуждение",
        text=(
            "1. Проект правил размещается для публичного обсуждения на интернет-портале открытых "
            "нормативных правовых актов.\n\n2. Публичное обсуждение проекта правил длится десять рабочих "
            "дней со дня его размещения."
        ),
    )
    follow_up = "А где его размещают?"
    query = f"Сколько дней длится публичное обсуждение проекта правил? {follow_up} {follow_up}"
    assert _ranker().rank(query, [article])[0].sentence.startswith("2. Публичное обсуждение")
    assert _ranker().rank(query, [article], asks=follow_up)[0].sentence.startswith("1. Проект правил")


def test_at_most_two_sentences_from_one_article() -> None:
    evidence = _ranker().rank("В какой срок рассматривается заявление о выдаче справки?", [ARTICLE], limit=3)
    assert len(evidence) == 2


def test_other_articles_fill_the_limit() -> None:
    evidence = _ranker().rank(
        "В какой срок рассматривается заявление о выдаче справки?", [ARTICLE, OTHER], limit=3
    )
    assert len(evidence) == 3
    assert [e.chunk.citation for e in evidence].count("x#st5") == 2
    assert "x#st6" in [e.chunk.citation for e in evidence]


def test_limit_is_respected() -> None:
    assert len(_ranker().rank("В какой срок рассматривается заявление?", [ARTICLE, OTHER], limit=1)) == 1


def test_no_overlap_no_evidence() -> None:
    assert _ranker().rank("Налог на роскошь", [ARTICLE, OTHER]) == []


def test_short_sentences_are_not_evidence() -> None:
    tiny = ARTICLE.model_copy(
        update={"text": "Заявление подается.\n\nЗаявление регистрируется в журнале учета."}
    )
    evidence = _ranker().rank("Заявление", [tiny])
    assert [e.sentence for e in evidence] == ["Заявление регистрируется в журнале учета."]


def test_idf_weights_the_match() -> None:
    idf = {"журнал": 10.0}
    ranker = EvidenceRanker(analyzer(), lambda term: idf.get(term, 0.1))
    evidence = ranker.rank("Заявление о справке в журнале", [ARTICLE])
    assert "журнале учета" in evidence[0].sentence


def test_kazakh_deadline_question() -> None:
    evidence = _ranker().rank("Өтініш қанша күнде қаралады?", [KK_ARTICLE])
    assert evidence[0].sentence.startswith("Өтініш ол түскен күннен бастап бес жұмыс күні")


def test_earlier_article_gets_a_prior() -> None:
    same = ARTICLE.model_copy(update={"citation": "y#st1", "chunk_id": "y#st1@ru"})
    evidence = _ranker().rank("Заявление регистрируется в журнале", [same, ARTICLE], limit=3)
    assert evidence[0].chunk.citation == "y#st1"


def test_a_quoted_list_point_keeps_the_lead_in_that_carries_its_polarity() -> None:
    from assistant.rag.quote_context import in_context, lead_in

    text = (
        "1. Услугодатели обязаны соблюдать сроки.\n\n"
        "При оказании государственных услуг не допускается истребования от услугополучателей:\n\n"
        "1) документов, которые могут быть получены из информационных систем;\n\n"
        "2) нотариально засвидетельствованных копий документов, оригиналы которых представлены."
    )
    point = "2) нотариально засвидетельствованных копий документов, оригиналы которых представлены."
    assert lead_in(text, point).startswith("При оказании государственных услуг не допускается")
    assert in_context(text, point).endswith(point)
    assert lead_in(text, "1. Услугодатели обязаны соблюдать сроки.") == ""  # not a list point
    assert in_context(text, "3) нет такого пункта в тексте") == "3) нет такого пункта в тексте"


def test_an_unnumbered_list_entry_keeps_its_heading() -> None:
    from assistant.rag.quote_context import in_context, lead_in

    text = (
        "Реорганизация Министерства осуществляется в соответствии с законодательством.\n"
        "Перечень организаций, находящихся в ведении Министерства\n"
        "Акционерное общество «Агентство «Хабар».\n"
        "Акционерное общество «Республиканская газета «Егемен Қазақстан».\n"
        "Министерству информации Республики Казахстан:\n"
        "акционерное общество «Казинформ»;\n"
        "акционерное общество «Қазақ газеттері»;"
    )
    entry = "Акционерное общество «Республиканская газета «Егемен Қазақстан»."
    assert lead_in(text, entry) == "Перечень организаций, находящихся в ведении Министерства"
    assert in_context(text, entry).startswith("Перечень организаций, находящихся в ведении")
    assert (
        lead_in(text, "акционерное общество «Қазақ газеттері»;")
        == "Министерству информации Республики Казахстан:"
    )
    # a paragraph is no list entry, nor is a line that has no closing mark of its own
    assert (
        lead_in(text, "Реорганизация Министерства осуществляется в соответствии с законодательством.") == ""
    )
    assert lead_in("Приложение 2\nк постановлению Правительства", "к постановлению Правительства") == ""


def test_two_quotes_of_one_article_become_one_source_in_text_order() -> None:
    from assistant.domain import Chunk
    from assistant.rag.evidence import Evidence
    from assistant.rag.quote_context import merged

    text = "Вводная часть:\n\n1) первый пункт о сроках;\n\n2) второй пункт о сроках.\n\nИное правило статьи."
    a = Chunk(chunk_id="a", citation="act#st1", kind="act", lang="ru", title="t", text=text)
    b = Chunk(chunk_id="b", citation="act#st2", kind="act", lang="ru", title="t", text="Другая статья.")
    out = merged(
        [
            Evidence(a, "2) второй пункт о сроках.", 0.9),
            Evidence(b, "Другая статья.", 0.8),
            Evidence(a, "1) первый пункт о сроках;", 0.7),
        ]
    )
    assert [ev.chunk.citation for ev, _ in out] == ["act#st1", "act#st2"]
    first, said = out[0]
    assert first.sentence == "1) первый пункт о сроках; … 2) второй пункт о сроках."
    assert said == "Вводная часть: … 1) первый пункт о сроках; … 2) второй пункт о сроках."  # lead-in once
    assert first.score == 0.9


def test_a_quoted_list_opening_brings_its_items_up_to_the_closing_one() -> None:
    from assistant.rag.quote_context import LIST_ITEMS_CHARS, in_context, list_items

    opening = "3-1) приложение с перечнем основных требований, которое содержит:"
    text = (
        f"{opening}\n\nнаименование услуги;\n\nсрок оказания услуги;\n\nоснования для отказа.\n\n"
        "4) иные требования."
    )
    assert list_items(text, opening) == "наименование услуги; срок оказания услуги; основания для отказа."
    assert in_context(text, opening).endswith("основания для отказа.")
    # numbered items stop where the parent level resumes; plain sentences bring nothing
    numbered = "Услугодатели обязаны:\n\n1) соблюдать сроки;\n\n2) вести учет;\n\n2. Иная часть статьи."
    assert list_items(numbered, "Услугодатели обязаны:") == "1) соблюдать сроки; 2) вести учет;"
    assert list_items(text, "4) иные требования.") == ""
    long = "Перечень:\n\n" + "\n\n".join(f"пункт номер {i} перечня;" for i in range(200))
    assert len(list_items(long, "Перечень:")) <= LIST_ITEMS_CHARS + 2
    assert list_items(long, "Перечень:").endswith("…")


def test_a_numbered_item_with_a_list_of_its_own_does_not_end_the_list() -> None:
    from assistant.rag.quote_context import list_items

    text = (
        "15. Субъекты контроля вправе:\n1) не допускать к проверке в случаях:\n"
        "истечения сроков проверки;\nотсутствия документов;\n"
        "2) обжаловать акт о результатах проверки;\n3) фиксировать процесс проверки с помощью видеотехники;\n"
        "16. Субъекты контроля обязаны:\n1) обеспечить доступ."
    )
    items = list_items(text, "15. Субъекты контроля вправе:")
    assert items.startswith("1) не допускать к проверке в случаях:")
    assert items.endswith("3) фиксировать процесс проверки с помощью видеотехники;")
    assert "истечения сроков" not in items and "16." not in items


def test_every_item_of_a_quoted_list_is_named_even_when_the_first_is_long() -> None:
    from assistant.rag.quote_context import LIST_ITEMS_CHARS, list_items

    first = "1) информацию о соблюдении " + "органами областей, городов, районов, " * 12 + "требований;"
    text = f"Заключение включает:\n{first}\n2) рекомендации по устранению нарушений;\n3) предложения."
    items = list_items(text, "Заключение включает:")
    assert "2) рекомендации по устранению" in items and items.endswith("3) предложения.")
    assert items.startswith("1) информацию о соблюдении") and "…" in items
    assert len(items) <= LIST_ITEMS_CHARS


def test_a_long_list_shows_the_items_closest_to_the_question_in_the_order_of_the_text() -> None:
    from assistant.rag.quote_context import LIST_ITEMS_CHARS, list_items

    filler = [
        f"{n}) не исполнять запреты должностного лица, " + "не основанные на законе, " * 4 + ";"
        for n in (1, 2, 3, 4, 5)
    ]
    answering = "6) фиксировать процесс проверки с помощью средств аудио- и видеотехники;"
    text = "15. Субъекты контроля вправе:\n" + "\n".join([*filler, answering, "7) обжаловать акт проверки."])
    opening = "15. Субъекты контроля вправе:"
    # read from the top, the answering item falls past the budget
    assert "видеотехники" not in list_items(text, opening)
    rank = {answering: 0.9, filler[0]: 0.8, "7) обжаловать акт проверки.": 0.7}
    items = list_items(text, opening, rank=rank)
    assert "видеотехники" in items and len(items) <= LIST_ITEMS_CHARS + 4
    # the items kept stay in the text's order, each gap marked
    assert items.startswith("1) не исполнять") and items.index("6) фиксировать") < items.index(
        "7) обжаловать"
    )
    assert "… 6) фиксировать" in items and not items.endswith("…")
    # a list that fits is shown whole, whatever the ranking
    short = "Услугодатели обязаны:\n1) соблюдать сроки;\n2) вести учет."
    assert (
        list_items(short, "Услугодатели обязаны:", rank={"2) вести учет.": 1.0})
        == "1) соблюдать сроки; 2) вести учет."
    )


def test_an_item_the_quoted_opening_already_brought_is_not_quoted_twice() -> None:
    from assistant.rag.evidence import Evidence
    from assistant.rag.quote_context import merged

    text = "Заключение содержит:\n\n1) выводы;\n\n2) рекомендации по устранению нарушений.\n\nИное."
    a = Chunk(chunk_id="a", citation="act#st1", kind="act", lang="ru", title="t", text=text)
    ((_, said),) = merged([Evidence(a, "Заключение содержит:", 0.9), Evidence(a, "1) выводы;", 0.5)])
    assert said == "Заключение содержит: 1) выводы; 2) рекомендации по устранению нарушений."


def test_the_best_sentence_of_a_merged_quote_comes_first_for_a_reader_of_its_beginning() -> None:
    from assistant.rag.quote_context import first_said

    quote = "Определение понятия. … Сведения исключаются в течение одного рабочего дня."
    focus = "Сведения исключаются в течение одного рабочего дня."
    assert first_said(focus, quote) == f"{focus} … Определение понятия."
    assert first_said(quote, quote) == quote


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Отчет о завершении публичного обсуждения содержит перечень замечаний.", "document"),
        ("3) проактивное распространение информации – размещение информации без запроса;", "definition"),
        ("Отчет выносится на публичное обсуждение не реже одного раза в год.", "frequency"),
        ("Ақпарат жыл сайын жарияланады.", "frequency"),
    ],
)
def test_answer_types_of_the_new_question_kinds(text: str, kind: str) -> None:
    assert kind in answer_types(text)
    assert kind not in answer_types("Уполномоченный орган утверждает правила оказания государственных услуг.")


@pytest.mark.parametrize(
    ("question", "texts", "missing"),
    [
        ("До какого числа подать отчет?", ["Отчет представляется не позднее 1 июня."], None),
        ("До какого числа подать отчет?", ["не позднее десятого числа месяца"], None),
        # «из числа органов» is no date; an amending act's date is not one the text sets
        ("С какого числа принимают заявления?", ["из числа центральных государственных органов"], "date"),
        ("С какого числа действует?", ["Исключен Законом РК от 25.11.2019 № 272-VI."], "date"),
        ("С какого числа действует?", ["Вводится в действие с 11 апреля 2019 года."], None),
        ("Сколько тенге стоит справка?", ["взимается плата в размере 0,5 МРП"], None),
        ("Аудандық маманның айлықақысы қанша теңге?", ["Лауазымдық айлықақы белгіленеді."], "money"),
        # «когда» may ask for a condition; «в какой срок» wants a time span some source states
        ("Когда рассматривается жалоба?", ["Жалоба рассматривается."], None),
        ("В какой срок рассматривается жалоба?", ["Жалоба рассматривается."], "duration"),
        ("За сколько дней согласуют?", ["Согласование в течение пяти рабочих дней."], None),
        ("Сколько времени на ответ?", ["Ответ дается незамедлительно."], None),
        ("Шағым қанша күнде қаралады?", ["Шағым он бес жұмыс күні ішінде қаралады."], None),
        ("Шағым қандай мерзімде қаралады?", ["Шағым қаралады."], "duration"),
        # an amending act's entry into force is no time span the text sets
        (
            "За сколько дней рассматривается заявка?",
            [
                "Исключен Законом РК от 25.11.2019 № 272-VI (вводится в действие по истечении десяти календарных дней)."
            ],
            "duration",
        ),
    ],
)
def test_a_date_a_sum_or_a_time_span_must_be_stated_by_some_source(
    question: str, texts: list[str], missing: str | None
) -> None:
    assert value_not_stated(question, texts) == missing


def test_a_russian_article_asked_about_in_kazakh_is_read_against_the_question_rendered() -> None:
    """«Дербес деректер» meets «персональные данные» only through the lexicon; at the expansions'
    own weight the Kazakh article's sentences, which share the question's Kazakh words, won."""
    russian = Chunk(
        chunk_id="pd#st9@ru",
        citation="pd#st9",
        kind="act",
        lang="ru",
        title="Статья 9. Сбор персональных данных",
        text="Сбор персональных данных осуществляется с согласия субъекта. Оператор ведет журнал обращений.",
    )
    kazakh = Chunk(
        chunk_id="ps#st2@kk",
        citation="ps#st2",
        kind="act",
        lang="kk",
        title="2-бап",
        text="Деректер жинау кезінде қызметті алушының өтініші тіркеледі және қаралады.",
    )
    question = "Дербес деректерді жинау үшін өтініш қажет пе?"
    plain = _ranker().rank(question, [russian, kazakh], limit=1)
    rendered = _ranker().rank(question, [russian, kazakh], limit=1, lang="kk")
    assert plain[0].chunk is kazakh
    assert rendered[0].sentence == "Сбор персональных данных осуществляется с согласия субъекта."


def test_a_quoted_rule_is_followed_by_the_point_that_makes_an_exception_to_it() -> None:
    from assistant.rag.evidence import Evidence
    from assistant.rag.quote_context import exceptions_to, merged, point_of

    text = (
        "1. Оператор в течение десяти рабочих дней уведомляет субъекта.\n\n"
        "Уведомление направляется письменно.\n\n"
        "2. Требования пункта 1 настоящей статьи не распространяются на случаи:\n\n"
        "1) выполнения государственными органами своих функций;\n\n"
        "2) научных целей.\n\n"
        "3. Иное правило."
    )
    assert point_of(text, "Уведомление направляется письменно.") == "1"
    assert point_of(text, "3. Иное правило.") == "3"
    assert exceptions_to(text, {"1"}) == [
        "2. Требования пункта 1 настоящей статьи не распространяются на случаи:"
    ]
    assert exceptions_to(text, {"3"}) == []
    a = Chunk(chunk_id="a", citation="act#st19", kind="act", lang="ru", title="t", text=text)
    ((_, said),) = merged([Evidence(a, "Уведомление направляется письменно.", 0.9)])
    assert said.startswith("Уведомление направляется письменно. … 2. Требования пункта 1")
    assert said.endswith("2) научных целей.")  # the exception's cases come with it
    kk = "2. Қызмет көрсетуден бас тартылады.\n\n4. Осы баптың 2-тармағының қолданысы лицензия алу жағдайларына қолданылмайды."
    assert exceptions_to(kk, {"2"}) == [kk.split("\n\n")[1]]


def test_an_answer_opening_with_a_rule_carries_its_exceptions() -> None:
    from assistant.rag.quote_context import with_exceptions

    text = (
        "1. Оператор уведомляет субъекта.\n\n2. Требования пункта 1 настоящей статьи не распространяются на случаи:\n\n"
        "1) выполнения государственными органами своих функций.\n\n3. Иное правило."
    )
    opening = with_exceptions(text, "1. Оператор уведомляет субъекта.")
    assert opening.startswith("1. Оператор уведомляет субъекта. … 2. Требования пункта 1")
    assert opening.endswith("1) выполнения государственными органами своих функций.")
    assert with_exceptions(text, "3. Иное правило.") == "3. Иное правило."


def test_a_best_source_no_quote_was_taken_from_leads_with_its_sentence_closest_in_meaning() -> None:
    # a Kazakh question about a Russian-only article: no word in common, so no quote from it
    quoted = [Evidence(KK_ARTICLE, "Өтініш ол түскен күннен бастап бес жұмыс күні ішінде қаралады.", 0.8)]
    sentences = [p.strip() for p in ARTICLE.text.split("\n\n")]
    dense_of = {sentences[0]: 0.81, sentences[2]: 0.86, sentences[3]: 0.79}
    led = led_by_meaning(quoted, ARTICLE, dense_of)
    assert [(e.chunk.citation, e.sentence) for e in led] == [
        (ARTICLE.citation, sentences[2]),
        (KK_ARTICLE.citation, quoted[0].sentence),
    ]
    assert led[0].score == quoted[0].score  # scored as the best quote, so the model sees it too
    # a source already quoted, or one whose sentences have no vectors, changes nothing
    assert led_by_meaning(led, ARTICLE, dense_of) == led
    assert led_by_meaning(quoted, ARTICLE, {}) == quoted
    # sentences of other sources given with it are not this source's quote
    assert led_by_meaning(quoted, ARTICLE, {quoted[0].sentence: 0.99}) == quoted
