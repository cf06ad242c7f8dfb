from pathlib import Path

import pytest
import yaml

from assistant.text.lexicon import Lexicon, _keys
from ingest.sources import load_sources

ROOT = Path(__file__).resolve().parents[3]
PACKAGED = ROOT / "assistant" / "text" / "lexicon.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


@pytest.mark.parametrize(
    "text", ["Где ЦОН?", "Что делают в ЦОНе", "в ЦОН-е", "адрес цон", "ХҚКО қайда", "ХҚКО-ға бару", "ХҚО"]
)
def test_cons_expand_to_state_corporation(lexicon: Lexicon, text: str) -> None:
    expanded = lexicon.expand(text)
    assert "Государственная корпорация" in expanded
    assert "Мемлекеттік корпорация" in expanded


def test_phrase_form_matches_inflected(lexicon: Lexicon) -> None:
    assert "Государственная корпорация" in lexicon.expand("через «Правительство для граждан»")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("как войти в eGov", "портал электронного правительства"),
        ("портал egov", "веб-портал электронного правительства"),
        ("через е-гов", "портал электронного правительства"),
        ("через ЭП", "электрондық үкімет"),
        ("услуги электронного правительства", "портал электронного правительства"),
        ("мой ИИН", "индивидуальный идентификационный номер"),
        ("БИН компании", "бизнес-идентификационный номер"),
        ("функции МИОР", "Министерство информации и общественного развития"),
        ("АҚДМ жүйесінде", "Ақпарат және қоғамдық даму министрлігі"),
        ("приказ МЦРИАП", "Министерство цифрового развития, инноваций и аэрокосмической промышленности"),
        ("список госуслуг", "государственная услуга"),
        ("запрос в госорганы", "государственный орган"),
        ("какой ГО отвечает", "государственный орган"),
        ("защита персданных", "персональные данные"),
        ("утечка ПД", "персональные данные"),
        ("проект НПА", "нормативный правовой акт"),
        ("обратиться в акимат", "местный исполнительный орган"),
        ("сдать биометрию", "биометрические данные"),
        ("ЦГО и МИО", "центральный государственный орган"),
        ("компании квазигоссектора", "квазигосударственный сектор"),
        ("требования Нацбанка", "Национальный Банк"),
        ("права госслужащих", "государственный служащий"),
    ],
)
def test_required_entries(lexicon: Lexicon, text: str, phrase: str) -> None:
    assert phrase in lexicon.expand(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("сапаны бақылау", "контроль"),
        ("сапаны бақылау", "качество"),
        ("уәкілетті органның құзыреті", "уполномоченный орган"),
        ("уполномоченного органа", "уәкілетті орган"),
        ("тізілімге енгізу", "реестр"),
        ("қағидаларды бекіту", "правила"),
        ("қағидаларды бекіту", "утверждать"),
        ("ақпараттандыру саласындағы", "информатизация"),
        ("дербес деректерді қорғау", "персональные данные"),
        ("местного исполнительного органа", "жергілікті атқарушы орган"),
        ("әкімнің шешімі", "аким"),
    ],
)
def test_kazakh_russian_bridges_both_ways(lexicon: Lexicon, text: str, phrase: str) -> None:
    assert phrase in lexicon.expand(text)


def test_uppercase_abbreviations_match_exactly(lexicon: Lexicon) -> None:
    assert lexicon.expand("го") == []  # lowercase «го» is not the abbreviation ГО
    assert lexicon.expand("ГОСТ") == []
    assert lexicon.expand("БИНГО") == []


def test_no_match_on_word_parts(lexicon: Lexicon) -> None:
    assert lexicon.expand("подцоновый аккаунт") == []
    assert lexicon.expand("гороскоп на неделю") == []


def test_phrases_already_in_text_are_not_returned(lexicon: Lexicon) -> None:
    expanded = [p.lower() for p in lexicon.expand("Государственная корпорация (ЦОН)")]
    assert "государственная корпорация" not in expanded
    assert "мемлекеттік корпорация" in expanded


def test_no_duplicates_and_language_tags(lexicon: Lexicon) -> None:
    tagged = lexicon.expand_with_lang("ЦОН, ХҚКО, цон и госкорпорация")
    phrases = [p.lower() for p, _ in tagged]
    assert len(phrases) == len(set(phrases))
    assert ("Мемлекеттік корпорация", "kk") in tagged
    assert ("Государственная корпорация", "ru") in tagged


def test_document_scope(lexicon: Lexicon) -> None:
    expanded = lexicon.expand("ИИН заявителя и адрес ЦОН", documents=True)
    assert "индивидуальный идентификационный номер" in expanded
    assert "Государственная корпорация" not in expanded


def test_load_custom_file(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text(
        "expansions:\n  - forms: [ЕНПФ]\n    ru: [пенсионный фонд]\n"
        "bridges:\n  - {kk: зейнетақы, ru: пенсия}\n",
        encoding="utf-8",
    )
    lexicon = Lexicon.load(path)
    assert lexicon.expand("взносы в ЕНПФ") == ["пенсионный фонд"]
    assert lexicon.expand("зейнетақы төлеу") == ["пенсия"]
    assert lexicon.expand("размер пенсии") == ["зейнетақы"]


def test_packaged_lexicon_size() -> None:
    data = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    assert len(data["bridges"]) >= 40
    for bridge in data["bridges"]:
        assert bridge.get("kk") and bridge.get("ru"), bridge


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Қайырымдылық саласындағы мониторинг", "благотворительность"),
        ("Мүгедектігі бар азаматтар ақпаратты қалай алады?", "инвалидность"),
        ("Ашық деректерді қайда орналастырамыз?", "открытые данные"),
        ("Облакимат разбирает жалобы", "местный исполнительный орган области"),
        ("Какой комитет проверял продукцию?", "ведомство"),
    ],
)
def test_everyday_and_kazakh_names_reach_the_wording_of_the_acts(
    lexicon: Lexicon, text: str, phrase: str
) -> None:
    assert phrase in lexicon.expand(text)


def test_kazakh_subject_words_do_not_expand_russian_questions(lexicon: Lexicon) -> None:
    """One-way: a Russian question about charity or disability keeps its own words (the Kazakh
    entries exist so that Kazakh questions meet Russian-only texts)."""
    for text, kazakh in (
        ("Кто ведёт мониторинг благотворительности?", "қайырымдылық"),
        ("Права лиц с инвалидностью на информацию", "мүгедектік"),
    ):
        assert kazakh not in lexicon.expand(text)
    assert "қайырымдылық" not in lexicon.expand("благотворительность")


def test_one_way_kazakh_forms_mean_what_the_aligned_russian_articles_say() -> None:
    """A one-way Kazakh form is checked against the acts published in both languages: where the
    Kazakh article has the form (10 articles or more), the Russian article has its translation at
    least half the time. A form that fails has a second sense — «байланысты» is "in connection
    with", not "communications"; «жастар» stems to «жас», "age" — and pulls unrelated Russian
    articles into Kazakh questions."""
    acts = [p for p in (ROOT / "data" / "large").iterdir() if (p / "kaz.md").exists()]
    acts += [p for p in (ROOT / "data" / "demo" / "acts").iterdir() if p.is_dir()]
    texts: dict[str, dict[str, str]] = {}
    for act in acts:
        for chunk in load_sources(act, None).chunks:
            if chunk.kind == "act":
                side = texts.setdefault(chunk.citation, {})
                side[chunk.lang] = side.get(chunk.lang, "") + " " + chunk.text
    pairs = [(_keys(t["kk"], "kk"), _keys(t["ru"], "ru")) for t in texts.values() if len(t) == 2]
    assert len(pairs) >= 300
    data = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    failing = []
    for entry in data["expansions"]:
        if "kk" in entry or "ru" not in entry:
            continue
        russian = [_keys(p, "ru") for p in ([entry["ru"]] if isinstance(entry["ru"], str) else entry["ru"])]
        for form in [entry["forms"]] if isinstance(entry["forms"], str) else entry["forms"]:
            keys = _keys(form, "kk")
            found = [ru for kk, ru in pairs if Lexicon._contains(kk, keys)]
            agreed = sum(any(Lexicon._contains(ru, p) for p in russian) for ru in found)
            if len(found) >= 10 and agreed < len(found) / 2:
                failing.append((form, agreed, len(found)))
    assert not failing
