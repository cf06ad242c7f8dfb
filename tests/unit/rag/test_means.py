from __future__ import annotations

from assistant.domain import Chunk
from assistant.rag.means import means_list
from assistant.text.analyzer import Analyzer

WAYS = (
    "Государственные услуги оказываются:\n\n1) услугодателями;\n\n2) через Государственную корпорацию;\n\n"
    "3) посредством веб-портала «электронного правительства»;\n\n4) посредством абонентского устройства."
)
DUTIES = "Услугодатели обязаны:\n\n1) соблюдать сроки;\n\n2) вести учет обращений."
ACCESS = (
    "Доступ к информации обеспечивается следующими способами:\n\n1) размещением на сайте;\n\n2) по запросу."
)


def _article(citation: str, text: str, lang: str = "ru") -> Chunk:
    return Chunk(
        chunk_id=f"{citation}@{lang}", citation=citation, kind="act", lang=lang, title="t", text=text
    )


def test_a_question_about_ways_is_led_by_the_list_of_ways_about_its_subject() -> None:
    analyzer = Analyzer()
    articles = [_article("act#st5", DUTIES), _article("act#st18", WAYS), _article("info#st10", ACCESS)]
    found = means_list("Какими способами можно получить государственную услугу?", articles, analyzer, "ru")
    assert found is not None and found.chunk.citation == "act#st18"
    assert found.sentence == "Государственные услуги оказываются:"
    # an opening that says it lists ways, whatever its items say
    access = means_list("Какими способами обеспечивается доступ к информации?", articles, analyzer, "ru")
    assert access is not None and access.chunk.citation == "info#st10"


def test_only_a_question_about_ways_and_only_a_list_of_ways() -> None:
    analyzer = Analyzer()
    articles = [_article("act#st5", DUTIES), _article("act#st18", WAYS)]
    assert means_list("Что обязаны делать услугодатели?", articles, analyzer, "ru") is None
    # the list must name the question's subject: ways of paying a tax are not ways of getting services
    assert means_list("Какими способами можно оплатить налог?", articles, analyzer, "ru") is None
    # a Kazakh question is compared with Kazakh text only
    assert means_list("Мемлекеттік қызметті қандай жолдармен алуға болады?", articles, analyzer, "kk") is None
    kk = _article(
        "act#st18",
        "Мемлекеттік көрсетілетін қызметтер:\n\n1) Мемлекеттік корпорация арқылы;\n\n2) веб-порталы арқылы.",
        "kk",
    )
    found = means_list("Мемлекеттік қызметті қандай жолдармен алуға болады?", [kk], analyzer, "kk")
    assert found is not None and found.chunk.lang == "kk"
