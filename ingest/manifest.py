"""The list of index versions (what each was built from, when, with which counts), kept as a
JSON file next to the data so `kenes index list` works the same for local and server Qdrant."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class VersionInfo(BaseModel):
    collection: str
    version: str
    created: str
    status: str = "building"  # building → live → retired; failed builds are removed
    parent: str | None = None
    sources: list[dict[str, str]] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    avgdl: float = 0.0
    embedder: str = ""
    report: dict[str, Any] = Field(default_factory=dict)


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[VersionInfo]:
        if not self.path.exists():
            return []
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return [VersionInfo.model_validate(v) for v in data.get("versions", [])]

    def save(self, versions: list[VersionInfo]) -> None:
        # write-then-rename so a crash never leaves a truncated manifest
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"versions": [v.model_dump() for v in versions]}, ensure_ascii=False, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload)
        os.replace(tmp, self.path)

    def get(self, collection: str) -> VersionInfo | None:
        return next((v for v in self.load() if v.collection == collection), None)

    def upsert(self, info: VersionInfo) -> None:
        versions = [v for v in self.load() if v.collection != info.collection]
        versions.append(info)
        versions.sort(key=lambda v: v.created)
        self.save(versions)

    def remove(self, collection: str) -> None:
        self.save([v for v in self.load() if v.collection != collection])


def new_version_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")[:-4]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
