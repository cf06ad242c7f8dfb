"""Move an index built embedded (Qdrant Edge) to a Qdrant server or cluster, or to another host.

Qdrant Edge 0.9 can *restore* server snapshots but cannot *write* one, so the move to a server
streams the live version's points (vectors exactly as stored, payload as is) into a collection
created with the cluster's shard and replica settings, builds the same payload indexes and points
the same alias at it. Kenes then runs against it with `KENES_QDRANT__URL`. `archive` packs a
flushed shard directory for another embedded host (`EdgeShard.load` opens it unchanged).

    python -m assistant.store.export --to http://qdrant:6333 --shards 6 --replicas 2
    python -m assistant.store.export --archive /backup/kenes-live.tar.gz
"""

from __future__ import annotations

import argparse
import logging
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.store.qdrant import DENSE, KEYWORD_INDEXES, SPARSE, QdrantStore

if TYPE_CHECKING:
    from qdrant_client import QdrantClient

    from assistant.store.edge import EdgeStore

log = logging.getLogger(__name__)


def export_to_qdrant(
    store: EdgeStore,
    client: QdrantClient,
    *,
    collection: str | None = None,
    shard_number: int = 1,
    replication_factor: int = 1,
    batch: int = 512,
) -> str:
    """Copy the live version (or `collection`) into `client` under the same name and point the
    same alias at it; returns the collection name. Re-running replaces a half-finished copy."""
    from qdrant_client import models

    name = collection or store.require_live()
    points = store.scroll(name, with_vectors=True)
    first = next(points, None)
    if first is None:
        raise ValueError(f"{name} holds no points")
    if client.collection_exists(name):
        client.delete_collection(name)
    client.create_collection(
        collection_name=name,
        vectors_config={
            DENSE: models.VectorParams(size=len(first.vectors[DENSE]), distance=models.Distance.COSINE)
        },
        sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        shard_number=shard_number,
        replication_factor=replication_factor,
    )
    for field in KEYWORD_INDEXES:
        client.create_payload_index(name, field, models.PayloadSchemaType.KEYWORD)
    # QdrantStore.copy_points already turns Edge's vectors into qdrant-client points
    target = QdrantStore.over(client, store._settings)
    chunk: list[Any] = [first]
    for point in points:
        chunk.append(point)
        if len(chunk) == batch:
            target.copy_points(name, name, chunk)
            chunk = []
    if chunk:
        target.copy_points(name, name, chunk)
    expected = store.count(name)
    copied = int(client.count(name, exact=True).count)
    if copied != expected:
        raise RuntimeError(f"export of {name} incomplete: {copied} of {expected} points")
    ops: list[Any] = [
        models.CreateAliasOperation(
            create_alias=models.CreateAlias(collection_name=name, alias_name=store.alias)
        )
    ]
    if any(a.alias_name == store.alias for a in client.get_aliases().aliases):
        ops.insert(0, models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=store.alias)))
    client.update_collection_aliases(change_aliases_operations=ops)
    return name


def archive(store: EdgeStore, out: Path, *, collection: str | None = None) -> Path:
    """A tar.gz of one flushed version (default: the live one) with its alias file, for another
    embedded host: unpack into its `DATA_DIR/edge/`."""
    name = collection or store.require_live()
    shard_dir = store.shard_path(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as tar:
        tar.add(shard_dir, arcname=name)
        alias = shard_dir.parent / f"{store.alias}.alias.json"
        if alias.exists() and name == store.live_collection():
            tar.add(alias, arcname=alias.name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.store.export", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--to", help="Qdrant server URL to copy the live version into")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--shards", type=int, default=1, help="shard_number of the new collection")
    parser.add_argument("--replicas", type=int, default=1, help="replication_factor of the new collection")
    parser.add_argument("--archive", type=Path, help="write a tar.gz of the live shard instead")
    args = parser.parse_args(argv)
    if not args.to and not args.archive:
        parser.error("give --to URL or --archive FILE")
    from assistant.container import Container
    from assistant.store.edge import EdgeStore

    container = Container()
    try:
        store = container.store
        if not isinstance(store, EdgeStore):
            parser.error("the configured store is not the embedded Edge store")
        if args.archive:
            print(archive(store, args.archive))
        if args.to:
            from qdrant_client import QdrantClient

            client = QdrantClient(url=args.to, api_key=args.api_key, timeout=300)
            name = export_to_qdrant(store, client, shard_number=args.shards, replication_factor=args.replicas)
            print(f"{name}: {client.count(name, exact=True).count} points; alias {store.alias} → {name}")
    finally:
        container.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
