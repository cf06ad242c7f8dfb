from __future__ import annotations

from assistant.domain import Chunk
from assistant.rag.definitions import defining_sentence
from assistant.text.analyzer import Analyzer

GLOSSARY = (
    "В настоящем Законе используются следующие основные понятия:\n"
    "2) доступ к информации – гарантированное государством право каждого получать информацию;\n"
    "3-1) проактивное распространение информации – распространение информации без запроса "
    "пользователя информации и по инициативе обладателя информации;\n"
    "4) информация – сведения о лицах, предметах, фактах, событиях;"
)
KK = (
    "Осы Заңда мынадай негізгі ұғымдар пайдаланылады:\n"
    "1) көрсетілетін қызметті алушылар – жеке және заңды тұлғалар;"
)


def _article(text: str, lang: str = "ru") -> Chunk:
    return Chunk(chunk_id=f"a@{lang}", citation="act#st1", kind="act", lang=lang, title="Статья 1", text=text)


def test_the_entry_of_the_asked_term_is_found_in_any_word_form() -> None:
    analyzer = Analyzer()
    found = defining_sentence(
        "Нам поручили «проактивно распространять информацию». Что это значит по закону?",
        [_article(GLOSSARY)],
        analyzer,
        "ru",
    )
    assert found is not None and found.sentence.startswith("3-1) проактивное распространение информации –")


def test_the_whole_asked_term_must_be_the_defined_one() -> None:
    analyzer = Analyzer()
    articles = [
        _article(GLOSSARY + "\n5) государственный служащий – гражданин на государственной должности;")
    ]
    # «ротация государственных служащих» is not «государственный служащий»
    assert defining_sentence("Что такое ротация государственных служащих?", articles, analyzer, "ru") is None
    assert defining_sentence("Что означает информация о сроках?", articles, analyzer, "ru") is None
    for question in ("Что означает «информация»?", "Что такое информация?"):
        found = defining_sentence(question, articles, analyzer, "ru")
        assert found is not None and found.sentence.startswith("4) информация –"), question
    # not a «what does it mean» question: the definitions are not looked at
    assert defining_sentence("Кто обеспечивает доступ к информации?", articles, analyzer, "ru") is None


def test_kazakh_definition() -> None:
    found = defining_sentence(
        "«Көрсетілетін қызметті алушылар» дегеніміз не?", [_article(KK, "kk")], Analyzer(), "kk"
    )
    assert found is not None and "жеке және заңды тұлғалар" in found.sentence


def test_a_quoted_term_the_law_defines_is_answered_by_its_definition_however_asked() -> None:
    analyzer = Analyzer()
    articles = [_article(GLOSSARY)]
    found = defining_sentence(
        "Мы публикуем сведения без запроса. Это считается «проактивным распространением информации»?",
        articles,
        analyzer,
        "ru",
    )
    assert found is not None and found.sentence.startswith("3-1) проактивное распространение информации –")
    kk = defining_sentence(
        "Мемлекеттік орган «көрсетілетін қызметті алушылар» бола ала ма?",
        [_article(KK, "kk")],
        analyzer,
        "kk",
    )
    assert kk is not None and "жеке және заңды тұлғалар" in kk.sentence
    # a quoted phrase the law does not define (a saying, a name) brings no definition
    assert defining_sentence("Нам ответили «не положено». Законно ли это?", articles, analyzer, "ru") is None


def test_a_quoted_act_name_is_not_a_term() -> None:
    articles = [_article(GLOSSARY)]
    analyzer = Analyzer()
    # «доступ к информации» is defined, but here it is the name of the law the request cites
    question = "Пришёл запрос «по Закону о доступе к информации». Этим ли законом он регулируется?"
    assert defining_sentence(question, articles, analyzer, "ru") is None
