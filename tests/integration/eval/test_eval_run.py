"""A real eval run over both dev sets on the demo index (fake LLM): files, numbers, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from eval.datasets import load_dataset
from eval.metrics import MEAN_KEYS, mean, percentile, refusal_confusion
from eval.report import load_results
from eval.runner import EvalRunner
from tests.conftest import DEV_SETS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run_dir(demo_container: Container, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "dev-run"
    EvalRunner(demo_container.assistant, out, progress=False, datasets=[str(p) for p in DEV_SETS]).run(
        load_dataset(DEV_SETS)
    )
    return out


def _summary(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def test_run_writes_every_output(run_dir: Path, demo_container: Container) -> None:
    for name in ("results.jsonl", "summary.json", "report.md", "report.html", "config.json"):
        assert (run_dir / name).stat().st_size > 0, name
    for chart in ("by_kind", "by_lang", "latency"):
        assert (run_dir / "charts" / f"{chart}.png").read_bytes().startswith(b"\x89PNG")
    config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    assert config["index_version"] == demo_container.assistant.index_version() != ""
    assert config["settings"]["llm"]["mode"] == "fake"
    summary = _summary(run_dir)
    assert summary["run"]["index_version"] == config["index_version"]
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "charts/by_kind.png" in html


def test_results_are_complete_per_item(run_dir: Path) -> None:
    results = load_results(run_dir / "results.jsonl")
    assert len(results) == 25
    assert [r for r in results if r["error"]] == []
    for r in results:
        assert r["answer"] and r["question"] and r["timings"]["total_ms"] > 0
        assert r["retrieved"] is not None and len(r["retrieved"]) <= 10
        assert set(MEAN_KEYS) <= set(r["metrics"]) | {"faithfulness"}
        assert r["metrics"]["refusal_correct"] is not None
        for c in r["citations"]:
            assert {"n", "citation", "kind", "quote"} <= set(c)


def test_summary_numbers_follow_from_results(run_dir: Path) -> None:
    results = load_results(run_dir / "results.jsonl")
    summary = _summary(run_dir)
    overall = summary["overall"]
    assert overall["n"] == summary["run"]["items"] == 25
    for key, name in MEAN_KEYS.items():
        expected = mean(r["metrics"].get(key) for r in results)
        if expected is None:
            assert overall[name] is None, name
        else:
            assert overall[name] == pytest.approx(expected), name
    confusion = refusal_confusion((not r["answerable"], r["refused"]) for r in results)
    assert overall["refusal_recall"] == confusion["recall"]
    assert overall["refusal_precision"] == confusion["precision"]
    assert overall["total_p95"] == pytest.approx(percentile([r["timings"]["total_ms"] for r in results], 95))
    assert sum(g["n"] for g in summary["by_kind"].values()) == 25
    assert set(summary["by_lang"]) == {"ru", "kk"}
    kk = [r for r in results if r["lang"] == "kk"]
    assert summary["by_lang"]["kk"]["language_match"] == pytest.approx(
        mean(r["metrics"]["language_match"] for r in kk)
    )
    # unanswerable items carry no retrieval metrics
    assert summary["by_kind"]["unanswerable"]["hit@5"] is None


def test_rerun_resumes_without_asking_again(run_dir: Path, demo_container: Container) -> None:
    before = (run_dir / "results.jsonl").read_text(encoding="utf-8")
    summary = EvalRunner(demo_container.assistant, run_dir, progress=False).run(load_dataset(DEV_SETS))
    assert (run_dir / "results.jsonl").read_text(encoding="utf-8") == before
    assert summary.overall["n"] == 25
