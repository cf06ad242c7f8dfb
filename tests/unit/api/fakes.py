"""A fake container/facade for API unit tests: no index, no model, instant answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from assistant.domain import Answer, Chunk, Citation, Lang, SearchResult
from assistant.errors import LLMUnavailable, NotFound
from assistant.facade import Assistant
from assistant.rag.answer import Event, Final, Token
from assistant.settings import Settings
from ingest.manifest import VersionInfo
from ingest.pipeline import IngestReport
from tests.conftest import make_settings


class FakeAssistant(Assistant):
    """The real `check_question`, canned everything else. Questions containing «сломай» fail
    after one token; «жди» blocks until `release` is set."""

    def __init__(self, container: FakeContainer) -> None:
        super().__init__(container)  # type: ignore[arg-type]
        self.calls: list[tuple[str, list[str] | None, Lang | None]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.prepared: list[str] = []

    def stream(
        self, question: str, history: list[str] | None = None, lang: Lang | None = None
    ) -> Iterator[Event]:
        text = self.check_question(question)
        self.calls.append((question, history, lang))
        return self._events(text, lang or "ru")

    def _events(self, text: str, lang: Lang) -> Iterator[Event]:
        yield Token("Ответ ")
        if "сломай" in text:
            raise LLMUnavailable("LLM down")
        if "жди" in text:
            self.started.set()
            self.release.wait(10)
        yield Token("[1]")
        citation = Citation(n=1, citation="public-services#st8", kind="act", title="Статья 8", quote="…")
        answer = Answer(question=text, answer="Ответ [1]", lang=lang, mode="hybrid", citations=[citation])
        answer.index_version, answer.model, answer.timings = "kenes__v1", "fake", {"total_ms": 12.345}
        yield Final(answer)

    def search(self, query: str, **kwargs: Any) -> SearchResult:
        return SearchResult(query=query, lang="ru", hits=[])

    def source(self, citation: str, lang: Lang = "ru") -> Chunk:
        if citation != "public-services#st8":
            raise NotFound(f"Unknown citation: {citation}")
        return Chunk(chunk_id="x", citation=citation, kind="act", lang=lang, title="Статья 8", text="Текст")

    def index_version(self) -> str:
        return self.live

    live = "kenes__v1"
    ingested: list[tuple[Path | None, Path | None, bool, set[str]]]

    def versions(self) -> list[VersionInfo]:
        return [
            VersionInfo(collection="kenes__v0", version="v0", created="2026-01-01", status="retired"),
            VersionInfo(collection="kenes__v1", version="v1", created="2026-01-02", status="live"),
        ]

    def rollback(self, version: str | None = None) -> VersionInfo:
        self.live = "kenes__v0"
        return self.versions()[0]

    def ingest(
        self, acts: Path | None = None, registry: Path | None = None, progress: Any = None
    ) -> IngestReport:
        return self._ingest(acts, registry, progress, incremental=False)

    def ingest_incremental(
        self, acts: Path | None = None, registry: Path | None = None, progress: Any = None
    ) -> IngestReport:
        return self._ingest(acts, registry, progress, incremental=True)

    def prepare(self, version: str | None = None) -> None:
        self.prepared.append(version or self.index_version())

    def _ingest(
        self, acts: Path | None, registry: Path | None, progress: Any, *, incremental: bool
    ) -> IngestReport:
        files = {p.relative_to(acts).as_posix() for p in acts.rglob("*")} if acts and acts.is_dir() else set()
        self.ingested = [*getattr(self, "ingested", []), (acts, registry, incremental, files)]
        progress("embedding", 0.5)
        self.release.wait(10)
        changes = {"registry": {"added": [{"function_id": "X"}], "removed": [], "text_edited": [],
                                "assessment_changed": [], "other_changed": []}, "acts": {}}  # fmt: skip
        return IngestReport("v2", "kenes__v2", {"total": 1}, 0.1, 1, changes=changes)


class FakeContainer:
    def __init__(self, data_dir: Path, **overrides: Any) -> None:
        self.settings: Settings = make_settings(data_dir, **overrides)
        self.assistant = FakeAssistant(self)
        self.knowledge = SimpleNamespace(for_version=lambda collection: None)
        self.answer_engine = SimpleNamespace(llm=None)

    def close(self) -> None:
        pass
