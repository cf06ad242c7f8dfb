from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ValidationProblem
from assistant.settings import DEMO_DIR
from eval.datasets import load_dataset, select

DEV_SETS = [DEMO_DIR / "eval" / "dev-law-qa.jsonl", DEMO_DIR / "eval" / "dev-registry-qa.jsonl"]

GOOD: dict[str, Any] = {
    "id": "t-1", "lang": "ru", "kind": "law", "question": "Что говорит статья?", "answerable": True,
    "gold_citations": ["public-services#st8"], "must_contain_any": ["статья"],
}  # fmt: skip


def write(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(ValidationProblem) as exc:
        load_dataset(list(paths))
    return exc.value.problems


def test_dev_sets_load() -> None:
    items = load_dataset(DEV_SETS)
    assert len(items) == 25
    assert {i.dataset for i in items} == {"dev-law-qa.jsonl", "dev-registry-qa.jsonl"}
    reg = next(i for i in items if i.id == "d-reg-005")
    assert (reg.gold_automatable, reg.gold_risk) == ("да", "низкий")
    assert reg.gold_ids == ["registry:MIOR-V-097"]


def test_the_held_out_set_loads_apart_from_the_dev_sets() -> None:
    # named outside «dev*» so that no fit (eval.train_ranker) and no dev bench reads it
    path = DEMO_DIR / "eval" / "heldout-fresh-qa.jsonl"
    items = load_dataset([path])
    assert len(items) == 40 and all(i.id.startswith("h-") for i in items)
    assert path not in sorted((DEMO_DIR / "eval").glob("dev*.jsonl"))
    assert {i.lang for i in items} == {"ru", "kk"} and sum(not i.answerable for i in items) == 4


@pytest.mark.parametrize(
    "name",
    [
        "heldout2-fresh-qa.jsonl",
        "heldout3-fresh-qa.jsonl",
        "heldout4-fresh-qa.jsonl",
        "heldout5-fresh-qa.jsonl",
        "heldout6-fresh-qa.jsonl",
        "heldout7-fresh-qa.jsonl",
        "train-kk-written.jsonl",
    ],
)
def test_later_held_out_and_written_sets_load_outside_dev(name: str) -> None:
    path = DEMO_DIR / "eval" / name
    items = load_dataset([path])
    assert len({i.id for i in items}) == len(items) >= 50
    assert all(i.gold_ids and i.must_contain_any for i in items if i.answerable)
    assert path not in sorted((DEMO_DIR / "eval").glob("dev*.jsonl"))


def test_bad_lines_report_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "set.jsonl",
        GOOD,
        "",  # blank lines are fine
        "{not json",
        {**GOOD, "id": "t-2", "lang": "en"},
        {**GOOD, "id": "t-3", "gold_citations": ["статья 8"]},
        {k: v for k, v in GOOD.items() if k != "question"} | {"id": "t-4"},
        {**GOOD, "id": "t-5", "gold_citation": ["public-services#st8"]},
        "[1, 2]",
        {**GOOD, "id": "t-6", "answerable": False},
        {**GOOD, "id": "t-7", "gold_count": -1},
    )
    found = problems(path)
    assert found[0].startswith(f"{path}:3: json: ")
    assert found[1].startswith(f"{path}:4: lang: ")
    assert found[2].startswith(f"{path}:5: gold_citations: not a citation id")
    assert found[3] == f"{path}:6: question: required field is missing"
    assert found[4].startswith(f"{path}:7: gold_citation: unknown field")
    assert found[5].startswith(f"{path}:8: (line): expected a JSON object")
    assert found[6] == f"{path}:9: gold_citations: an unanswerable item must not have gold citations"
    assert found[7].startswith(f"{path}:10: gold_count: ")
    assert len(found) == 8


def test_answerable_needs_gold_and_function_ids_must_be_cited(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.jsonl",
        {**GOOD, "gold_citations": []},
        {
            **GOOD,
            "id": "t-2",
            "kind": "registry",
            "gold_citations": ["registry:A-1"],
            "gold_function_ids": ["A-2"],
        },
    )
    assert problems(path) == [
        f"{path}:1: gold_citations: an answerable item needs at least one gold citation",
        f"{path}:2: gold_function_ids: not in gold_citations as registry:ID: A-2",
    ]


def test_duplicate_ids_within_and_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", GOOD, {**GOOD, "id": "t-2"}, GOOD)
    b = write(tmp_path / "b.jsonl", {**GOOD, "id": "t-2"})
    assert problems(a, b) == [
        f"{a}:3: id: duplicate id 't-1' (first at {a}:1)",
        f"{b}:1: id: duplicate id 't-2' (first at {a}:2)",
    ]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.jsonl", "")
    found = problems(tmp_path / "missing.jsonl", empty)
    assert found[0].startswith(f"{tmp_path / 'missing.jsonl'}: cannot read")
    assert found[1] == f"{empty}: (file): no items"


def test_select_filters_then_limits() -> None:
    items = load_dataset(DEV_SETS)
    kk = select(items, langs=["kk"])
    assert {i.id for i in kk} == {"d-law-012", "d-law-013", "d-reg-008"}
    assert [i.id for i in select(items, kinds=["unanswerable"], limit=2)] == ["d-law-014", "d-law-015"]
    assert len(select(items)) == 25


# -- CLI input: dataset errors and --config overrides ---------------------------------------------
def test_cli_run_reports_dataset_problems_without_running(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from eval.cli import eval_app

    bad = write(tmp_path / "bad.jsonl", {**GOOD, "kind": "poetry"})
    result = CliRunner().invoke(eval_app, ["run", "--dataset", str(bad), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert f"{bad}:1: kind: " in result.stderr
    assert not (tmp_path / "run").exists()


def test_config_overrides_map_dotted_keys_to_settings(tmp_path: Path) -> None:
    from assistant.errors import ConfigError
    from eval.cli import build_settings, parse_overrides

    assert parse_overrides(["answer.mode=extractive", "retrieval.dense_weight=0.5", "llm.mode=fake"]) == {
        "answer": {"mode": "extractive"}, "retrieval": {"dense_weight": 0.5}, "llm": {"mode": "fake"},
    }  # fmt: skip
    settings = build_settings([f"data_dir={tmp_path}", "retrieval.top_k=5", "qdrant.collection=other"])
    assert settings.data_dir == tmp_path and settings.retrieval.top_k == 5
    assert settings.qdrant.collection == "other"
    with pytest.raises(ConfigError, match="unknown setting 'dense'"):
        parse_overrides(["retrieval.dense=1"])
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_overrides(["answer.mode"])
    with pytest.raises(ConfigError, match="has no sub-settings"):
        parse_overrides(["data_dir.x=1"])
    with pytest.raises(ConfigError, match=r"invalid setting: retrieval\.top_k"):
        build_settings(["retrieval.top_k=0"])
