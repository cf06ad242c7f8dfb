"""The store adapters in a temp dir: filters, the live alias, copying points between versions,
lookups by citation, counts and facets, the single-process lock. Every behaviour runs on Qdrant
Edge (the default) and on qdrant-client's local mode (the engine a Qdrant server also answers
through the same QdrantStore code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import Chunk
from assistant.embeddings.hashing import HashingEmbedder
from assistant.errors import IndexNotReady, StoreLocked
from assistant.settings import QdrantSettings
from assistant.store.base import EncodedChunk, SparseVec
from assistant.store.edge import EdgeStore
from assistant.store.qdrant import QdrantStore, chunk_from_payload, point_id, point_payload
from assistant.text.sparse import CorpusStats, SparseEncoder
from assistant.text.views import dense_text, lexical_parts, lexical_text
from ingest.pipeline import content_hash, embed_hash
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag import tiny_data as td

EMBEDDER = HashingEmbedder(dim=64)
Store = EdgeStore | QdrantStore


def act(citation: str, text: str, lang: str = "ru", point: str = "") -> Chunk:
    suffix = f".p{point}" if point else ""
    return Chunk(
        chunk_id=f"{citation}{suffix}@{lang}",
        citation=citation,
        kind="act",
        lang=lang,  # type: ignore[arg-type]
        title=f"Статья {citation}",
        text=text,
        act_slug=citation.split("#")[0],
        point=point,
    )


CHUNKS = [
    act("law#st1", "Заявление рассматривается в течение пяти рабочих дней."),
    act("law#st1", "Өтініш бес жұмыс күні ішінде қаралады.", lang="kk"),
    act("law#st2", "Уполномоченный орган утверждает правила.", point="1"),
    act("law#st2", "Уполномоченный орган ведет реестр услуг.", point="2"),
    row_to_chunk(RegistryRow.model_validate(td.row())),
    row_to_chunk(
        RegistryRow.model_validate(td.row(function_id="TA-02-02", automatable="да", automation_risk="низкий"))
    ),
]


def encode(chunks: list[Chunk]) -> list[EncodedChunk]:
    sparse = SparseEncoder(td.analyzer())
    stats = CorpusStats.from_lengths(10 for _ in chunks)
    out = []
    for c in chunks:
        terms = [t for text, lang in lexical_parts(c) for t in sparse.doc_terms(text, lang)]
        indices, values = sparse.encode_terms(terms, stats)
        out.append(
            EncodedChunk(
                c,
                EMBEDDER.embed_query(dense_text(c)),
                SparseVec(indices, values),
                lexical_text(c),
                content_hash(c),
                embed_hash(dense_text(c), lexical_text(c), EMBEDDER.name),
            )
        )
    return out


def open_store(backend: str, path: Path) -> Store:
    if backend == "edge":
        return EdgeStore(QdrantSettings(collection="kenes"), str(path))
    return QdrantStore(QdrantSettings(collection="kenes", engine="local"), str(path))


@pytest.fixture(params=["edge", "qdrant-local"])
def store(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    s = open_store(request.param, tmp_path / "qdrant")
    yield s
    s.close()


@pytest.fixture()
def filled(store: Store) -> Store:
    store.create_collection("kenes__v1", EMBEDDER.dim)
    store.add("kenes__v1", encode(CHUNKS))
    return store


def query(store: Store, text: str, name: str = "kenes__v1", **kw: Any) -> list[str]:
    sparse = SparseEncoder(td.analyzer())
    scored = store.query(
        name,
        EMBEDDER.embed_query(text),
        SparseVec(*sparse.encode_query(text, "ru")),
        limit=10,
        candidates=20,
        weights=(1.0, 0.15),
        rrf_k=10,
        **kw,
    )
    return [s.chunk.chunk_id for s in scored]


# -- collections and the alias -----------------------------------------------------------------
def test_no_live_collection_yet(store: Store) -> None:
    assert store.live_collection() is None and store.collections() == []
    with pytest.raises(IndexNotReady):
        store.require_live()


def test_collections_lists_only_versions_of_this_alias(store: Store) -> None:
    for name in ("kenes__v2", "kenes__v1", "other__v1", "kenes"):
        store.create_collection(name, 4)
    assert store.collections() == ["kenes__v1", "kenes__v2"]
    store.drop("kenes__v1")
    assert store.collections() == ["kenes__v2"]


def test_swap_alias_moves_the_live_pointer(filled: Store) -> None:
    filled.create_collection("kenes__v2", EMBEDDER.dim)
    filled.swap_alias("kenes__v1")
    assert filled.live_collection() == filled.require_live() == "kenes__v1"
    filled.swap_alias("kenes__v2")
    assert filled.live_collection() == "kenes__v2"
    if isinstance(filled, QdrantStore):
        aliases = [a for a in filled.client.get_aliases().aliases if a.alias_name == "kenes"]
        assert len(aliases) == 1
    # the alias answers queries
    assert filled.count("kenes") == 0
    filled.swap_alias("kenes__v1")
    assert filled.count("kenes") == len(CHUNKS)


@pytest.mark.parametrize("backend", ["edge", "qdrant-local"])
def test_alias_survives_reopening(tmp_path: Path, backend: str) -> None:
    s = open_store(backend, tmp_path / "q")
    s.create_collection("kenes__v1", 4)
    s.swap_alias("kenes__v1")
    s.close()
    again = open_store(backend, tmp_path / "q")
    try:
        assert again.live_collection() == "kenes__v1"
    finally:
        again.close()


def test_second_client_on_the_same_path_is_a_plain_lock_error(filled: Store, tmp_path: Path) -> None:
    other = open_store("edge" if isinstance(filled, EdgeStore) else "qdrant-local", tmp_path / "qdrant")
    with pytest.raises(StoreLocked, match="in use by another Kenes process"):
        other.live_collection()


# -- writes and reads --------------------------------------------------------------------------
def test_add_and_scroll_roundtrip(filled: Store) -> None:
    assert filled.count("kenes__v1") == len(CHUNKS)
    points = {p.chunk.chunk_id: p for p in filled.scroll("kenes__v1")}
    assert set(points) == {c.chunk_id for c in CHUNKS}
    for c in CHUNKS:
        p = points[c.chunk_id]
        assert p.chunk == c and p.content_hash == content_hash(c) and p.vectors is None
    with_vectors = next(iter(filled.scroll("kenes__v1", with_vectors=True)))
    assert set(with_vectors.vectors) == {"dense", "sparse"}


def test_both_engines_store_the_chunk_and_its_hashes_only(filled: Store) -> None:
    """The payload is what `stored_point` reads back and an incremental update copies: no
    writer's own copy of the point (a stale copy would outlive the next payload update)."""
    payloads = [p.payload for p in filled.scroll("kenes__v1")]
    assert {frozenset(p) for p in payloads} == {
        frozenset([*Chunk.model_fields, "content_hash", "embed_hash"])
    }
    by_id = {p["chunk_id"]: p for p in payloads}
    for item in encode(CHUNKS):
        assert by_id[item.chunk.chunk_id] == point_payload(item)


def test_add_nothing_is_a_no_op(filled: Store) -> None:
    filled.add("kenes__v1", [])
    assert filled.count("kenes__v1") == len(CHUNKS)


def test_add_same_chunk_id_overwrites(filled: Store) -> None:
    changed = CHUNKS[0].model_copy(update={"text": "Новая редакция статьи."})
    filled.add("kenes__v1", encode([changed]))
    assert filled.count("kenes__v1") == len(CHUNKS)
    texts = {c.lang: c.text for c in filled.by_citation("kenes__v1", "law#st1")}
    assert texts == {"ru": changed.text, "kk": CHUNKS[1].text}


def test_delete_by_chunk_id(filled: Store) -> None:
    filled.delete("kenes__v1", ["law#st2.p1@ru", "registry:TA-02-01@ru"])
    filled.delete("kenes__v1", [])
    assert filled.count("kenes__v1") == len(CHUNKS) - 2
    assert "registry:TA-02-01@ru" not in {p.chunk.chunk_id for p in filled.scroll("kenes__v1")}


def test_by_citation_returns_every_part_and_language(filled: Store) -> None:
    assert sorted(c.chunk_id for c in filled.by_citation("kenes__v1", "law#st2")) == [
        "law#st2.p1@ru",
        "law#st2.p2@ru",
    ]
    assert sorted(c.lang for c in filled.by_citation("kenes__v1", "law#st1")) == ["kk", "ru"]
    assert [c.registry["function_id"] for c in filled.by_citation("kenes__v1", "registry:TA-02-02")] == [
        "TA-02-02"
    ]
    assert filled.by_citation("kenes__v1", "law#st99") == []


def test_scroll_with_a_filter_reads_only_that_scope(filled: Store) -> None:
    rows = [p.chunk.chunk_id for p in filled.scroll("kenes__v1", filters={"kind": "registry"})]
    assert rows and all(cid.startswith("registry:") for cid in rows)
    assert len(rows) == sum(c.kind == "registry" for c in CHUNKS)


def test_scan_reads_only_the_asked_fields_and_sparse_indices(filled: Store) -> None:
    seen = list(filled.scan("kenes__v1", ["kind"]))
    assert len(seen) == len(CHUNKS)
    assert {tuple(payload) for payload, _ in seen} == {("kind",)}
    stored = {p.chunk.chunk_id: p for p in filled.scroll("kenes__v1", with_vectors=True)}
    assert sorted(sorted(ix) for _, ix in seen) == sorted(
        sorted(p.vectors["sparse"].indices) for p in stored.values()
    )


def test_clone_is_a_searchable_copy_the_source_does_not_share(filled: Store) -> None:
    filled.clone("kenes__v1", "kenes__v2")
    assert filled.count("kenes__v2") == len(CHUNKS)
    assert query(filled, "рассматривается заявление", "kenes__v2")[0] == "law#st1@ru"
    filled.delete("kenes__v2", ["law#st1@ru"])
    assert filled.count("kenes__v2") == len(CHUNKS) - 1 and filled.count("kenes__v1") == len(CHUNKS)
    assert "law#st1@ru" in query(filled, "рассматривается заявление", "kenes__v1")


def test_copy_points_carries_vectors_and_given_payload(filled: Store) -> None:
    filled.create_collection("kenes__v2", EMBEDDER.dim)
    points = list(filled.scroll("kenes__v1", with_vectors=True))
    row = next(p for p in points if p.chunk.chunk_id == "registry:TA-02-01@ru")
    row.payload = {**row.payload, "registry": {**row.payload["registry"], "automatable": "частично"}}
    filled.copy_points("kenes__v1", "kenes__v2", points)
    assert filled.count("kenes__v2") == len(CHUNKS)
    copied = {p.chunk.chunk_id: p for p in filled.scroll("kenes__v2", with_vectors=True)}
    assert copied["registry:TA-02-01@ru"].chunk.registry["automatable"] == "частично"
    original = {p.chunk.chunk_id: p for p in points}
    for cid, p in copied.items():
        assert p.vectors["sparse"].indices == original[cid].vectors["sparse"].indices
        assert p.vectors["dense"] == pytest.approx(original[cid].vectors["dense"], abs=1e-6)
    # the copy is searchable like the original
    assert query(filled, "рассматривается заявление", "kenes__v2")[0] == "law#st1@ru"


def test_add_and_copy_points_in_batches(store: Store) -> None:
    store.create_collection("kenes__v1", EMBEDDER.dim)
    many = [act(f"law#st{i}", f"Статья номер {i} о заявлениях.") for i in range(300)]
    store.add("kenes__v1", encode(many))
    store.create_collection("kenes__v2", EMBEDDER.dim)
    store.copy_points("kenes__v1", "kenes__v2", list(store.scroll("kenes__v1", with_vectors=True)))
    # more than one batch of 256 written and copied, and scroll pages through them
    assert store.count("kenes__v1") == store.count("kenes__v2") == 300


def test_query_hybrid_and_filters(filled: Store) -> None:
    assert query(filled, "В какой срок рассматривается заявление?")[0] == "law#st1@ru"
    ru_only = query(filled, "рассматривается заявление өтініш", filters={"lang!": "kk"})
    assert "law#st1@kk" not in ru_only and ru_only
    registry = query(filled, "правила", filters={"kind": "registry", "registry.automatable": "да"})
    assert registry == ["registry:TA-02-02@ru"]
    assert (
        query(filled, "правила", filters={"kind": ["registry"], "registry.automation_risk": "средний"}) == []
    )


def test_counts_and_facets_with_filters(filled: Store) -> None:
    assert filled.count("kenes__v1", {"kind": "registry"}) == 2
    assert filled.count("kenes__v1", {"kind": "act", "lang!": "kk"}) == 3
    assert filled.facet("kenes__v1", "lang") == {"ru": 5, "kk": 1}
    assert filled.facet("kenes__v1", "registry.automatable") == {"да": 1, "нет": 1}
    assert filled.facet("kenes__v1", "registry.automatable", {"registry.automation_risk": "низкий"}) == {
        "да": 1
    }


def test_query_without_vectors_returns_nothing(filled: Store) -> None:
    assert filled.query("kenes__v1", None, None, limit=5, candidates=10, weights=(1.0, 1.0), rrf_k=10) == []
    empty_sparse = SparseVec([], [])
    assert (
        filled.query("kenes__v1", None, empty_sparse, limit=5, candidates=10, weights=(1.0, 1.0), rrf_k=10)
        == []
    )


def test_dense_only_query(filled: Store) -> None:
    dense = EMBEDDER.embed_query(dense_text(CHUNKS[3]))
    scored = filled.query("kenes__v1", dense, None, limit=3, candidates=10, weights=(0.0, 1.0), rrf_k=10)
    assert scored[0].chunk.chunk_id == CHUNKS[3].chunk_id


def test_every_write_refreshes_what_queries_see(filled: Store) -> None:
    assert query(filled, "реестр услуг")[0] == "law#st2.p2@ru"
    filled.delete("kenes__v1", ["law#st2.p2@ru"])
    assert "law#st2.p2@ru" not in query(filled, "реестр услуг")
    filled.add("kenes__v1", encode([act("law#st3", "Реестр услуг публикуется ежегодно.")]))
    assert query(filled, "реестр услуг")[0] == "law#st3@ru"
    assert [c.chunk_id for c in filled.by_citation("kenes__v1", "law#st3")] == ["law#st3@ru"]
    filled.create_collection("kenes__v2", EMBEDDER.dim)
    filled.copy_points("kenes__v1", "kenes__v2", list(filled.scroll("kenes__v1", with_vectors=True))[:1])
    assert len(query(filled, "заявление реестр правила", "kenes__v2")) == 1
    filled.drop("kenes__v2")
    filled.create_collection("kenes__v2", EMBEDDER.dim)
    assert query(filled, "заявление реестр правила", "kenes__v2") == []


@pytest.mark.parametrize("backend", ["edge", "qdrant-local"])
def test_tied_points_rank_the_same_whatever_order_they_were_written_in(tmp_path: Path, backend: str) -> None:
    """Registry rows of one function for several agencies tie on the sparse side; the engine lists
    a tie in its own internal order, which differs between builds of the same data."""
    rows = [
        row_to_chunk(RegistryRow.model_validate(td.row(function_id=f"TA-03-{i:02d}", agency=f"орган {name}")))
        for i, name in enumerate(("альфа", "бета", "гамма", "дельта", "эпсилон"))
    ]
    encoded = encode([*rows, CHUNKS[0], CHUNKS[2]])
    answers = []
    for order in (encoded, list(reversed(encoded))):
        store = open_store(backend, tmp_path / f"q{len(answers)}")
        store.create_collection("kenes__v1", EMBEDDER.dim)
        for item in order:  # one write each: the engine's internal order is the writing order
            store.add("kenes__v1", [item])
        answers.append([(h.chunk.chunk_id, h.score) for h in store.query(
            "kenes__v1", None, encoded[0].sparse, limit=5, candidates=3, weights=(1.0, 0.0), rrf_k=10
        )])  # fmt: skip
        store.close()
    scores = [score for _, score in answers[0]]
    assert answers[0] == answers[1] and len(scores) == 3 and scores[1] == scores[2]  # a tie, cut at 3


def test_point_ids_are_stable_uuids() -> None:
    assert point_id("law#st1@ru") == point_id("law#st1@ru") != point_id("law#st1@kk")
    assert len(point_id("x")) == 36


def test_chunk_from_payload_ignores_extra_keys() -> None:
    payload = {**CHUNKS[4].model_dump(), "content_hash": "h", "_node_content": "{}", "doc_id": "x"}
    assert chunk_from_payload(payload) == CHUNKS[4]


@pytest.mark.parametrize("backend", ["edge", "qdrant-local"])
def test_search_as_the_first_call_after_opening(tmp_path: Path, backend: str) -> None:
    """A fresh store whose first call is a search connects and answers from what is on disk."""
    first = open_store(backend, tmp_path / "q")
    first.create_collection("kenes__v1", EMBEDDER.dim)
    first.add("kenes__v1", encode(CHUNKS))
    first.close()
    again = open_store(backend, tmp_path / "q")
    try:
        assert query(again, "реестр услуг")[0] == "law#st2.p2@ru"
    finally:
        again.close()
