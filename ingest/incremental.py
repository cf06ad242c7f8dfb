"""Incremental updates: a new version made from the live one by carrying unchanged points over
(vectors copied, nothing re-embedded), updating payload-only changes, embedding only new and
edited items, and dropping removed ones — then the same checks and alias switch as a full build."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.domain import Chunk
from assistant.errors import IndexNotReady
from assistant.rag.readmodel import load as load_stats
from assistant.rag.sentence_vectors import SentenceVectors
from assistant.store.base import StoredPoint
from assistant.text.sparse import CorpusStats
from assistant.text.views import dense_text, lexical_text
from ingest import changes as change_report
from ingest.manifest import VersionInfo, new_version_id, now_iso, this_builder
from ingest.pipeline import IngestReport, Progress, content_hash, count_chunks, embed_hash
from ingest.sources import (
    ActsArg,
    SourceSet,
    acts_paths,
    flag_rows_on_repealed_acts,
    link_rows_to_acts,
    load_sources,
)

if TYPE_CHECKING:
    from assistant.store.base import VectorStore
    from ingest.pipeline import IngestPipeline


@dataclass
class Plan:
    """What changes between the live version's points in scope and the new sources."""

    updated: list[StoredPoint]  # same text and vectors, new payload (e.g. an automatable flag)
    embed: list[Chunk]
    removed: list[str]


def _updated_payload(old: StoredPoint, chunk: Chunk) -> StoredPoint:
    payload = {**old.payload, **chunk.model_dump(), "content_hash": content_hash(chunk)}
    return StoredPoint(chunk, payload["content_hash"], old.embed_hash, payload, old.vectors)


def plan_update(old_scope: list[StoredPoint], sources: SourceSet, *, embedder_name: str) -> Plan:
    """`old_scope`: the live points the sources replace (the updated acts, or all registry rows)."""
    old = {p.chunk.chunk_id: p for p in old_scope}
    updated: list[StoredPoint] = []
    embed: list[Chunk] = []
    for chunk in sources.chunks:
        point = old.get(chunk.chunk_id)
        if point is None or point.embed_hash != embed_hash(
            dense_text(chunk), lexical_text(chunk), embedder_name
        ):
            embed.append(chunk)
        elif point.content_hash != content_hash(chunk):
            updated.append(_updated_payload(point, chunk))
    new_ids = {c.chunk_id for c in sources.chunks}
    return Plan(updated, embed, sorted(cid for cid in old if cid not in new_ids))


def rows_on_repealed_acts(store: VectorStore, live: str, sources: SourceSet) -> list[StoredPoint]:
    """Registry rows (outside this update's scope) resting on an updated act that has now lost
    force: flagged as a full build flags them (`link_rows_to_acts`), payload only."""
    acts = [c for c in sources.chunks if c.kind == "act" and c.lang == "ru" and c.repealed]
    if not acts:
        return []
    scope = {"kind": "registry", "act_slug": sorted({c.act_slug for c in acts})}
    points = list(store.scroll(live, with_vectors=True, filters=scope))
    flagged = [p.chunk.model_copy() for p in points]
    flag_rows_on_repealed_acts(acts, flagged)
    return [_updated_payload(p, f) for p, f in zip(points, flagged, strict=True) if f != p.chunk]


def _indices(point: StoredPoint) -> list[int]:
    vectors = point.vectors if isinstance(point.vectors, dict) else {}
    return list(getattr(vectors.get("sparse"), "indices", None) or [])


def _shifted(counts: dict[str, int], gone: list[Chunk], added: list[Chunk]) -> dict[str, int]:
    """The live version's counts with one scope replaced (every count is a sum over acts and
    rows, so the rest of a million chunks need not be read again)."""
    out = dict(counts)
    for chunks, sign in ((gone, -1), (added, 1)):
        for key, n in count_chunks(chunks).items():
            out[key] = out.get(key, 0) + sign * n
    return {k: v for k, v in out.items() if v or k in ("total", "articles", "registry_rows")}


def _sentences(
    pipeline: IngestPipeline, collection: str, touched: set[str], previous: SentenceVectors | None
) -> SentenceVectors:
    """The new version's sentence vectors: the live version's, with the citations this update
    removed or re-embedded read again from the new version (their unchanged windows too)."""
    store, embedder = pipeline.store, pipeline.encoder.embedder
    if previous is None:  # the live version was built before sentence vectors: all of them now
        return SentenceVectors.build((p.chunk for p in store.scroll(collection)), embedder)
    chunks = [chunk for citation in sorted(touched) for chunk in store.by_citation(collection, citation)]
    return previous.updated(touched, chunks, embedder)


def update(
    pipeline: IngestPipeline, acts: ActsArg, registry: Path | None, progress: Progress | None = None
) -> IngestReport:
    """The new version starts as a copy of the live one (the engine copies its files: no
    point is re-sent) and only the scope of the update — the given acts, or the registry rows —
    is read, re-embedded where its text changed, and written."""
    started = time.perf_counter()
    pipeline.recover()
    store = pipeline.store
    live = store.live_collection()
    if live is None:
        raise IndexNotReady("No live index to update: run a full `kenes ingest` first.")
    if not acts_paths(acts) and registry is None:
        raise IndexNotReady("An incremental update needs --acts and/or --registry.")
    sources = load_sources(acts, registry)  # validated before anything else happens
    act_slugs = sorted({c.act_slug for c in sources.chunks if c.kind == "act"})
    scope = {"kind": "act", "act_slug": act_slugs}
    old_acts = list(store.scroll(live, with_vectors=True, filters=scope)) if act_slugs else []
    old_rows = list(store.scroll(live, with_vectors=True, filters={"kind": "registry"})) if registry else []
    if registry is not None and not acts_paths(acts):
        act_chunks = [p.chunk for p in store.scroll(live, filters={"kind": "act"})]
        row_chunks = [c for c in sources.chunks if c.kind == "registry"]
        link_rows_to_acts(act_chunks, sources.rows, row_chunks)
    old_scope = old_acts + old_rows
    plan = plan_update(old_scope, sources, embedder_name=pipeline.encoder.embedder.name)
    if act_slugs and registry is None:
        plan.updated += rows_on_repealed_acts(store, live, sources)

    live_info = pipeline.manifest.get(live)
    live_total = store.count(live)
    stats = CorpusStats(avgdl=live_info.avgdl if live_info and live_info.avgdl else 1.0, n_docs=live_total)
    pipeline.encoder.timings = {}
    encoded = pipeline.encoder.encode(plan.embed, stats, progress)

    old_chunks = [p.chunk for p in old_scope]
    changes: dict[str, object] = {
        "registry": change_report.registry_changes(
            [p.chunk for p in old_rows], [c for c in sources.chunks if c.kind == "registry"]
        )
        if registry is not None
        else {},
        "acts": change_report.act_changes(
            [p.chunk for p in old_acts], [c for c in sources.chunks if c.kind == "act"]
        ),
        "reembedded": len(encoded),
        "payload_only": len(plan.updated),
        "deleted": len(plan.removed),
    }
    version = new_version_id()
    collection = f"{pipeline.alias}__{version}"
    expected = live_total - len(old_scope) + len(sources.chunks)
    info = VersionInfo(
        collection=collection,
        version=version,
        created=now_iso(),
        parent=live,
        sources=(live_info.sources if live_info else []) + sources.files,
        counts=_shifted(live_info.counts if live_info else {"total": live_total}, old_chunks, sources.chunks),
        avgdl=stats.avgdl,
        embedder=pipeline.encoder.embedder.name,
        report=changes,
        builder=this_builder(),
    )
    pipeline.manifest.upsert(info)
    try:
        store.clone(live, collection)
        store.delete(collection, plan.removed)
        store.copy_points(live, collection, plan.updated)
        store.add(collection, encoded)
        pipeline.check(collection, expected, encoded or None)
        parent = load_stats(pipeline.stats_dir, live)
        if parent is not None:  # else the server reads the version once and saves them
            replaced = set(plan.removed) | {c.chunk_id for c in plan.embed}
            gone = [(p.chunk.text, _indices(p)) for p in old_scope if p.chunk.chunk_id in replaced]
            pipeline.save_stats(
                collection, parent.shifted(gone, ((e.chunk.text, e.sparse.indices) for e in encoded))
            )
        removed = set(plan.removed)
        touched = {p.chunk.citation for p in old_scope if p.chunk.chunk_id in removed}
        touched |= {c.citation for c in plan.embed}
        pipeline.write_sentences(
            collection, lambda previous: _sentences(pipeline, collection, touched, previous)
        )
        pipeline.mark_ready(info)
    except BaseException:
        pipeline.discard(collection)
        raise
    pipeline.promote(info)
    report_dir = pipeline.manifest.path.parent / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / f"{version}.json").write_text(
        json.dumps(changes, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (report_dir / f"{version}.md").write_text(change_report.to_markdown(changes, version), encoding="utf-8")
    return IngestReport(
        version,
        collection,
        info.counts,
        time.perf_counter() - started,
        len(encoded),
        sources.files,
        changes,
        timings=dict(pipeline.encoder.timings),
    )
