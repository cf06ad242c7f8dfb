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
from assistant.store.base import StoredPoint
from assistant.text.sparse import CorpusStats
from assistant.text.views import dense_text, lexical_text
from ingest import changes as change_report
from ingest.manifest import VersionInfo, new_version_id, now_iso, this_builder
from ingest.pipeline import IngestReport, Progress, content_hash, count_chunks, embed_hash
from ingest.sources import ActsArg, SourceSet, acts_paths, link_rows_to_acts, load_sources

if TYPE_CHECKING:
    from ingest.pipeline import IngestPipeline


@dataclass
class Plan:
    carry: list[StoredPoint]
    embed: list[Chunk]
    payload_only: int
    removed: list[str]


def _updated_payload(old: StoredPoint, chunk: Chunk) -> StoredPoint:
    payload = {**old.payload, **chunk.model_dump(), "content_hash": content_hash(chunk)}
    if "_node_content" in payload:  # keep llama-index's node copy in step with the payload
        node = json.loads(payload["_node_content"])
        node["metadata"] = {k: v for k, v in payload.items() if not k.startswith("_")}
        payload["_node_content"] = json.dumps(node, ensure_ascii=False)
    return StoredPoint(chunk, payload["content_hash"], old.embed_hash, payload, old.vectors)


def plan_update(
    old_points: list[StoredPoint],
    sources: SourceSet,
    *,
    registry: bool,
    act_slugs: set[str],
    embedder_name: str,
) -> Plan:
    def in_scope(c: Chunk) -> bool:
        return (registry and c.kind == "registry") or (c.kind == "act" and c.act_slug in act_slugs)

    old_scope = {p.chunk.chunk_id: p for p in old_points if in_scope(p.chunk)}
    carry = [p for p in old_points if not in_scope(p.chunk)]
    embed: list[Chunk] = []
    payload_only = 0
    for chunk in sources.chunks:
        old = old_scope.get(chunk.chunk_id)
        lexical = lexical_text(chunk)
        if old is None or old.embed_hash != embed_hash(dense_text(chunk), lexical, embedder_name):
            embed.append(chunk)
        elif old.content_hash != content_hash(chunk):
            carry.append(_updated_payload(old, chunk))
            payload_only += 1
        else:
            carry.append(old)
    new_ids = {c.chunk_id for c in sources.chunks}
    removed = sorted(cid for cid in old_scope if cid not in new_ids)
    return Plan(carry, embed, payload_only, removed)


def update(
    pipeline: IngestPipeline, acts: ActsArg, registry: Path | None, progress: Progress | None = None
) -> IngestReport:
    started = time.perf_counter()
    pipeline.recover()
    store = pipeline.store
    live = store.live_collection()
    if live is None:
        raise IndexNotReady("No live index to update: run a full `kenes ingest` first.")
    if not acts_paths(acts) and registry is None:
        raise IndexNotReady("An incremental update needs --acts and/or --registry.")
    sources = load_sources(acts, registry)  # validated before anything else happens
    old_points = list(store.scroll(live, with_vectors=True))
    old_chunks = [p.chunk for p in old_points]
    if registry is not None and not acts_paths(acts):
        act_chunks = [c for c in old_chunks if c.kind == "act"]
        row_chunks = [c for c in sources.chunks if c.kind == "registry"]
        link_rows_to_acts(act_chunks, sources.rows, row_chunks)
    act_slugs = {c.act_slug for c in sources.chunks if c.kind == "act"}
    plan = plan_update(
        old_points,
        sources,
        registry=registry is not None,
        act_slugs=act_slugs,
        embedder_name=pipeline.encoder.embedder.name,
    )

    live_info = pipeline.manifest.get(live)
    stats = CorpusStats(
        avgdl=live_info.avgdl if live_info and live_info.avgdl else 1.0, n_docs=len(old_points)
    )
    pipeline.encoder.timings = {}
    encoded = pipeline.encoder.encode(plan.embed, stats, progress)

    scope_old = [c for c in old_chunks if c.kind == "registry"] if registry is not None else []
    scope_new = [c for c in sources.chunks if c.kind == "registry"]
    changes: dict[str, object] = {
        "registry": change_report.registry_changes(scope_old, scope_new) if registry is not None else {},
        "acts": change_report.act_changes(
            [c for c in old_chunks if c.act_slug in act_slugs and c.kind == "act"],
            [c for c in sources.chunks if c.kind == "act"],
        ),
        "reembedded": len(encoded),
        "payload_only": plan.payload_only,
        "deleted": len(plan.removed),
    }
    version = new_version_id()
    collection = f"{pipeline.alias}__{version}"
    final_chunks = [p.chunk for p in plan.carry] + [e.chunk for e in encoded]
    info = VersionInfo(
        collection=collection,
        version=version,
        created=now_iso(),
        parent=live,
        sources=(live_info.sources if live_info else []) + sources.files,
        counts=count_chunks(final_chunks),
        avgdl=stats.avgdl,
        embedder=pipeline.encoder.embedder.name,
        report=changes,
        builder=this_builder(),
    )
    pipeline.manifest.upsert(info)
    try:
        dim = len(encoded[0].dense) if encoded else len(_dense_of(plan.carry[0]))
        store.create_collection(collection, dim)
        store.copy_points(live, collection, plan.carry)
        store.add(collection, encoded)
        pipeline.check(collection, len(plan.carry) + len(encoded), encoded or None)
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


def _dense_of(point: StoredPoint) -> list[float]:
    vectors = point.vectors or {}
    return list(vectors.get("dense", [])) if isinstance(vectors, dict) else list(vectors)
