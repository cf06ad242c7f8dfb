from pathlib import Path

import pytest

from assistant.text.lang import detect_lang, has_kazakh_letters, normalize

ACTS = Path(__file__).resolve().parents[3] / "data" / "demo" / "acts"


@pytest.mark.parametrize(
    "text",
    [
        "Что такое государственная услуга?",
        "Где находится ЦОН",
        "",
        "12345",
        "eGov",
        # A Kazakh name quoted in a Russian sentence does not make it Kazakh.
        "Государственная корпорация «Азаматтарға арналған үкімет» оказывает услуги в соответствии с законом",
        "Что такое Мемлекеттік корпорация и ХҚКО?",
    ],
)
def test_russian_and_default(text: str) -> None:
    assert detect_lang(text) == "ru"


@pytest.mark.parametrize(
    "text",
    [
        "Мемлекеттік қызмет дегеніміз не?",
        "ХҚКО қайда?",
        "МЕМЛЕКЕТТІК КӨРСЕТІЛЕТІН ҚЫЗМЕТТЕР",
        # No Kazakh letters at all, only Kazakh function words.
        "осы заң туралы",
        "дербес деректер бойынша",
        "ЦОН-да қандай құжат керек",
    ],
)
def test_kazakh(text: str) -> None:
    assert detect_lang(text) == "kk"


def test_whole_acts() -> None:
    assert detect_lang((ACTS / "public-services" / "rus.md").read_text(encoding="utf-8")) == "ru"
    assert detect_lang((ACTS / "public-services" / "kaz.md").read_text(encoding="utf-8")) == "kk"


def test_has_kazakh_letters() -> None:
    assert has_kazakh_letters("қызмет")
    assert has_kazakh_letters("ҚЫЗМЕТ")
    assert not has_kazakh_letters("мемлекет")
    assert not has_kazakh_letters("услуга")


def test_normalize_maps_latin_lookalikes_only_inside_cyrillic_words() -> None:
    # Latin "i" inside Kazakh words (common in official texts) becomes Cyrillic "і".
    assert normalize("уәкiлеттi тiзiлiм") == "уәкілетті тізілім"
    assert normalize("портал eGov и e-gov") == "портал eGov и e-gov"
    # a run is mapped when either neighbour is Cyrillic, also at the ends of the text
    assert normalize("caйт oн-лайн") == "сайт он-лайн"
    assert normalize("дa") == "да" and normalize("aд") == "ад" and normalize("a д") == "a д"


def test_normalize_yo_invisible_and_stress() -> None:
    assert normalize("Ёлка, всё") == "Елка, все"
    assert normalize("госу\u00adдарство") == "государство"
    assert normalize("сто\u0301ит") == "стоит"
