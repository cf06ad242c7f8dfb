from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import NotFound
from eval.cli import eval_app
from eval.compare import compare_runs
from eval.metrics import mean
from tests.unit.eval.test_report import synthetic_results, write_results


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "run-a", tmp_path / "run-b"
    write_results(a / "results.jsonl", synthetic_results("a"))
    # B also lacks s-1 and has an extra item, so "only in" lists are exercised
    results_b = [r for r in synthetic_results("b") if r["id"] != "s-1"]
    extra = {**synthetic_results("b")[0], "id": "s-9"}
    write_results(b / "results.jsonl", [*results_b, extra])
    return a, b


def test_deltas_and_changed_items(runs: tuple[Path, Path]) -> None:
    a, b = runs
    c = compare_runs(a, b)
    # s-2 now cites its gold article (better); s-5 is no longer refused (worse)
    assert [i.id for i in c.improved] == ["s-2"]
    assert [i.id for i in c.regressed] == ["s-5"]
    assert any(ch.startswith("refused: yes → no") for ch in c.regressed[0].changes)
    assert "citation_recall: 0.000 → 1.000" in c.improved[0].changes
    assert c.only_a == ["s-1"] and c.only_b == ["s-9"]

    def overall(results: list[dict[str, object]], key: str) -> float | None:
        return mean(r["metrics"][key] for r in results)  # type: ignore[index]

    results_a = synthetic_results("a")
    results_b = [r for r in synthetic_results("b") if r["id"] != "s-1"] + [
        {**synthetic_results("b")[0], "id": "s-9"}
    ]
    expected = overall(results_b, "citation_recall")
    assert expected is not None
    assert c.delta("citation_recall") == pytest.approx(
        expected - (overall(results_a, "citation_recall") or 0.0)
    )
    assert c.delta("refusal_recall") == -1.0
    assert c.delta("refusal_recall", "kind:unanswerable") == -1.0
    assert c.delta("agency_accuracy") is None

    md_path, html_path = c.paths["markdown"], c.paths["html"]
    assert md_path == b / "compare-run-a.md" and html_path == b / "compare-run-a.html"
    md = md_path.read_text(encoding="utf-8")
    assert "| overall | refusal_recall | 1.000 | — |" not in md
    assert "| overall | refusal_recall | 1.000 | 0.000 | -1.000 |" in md
    assert "## Regressed items (1)" in md and "## Improved items (1)" in md
    assert "| kind:unanswerable | refusal_recall |" in md
    assert 'class="neg"' in html_path.read_text(encoding="utf-8")


def test_same_run_has_no_changes(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    c = compare_runs(a, a, write=False)
    assert c.regressed == [] and c.improved == [] and c.delta("mrr") == 0.0
    assert c.paths == {}


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="not an eval run folder"):
        compare_runs(tmp_path, tmp_path)


def test_cli_compare_prints_markdown(runs: tuple[Path, Path]) -> None:
    a, b = runs
    result = CliRunner().invoke(eval_app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "# Kenes eval: run-b vs run-a" in result.stdout
    assert (b / "compare-run-a.html").exists()
    missing = CliRunner().invoke(eval_app, ["compare", str(a / "nope"), str(b)])
    assert missing.exit_code == 1
