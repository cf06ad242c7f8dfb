"""The manifest of index versions: atomic saves, upsert/remove, ordering, ids."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from ingest.manifest import Manifest, VersionInfo, new_version_id, now_iso


def info(collection: str, created: str, **kw: object) -> VersionInfo:
    return VersionInfo(collection=collection, version=collection.split("__")[-1], created=created, **kw)  # type: ignore[arg-type]


def test_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    assert Manifest(tmp_path / "nope" / "manifest.json").load() == []


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "index" / "manifest.json")
    v = info(
        "kenes__v1",
        "2026-01-01T00:00:00+00:00",
        status="live",
        counts={"total": 3},
        sources=[{"path": "a.csv", "sha256": "x"}],
        report={"registry": {"added": []}},
        avgdl=1.5,
        embedder="hashing-trigram",
    )
    m.save([v])
    assert m.load() == [v]
    data = json.loads(m.path.read_text(encoding="utf-8"))
    assert data["versions"][0]["collection"] == "kenes__v1"


def test_defaults() -> None:
    v = info("kenes__v1", "x")
    assert v.status == "building" and v.parent is None and v.counts == {} and v.report == {}


def test_save_leaves_no_temp_files(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "manifest.json")
    for i in range(3):
        m.save([info(f"kenes__v{i}", f"2026-01-0{i + 1}")])
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_failed_write_keeps_the_previous_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = Manifest(tmp_path / "manifest.json")
    m.save([info("kenes__v1", "2026-01-01")])

    def crash(src: object, dst: object) -> None:
        raise OSError("killed before the rename")

    monkeypatch.setattr("ingest.manifest.os.replace", crash)
    with pytest.raises(OSError):
        m.save([info("kenes__v2", "2026-01-02")])
    monkeypatch.undo()
    assert [v.collection for v in m.load()] == ["kenes__v1"]


def test_unicode_is_kept_readable(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "manifest.json")
    m.save([info("kenes__v1", "2026-01-01", report={"note": "реестр"})])
    assert "реестр" in m.path.read_text(encoding="utf-8")


def test_upsert_replaces_and_sorts_by_created(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "manifest.json")
    m.upsert(info("kenes__b", "2026-01-02"))
    m.upsert(info("kenes__a", "2026-01-01"))
    m.upsert(info("kenes__b", "2026-01-02", status="live"))
    assert [(v.collection, v.status) for v in m.load()] == [("kenes__a", "building"), ("kenes__b", "live")]


def test_get_and_remove(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "manifest.json")
    m.upsert(info("kenes__a", "2026-01-01"))
    m.upsert(info("kenes__b", "2026-01-02"))
    assert m.get("kenes__b") is not None and m.get("kenes__b").created == "2026-01-02"  # type: ignore[union-attr]
    assert m.get("kenes__zzz") is None
    m.remove("kenes__a")
    m.remove("kenes__zzz")  # removing what is not there is fine
    assert [v.collection for v in m.load()] == ["kenes__b"]


def test_version_ids_sort_in_time_order() -> None:
    a = new_version_id()
    assert re.fullmatch(r"\d{8}T\d{9}", a)
    b = new_version_id()
    assert b >= a


def test_now_iso_is_utc() -> None:
    stamp = now_iso()
    assert stamp.endswith("+00:00")
    assert datetime.fromisoformat(stamp).utcoffset() is not None
