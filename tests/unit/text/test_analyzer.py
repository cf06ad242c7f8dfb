import pytest

from assistant.text.analyzer import EXPANSION_WEIGHT, Analyzer
from assistant.text.lexicon import Lexicon


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Lexicon.load())


def test_tokens(analyzer: Analyzer) -> None:
    assert analyzer.tokens("Статья 9-1. Ёлка, т.е. п. 3 и «eGov»") == ["статья", "9-1", "елка", "3", "egov"]


def test_same_terms_for_inflected_forms(analyzer: Analyzer) -> None:
    assert analyzer.terms("государственных услуг") == analyzer.terms("государственная услуга")
    assert analyzer.terms("государственных услуг") == ["государственный", "услуга"]
    assert analyzer.terms("персональных данных") == analyzer.terms("Персональные данные")


def test_stopwords_removed(analyzer: Analyzer) -> None:
    assert analyzer.terms("который является настоящим и иным") == []
    assert analyzer.terms("осы заң туралы және") == ["заң"]


def test_kazakh_terms(analyzer: Analyzer) -> None:
    assert analyzer.terms("мемлекеттік қызметтердің") == ["мемлекет", "қызмет"]
    assert analyzer.terms("Мемлекеттік қызметті") == ["мемлекет", "қызмет"]


def test_kazakh_light_verb_idiom_is_one_term(analyzer: Analyzer) -> None:
    # «жол берілмейді» is «не допускается»: it must not meet a question about ways («жолдармен»)
    allowed = analyzer.terms("төлемақы белгілеуге жол берілмейді; жол бермеу", "kk")
    assert allowed.count("жолбер") == 2 and "жол" not in allowed
    assert "жол" in analyzer.terms("Қызметті қандай жолдармен алуға болады?", "kk")
    assert "жолбер" in analyzer.terms("Бұған жол беріле ме?", "kk")


def test_kazakh_words_without_kazakh_letters_in_kazakh_text(analyzer: Analyzer) -> None:
    # «деректер» has no Kazakh-only letter; in Kazakh text it is still stemmed, not lemmatised.
    assert analyzer.terms("дербес деректер", lang="kk") == ["дербес", "дерек"]
    assert analyzer.terms("дербес деректерді қорғау") == ["дербес", "дерек", "қорға"]


def test_mixed_words_per_word(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Государственная корпорация «Азаматтарға арналған үкімет» оказывает услуги")
    assert terms[:2] == ["государственный", "корпорация"]
    assert "азамат" in terms and "үкімет" in terms and "услуга" in terms


def test_latin_lookalikes(analyzer: Analyzer) -> None:
    assert analyzer.terms("уәкiлеттi орган") == analyzer.terms("уәкілетті орган")


def test_abbreviations_kept_verbatim(analyzer: Analyzer) -> None:
    assert analyzer.terms("ЦОН") == analyzer.terms("в ЦОНе") == ["цон"]
    assert analyzer.terms("функции МИОР") == ["функция", "миор"]
    # All-caps headings are words, not abbreviations.
    assert analyzer.terms("ОБЩИЕ ПОЛОЖЕНИЯ") == analyzer.terms("общие положения")
    assert analyzer.terms("ГОСУДАРСТВЕННЫХ УСЛУГ") == ["государственный", "услуга"]
    assert analyzer.terms("ПРАВА ИЛИ ИХ") == ["право"]
    assert analyzer.terms("МЕМЛЕКЕТТІК ҚЫЗМЕТТЕР ТІЗІЛІМІ") == ["мемлекет", "қызмет", "тізілім"]


def test_numbers_kept(analyzer: Analyzer) -> None:
    assert analyzer.terms("статья 9-1 пункт 2") == ["статья", "9-1", "пункт", "2"]


def test_query_weights(analyzer: Analyzer) -> None:
    weights = Analyzer(None).query_terms("услуга услуги услуг закон")
    assert weights == {"услуга": 2.0, "закон": 1.0}


def test_query_expansion_weights(analyzer: Analyzer) -> None:
    weights = analyzer.query_terms("Где ЦОН?")
    assert weights["цон"] == 1.0
    assert weights["государственный"] == EXPANSION_WEIGHT
    assert weights["корпорация"] == EXPANSION_WEIGHT
    assert weights["мемлекет"] == EXPANSION_WEIGHT


def test_expansion_never_lowers_a_question_term(analyzer: Analyzer) -> None:
    weights = analyzer.query_terms("ЦОН это государственная корпорация?")
    assert weights["государственный"] == 1.0
    assert weights["корпорация"] == 1.0


def test_no_lexicon_no_expansion() -> None:
    assert Analyzer(None).query_terms("Где ЦОН?") == {"цон": 1.0}


def test_kazakh_question_meets_russian_registry_row(analyzer: Analyzer) -> None:
    row = analyzer.terms("осуществляет государственный контроль за качеством оказания государственных услуг")
    query = analyzer.query_terms("мемлекеттік қызметтердің сапасын бақылауды кім жүзеге асырады?")
    shared = set(row) & set(query)
    assert {"контроль", "качество", "государственный", "услуга"} <= shared


def test_russian_question_meets_kazakh_act(analyzer: Analyzer) -> None:
    act = analyzer.terms("мемлекеттік көрсетілетін қызметтер тізілімі")
    query = analyzer.query_terms("реестр государственных услуг")
    assert {"тізілім", "мемлекет", "қызмет"} <= set(act) & set(query)


def test_the_morphology_dictionaries_are_read_by_the_c_reader() -> None:
    # the pure-Python reader gives the same lemmas at about two thirds of the ingest speed
    from pymorphy3 import dawg

    assert dawg.EXTENSION_AVAILABLE


def test_remembered_tokens_give_the_same_terms_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.text import analyzer as analyzer_mod

    text = "ЦОН принимает заявления; ЦОНы и ЦОН принимают заявление. Мемлекеттік қызмет жол берілмейді"
    first, first_kk = Analyzer().terms(text, "ru"), Analyzer().terms(text, "kk")
    monkeypatch.setattr(analyzer_mod, "_MEMO_MAX", 3)
    small = Analyzer()
    assert small.terms(text, "ru") == small.terms(text, "ru") == first
    assert small.terms(text, "kk") == first_kk
    assert all(len(memo) <= 3 for memo in small._memo.values())
