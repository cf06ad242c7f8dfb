import re
from pathlib import Path

from assistant.text.sentences import split_sentences

ACTS = Path(__file__).resolve().parents[3] / "data" / "demo" / "acts"

# Verbatim from data/demo/acts/public-services/rus.md (article 4, shortened list).
RUS_ARTICLE = """<a id="st4"></a>

### Статья 4. Права услугополучателей

1. Услугополучатели имеют право:

   1) получать в доступной форме от услугодателя полную и достоверную информацию о порядке предоставления государственной услуги;

   2) получать государственную услугу в соответствии с подзаконным нормативным правовым актом, определяющим порядок оказания государственной услуги;

   4-1) получать государственные услуги по принципу «одного заявления»;
"""

# Verbatim from data/demo/acts/public-services/rus.md (footnote after article 9-1).
RUS_FOOTNOTE = (
    "> *Сноска. Глава 2 дополнена статьей 9-1 в соответствии с Законом РК от 17.11.2015 № 408-V "
    "(вводится в действие с 01.03.2016); с изменениями, внесенными законами РК от 25.11.2019 № 272-VI "
    "(вводится в действие по истечении десяти календарных дней после дня его первого официального "
    "опубликования).*"
)

# Verbatim from data/demo/acts/public-services/kaz.md (beginning of the law).
KAZ_START = """# Мемлекеттік көрсетілетін қызметтер туралы

Осы Заң мемлекеттік қызметтер көрсету саласындағы қоғамдық қатынастарды реттейді.

## 1-тарау. ЖАЛПЫ ЕРЕЖЕЛЕР

<a id="st1"></a>

### 1-бап. Осы Заңда пайдаланылатын негізгі ұғымдар

Осы Заңда мынадай негізгі ұғымдар пайдаланылады:

1-2) «бір өтініш» қағидаты – бір өтініш негізінде көрсетілетін бірнеше мемлекеттік қызметтер жиынтығын көздейтін мемлекеттік қызметті көрсету нысаны;

17-2) реинжиниринг – ұйым қызметінің тиімділігін, сапасын және нәтижелілігін арттыру мақсатында ағымдағы жұмыс процесін қайта өзгерту;
"""


def test_russian_article_points() -> None:
    assert split_sentences(RUS_ARTICLE) == [
        "### Статья 4. Права услугополучателей",
        "1. Услугополучатели имеют право:",
        "1) получать в доступной форме от услугодателя полную и достоверную информацию о порядке "
        "предоставления государственной услуги;",
        "2) получать государственную услугу в соответствии с подзаконным нормативным правовым актом, "
        "определяющим порядок оказания государственной услуги;",
        "4-1) получать государственные услуги по принципу «одного заявления»;",
    ]


def test_footnote_keeps_numbers_and_dates_together() -> None:
    assert split_sentences(RUS_FOOTNOTE) == [
        "> *Сноска.",
        RUS_FOOTNOTE[len("> *Сноска. ") :],
    ]


def test_kazakh_law_start() -> None:
    sentences = split_sentences(KAZ_START)
    assert sentences[:5] == [
        "# Мемлекеттік көрсетілетін қызметтер туралы",
        "Осы Заң мемлекеттік қызметтер көрсету саласындағы қоғамдық қатынастарды реттейді.",
        "## 1-тарау. ЖАЛПЫ ЕРЕЖЕЛЕР",
        "### 1-бап. Осы Заңда пайдаланылатын негізгі ұғымдар",
        "Осы Заңда мынадай негізгі ұғымдар пайдаланылады:",
    ]
    assert sentences[5].startswith("1-2) «бір өтініш» қағидаты")
    assert sentences[6].startswith("17-2) реинжиниринг")
    assert len(sentences) == 7


def test_abbreviations_do_not_split() -> None:
    text = "Согласно ст. 5 и п. 3 Закона РК. Сведения (т.е. документы), т.д. и др. Новое предложение."
    assert split_sentences(text) == [
        "Согласно ст. 5 и п. 3 Закона РК. Сведения (т.е. документы), т.д. и др. Новое предложение."
    ]


def test_initials_and_years() -> None:
    assert split_sentences(
        "Приказ подписал Иванов А.Б. Затем В. Г. Петров утвердил его в 2020 г. Конец."
    ) == ["Приказ подписал Иванов А.Б. Затем В. Г. Петров утвердил его в 2020 г. Конец."]
    assert split_sentences("Заң 2015 ж. 23 қарашада қабылданды. Екінші сөйлем.") == [
        "Заң 2015 ж. 23 қарашада қабылданды.",
        "Екінші сөйлем.",
    ]


def test_hyphenated_number_before_dot() -> None:
    assert split_sentences("В соответствии со статьей 9-1. Настоящий порядок применяется.") == [
        "В соответствии со статьей 9-1. Настоящий порядок применяется."
    ]


def test_sentence_ends() -> None:
    assert split_sentences("Что делать? Идти в ЦОН! 2020 год наступил; Работа продолжается; итог.") == [
        "Что делать?",
        "Идти в ЦОН!",
        "2020 год наступил;",
        "Работа продолжается; итог.",
    ]


def test_numbered_points_on_new_lines() -> None:
    assert split_sentences("Орган:\n1) утверждает правила;\n2) ведет реестр\n3. Иное") == [
        "Орган:",
        "1) утверждает правила;",
        "2) ведет реестр",
        "3. Иное",
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    assert split_sentences("Государственная услуга оказывается\nв электронной форме. Далее.") == [
        "Государственная услуга оказывается в электронной форме.",
        "Далее.",
    ]


def test_empty_and_markup_only() -> None:
    assert split_sentences("") == []
    assert split_sentences('  \n<a id="st1"></a>\n\n') == []


def test_whole_acts_split_into_sane_sentences() -> None:
    wrong_end = re.compile(r"(?:\b(?:ст|п|пп|т\.е|т\.д)|\d+-\d+)\.$")
    for name in ("rus.md", "kaz.md"):
        text = (ACTS / "public-services" / name).read_text(encoding="utf-8")
        sentences = split_sentences(text)
        assert len(sentences) > 300
        assert all(s == s.strip() and s for s in sentences)
        assert not any(wrong_end.search(s) for s in sentences)
        assert not any(s.startswith("<a ") for s in sentences)
    rus = split_sentences((ACTS / "public-services" / "rus.md").read_text(encoding="utf-8"))
    assert any(s.startswith("### Статья 9-1. Компетенция уполномоченного органа") for s in rus)
