from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain import Chunk
from ingest.acts.chunker import LEAD_IN_MAX, chunk_unit, extract_point, split_long_text
from ingest.acts.loader import load_act_dir, load_acts
from ingest.acts.meta import make_meta
from ingest.acts.structure import Unit

ACTS = Path(__file__).resolve().parents[3] / "data" / "demo" / "acts"
META = make_meta(
    "test",
    "О тестах",
    title_kk="Сынақтар туралы",
    version_date={"ru": "2024-01-02", "kk": "2024-01-03"},
    source_url={"ru": "https://example.invalid/rus", "kk": "https://example.invalid/kaz"},
)


def _unit(lines: list[str], number: str = "8") -> Unit:
    return Unit("article", f"test#st{number}", number, number, f"Статья {number}. Компетенция", "", lines)


def _long_article(points: int = 30) -> Unit:
    lines = ["Уполномоченный орган в сфере оказания государственных услуг:"]
    lines += [
        f"{n}) осуществляет функцию номер {n} " + "в установленном порядке " * 6 + ";"
        for n in range(1, points)
    ]
    lines.insert(5, "4-1) утверждает правила ведения реестра государственных услуг;")
    return _unit(lines)


def test_short_unit_is_one_chunk_with_all_fields() -> None:
    [chunk] = chunk_unit(_unit(["Уполномоченный орган:", "1) разрабатывает правила;"]), META, "kk")
    assert chunk.chunk_id == "test#st8@kk"
    assert chunk.citation == "test#st8"
    assert chunk.kind == "act" and chunk.lang == "kk"
    assert chunk.title == "Статья 8. Компетенция"
    assert chunk.text == "Уполномоченный орган:\n1) разрабатывает правила;"
    assert chunk.act_slug == "test" and chunk.act_title == "Сынақтар туралы"
    assert chunk.article == "8" and chunk.point == ""
    assert chunk.version_date == "2024-01-03"
    assert chunk.source_url == "https://example.invalid/kaz"
    assert not chunk.repealed and chunk.status == "действует"


def test_long_article_is_split_at_points_with_lead_in() -> None:
    unit = _long_article()
    chunks = chunk_unit(unit, META, "ru", max_chars=600)
    assert len(chunks) > 3
    lead = "Уполномоченный орган в сфере оказания государственных услуг:"
    for chunk in chunks:
        assert chunk.citation == "test#st8"
        assert chunk.text.startswith(lead + "\n")
        assert len(chunk.text) <= 600 + LEAD_IN_MAX + 2
        assert chunk.chunk_id == f"test#st8.p{chunk.point}@ru"
        # Each window opens with the point it is named after.
        assert chunk.text.split("\n")[1].startswith(f"{chunk.point})")
    assert chunks[0].point == "1"
    # Points are never cut, and every point is in exactly one window.
    points = [line for line in unit.lines if line[0].isdigit()]
    for line in points:
        assert sum(line in c.text.split("\n") for c in chunks) == 1
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_long_lead_in_gets_its_own_window_and_is_truncated_in_others() -> None:
    lead = "Вводная часть статьи, описывающая порядок. " * 8  # > LEAD_IN_MAX, < max_chars
    lines = [lead.strip()] + [f"{n}) пункт номер {n} " + "текст " * 40 for n in range(1, 8)]
    chunks = chunk_unit(_unit(lines), META, "ru", max_chars=500)
    assert chunks[0].chunk_id == "test#st8.w1@ru"
    assert chunks[0].point == ""
    assert chunks[0].text == lead.strip()
    for chunk in chunks[1:]:
        prefix = chunk.text.split("\n")[0]
        assert prefix.endswith("…") and len(prefix) <= LEAD_IN_MAX + 1
        assert len(chunk.text) <= 500 + LEAD_IN_MAX + 2


def test_point_longer_than_max_chars_is_split_at_sentences() -> None:
    long_point = "2) " + " ".join(f"Предложение номер {n} о порядке оказания услуг." for n in range(60))
    chunks = chunk_unit(
        _unit(["Орган:", "1) короткий пункт;", long_point, "3) последний;"]), META, "ru", max_chars=400
    )
    ids = [c.chunk_id for c in chunks]
    assert ids[0] == "test#st8.p1@ru"
    assert "test#st8.p2@ru" in ids and "test#st8.p2_2@ru" in ids
    assert len(set(ids)) == len(ids)
    pieces = [c for c in chunks if c.point == "2"]
    assert all(len(c.text) <= 400 + LEAD_IN_MAX + 2 for c in pieces)
    # Sentence boundaries: no piece ends in the middle of a sentence.
    assert all(c.text.rstrip().endswith(".") for c in pieces)
    # Continuation pieces repeat the lead-in and the point's first line for context.
    assert all(c.text.startswith("Орган:\n2) Предложение номер 0") for c in pieces)


def test_subpoint_window_repeats_its_part() -> None:
    lines = ["1. Государственные органы:"] + [f"{n}) функция {n} " + "слово " * 30 for n in range(1, 6)]
    lines += ["2. Уполномоченный орган:"] + [f"{n}) полномочие {n} " + "слово " * 30 for n in range(1, 6)]
    chunks = chunk_unit(_unit(lines, "27"), META, "ru", max_chars=450)
    later = [c for c in chunks if "полномочие" in c.text.split("\n")[1]]
    assert later and all(c.text.startswith("2. Уполномоченный орган:") for c in later)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_split_long_text_limits() -> None:
    text = "Первое предложение. " * 50 + "\n" + "слово" * 300
    pieces = split_long_text(text, 200)
    assert all(0 < len(p) <= 200 for p in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


ARTICLE = """Уполномоченный орган:
1) разрабатывает правила;
2) утверждает формы
и иные документы;
8-1) исключен;
2. Местные органы:
1) ведут учет;
2) представляют отчеты."""


@pytest.mark.parametrize(
    ("point", "part", "expected"),
    [
        ("1", None, "разрабатывает правила;"),
        ("2", None, "утверждает формы\nи иные документы;"),
        ("8-1", None, "исключен;"),
        ("2", "2", "представляют отчеты."),
        ("9", None, None),
        ("1", "3", None),
    ],
)
def test_extract_point(point: str, part: str | None, expected: str | None) -> None:
    assert extract_point(ARTICLE, point, part=part) == expected


def test_extract_point_in_real_kazakh_article() -> None:
    chunks = load_act_dir(ACTS / "public-services")
    kk = "\n".join(c.text for c in chunks if c.citation == "public-services#st8" and c.lang == "kk")
    ru = "\n".join(c.text for c in chunks if c.citation == "public-services#st8" and c.lang == "ru")
    assert "реестр" in (extract_point(ru, "2") or "")
    assert "тізілім" in (extract_point(kk, "2") or "")


@pytest.fixture(scope="module")
def corpus() -> list[Chunk]:
    return load_acts(ACTS)


def test_real_corpus_chunks(corpus: list[Chunk]) -> None:
    assert len({c.chunk_id for c in corpus}) == len(corpus)
    assert all(c.text.strip() for c in corpus)
    assert all(len(c.text) <= 1800 + 400 for c in corpus)
    assert {c.act_slug for c in corpus} == {
        "access-to-information",
        "mior-statute",
        "personal-data",
        "public-services",
    }
    ps = {(c.lang, c.citation) for c in corpus if c.act_slug == "public-services"}
    assert {cit for lang, cit in ps if lang == "ru"} == {cit for lang, cit in ps if lang == "kk"}
    st8 = next(c for c in corpus if c.citation == "public-services#st8" and c.lang == "ru")
    assert st8.title == "Статья 8. Компетенция уполномоченного органа в сфере оказания государственных услуг"
    assert st8.act_title == "О государственных и социально ответственных услугах"
    assert st8.version_date == "2023-07-01"


def test_real_mior_chunks(corpus: list[Chunk]) -> None:
    mior = [c for c in corpus if c.act_slug == "mior-statute"]
    assert all(c.repealed and c.status.startswith("Утратило силу") for c in mior)
    cites = {c.citation for c in mior}
    assert {"mior-statute#p16", "mior-statute#p7", "mior-statute#p12"} <= cites
    p7 = [c for c in mior if c.citation == "mior-statute#p7"]
    assert any("приказами" in c.text for c in p7)
    p12 = [c for c in mior if c.citation == "mior-statute#p12"]
    assert any("республиканского бюджета" in c.text for c in p12)
    p16 = [c for c in mior if c.citation == "mior-statute#p16"]
    assert len(p16) > 5 and {c.point for c in p16} == {"1", "2"}
    assert all(c.article == "p16" and c.title == "п. 16. Функции:" for c in p16)


@pytest.mark.parametrize("max_chars", [600, 1000])
def test_real_corpus_bounds_for_other_sizes(max_chars: int) -> None:
    chunks = load_acts(ACTS, max_chars=max_chars)
    assert all(len(c.text) <= max_chars + 400 for c in chunks)
    assert all(c.text.strip() for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
