"""The `kenes` command line through typer's CliRunner on a tiny index (KENES_DATA_DIR in a temp
dir, hashing embedder, fake LLM): the `--json` shapes of DESIGN.md, exit codes, batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import Result
from typer.testing import CliRunner

from assistant import cli
from assistant.container import Container
from tests.conftest import make_settings
from tests.unit.rag import tiny_data as td

DEADLINE_Q = "В какой срок рассматривается заявление?"


class Kenes:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {
            "KENES_DATA_DIR": str(data_dir),
            "KENES_EMBEDDINGS__MODE": "hashing",
            "KENES_LLM__MODE": "fake",
        }
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        try:
            return self.runner.invoke(cli.app, list(args), env=self.env)
        finally:
            cli._close_containers()  # what `main()` does after every command: release the store lock

    def json(self, *args: str) -> Any:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def lines(self, *args: str) -> list[dict[str, Any]]:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _build(tmp: Path) -> tuple[Kenes, dict[str, Any]]:
    kenes = Kenes(tmp / "data")
    report = kenes.json(
        "ingest",
        "--acts",
        str(td.write_acts(tmp)),
        "--registry",
        str(td.write_registry(tmp / "reg.csv")),
        "--json",
    )
    return kenes, report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Kenes, dict[str, Any]]:
    return _build(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def kenes(built: tuple[Kenes, dict[str, Any]]) -> Kenes:
    return built[0]


@pytest.fixture()
def fresh(tmp_path: Path) -> Kenes:
    """An index of its own, for commands that change it."""
    return _build(tmp_path)[0]


# -- ingest ----------------------------------------------------------------------------------
def test_ingest_json(built: tuple[Kenes, dict[str, Any]]) -> None:
    _, report = built
    assert set(report) >= {
        "version",
        "collection",
        "counts",
        "embedded",
        "seconds",
        "chunks_per_s",
        "changes",
    }
    assert report["collection"] == f"kenes__{report['version']}"
    assert report["counts"]["registry_rows"] == 3 and report["counts"]["articles"] == 6
    assert report["embedded"] == report["counts"]["total"] == 9
    assert report["changes"] == {}


def test_ingest_plain_text(fresh: Kenes, tmp_path: Path) -> None:
    result = fresh("ingest", "--registry", str(td.write_registry(tmp_path / "r2.csv")))
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith("index ")
        and "is live: 0 articles, 3 registry rows, 3 chunks (3 embedded)" in result.stdout
    )


def test_ingest_from_several_acts_folders(fresh: Kenes, tmp_path: Path) -> None:
    import shutil

    both = td.write_acts(tmp_path / "one")
    second = tmp_path / "two" / "acts"
    second.mkdir(parents=True)
    shutil.move(str(both / "old-statute"), second / "old-statute")
    report = fresh.json("ingest", "--acts", str(both), "--acts", str(second), "--json")
    found = fresh.json("search", "статья", "--top-k", "20", "--json")["results"]
    acts = {row["citation"].partition("#")[0] for row in found}
    assert report["counts"]["articles"] > 0 and {"tiny-act", "old-statute"} <= acts


def test_incremental_ingest_reports_changes(fresh: Kenes, tmp_path: Path) -> None:
    items = td.rows()[:2]
    items[0]["automation_risk"] = "средний"
    report = fresh.json(
        "ingest", "--incremental", "--registry", str(td.write_registry(tmp_path / "v2.csv", items)), "--json"
    )
    assert report["embedded"] == 0
    assert [r["function_id"] for r in report["changes"]["registry"]["removed"]] == ["OS-02-01"]
    assert report["changes"]["payload_only"] == 1


def test_bad_registry_exits_2_with_line_numbers(kenes: Kenes, tmp_path: Path) -> None:
    before = kenes.json("index", "list", "--json")
    items = td.rows()
    items[1]["automatable"] = "может быть"
    items[2]["citation"] = "не ссылка"
    bad = td.write_registry(tmp_path / "bad.csv", items)
    result = kenes("ingest", "--registry", str(bad))
    assert result.exit_code == 2
    assert "error:" in result.stderr and "Traceback" not in result.output
    problems = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert any(p.startswith("- bad.csv:3:") and "automatable" in p for p in problems)
    assert any(p.startswith("- bad.csv:4:") and "citation" in p for p in problems)
    assert kenes.json("index", "list", "--json") == before  # nothing changed


def test_missing_registry_file_exits_2(kenes: Kenes, tmp_path: Path) -> None:
    result = kenes("ingest", "--registry", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "no such file" in result.stderr


# -- search ----------------------------------------------------------------------------------
def test_search_json_shape(kenes: Kenes) -> None:
    data = kenes.json("search", DEADLINE_Q, "--json", "--top-k", "3")
    assert set(data) >= {"results", "timings"}
    assert isinstance(data["timings"]["total_ms"], float)
    assert 1 <= len(data["results"]) <= 3
    for r in data["results"]:
        assert set(r) >= {"citation", "kind", "score", "title", "text"}
        assert r["kind"] in ("act", "registry") and isinstance(r["score"], float)
        assert isinstance(r["title"], str) and r["text"]
    assert data["results"][0]["citation"] == "tiny-act#st1"
    assert data["lang"] == "ru" and data["index_version"].startswith("kenes__")


def test_search_plain_text_flags_repealed(kenes: Kenes) -> None:
    result = kenes("search", "архивные справки старого комитета")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" 1. ") and any("old-statute#p2 [утратил силу]" in line for line in lines)
    assert lines[-1].endswith(" ms)")


def test_search_needs_a_question(kenes: Kenes) -> None:
    result = kenes("search")
    assert result.exit_code == 2 and "give a question or --batch FILE" in result.stderr


def test_search_without_an_index_says_so(tmp_path: Path) -> None:
    result = Kenes(tmp_path / "empty")("search", "срок")
    assert result.exit_code == 1 and "No index yet" in result.stderr


def test_oversize_question_is_rejected(kenes: Kenes) -> None:
    result = kenes("search", "срок " * 500)
    assert result.exit_code == 1 and "error:" in result.stderr


def test_store_in_use_exits_3(kenes: Kenes) -> None:
    holder = Container(make_settings(kenes.data_dir, embeddings={"mode": "hashing"}))
    try:
        holder.store.live_collection()  # opens and locks the embedded store
        result = kenes("search", "срок")
        assert result.exit_code == 3 and "in use by another Kenes process" in result.stderr
    finally:
        holder.close()


# -- ask -------------------------------------------------------------------------------------
def test_ask_json_shape_law(kenes: Kenes) -> None:
    data = kenes.json("ask", DEADLINE_Q, "--json")
    assert set(data) >= {"answer", "lang", "refused", "citations", "index_version", "model", "timings"}
    assert "question" not in data
    assert data["lang"] == "ru" and data["refused"] is False and data["model"] == "fake"
    assert data["index_version"].startswith("kenes__")
    assert {"retrieval_ms", "ttft_ms", "total_ms"} <= set(data["timings"])
    c = data["citations"][0]
    assert set(c) >= {"n", "citation", "title", "quote"}
    assert (c["n"], c["citation"]) == (1, "tiny-act#st1") and "пяти рабочих дней" in c["quote"]
    assert "[1]" in data["answer"]


def test_ask_json_registry_answer(kenes: Kenes) -> None:
    data = kenes.json("ask", "Кто ведет реестр тестовых услуг?", "--json")
    assert data["mode"] == "registry" and data["refused"] is False
    assert [c["citation"] for c in data["citations"]][:2] == ["registry:TA-02-02", "tiny-act#st2"]
    assert {"retrieval_ms", "total_ms"} <= set(data["timings"])


def test_ask_kazakh(kenes: Kenes) -> None:
    data = kenes.json("ask", "Өтініш қанша күнде қаралады?", "--json", "--lang", "kk")
    assert data["lang"] == "kk" and data["citations"][0]["lang"] == "kk"


def test_ask_refusal_json(kenes: Kenes) -> None:
    data = kenes.json("ask", "Сколько стоит билет на самолет в Париж?", "--json")
    assert data["refused"] is True and data["mode"] == "refusal"


def test_ask_plain_text(kenes: Kenes) -> None:
    # a status question is answered from its row whatever the article ranks (the tiny act
    # repeats the row word for word, so a «who?» is a tie the law may lead)
    result = kenes("ask", "Можно ли автоматизировать выдачу архивных справок гражданам?")
    assert result.exit_code == 0, result.output
    assert "[1] registry:OS-02-01 [утратил силу]" in result.stdout
    assert "(registry; retrieval" in result.stdout and "index kenes__" in result.stdout


def test_ask_plain_text_dims_the_model_draft_before_the_answer(kenes: Kenes) -> None:
    result = kenes.runner.invoke(cli.app, ["ask", DEADLINE_Q], env=kenes.env, color=True)
    cli._close_containers()
    assert result.exit_code == 0, result.output
    draft, _, final = result.stdout.partition("\n\n")
    words = click.unstyle(draft).split()
    assert "пяти" in words and draft.count("\x1b[2m") >= len(words)  # every piece dim (ESC[2m)
    assert "\x1b[2m" not in final.split("\n")[0] and "[1]" in final


def test_ask_rejects_an_unknown_language(kenes: Kenes) -> None:
    result = kenes("ask", "срок", "--lang", "en")
    assert result.exit_code == 2 and "--lang must be ru or kk" in result.stderr


# -- batches ---------------------------------------------------------------------------------
def _batch_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_search_batch_echoes_ids_and_survives_a_bad_line(kenes: Kenes, tmp_path: Path) -> None:
    batch = _batch_file(
        tmp_path,
        [
            json.dumps({"id": "q1", "question": DEADLINE_Q}, ensure_ascii=False),
            "{not json",
            "",
            json.dumps({"id": "q3", "text": "no question key"}),
            json.dumps({"id": 4, "question": "Кто ведет реестр тестовых услуг?"}, ensure_ascii=False),
            json.dumps({"id": "q5", "question": "   "}),
        ],
    )
    out = kenes.lines("search", "--batch", str(batch), "--json", "--top-k", "2")
    assert [o["id"] for o in out] == ["q1", None, "q3", 4, "q5"]
    assert out[0]["results"][0]["citation"] == "tiny-act#st1" and len(out[0]["results"]) <= 2
    assert out[1]["line"] == 2 and out[1]["error"].startswith("batch.jsonl:2:")
    assert out[2]["line"] == 4 and "question" in out[2]["error"]
    assert out[3]["results"] and "timings" in out[3]
    assert out[4]["code"] == "question_rejected" and "results" not in out[4]


def test_ask_batch(kenes: Kenes, tmp_path: Path) -> None:
    batch = _batch_file(
        tmp_path,
        [
            json.dumps({"id": "a", "question": DEADLINE_Q}, ensure_ascii=False),
            "[1, 2]",
            json.dumps(
                {"id": "b", "question": "Сынақ қызметтерінің тізілімін кім жүргізеді?"}, ensure_ascii=False
            ),
        ],
    )
    out = kenes.lines("ask", "--batch", str(batch), "--json")
    assert [o["id"] for o in out] == ["a", None, "b"]
    assert out[0]["citations"][0]["citation"] == "tiny-act#st1" and "answer" in out[0]
    assert out[1]["line"] == 2 and "error" in out[1]
    # a Kazakh «who?»: the row, or the Kazakh law point it rests on followed by the row
    assert out[2]["lang"] == "kk" and any(c["kind"] == "registry" for c in out[2]["citations"])


def test_batch_survives_a_non_string_question(kenes: Kenes, tmp_path: Path) -> None:
    batch = _batch_file(
        tmp_path,
        [
            json.dumps({"id": "x", "question": None}),
            json.dumps({"id": "y", "question": DEADLINE_Q}, ensure_ascii=False),
        ],
    )
    result = kenes("search", "--batch", str(batch), "--json")
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["x", "y"] and "error" in out[0] and out[1]["results"]


# -- index versions --------------------------------------------------------------------------
def test_index_list_and_rollback(fresh: Kenes, tmp_path: Path) -> None:
    first = fresh.json("index", "list", "--json")
    assert first["live"] == first["versions"][0]["collection"] and len(first["versions"]) == 1
    fresh.json("ingest", "--registry", str(td.write_registry(tmp_path / "r.csv")), "--json")
    listed = fresh("index", "list")
    assert listed.exit_code == 0
    marks = [line[0] for line in listed.stdout.splitlines()]
    assert marks == [" ", "*"]
    old_version = first["versions"][0]["version"]
    rolled = fresh("index", "rollback", old_version)
    assert rolled.exit_code == 0 and rolled.stdout.strip() == f"index {old_version} is live again"
    assert fresh.json("index", "list", "--json")["live"] == first["live"]
    missing = fresh("index", "rollback", "19990101T000000000")
    assert missing.exit_code == 1 and "No stored index version" in missing.stderr


def test_no_arguments_shows_help(kenes: Kenes) -> None:
    result = kenes()
    assert "ingest" in result.output and "search" in result.output


def test_main_closes_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []

    class Dummy:
        def close(self) -> None:
            closed.append(True)

    def fake_app() -> None:
        cli._containers.append(Dummy())

    monkeypatch.setattr(cli, "app", fake_app)
    cli.main()
    assert closed == [True] and cli._containers == []


@pytest.fixture(autouse=True)
def _no_leftover_containers() -> Iterator[None]:
    yield
    assert cli._containers == []
