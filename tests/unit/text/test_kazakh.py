import pytest

from assistant.text.kazakh import KazakhStemmer, is_stopword, stem


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["мемлекеттік", "мемлекеттің", "мемлекетке", "мемлекеттер", "мемлекетін"], "мемлекет"),
        (["қызметтердің", "қызметтер", "қызметті", "қызметін", "қызметіне", "қызметтерінің"], "қызмет"),
        (["көрсетілетін", "көрсету", "көрсетуге", "көрсетілген", "көрсетеді"], "көрсет"),
        (["органдары", "органдарынан", "органның", "органмен", "орган"], "орган"),
        (["корпорациясы", "корпорациясының", "корпорацияға", "корпорация"], "корпорация"),
        (["деректер", "деректерді", "деректердің"], "дерек"),
        (["тізілім", "тізілімге", "тізілімнің", "тізілімі"], "тізілім"),
        (["бақылау", "бақылауды", "бақылаудың"], "бақыла"),
        (["бекіту", "бекітеді", "бекітілген"], "бекіт"),
        (["саласындағы", "саласы", "сала"], "сала"),
        (["Республикасының", "Республикасы"], "республика"),
    ],
)
def test_inflected_forms_share_a_stem(words: list[str], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


def test_possessive_is_not_read_as_accusative() -> None:
    # құзырет + possessive -і vs қызмет + accusative -ті: the letter before the suffix decides.
    assert stem("құзыреті") == stem("құзырет") == "құзырет"
    assert stem("мақсаты") == stem("мақсатында") == "мақсат"


def test_consonant_alternation_is_undone() -> None:
    assert stem("бабы") == stem("бап") == stem("баптың") == "бап"
    assert stem("тармағы") == stem("тармақ") == "тармақ"


def test_bare_stems_and_their_inflections_agree() -> None:
    # The stem of a word that merely ends like a suffix is cut, but consistently.
    assert stem("тұлға") == stem("тұлғалар") == stem("тұлғаларға")
    assert stem("қағида") == stem("қағидалар") == stem("қағидаларын")


def test_derivational_suffix_is_configurable() -> None:
    keep = KazakhStemmer(strip_derivational=False)
    assert keep.stem("мемлекеттік") == "мемлекеттік"
    assert keep.stem("мемлекеттің") == "мемлекет"
    assert KazakhStemmer().stem("мемлекеттік") == "мемлекет"


@pytest.mark.parametrize("word", ["заң", "бап", "іс", "ел", "жыл", "өкіл", "орын"])
def test_minimum_stem_length(word: str) -> None:
    assert len(stem(word)) >= min(3, len(word))
    assert stem(word) == word


def test_uppercase_input_is_lowercased() -> None:
    assert stem("МЕМЛЕКЕТТІК") == "мемлекет"


@pytest.mark.parametrize(
    "word", ["және", "мен", "туралы", "осы", "бойынша", "үшін", "немесе", "қандай", "кім", "қалай"]
)
def test_stopwords(word: str) -> None:
    assert is_stopword(word)


def test_inflected_pronoun_is_a_stopword_content_word_is_not() -> None:
    assert is_stopword("осының")
    assert not is_stopword("мемлекеттік")
    assert not is_stopword("қызмет")
