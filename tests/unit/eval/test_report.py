from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.domain import Answer, Chunk, Citation, SearchHit, SearchResult
from assistant.errors import ConfigError, NotFound
from assistant.settings import LLMSettings, Settings
from eval.datasets import EvalItem
from eval.metrics import mean, percentile, score_item
from eval.report import build_summary, load_results, write_report
from eval.runner import EvalRunner, parse_verdict, scrub

PNG = b"\x89PNG\r\n\x1a\n"


def make_item(rid: str, kind: str = "law", lang: str = "ru", **kw: Any) -> EvalItem:
    answerable = kind != "unanswerable"
    base: dict[str, Any] = {
        "id": rid, "lang": lang, "kind": kind, "question": f"Вопрос {rid}?", "answerable": answerable,
        "gold_citations": [f"act#st{rid[-1]}"] if answerable else [], "must_contain_any": ["ответ"],
        "dataset": "synthetic.jsonl",
    }  # fmt: skip
    return EvalItem(**{**base, **kw})


def make_record(
    it: EvalItem,
    retrieved: list[str],
    answer: str | None,
    refused: bool | None,
    cited: list[str],
    total_ms: float,
    ttft_ms: float | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    timings = {"total_ms": total_ms, **({"ttft_ms": ttft_ms} if ttft_ms is not None else {})}
    return {
        "id": it.id, "dataset": it.dataset, "kind": it.kind, "lang": it.lang, "question": it.question,
        "answerable": it.answerable, "gold_citations": it.gold_ids, "retrieved": retrieved, "answer": answer,
        "refused": refused, "citations": [{"n": i, "citation": c} for i, c in enumerate(cited, 1)],
        "metrics": score_item(it, retrieved=retrieved, answer=answer, refused=refused, cited=cited),
        "timings": timings, "error": error,
    }  # fmt: skip


def synthetic_results(variant: str = "a") -> list[dict[str, Any]]:
    """Six items of three kinds and both languages; variant "b" fixes one item and breaks another."""
    good = variant == "b"
    return [
        make_record(make_item("s-1"), ["act#st1"], "Это ответ [1].", False, ["act#st1"], 120.0, 40.0),
        make_record(make_item("s-2"), ["x#st9", "act#st2"], "Это ответ [1].", False,
                    ["act#st2" if good else "x#st9"], 300.0, 90.0),
        make_record(make_item("s-3"), ["x#st9"], "Это ответ [1].", False, ["x#st9"], 200.0),
        make_record(make_item("s-4", lang="kk"), ["act#st4"], "Жауап дереккөздер мәтінінде бар: ответ [1].",
                    False, ["act#st4"], 150.0),
        make_record(make_item("s-5", kind="unanswerable"), ["x#st1"], "Источники не содержат ответа.",
                    not good, [], 80.0),
        make_record(make_item("s-6", kind="unanswerable"), [], None, None, [], 10.0,
                    error="ask: RuntimeError: x"),
    ]  # fmt: skip


def write_results(path: Path, results: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    return path


def test_report_numbers_equal_what_results_imply(tmp_path: Path) -> None:
    write_results(tmp_path / "results.jsonl", synthetic_results())
    results = load_results(tmp_path / "results.jsonl")
    summary = build_summary(results, {"name": "run-a", "index_version": "kenes_v1"})
    paths = write_report(tmp_path, summary, results)
    data = json.loads(paths["summary"].read_text(encoding="utf-8"))

    hit5 = [r["metrics"]["hit@5"] for r in results if r["metrics"]["hit@5"] is not None]
    assert data["overall"]["hit@5"] == pytest.approx(sum(hit5) / len(hit5))
    assert data["overall"]["support"]["hit@5"] == len(hit5) == 4  # only answerable items have gold
    assert data["overall"]["mrr"] == pytest.approx(mean(r["metrics"]["mrr"] for r in results))
    assert data["overall"]["must_contain"] == pytest.approx(
        mean(r["metrics"]["must_contain"] for r in results)
    )
    assert data["overall"]["total_p50"] == percentile([r["timings"]["total_ms"] for r in results], 50)
    assert data["overall"]["ttft_p95"] == percentile([40.0, 90.0], 95)
    assert data["run"]["items"] == 6 and data["run"]["errors"] == 1
    # refusals: s-5 refused correctly; s-6 never answered, so it is in neither cell
    assert data["overall"]["refusal"] == {"tp": 1, "fp": 0, "fn": 0, "tn": 4}
    assert data["by_kind"]["unanswerable"]["errors"] == 1
    assert {k: v["n"] for k, v in data["by_kind"].items()} == {"law": 4, "unanswerable": 2}
    assert {k: v["n"] for k, v in data["by_lang"].items()} == {"kk": 1, "ru": 5}
    assert data["by_lang"]["kk"]["language_match"] == 1.0
    assert [w["id"] for w in data["worst"]][:2] == ["s-6", "s-3"]

    md = paths["markdown"].read_text(encoding="utf-8")
    assert f"| hit@5 | {data['overall']['hit@5']:.3f} | 4 |" in md
    assert "index version: kenes_v1" in md
    assert "![metrics by kind](charts/by_kind.png)" in md
    html = paths["html"].read_text(encoding="utf-8")
    assert "<img src='charts/latency.png'" in html and "s-3" in html
    for name in ("by_kind", "by_lang", "latency", "worst"):
        assert (tmp_path / "charts" / f"{name}.png").read_bytes().startswith(PNG)


def test_load_results_last_line_for_an_id_wins(tmp_path: Path) -> None:
    first, second = synthetic_results()[:2]
    path = write_results(tmp_path / "results.jsonl", [first, second, {**first, "answer": "new"}])
    results = load_results(path)
    assert [r["id"] for r in results] == ["s-1", "s-2"] and results[0]["answer"] == "new"


def test_all_passing_run_has_no_worst_items(tmp_path: Path) -> None:
    results = synthetic_results()[:1]
    summary = build_summary(results)
    write_report(tmp_path, summary, results)
    assert summary.worst == []
    assert "Every item passed every metric." in (tmp_path / "report.md").read_text(encoding="utf-8")


# -- the runner with a stub assistant -------------------------------------------------------------
class StubAssistant:
    """Answers the gold citation for even items, fails to answer "s-3" and refuses unanswerables."""

    def __init__(self, data_dir: Path, version: str = "kenes_v1") -> None:
        self.settings = Settings(data_dir=data_dir, llm=LLMSettings(mode="fake", api_key=SecretStr("s3cret")))
        self.version = version
        self.asked: list[str] = []
        self.learned: dict[str, object] = {}

    def index_version(self) -> str:
        return self.version

    def learned_models(self) -> dict[str, object]:
        return self.learned

    def search(
        self, query: str, *, top_k: int | None = None, history: list[str] | None = None
    ) -> SearchResult:
        n = query.split()[-1].rstrip("?")[-1]
        chunk = Chunk(
            chunk_id=f"act#st{n}@ru", citation=f"act#st{n}", kind="act", lang="ru", title="t", text="x"
        )
        return SearchResult(
            query=query, lang="ru", hits=[SearchHit(chunk=chunk, score=1.0)], timings={"total_ms": 1.0}
        )

    def ask(self, question: str, history: list[str] | None = None, lang: str | None = None) -> Answer:
        self.asked.append(question)
        if "s-3" in question:
            raise RuntimeError("boom")
        n = question.split()[-1].rstrip("?")[-1]
        refused = n in "56"
        citations = (
            [] if refused else [Citation(n=1, citation=f"act#st{n}", kind="act", title="t", quote="q")]
        )
        text = "Источники не содержат ответа." if refused else "Это ответ [1]."
        return Answer(question=question, answer=text, lang="ru", refused=refused, citations=citations,
                      timings={"retrieval_ms": 1.0, "total_ms": 5.0})  # fmt: skip

    def source(self, citation: str, lang: str = "ru") -> Chunk:
        raise NotFound(citation)


def items() -> list[EvalItem]:
    return [make_item(f"s-{i}") for i in range(1, 5)] + [make_item("s-5", kind="unanswerable")]


def test_runner_records_errors_resumes_and_refuses_mixed_configs(tmp_path: Path) -> None:
    stub = StubAssistant(tmp_path / "data")
    out = tmp_path / "run"
    summary = EvalRunner(stub, out, progress=False).run(items())  # type: ignore[arg-type]
    results = load_results(out / "results.jsonl")
    assert len(results) == 5 and summary.run["errors"] == 1
    failed = next(r for r in results if r["id"] == "s-3")
    assert failed["error"] == "ask: RuntimeError: boom" and failed["metrics"]["hit@1"] is True
    assert summary.overall["refusal_recall"] == 1.0 and summary.overall["citation_recall"] == 1.0
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["index_version"] == "kenes_v1" and "api_key" not in config["settings"]["llm"]
    assert "s3cret" not in (out / "summary.json").read_text(encoding="utf-8")
    for name in ("summary.json", "report.md", "report.html", "charts/latency.png"):
        assert (out / name).exists()

    # resume: only the failed item is asked again
    stub.asked.clear()
    EvalRunner(stub, out, progress=False).run(items())  # type: ignore[arg-type]
    assert stub.asked == ["Вопрос s-3?"]
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 5

    stub.asked.clear()
    EvalRunner(stub, out, progress=False).run(items()[:2], fresh=True)  # type: ignore[arg-type]
    assert len(stub.asked) == 2 and len(load_results(out / "results.jsonl")) == 2

    with pytest.raises(ConfigError, match="index version"):
        EvalRunner(StubAssistant(tmp_path / "data", "kenes_v2"), out, progress=False).run(items())  # type: ignore[arg-type]
    # rankers refitted in place: same settings, same index, other answers
    stub.learned = {"fitted": "2026-12-07T09:00:00+00:00"}
    with pytest.raises(ConfigError, match="other learned rankers"):
        EvalRunner(stub, out, progress=False).run(items())  # type: ignore[arg-type]


def test_judge_verdicts_and_scrub() -> None:
    assert parse_verdict("Yes.") is True
    assert parse_verdict("нет, не всё") is False
    assert parse_verdict("Иә") is True
    assert parse_verdict("Источники не содержат ответа.") is None
    assert parse_verdict("") is None
    assert scrub({"llm": {"api_key": "x", "mode": "fake"}, "token": 1, "n": [{"password": 2}]}) == {
        "llm": {"mode": "fake"}, "n": [{}],
    }  # fmt: skip
