from __future__ import annotations

from pathlib import Path

from ingest.acts.formats import read_act_text
from ingest.acts.structure import split_units

ACTS = Path(__file__).resolve().parents[3] / "data" / "demo" / "acts"

RU_MD = """# О тестах

Настоящий Закон регулирует тесты.

## Глава 1. ОБЩИЕ ПОЛОЖЕНИЯ

<a id="st1"></a>

### Статья 1. Основные понятия

В настоящем Законе используются следующие понятия:

1) услугодатель – орган;

*2) исключен Законом РК от 25.11.2019 № 272-VI;*

> *Сноска. Статья 1 с изменениями, внесенными законом РК от 23.11.2015 № 417-V.*

## Глава 2. КОМПЕТЕНЦИЯ

<a id="st9-1"></a>

### Статья 9-1. Компетенция уполномоченного органа

Уполномоченный орган:

1) разрабатывает правила;

<a id="st16"></a>

### Статья 16. Требования к регламенту

*Сноска. Статья 16 исключена Законом РК от 25.11.2019 № 272-VI.*
"""

KK_MD = """# Сынақтар туралы

## 1-тарау. ЖАЛПЫ ЕРЕЖЕЛЕР

<a id="st1"></a>

### 1-бап. Негізгі ұғымдар

Осы Заңда мынадай ұғымдар пайдаланылады:

1) көрсетілетін қызметті беруші – орган;

> *Ескерту. 1-бапқа өзгерістер енгізілді - ҚР 23.11.2015 № 417-V Заңымен.*

<a id="st9-1"></a>

### 9-1-бап. Уәкілетті органның құзыреті

Уәкілетті орган:

1) қағидаларды әзірлейді;
"""

# Shaped like the MIOR statute: the decree's own paragraphs, then the Положение (the largest
# section), then annexes, each numbering from 1.
DECREE_MD = """# О некоторых вопросах министерства

Правительство ПОСТАНОВЛЯЕТ:

1. Утвердить прилагаемое Положение.

   1) Положение о министерстве;

2. Признать утратившими силу некоторые решения.

3. Настоящее постановление вводится в действие со дня подписания.

## Положение о министерстве

### Глава 1. Общие положения

1. Министерство является государственным органом.

2. Министерство имеет ведомства.

3. Министерство осуществляет деятельность.

> *Сноска. Пункт 3 с изменениями.*

### Глава 2. Функции

4. Функции:

    1) функции центрального аппарата:

       утверждение правил;

5. Финансирование осуществляется из республиканского бюджета.

    #### Перечень организаций

    Акционерное общество «Хабар».

## Изменения, которые вносятся в некоторые решения

1. В постановлении № 306:

   пункты 1, 2 изложить в следующей редакции:

   «1. Определить уполномоченным органом.

   2. Ввести в состав.»;

2. В постановлении № 405 внести изменение.
"""


def test_markdown_articles_ru() -> None:
    units = split_units(RU_MD, "test")
    assert [u.citation for u in units] == ["test#st1", "test#st9-1", "test#st16"]
    first, second, repealed = units
    assert first.title == "Статья 1. Основные понятия"
    assert first.article == "1"
    assert first.chapter == "Глава 1. ОБЩИЕ ПОЛОЖЕНИЯ"
    assert second.chapter == "Глава 2. КОМПЕТЕНЦИЯ"
    assert second.article == "9-1"
    # The footnote is skipped, the rest (including the repealed point) is kept, unwrapped.
    assert "Сноска" not in first.text
    assert "2) исключен Законом РК от 25.11.2019 № 272-VI;" in first.text.splitlines()
    assert first.text.startswith("В настоящем Законе используются следующие понятия:")
    # Text under a chapter heading does not leak into the previous article.
    assert "КОМПЕТЕНЦИЯ" not in first.text
    # An article that is only a footnote keeps it rather than becoming empty.
    assert repealed.text.startswith("Сноска. Статья 16 исключена")


def test_markdown_articles_kk() -> None:
    units = split_units(KK_MD, "test")
    assert [u.citation for u in units] == ["test#st1", "test#st9-1"]
    assert units[0].title == "1-бап. Негізгі ұғымдар"
    assert units[0].chapter == "1-тарау. ЖАЛПЫ ЕРЕЖЕЛЕР"
    assert "Ескерту" not in units[0].text
    assert units[1].title.startswith("9-1-бап.")


def test_plain_headings_only_outside_markdown() -> None:
    text = (
        "Закон о тестах\nГлава 1. Общие\nСтатья 1. Понятия\nТекст один.\nСтатья 9-1. Компетенция\nТекст два."
    )
    units = split_units(text, "t", markdown=False)
    assert [u.citation for u in units] == ["t#st1", "t#st9-1"]
    assert units[1].chapter == "Глава 1. Общие"
    assert units[1].text == "Текст два."
    # In markdown, articles are headings; a plain line is running text.
    assert split_units(text, "t", markdown=True) == []


def test_plain_kazakh_headings_and_running_text_not_a_heading() -> None:
    text = "1-бап. Ұғымдар\nМәтін.\nСтатья 16 исключена законом.\n9-1-бап. Құзырет\nМәтін екі."
    units = split_units(text, "t", markdown=False)
    assert [u.article for u in units] == ["1", "9-1"]
    assert "Статья 16 исключена законом." in units[0].text


def test_paragraph_collision_rule() -> None:
    units = split_units(DECREE_MD, "decree")
    ids = [u.citation for u in units]
    assert ids == [
        "decree#s0-p1", "decree#s0-p2", "decree#s0-p3",
        "decree#p1", "decree#p2", "decree#p3", "decree#p4", "decree#p5",
        "decree#s2-p1", "decree#s2-p2",
    ]  # fmt: skip
    by_id = {u.citation: u for u in units}
    assert by_id["decree#p5"].text.startswith("Финансирование осуществляется из республиканского бюджета.")
    assert by_id["decree#p5"].title.startswith("п. 5. Финансирование")
    assert by_id["decree#p5"].article == "p5"
    assert by_id["decree#s0-p1"].article == "s0-p1"
    # Indented content belongs to the paragraph, including an indented annex heading.
    assert "Акционерное общество «Хабар»." in by_id["decree#p5"].text
    assert "1) функции центрального аппарата:" in by_id["decree#p4"].text
    # Quoted, indented «1. …» inside an amendment does not start a paragraph.
    assert "«1. Определить уполномоченным органом." in by_id["decree#s2-p1"].text
    # A sub-heading ends the paragraph; footnotes are skipped.
    assert "Глава 2" not in by_id["decree#p3"].text
    assert "Сноска" not in by_id["decree#p3"].text
    assert by_id["decree#p1"].chapter == "Положение о министерстве / Глава 1. Общие положения"


def test_real_public_services_same_articles_in_both_languages() -> None:
    ru = split_units(read_act_text(ACTS / "public-services" / "rus.md"), "public-services")
    kk = split_units(read_act_text(ACTS / "public-services" / "kaz.md"), "public-services")
    ru_ids = [u.citation for u in ru]
    assert ru_ids == [u.citation for u in kk]
    assert len(ru_ids) == 35
    assert {
        "public-services#st1",
        "public-services#st8",
        "public-services#st9-1",
        "public-services#st31",
    } <= set(ru_ids)
    st8 = next(u for u in ru if u.article == "8")
    assert st8.title.startswith("Статья 8. Компетенция уполномоченного органа")
    assert st8.chapter.startswith("Глава 2.")
    assert all(u.text.strip() for u in ru + kk)
    assert not any("Сноска" in u.text for u in ru if u.lines)


def test_real_access_to_information_uses_level_two_article_headings() -> None:
    units = split_units(read_act_text(ACTS / "access-to-information" / "rus.md"), "access-to-information")
    assert {"access-to-information#st6-1", "access-to-information#st6-2"} <= {u.citation for u in units}


def test_real_mior_statute_paragraphs() -> None:
    units = split_units(read_act_text(ACTS / "mior-statute" / "rus.md"), "mior-statute")
    by_id = {u.citation: u for u in units}
    assert len(by_id) == len(units)
    assert {f"mior-statute#p{n}" for n in range(1, 28)} <= set(by_id)
    assert by_id["mior-statute#p16"].title == "п. 16. Функции:"
    assert "приказами" in by_id["mior-statute#p7"].text
    assert "республиканского бюджета" in by_id["mior-statute#p12"].text
    # The decree's own paragraph 7 is kept under its section id.
    assert "вводится в действие" in by_id["mior-statute#s0-p7"].text
    # Raw HTML annex tables are flattened to rows.
    assert not any("<td" in u.text for u in units)
