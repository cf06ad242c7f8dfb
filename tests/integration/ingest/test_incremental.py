"""Re-indexing the demo corpus on real parts (embedded Qdrant, the real pipeline; the hashing
embedder keeps it quick): registry v1 → v2, rollback, rejected input, a build killed mid-write,
and questions answered while a re-index runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from assistant.errors import NotFound, ValidationProblem
from assistant.settings import DEMO_DIR, PROJECT_ROOT
from ingest.pipeline import IngestReport
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

ACTS = DEMO_DIR / "acts"
V1 = DEMO_DIR / "registry" / "functions.csv"
V2 = DEMO_DIR / "registry" / "functions-v2.csv"

REMOVED = "registry:PS-09-14"
ADDED = "registry:DEMO-MAIDR-001"
REMOVED_Q = (
    "Кто осуществляет иные полномочия, предусмотренные законами и актами Президента, "
    "как уполномоченный орган в сфере информатизации?"
)
ADDED_Q = "Кто формирует и реализует государственную политику в сфере искусственного интеллекта?"


class Index:
    def __init__(self, container: Container, v1: IngestReport, v2: IngestReport) -> None:
        self.c = container
        self.v1 = v1
        self.v2 = v2

    @property
    def assistant(self) -> Any:
        return self.c.assistant

    def has_row(self, citation: str) -> bool:
        fid = citation.removeprefix("registry:")
        result = self.assistant.search(
            "функция", top_k=5, filters={"kind": "registry", "registry.function_id": fid}
        )
        return [h.chunk.citation for h in result.hits] == [citation]

    def found(self, question: str, top_k: int = 10) -> list[str]:
        return [h.chunk.citation for h in self.assistant.search(question, top_k=top_k).hits]

    def live(self) -> str | None:
        return self.c.store.live_collection()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    c = Container(
        make_settings(tmp_path_factory.mktemp("incremental") / "data", embeddings={"mode": "hashing"})
    )
    v1 = c.assistant.ingest(ACTS, V1)
    v2 = c.assistant.ingest_incremental(registry=V2)
    yield Index(c, v1, v2)
    c.close()


def test_change_report_of_v2(index: Index) -> None:
    reg = index.v2.changes["registry"]
    assert {k: len(reg[k]) for k in ("added", "removed", "text_edited", "assessment_changed")} == {
        "added": 4,
        "removed": 3,
        "text_edited": 2,
        "assessment_changed": 5,
    }
    assert sorted(r["function_id"] for r in reg["removed"]) == ["MIOR-C-105", "MIOR-V-132", "PS-09-14"]
    assert sorted(r["function_id"] for r in reg["added"]) == [f"DEMO-MAIDR-00{i}" for i in range(1, 5)]
    assert sorted(r["function_id"] for r in reg["text_edited"]) == ["MIOR-C-007", "PS-08-02"]
    assert sorted(r["function_id"] for r in reg["assessment_changed"]) == sorted(
        ["PS-08-03", "PS-10-06", "PD-27.1-1-07.3", "AI-06.2-1-07", "MIOR-V-033"]
    )
    assert reg["other_changed"] == []
    assert index.v2.embedded == 6  # 4 added + 2 edited; assessment changes are payload-only
    assert index.v2.changes["payload_only"] == 5 and index.v2.changes["deleted"] == 3
    assert index.v2.counts["registry_rows"] == 355
    assert index.v2.counts["total"] == index.v1.counts["total"] + 1
    report_md = index.c.settings.data_dir / "index" / "reports" / f"{index.v2.version}.md"
    assert "- functions added: 4" in report_md.read_text(encoding="utf-8")


def test_v2_is_live_with_its_rows(index: Index) -> None:
    if index.live() != index.v2.collection:
        index.assistant.rollback(index.v2.version)
    assert not index.has_row(REMOVED) and index.has_row(ADDED)
    assert REMOVED not in index.found(REMOVED_Q)
    assert ADDED in index.found(ADDED_Q, top_k=5)
    answer = index.assistant.ask(REMOVED_Q)
    assert REMOVED not in answer.retrieved and REMOVED not in [c.citation for c in answer.citations]
    with pytest.raises(NotFound):
        index.assistant.source(REMOVED)
    row = index.assistant.source("registry:PS-08-03")
    assert (row.registry["automatable"], row.registry["automation_risk"]) == ("частично", "средний")
    assert (
        index.assistant.source("registry:PS-08-02")
        .registry["function_text"]
        .startswith("разрабатывает и утверждает правила формирования и ведения")
    )


def test_v2_carries_the_sentence_vectors_over(index: Index) -> None:
    from assistant.rag.sentence_vectors import load, sentences_of

    v1, v2 = (load(index.c.pipeline.stats_dir, r.collection) for r in (index.v1, index.v2))
    assert v1 is not None and v2 is not None
    assert REMOVED in v1.members and REMOVED not in v2.members and ADDED in v2.members
    # the same units a full build of v2 would have: one set per article and row of the new version
    expected = {p.chunk.citation for p in index.c.store.scroll(index.v2.collection) if sentences_of(p.chunk)}
    assert set(v2.members) == expected
    # a registry update leaves every article's vectors as they were (reused, not re-embedded)
    article = "personal-data#st6"
    assert (v1.vectors[v1.members[article]] == v2.vectors[v2.members[article]]).all()
    edited = "registry:PS-08-02"  # its function text changed in v2
    assert {bytes(v1.digests[i]) for i in v1.members[edited]} != {
        bytes(v2.digests[i]) for i in v2.members[edited]
    }


def test_an_act_update_embeds_only_its_changed_sentences(tmp_path: Path) -> None:
    from assistant.rag.sentence_vectors import load

    acts = tmp_path / "acts"
    shutil.copytree(ACTS / "access-to-information", acts / "access-to-information")
    c = Container(make_settings(tmp_path / "data", embeddings={"mode": "hashing"}))
    try:
        v1 = c.assistant.ingest(acts, None)
        text = acts / "access-to-information" / "rus.md"
        old = "предоставляется бесплатно"
        assert old in text.read_text(encoding="utf-8")
        text.write_text(
            text.read_text(encoding="utf-8").replace(old, "предоставляется за плату", 1), encoding="utf-8"
        )
        v2 = c.assistant.ingest_incremental(acts=acts)
        before, after = (load(c.pipeline.stats_dir, r.collection) for r in (v1, v2))
        assert before is not None and after is not None and set(before.members) == set(after.members)
        new = {bytes(d) for d in after.digests} - {bytes(d) for d in before.digests}
        assert len(new) == 1  # the one edited sentence; all the others kept their vectors
    finally:
        c.close()


def test_rollback_restores_v1(index: Index) -> None:
    if index.live() != index.v2.collection:
        index.assistant.rollback(index.v2.version)
    try:
        back = index.assistant.rollback()
        assert back.collection == index.v1.collection == index.live()
        assert index.has_row(REMOVED) and not index.has_row(ADDED)
        assert REMOVED in index.found(REMOVED_Q)
        assert ADDED not in index.found(ADDED_Q)
        assert index.assistant.source("registry:PS-08-03").registry["automatable"] == "да"
        statuses = {v.collection: v.status for v in index.assistant.versions()}
        assert statuses == {index.v1.collection: "live", index.v2.collection: "retired"}
    finally:
        index.assistant.rollback(index.v2.version)
    assert index.live() == index.v2.collection and not index.has_row(REMOVED)


def test_bad_registry_is_rejected_and_the_live_index_unchanged(index: Index, tmp_path: Path) -> None:
    live, collections, versions = index.live(), index.c.store.collections(), index.assistant.versions()
    lines = V2.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",частично,средний,", ",может быть,средний,")  # line 3
    lines[9] = lines[9].replace(",public-services#st", ",public services st")  # line 10
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for update in (index.assistant.ingest_incremental, index.assistant.ingest):
        with pytest.raises(ValidationProblem) as err:
            update(registry=bad)
        problems = err.value.problems
        assert any(p.startswith("bad.csv:3:") and "automatable" in p for p in problems), problems
        assert any(p.startswith("bad.csv:10:") and "citation" in p for p in problems), problems
        assert (index.live(), index.c.store.collections(), index.assistant.versions()) == (
            live,
            collections,
            versions,
        )
    assert index.found(ADDED_Q, top_k=5)


def test_queries_succeed_while_a_reindex_runs(index: Index) -> None:
    before = index.live()
    errors: list[BaseException] = []
    done = threading.Event()
    reports: list[IngestReport] = []

    def reindex() -> None:
        try:
            reports.append(index.assistant.ingest_incremental(registry=V1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=reindex)
    worker.start()
    answered = 0
    versions_seen: set[str] = set()
    questions = [
        ADDED_Q,
        "В какой срок рассматривается жалоба услугополучателя?",
        "Кто ведет реестр государственных услуг?",
    ]
    while not done.is_set() or answered < 3:
        question = questions[answered % len(questions)]
        result = index.assistant.search(question, top_k=5)
        assert result.hits, question
        versions_seen.add(result.index_version)
        answer = index.assistant.ask(question)
        assert answer.answer and answer.index_version
        answered += 1
    worker.join(timeout=300)
    assert not errors, errors
    assert answered >= 3
    assert index.live() == reports[0].collection != before
    assert before in versions_seen  # questions were answered from the old version during the re-index
    assert versions_seen <= {before, reports[0].collection}
    assert index.has_row(REMOVED)  # v1 again, as a new version


# -- a build killed mid-write -------------------------------------------------------------------
def _kenes(data_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=PROJECT_ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENES_")}
    env.update(KENES_DATA_DIR=str(data_dir), KENES_EMBEDDINGS__MODE="hashing", KENES_LLM__MODE="fake")
    return env


def _manifest(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "index" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))["versions"] if path.exists() else []


def test_killed_build_leaves_the_old_version_and_is_cleaned_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = _kenes(data_dir, "ingest", "--registry", str(V1), "--json")
    assert first.returncode == 0, first.stderr
    v1 = json.loads(first.stdout)["collection"]

    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--acts", str(ACTS), "--registry", str(V1)],
        cwd=PROJECT_ROOT,
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed = None
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            building = [v["collection"] for v in _manifest(data_dir) if v["status"] == "building"]
            local = building and (data_dir / "qdrant" / "collection" / building[0]).exists()
            if local or (building and (data_dir / "edge" / building[0]).exists()):
                # local mode: let it write part of the points; Edge writes the demo in well
                # under a second, so it is killed as soon as its shard exists
                time.sleep(1.0 if local else 0.0)
                killed = building[0]
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the build finished before it could be killed"
        assert killed is not None, "no build started writing in time"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert [v["status"] for v in _manifest(data_dir) if v["collection"] == killed] == ["building"]

    # a fresh process still answers from the old version
    search = _kenes(data_dir, "search", "Кто ведет реестр государственных услуг?", "--json")
    assert search.returncode == 0, search.stderr
    result = json.loads(search.stdout)
    assert result["index_version"] == v1 and result["results"]
    listed = json.loads(_kenes(data_dir, "index", "list", "--json").stdout)
    assert listed["live"] == v1

    # the next build cleans up what the killed one left
    again = _kenes(data_dir, "ingest", "--registry", str(V2), "--json")
    assert again.returncode == 0, again.stderr
    v3 = json.loads(again.stdout)["collection"]
    manifest = _manifest(data_dir)
    assert [v["collection"] for v in manifest] == [v1, v3]
    assert [v["status"] for v in manifest] == ["retired", "live"]
    c = Container(make_settings(data_dir, embeddings={"mode": "hashing"}))
    try:
        assert c.store.collections() == [v1, v3]
        assert c.store.live_collection() == v3
        assert len(c.store.collections()) <= c.settings.qdrant.keep_versions
    finally:
        c.close()
