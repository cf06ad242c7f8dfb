from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.text import russian


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("государственных", "государственный"),
        ("Государственная", "государственный"),
        ("услуг", "услуга"),
        ("услугами", "услуга"),
        ("органов", "орган"),
        ("правил", "правило"),
        ("утверждает", "утверждать"),
        ("контроля", "контроль"),
        ("информатизации", "информатизация"),
        ("реестра", "реестр"),
    ],
)
def test_lemma(word: str, expected: str) -> None:
    assert russian.lemma(word) == expected


def test_noun_reading_wins_a_tie() -> None:
    # "данные" alone is ambiguous with the participle of "дать"; the phrase must be stable.
    assert russian.lemma("данные") == russian.lemma("данных") == russian.lemma("данными") == "данные"


def test_lemma_never_has_yo() -> None:
    for word in ("всё", "её", "объём", "зачтён"):
        assert "ё" not in russian.lemma(word)


def test_analyzer_is_built_once() -> None:
    assert russian.get_morph() is russian.get_morph()


def test_thread_safe_and_consistent() -> None:
    words = ["государственных", "услуг", "органами", "реестра", "контролю"] * 40
    expected = [russian.lemma(w) for w in words]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(russian.lemma, words)) == expected


def test_is_known() -> None:
    assert russian.is_known("государственная")
    assert not russian.is_known("цон")


@pytest.mark.parametrize(
    "lemma", ["который", "настоящий", "являться", "иной", "данный", "и", "в", "для", "он"]
)
def test_stopwords(lemma: str) -> None:
    assert russian.is_stopword(lemma)


@pytest.mark.parametrize(
    "lemma", ["право", "орган", "закон", "услуга", "срок", "лицо", "статья", "пункт", "данные", "порядок"]
)
def test_legal_content_words_are_kept(lemma: str) -> None:
    assert not russian.is_stopword(lemma)
