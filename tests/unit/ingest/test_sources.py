"""Reading and validating everything a version is built from: problems aggregated, Kazakh
bridges for rows, rows on repealed acts flagged."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from assistant.errors import ValidationProblem
from ingest.sources import file_sha256, load_sources
from tests.unit.rag import tiny_data as td


@pytest.fixture()
def acts(tmp_path: Path) -> Path:
    return td.write_acts(tmp_path)


def _by_id(chunks: list) -> dict:  # type: ignore[type-arg]
    return {c.chunk_id: c for c in chunks}


def test_acts_and_registry_become_chunks(acts: Path, tmp_path: Path) -> None:
    sources = load_sources(acts, td.write_registry(tmp_path / "reg.csv"))
    chunks = _by_id(sources.chunks)
    assert {"tiny-act#st1@ru", "tiny-act#st2@kk", "old-statute#p2@ru", "registry:TA-02-02@ru"} <= set(chunks)
    assert [r.function_id for r in sources.rows] == ["TA-02-01", "TA-02-02", "OS-02-01"]
    act_chunks = [c for c in sources.chunks if c.kind == "act"]
    assert [c.seq for c in act_chunks] == list(range(len(act_chunks)))  # positions to reassemble articles
    assert sources.chunks[-3:] == [chunks[f"registry:{f}@ru"] for f in ("TA-02-01", "TA-02-02", "OS-02-01")]


def test_input_files_are_listed_with_their_hash(acts: Path, tmp_path: Path) -> None:
    (acts / "tiny-act" / "SOURCE.md").write_text("provenance", encoding="utf-8")
    reg = td.write_registry(tmp_path / "reg.csv")
    files = load_sources(acts, reg).files
    paths = [Path(f["path"]) for f in files]
    assert "SOURCE.md" not in {p.name for p in paths}
    assert paths[-1] == reg
    assert {p.name for p in paths[:-1]} == {"meta.yaml", "rus.md", "kaz.md"}
    assert files[-1]["sha256"] == hashlib.sha256(reg.read_bytes()).hexdigest() == file_sha256(reg)


def test_kazakh_bridge_is_the_point_of_the_kazakh_article(acts: Path, tmp_path: Path) -> None:
    chunks = _by_id(load_sources(acts, td.write_registry(tmp_path / "reg.csv")).chunks)
    assert chunks["registry:TA-02-01@ru"].bridge == "сынақ қызметтерін көрсету қағидаларын бекітеді;"
    assert chunks["registry:TA-02-02@ru"].bridge == "сынақ қызметтерінің тізілімін жүргізеді."
    assert chunks["registry:OS-02-01@ru"].bridge == ""  # the statute has no Kazakh text


def test_article_level_row_is_bridged_by_the_kazakh_title(acts: Path, tmp_path: Path) -> None:
    reg = td.write_registry(
        tmp_path / "reg.csv",
        [td.row(function_id="TA-01-00", legal_basis="Закон, ст. 1", citation="tiny-act#st1")],
    )
    [row] = [c for c in load_sources(acts, reg).chunks if c.kind == "registry"]
    assert row.bridge == "1-бап. Қарау мерзімдері"


def test_rows_resting_on_a_repealed_act_are_flagged(acts: Path, tmp_path: Path) -> None:
    items = [
        *td.rows(),
        # nothing in this row says the act lost force: the act's meta does
        td.row(
            function_id="OS-01-01",
            act_slug="old-statute",
            legal_basis="Положение, п. 1",
            citation="old-statute#p1",
            updated_on="",
        ),
    ]
    chunks = _by_id(load_sources(acts, td.write_registry(tmp_path / "reg.csv", items)).chunks)
    flagged = chunks["registry:OS-01-01@ru"]
    assert flagged.repealed and flagged.status.startswith("Утратило силу")
    assert flagged.version_date == "2019-03-01"  # the act's edition when the row has no date
    assert chunks["registry:OS-02-01@ru"].repealed
    assert not chunks["registry:TA-02-01@ru"].repealed and chunks["registry:TA-02-01@ru"].status == ""
    assert chunks["old-statute#p2@ru"].repealed and not chunks["tiny-act#st1@ru"].repealed


def test_registry_only(tmp_path: Path) -> None:
    sources = load_sources(None, td.write_registry(tmp_path / "reg.csv"))
    assert [c.kind for c in sources.chunks] == ["registry"] * 3
    assert all(c.bridge == "" for c in sources.chunks)
    assert len(sources.files) == 1


def _single_act(tmp_path: Path) -> Path:
    single = tmp_path / "single.md"
    single.write_text("# Закон\n\n### Статья 1. Первая\n\nТекст первой статьи закона.\n", encoding="utf-8")
    return single


def test_acts_only_and_a_single_act_file(acts: Path, tmp_path: Path) -> None:
    assert load_sources(acts, None).rows == []
    sources = load_sources(_single_act(tmp_path), None)
    assert [c.kind for c in sources.chunks] == ["act"]


def test_a_single_act_file_is_listed_as_an_input(tmp_path: Path) -> None:
    # regression: `acts.rglob("*")` yields nothing for a single file
    single = _single_act(tmp_path)
    assert [Path(f["path"]) for f in load_sources(single, None).files] == [single]


def test_a_single_act_folder_is_loaded_or_rejected(acts: Path) -> None:
    try:
        sources = load_sources(acts / "tiny-act", None)
    except ValidationProblem:
        return
    assert {c.act_slug for c in sources.chunks} == {"tiny-act"}


def test_nothing_given_loads_nothing() -> None:
    sources = load_sources(None, None)
    assert sources.chunks == [] and sources.files == []


def test_every_problem_in_every_file_is_reported_together(acts: Path, tmp_path: Path) -> None:
    (acts / "broken").mkdir()
    (acts / "broken" / "rus.docx").write_bytes(b"not a zip at all")
    items = td.rows()
    items[1]["automatable"] = "может быть"
    items[2]["agency"] = ""
    reg = td.write_registry(tmp_path / "bad.csv", items)
    with pytest.raises(ValidationProblem) as err:
        load_sources(acts, reg)
    problems = err.value.problems
    assert any("rus.docx" in p for p in problems)
    assert any(p.startswith("bad.csv:3:") and "automatable" in p for p in problems)
    assert any(p.startswith("bad.csv:4:") and "agency" in p for p in problems)
    assert "nothing was loaded" in err.value.message


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ValidationProblem) as err:
        load_sources(tmp_path / "no-acts", tmp_path / "no.csv")
    assert err.value.problems == [
        f"{tmp_path / 'no-acts'}: no such file or folder",
        f"{tmp_path / 'no.csv'}: no such file",
    ]


def test_several_acts_paths_load_into_one_source_set(tmp_path: Path) -> None:
    acts = td.write_acts(tmp_path / "a")
    other = tmp_path / "b" / "other-act"
    shutil.copytree(acts / "tiny-act", other)
    both = load_sources([acts, other.parent], None)
    single = load_sources(acts, None)
    assert {c.act_slug for c in both.chunks} == {c.act_slug for c in single.chunks} | {"other-act"}
    assert [c.seq for c in both.chunks] == list(range(len(both.chunks)))
    assert len(both.files) > len(single.files)


def test_the_same_act_in_two_acts_paths_is_refused(tmp_path: Path) -> None:
    acts = td.write_acts(tmp_path / "a")
    copy = tmp_path / "b"
    shutil.copytree(acts, copy)
    with pytest.raises(ValidationProblem) as err:
        load_sources([acts, copy], None)
    assert any("tiny-act" in p and "also in" in p for p in err.value.problems)
