"""The real large acts in data/large parse right: every article once, under its own id, with
nothing of its neighbours, chapters or editorial notes in its text.

The expected counts are counted here from the raw Markdown with regexes independent of the parser
(anchors and heading lines), and pinned to the numbers in data/large/README.md / SOURCE.md."""

from __future__ import annotations

import re
from functools import cache

import pytest

from assistant.domain import Chunk
from assistant.settings import PROJECT_ROOT
from ingest.acts.loader import load_act_dir
from ingest.acts.structure import Unit, split_units

pytestmark = pytest.mark.integration

LARGE_DIR = PROJECT_ROOT / "data" / "large"
NUM = r"\d+(?:-\d+)*"
# heading lines as the source writes them: «#### Статья N.», «### N-бап.», «### 32-2 бап.», or a
# whole bold line «**Статья 43-1. …**»
HEADING_RE = re.compile(
    rf"^(?:#{{2,6}}\s+|\*\*)(?:Статья\s+(?P<ru>{NUM})|(?P<kk>{NUM})[-\s]бап)\.", re.MULTILINE
)
ANCHOR_RE = re.compile(rf'<a id="st({NUM})"></a>')
# (act, file): (articles, highest article number), from the README / SOURCE.md of each act
EXPECTED = {
    ("appk", "rus"): (178, 175),
    ("labour-code", "rus"): (222, 204),
    ("labour-code", "kaz"): (222, 204),
    ("local-government", "rus"): (62, 41),
    ("local-government", "kaz"): (62, 41),
    ("civil-service", "rus"): (71, 69),
    ("civil-service", "kaz"): (71, 69),
}
TEXTS = sorted(EXPECTED)
# lines that must never be part of an article's text
LEAK_RE = re.compile(
    rf"^(?:(?:Глава|Раздел|РАЗДЕЛ)\s+{NUM}\.|{NUM}-(?:тарау|бөлім|БӨЛІМ)\.|ОБЩАЯ ЧАСТЬ|ОСОБЕННАЯ ЧАСТЬ"
    r"|ЖАЛПЫ БӨЛІК|ЕРЕКШЕ БӨЛІК|Сноска\.|Ескерту\.|Примечание!|Ескертпе!|↑"
    r"|(?:Президент Республики Казахстан|Қазақстан Республикасының Президент[іi])$)"
)


def _source(act: str, stem: str) -> str:
    return (LARGE_DIR / act / f"{stem}.md").read_text(encoding="utf-8")


@cache
def _units(act: str, stem: str) -> list[Unit]:
    return split_units(_source(act, stem), act)


@cache
def _chunks(act: str) -> list[Chunk]:
    return load_act_dir(LARGE_DIR / act)


def _major(number: str) -> int:
    return int(number.split("-")[0])


@pytest.mark.parametrize(("act", "stem"), TEXTS)
def test_every_article_once_against_an_independent_count(act: str, stem: str) -> None:
    text = _source(act, stem)
    headings = [m.group("ru") or m.group("kk") for m in HEADING_RE.finditer(text)]
    numbers = [u.number for u in _units(act, stem)]
    articles, highest = EXPECTED[(act, stem)]
    assert len(headings) == len(set(headings)) == articles
    assert numbers == headings  # same articles, same order, none merged away or invented
    assert set(ANCHOR_RE.findall(text)) <= set(numbers)
    assert max(map(_major, numbers)) == highest
    assert any("-" in n for n in numbers)  # inserted «N-1» articles are their own articles


@pytest.mark.parametrize(("act", "stem"), TEXTS)
def test_no_article_holds_a_neighbour_a_chapter_or_a_note(act: str, stem: str) -> None:
    units = _units(act, stem)
    for unit, following in zip(units, [*units[1:], None], strict=True):
        lines = unit.text.split("\n")
        leaks = [line for line in lines if LEAK_RE.match(line) or HEADING_RE.match(f"## {line}")]
        # a repealed article is only its footnote («Статья 16 исключена …»): that is its text
        assert not leaks or not unit.lines, (unit.citation, leaks[:3])
        if following is not None:
            assert following.title not in unit.text, unit.citation


@pytest.mark.parametrize("act", sorted({a for a, _ in TEXTS}))
def test_chunks_keep_article_ids_and_stay_contiguous(act: str) -> None:
    chunks = _chunks(act)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for lang in {c.lang for c in chunks}:
        citations = [c.citation for c in chunks if c.lang == lang]
        assert all(re.fullmatch(rf"{re.escape(act)}#st{NUM}", c) for c in citations)
        # one run of chunks per article: an article is never split across two places
        runs = [c for i, c in enumerate(citations) if i == 0 or citations[i - 1] != c]
        assert len(runs) == len(set(runs))
    assert all(c.article and c.citation.endswith(f"#st{c.article}") for c in chunks)


def test_editorial_notes_are_attached_to_their_article_not_its_text() -> None:
    # «Примечание!» + an italic line on a pending Constitutional Court review (ТК ст. 52)
    art52 = next(u for u in _units("labour-code", "rus") if u.number == "52")
    assert any("проверке конституционности подпункта 2) пункта 1-1 статьи 52" in f for f in art52.footnotes)
    assert "конституционности" not in art52.text
    assert "2) совершения работником квазигосударственного сектора" in art52.text
    # the Kazakh «Ескертпе!» the same way
    kk52 = next(u for u in _units("labour-code", "kaz") if u.number == "52")
    assert any(f.startswith("Ескертпе") for f in kk52.footnotes)
    # «Примечание.» without «!» is part of the law itself and stays in the text
    art15 = next(u for u in _units("civil-service", "rus") if u.number == "15")
    assert "Международными служащими в настоящей статье признаются" in art15.text
    # amendment footnotes («Сноска. Статья 23 с изменениями …») go with their article
    art23 = next(u for u in _units("labour-code", "rus") if u.number == "23")
    assert any(f.startswith("Сноска. Статья 23") for f in art23.footnotes)


def test_unusual_headings_and_the_end_of_parts() -> None:
    appk = {u.number: u for u in _units("appk", "rus")}
    assert appk["43-1"].title == "Статья 43-1. Проектное управление"  # a bold line, not a heading
    assert "Проектное управление" not in appk["43"].text
    kk = {u.number: u for u in _units("local-government", "kaz")}
    assert kk["32-2"].title.startswith("32-2 бап.")  # written without the hyphen
    assert "32-2 бап" not in kk["32-1"].text
    ru = {u.number: u for u in _units("local-government", "rus")}
    assert {"32-2", "33"} <= ru.keys()  # headings with no anchor before them
    # the last article before each part of the labour code ends at the part's navigation line
    labour = {u.number: u for u in _units("labour-code", "rus")}
    assert not labour["23"].text.endswith("rus.md)")
    assert "НАЗАРБАЕВ" not in labour["204"].text


def test_repealed_act_is_flagged_on_every_chunk() -> None:
    chunks = _chunks("civil-service")
    assert chunks and all(c.repealed for c in chunks)
    assert not any(c.repealed for c in _chunks("appk"))


def test_large_acts_stay_out_of_the_demo_corpus() -> None:
    demo = {p.name for p in (PROJECT_ROOT / "data" / "demo" / "acts").iterdir() if p.is_dir()}
    large = {p.name for p in LARGE_DIR.iterdir() if p.is_dir()}
    assert large == {a for a, _ in TEXTS} and not demo & large
    for act in large:
        assert (LARGE_DIR / act / "meta.yaml").exists() and (LARGE_DIR / act / "SOURCE.md").exists()


def test_sizes_are_reasonable() -> None:
    # a guard on the chunker over real codes: windows, not one chunk per article nor shreds
    for act in sorted(LARGE_DIR.iterdir()):
        if not act.is_dir():
            continue
        chunks = _chunks(act.name)
        assert max(len(c.text) for c in chunks) <= 2400, act.name
        assert len(chunks) >= sum(len(_units(act.name, s)) for a, s in TEXTS if a == act.name)
