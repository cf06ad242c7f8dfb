"""The list of index versions (what each was built from, when, with which counts), kept as a
JSON file next to the data so `kenes index list` works the same for local and server Qdrant."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

# building → ready (complete and checked) → live ⇄ retired; failed builds are removed. Only a
# version that got past its checks may ever be promoted (a build killed mid-write stays
# "building" in the manifest, with a partial collection in the store).
PROMOTABLE = frozenset({"ready", "live", "retired"})


class VersionInfo(BaseModel):
    collection: str
    version: str
    created: str
    status: str = "building"
    # who is building it ("host:pid"), so a start-up clean-up removes only builds whose process
    # is gone, never one that another live process (e.g. `kenes serve`) is still writing
    builder: str = ""
    parent: str | None = None
    sources: list[dict[str, str]] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    avgdl: float = 0.0
    embedder: str = ""
    report: dict[str, Any] = Field(default_factory=dict)

    @property
    def promotable(self) -> bool:
        return self.status in PROMOTABLE

    def abandoned(self) -> bool:
        """An unfinished build whose process no longer runs (killed, crashed, machine restarted).
        A build recorded on another host cannot be checked from here and is left alone."""
        if self.promotable:
            return False
        host, _, pid = self.builder.rpartition(":")
        if not pid.isdigit():
            return True  # recorded before builders were tracked
        if host != socket.gethostname():
            return False
        return not _alive(int(pid))


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


def this_builder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    # a SIGKILLed child that its parent has not reaped yet still answers kill(pid, 0)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] != "Z"


def new_version_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")[:-4]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
