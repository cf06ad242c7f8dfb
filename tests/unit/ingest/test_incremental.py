"""Incremental updates: the plan (carry / payload-only / embed / remove) and a real update of a
tiny index on embedded Qdrant with the hashing embedder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import Chunk
from assistant.embeddings.hashing import HashingEmbedder
from assistant.errors import IndexNotReady, ValidationProblem
from assistant.rag.knowledge import Knowledge
from assistant.rag.readmodel import VersionStats
from assistant.rag.readmodel import load as load_stats
from assistant.rag.readmodel import remove as remove_stats
from assistant.settings import QdrantSettings
from assistant.store.base import StoredPoint
from assistant.store.qdrant import QdrantStore
from assistant.text.sparse import SparseEncoder
from assistant.text.views import dense_text, lexical_text
from ingest.incremental import plan_update
from ingest.manifest import Manifest
from ingest.pipeline import Encoder, IngestPipeline, content_hash, embed_hash
from ingest.registry import RegistryRow, row_to_chunk
from ingest.sources import SourceSet
from tests.unit.rag import tiny_data as td

EMBEDDER = "hashing-trigram"


def reg(**overrides: str) -> Chunk:
    return row_to_chunk(RegistryRow.model_validate(td.row(**overrides)))


def act(citation: str, text: str, slug: str = "tiny-act") -> Chunk:
    return Chunk(
        chunk_id=f"{citation}@ru",
        citation=citation,
        kind="act",
        lang="ru",
        title=citation,
        text=text,
        act_slug=slug,
    )


def stored(chunk: Chunk, embedder: str = EMBEDDER) -> StoredPoint:
    return StoredPoint(
        chunk=chunk,
        content_hash=content_hash(chunk),
        embed_hash=embed_hash(dense_text(chunk), lexical_text(chunk), embedder),
        payload={**chunk.model_dump(), "content_hash": content_hash(chunk)},
        vectors={"dense": [1.0, 0.0]},
    )


OLD = [
    stored(reg(function_id="A-1")),
    stored(reg(function_id="A-2")),
    stored(reg(function_id="A-3")),
    stored(reg(function_id="A-4")),
    stored(act("tiny-act#st1", "Первая статья.")),
    stored(act("other#st1", "Другой закон.", slug="other")),
]


def ids(points: list[StoredPoint]) -> list[str]:
    return [p.chunk.chunk_id for p in points]


ROWS = OLD[:4]
TINY_ACT = OLD[4:5]


def test_plan_for_a_new_registry_version() -> None:
    new = [
        reg(function_id="A-1"),  # unchanged
        reg(
            function_id="A-2", automatable="да", automation_risk="низкий", automation_rationale="пересмотрено"
        ),
        reg(function_id="A-3", function_text="новый текст функции"),  # edited
        reg(function_id="B-1", function_text="новая функция"),  # added; A-4 removed
    ]
    plan = plan_update(ROWS, SourceSet(chunks=new), embedder_name=EMBEDDER)
    assert [c.chunk_id for c in plan.embed] == ["registry:A-3@ru", "registry:B-1@ru"]
    assert plan.removed == ["registry:A-4@ru"]
    # only what changed is written: the unchanged row stays as the copied version has it
    assert ids(plan.updated) == ["registry:A-2@ru"]


def test_payload_only_change_keeps_vectors_and_embed_hash() -> None:
    new = reg(function_id="A-2", automatable="да", automation_risk="низкий")
    plan = plan_update(ROWS, SourceSet(chunks=[new]), embedder_name=EMBEDDER)
    [updated] = plan.updated
    assert updated.vectors == OLD[1].vectors and updated.embed_hash == OLD[1].embed_hash
    assert updated.content_hash == content_hash(new) != OLD[1].content_hash
    assert (
        updated.payload["registry"]["automatable"] == "да"
        and updated.payload["content_hash"] == updated.content_hash
    )
    assert updated.chunk == new


def test_an_updated_act_is_replanned() -> None:
    new = [act("tiny-act#st1", "Первая статья в новой редакции."), act("tiny-act#st2", "Новая статья.")]
    plan = plan_update(TINY_ACT, SourceSet(chunks=new), embedder_name=EMBEDDER)
    assert [c.chunk_id for c in plan.embed] == ["tiny-act#st1@ru", "tiny-act#st2@ru"]
    assert plan.removed == [] and plan.updated == []


def test_an_article_dropped_from_a_re_ingested_act_is_removed() -> None:
    plan = plan_update(TINY_ACT, SourceSet(chunks=[]), embedder_name=EMBEDDER)
    assert plan.removed == ["tiny-act#st1@ru"] and plan.embed == []


def test_another_embedder_re_embeds_everything_in_scope() -> None:
    new = [p.chunk for p in ROWS]
    plan = plan_update(ROWS, SourceSet(chunks=new), embedder_name="other-model")
    assert len(plan.embed) == 4 and plan.updated == []


def test_nothing_changed_nothing_to_do() -> None:
    new = [p.chunk for p in ROWS]
    plan = plan_update(ROWS, SourceSet(chunks=new), embedder_name=EMBEDDER)
    assert plan.embed == [] and plan.removed == [] and plan.updated == []


# -- a real update ---------------------------------------------------------------------------
@pytest.fixture()
def pipeline(tmp_path: Path) -> Iterator[IngestPipeline]:
    store = QdrantStore(QdrantSettings(), str(tmp_path / "qdrant"))
    p = IngestPipeline(
        store,
        Encoder(HashingEmbedder(), SparseEncoder(td.analyzer())),
        Manifest(tmp_path / "index" / "manifest.json"),
    )
    yield p
    store.close()


def v2_rows() -> list[dict[str, str]]:
    v2 = td.rows()
    v2[0]["automatable"], v2[0]["automation_risk"] = "частично", "средний"  # assessment only
    v2[1]["function_text"] = "ведет и публикует реестр тестовых услуг"  # edited
    del v2[2]  # removed
    v2.append(
        td.row(
            function_id="TA-02-03",
            function_text="проводит мониторинг тестовых услуг",
            citation="",
            legal_basis="",
            automatable="частично",
            automation_risk="средний",
        )
    )
    return v2


def test_registry_update_end_to_end(pipeline: IngestPipeline, tmp_path: Path) -> None:
    store = pipeline.store
    first = pipeline.build(td.write_acts(tmp_path / "src"), td.write_registry(tmp_path / "src" / "v1.csv"))
    report = pipeline.update(None, td.write_registry(tmp_path / "src" / "v2.csv", v2_rows()))
    assert store.live_collection() == report.collection != first.collection
    assert report.embedded == 2  # the edited row and the new one
    changes = report.changes
    assert [r["function_id"] for r in changes["registry"]["added"]] == ["TA-02-03"]
    assert [r["function_id"] for r in changes["registry"]["removed"]] == ["OS-02-01"]
    assert [r["function_id"] for r in changes["registry"]["text_edited"]] == ["TA-02-02"]
    assert [r["function_id"] for r in changes["registry"]["assessment_changed"]] == ["TA-02-01"]
    assert (changes["reembedded"], changes["payload_only"], changes["deleted"]) == (2, 1, 1)
    assert changes["acts"] == {}

    points = {p.chunk.chunk_id: p for p in store.scroll(report.collection, with_vectors=True)}
    assert store.count(report.collection) == report.counts["total"] == 9  # 6 act chunks + 3 rows
    assert "registry:OS-02-01@ru" not in points
    assert points["registry:TA-02-01@ru"].chunk.registry["automation_risk"] == "средний"
    # an edited row keeps its Kazakh bridge from the live acts
    assert points["registry:TA-02-02@ru"].chunk.bridge == "сынақ қызметтерінің тізілімін жүргізеді."
    old = {p.chunk.chunk_id: p for p in store.scroll(first.collection, with_vectors=True)}
    # carried, not re-embedded: the same vector (up to float32 re-normalisation by the cosine store)
    assert points["registry:TA-02-01@ru"].vectors["dense"] == pytest.approx(
        old["registry:TA-02-01@ru"].vectors["dense"], abs=1e-6
    )
    assert points["tiny-act#st1@ru"].embed_hash == old["tiny-act#st1@ru"].embed_hash

    info = pipeline.manifest.get(report.collection)
    assert info is not None and info.parent == first.collection and info.report == changes
    reports = pipeline.manifest.path.parent / "reports"
    assert json.loads((reports / f"{report.version}.json").read_text(encoding="utf-8")) == changes
    assert "- functions added: 1" in (reports / f"{report.version}.md").read_text(encoding="utf-8")


def test_update_needs_a_live_index_and_some_input(pipeline: IngestPipeline, tmp_path: Path) -> None:
    with pytest.raises(IndexNotReady):
        pipeline.update(None, td.write_registry(tmp_path / "v1.csv"))
    pipeline.build(None, td.write_registry(tmp_path / "v1.csv"))
    with pytest.raises(IndexNotReady):
        pipeline.update(None, None)


def test_bad_registry_leaves_the_live_version(pipeline: IngestPipeline, tmp_path: Path) -> None:
    pipeline.build(td.write_acts(tmp_path / "src"), td.write_registry(tmp_path / "v1.csv"))
    live, collections = pipeline.store.live_collection(), pipeline.store.collections()
    bad = v2_rows()
    bad[1]["citation"] = "не ссылка"
    with pytest.raises(ValidationProblem) as err:
        pipeline.update(None, td.write_registry(tmp_path / "bad.csv", bad))
    assert [p.split(":")[:2] for p in err.value.problems] == [["bad.csv", "3"]]
    assert pipeline.store.live_collection() == live and pipeline.store.collections() == collections


def test_no_change_update_embeds_nothing(pipeline: IngestPipeline, tmp_path: Path) -> None:
    acts, reg_file = td.write_acts(tmp_path / "src"), td.write_registry(tmp_path / "v1.csv")
    first = pipeline.build(acts, reg_file)
    report = pipeline.update(None, reg_file)
    assert report.embedded == 0 and report.counts == first.counts
    assert pipeline.store.count(report.collection) == 9


def test_rows_on_an_act_repealed_by_an_update_are_flagged(pipeline: IngestPipeline, tmp_path: Path) -> None:
    acts = td.write_acts(tmp_path / "src")
    pipeline.build(acts, td.write_registry(tmp_path / "v1.csv"))
    repeal = "№ 1-VIII. Утратил силу Законом Республики Казахстан от 1 марта 2025 года № 9"
    (acts / "tiny-act" / "meta.yaml").write_text(td.TINY_META.replace("№ 1-VIII", repeal), encoding="utf-8")
    report = pipeline.update(acts, None)
    chunks = {p.chunk.chunk_id: p.chunk for p in pipeline.store.scroll(report.collection)}
    assert chunks["tiny-act#st2@ru"].repealed  # the act itself is flagged …
    assert chunks["registry:TA-02-01@ru"].repealed  # … and so must be the rows resting on it
    assert chunks["registry:TA-02-01@ru"].status.startswith("Утратил силу")


def test_each_version_saves_its_read_model_statistics(
    pipeline: IngestPipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = pipeline.store
    first = pipeline.build(td.write_acts(tmp_path / "src"), td.write_registry(tmp_path / "src" / "v1.csv"))
    report = pipeline.update(None, td.write_registry(tmp_path / "src" / "v2.csv", v2_rows()))
    for collection in (first.collection, report.collection):
        saved = load_stats(pipeline.stats_dir, collection)
        fresh = VersionStats.scanned(store, collection)
        assert saved is not None and (saved.n_docs, saved.df) == (fresh.n_docs, fresh.df), collection
        assert fresh.roots.pieces <= saved.roots.pieces
    # a server starts from the file: the version's chunks are not read for it
    knowledge = Knowledge(store, td.analyzer(), SparseEncoder(td.analyzer()), pipeline.stats_dir)
    scans: list[str] = []
    real_scan = store.scan

    def counted(name: str, keys: list[str]) -> Any:
        scans.append(name)
        return real_scan(name, keys)

    monkeypatch.setattr(store, "scan", counted)
    kb = knowledge.for_version(report.collection)
    assert scans == [] and kb.stats.n_docs == store.count(report.collection)
    # a discarded version takes its file along
    pipeline.discard(first.collection)
    assert load_stats(pipeline.stats_dir, first.collection) is None


def test_a_version_without_saved_statistics_is_read_once(pipeline: IngestPipeline, tmp_path: Path) -> None:
    report = pipeline.build(None, td.write_registry(tmp_path / "v1.csv"))
    remove_stats(pipeline.stats_dir, report.collection)  # as for a version built before the files
    kb = Knowledge(pipeline.store, td.analyzer(), SparseEncoder(td.analyzer()), pipeline.stats_dir)
    assert kb.for_version(report.collection).stats.n_docs == pipeline.store.count(report.collection)
    assert load_stats(pipeline.stats_dir, report.collection) is not None  # saved for the next start
