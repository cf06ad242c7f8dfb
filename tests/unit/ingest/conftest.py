"""Fixtures of the pipeline tests: a real embedded Qdrant store, the tiny corpus written out as
source files, and build timestamps that always move forward."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import QdrantSettings
from assistant.store.qdrant import QdrantStore
from tests.unit.rag import tiny_data as td


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[QdrantStore]:
    s = QdrantStore(QdrantSettings(), str(tmp_path / "qdrant"))
    yield s
    s.close()


@pytest.fixture()
def sources(tmp_path: Path) -> tuple[Path, Path]:
    return td.write_acts(tmp_path / "src"), td.write_registry(tmp_path / "src" / "registry.csv")


@pytest.fixture()
def distinct_created(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds in a test follow each other within a second; give each a later `created`."""
    counter = itertools.count()
    monkeypatch.setattr("ingest.pipeline.now_iso", lambda: f"2026-01-01T00:00:{next(counter):02d}+00:00")
