"""`Assistant`: the one facade every surface (CLI, API, bot, eval) talks to."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain import Answer, Chunk, Lang, SearchResult
from assistant.errors import IndexNotReady, NotFound, QuestionRejected

if TYPE_CHECKING:
    from assistant.container import Container
    from assistant.rag.answer import Event
    from ingest.manifest import VersionInfo
    from ingest.pipeline import IngestReport, Progress
    from ingest.sources import ActsArg


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls other than whitespace


class Assistant:
    def __init__(self, container: Container) -> None:
        self._c = container
        self.settings = container.settings

    # -- questions ---------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        # A lone surrogate ("\ud800", legal in JSON, not in UTF-8) breaks the tokenizer, the
        # database and the JSON of the answer; no real text holds one, so it is refused here,
        # where every surface (API, bot, CLI, eval) passes.
        if _SURROGATE.search(question):
            raise QuestionRejected(
                "Вопрос содержит недопустимые символы. / Сұрақта жарамсыз таңбалар бар.",
                details={"reason": "invalid_characters"},
            )
        text = " ".join(_CONTROL.sub(" ", question).split())
        if not text:
            raise QuestionRejected("Вопрос пуст. / Сұрақ бос.", details={"reason": "empty"})
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise QuestionRejected(
                f"Вопрос длиннее {limit} символов — сократите его. / Сұрақ {limit} таңбадан ұзын — қысқартыңыз.",
                details={"reason": "too_long", "limit": limit},
            )
        return text

    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        lang: Lang | None = None,
        filters: dict[str, Any] | None = None,
        history: list[str] | None = None,
    ) -> SearchResult:
        return self._c.routed_retriever.search(
            self.check_question(query), top_k=top_k, lang=lang, filters=filters, history=history
        )

    def stream(
        self, question: str, history: list[str] | None = None, lang: Lang | None = None
    ) -> Iterator[Event]:
        """Tokens as the model writes them, then the final verified `Answer`."""
        return self._c.answer_engine.stream(self.check_question(question), history, lang)

    def ask(self, question: str, history: list[str] | None = None, lang: Lang | None = None) -> Answer:
        return self._c.answer_engine.answer(self.check_question(question), history, lang)

    def source(self, citation: str, lang: Lang = "ru") -> Chunk:
        """The whole cited article or registry row, for source views."""
        collection = self._c.store.live_collection()
        if collection is None:
            raise IndexNotReady("No index yet: run `kenes ingest` first.")
        kb = self._c.knowledge.for_version(collection)
        chunk = kb.registry.by_id.get(citation) or kb.article_any(citation, lang)
        if chunk is None:
            raise NotFound(f"Unknown citation: {citation}")
        return chunk

    # -- index administration -------------------------------------------------------------------
    def default_sources(self) -> tuple[Path, Path]:
        demo = self.settings.demo_dir
        return demo / "acts", demo / "registry" / "functions.csv"

    def ingest(
        self, acts: ActsArg = None, registry: Path | None = None, progress: Progress | None = None
    ) -> IngestReport:
        if acts is None and registry is None:
            acts, registry = self.default_sources()
        return self._c.pipeline.build(acts, registry, progress)

    def ingest_incremental(
        self, acts: ActsArg = None, registry: Path | None = None, progress: Progress | None = None
    ) -> IngestReport:
        return self._c.pipeline.update(acts, registry, progress)

    def versions(self) -> list[VersionInfo]:
        return self._c.pipeline.versions()

    def rollback(self, version: str | None = None) -> VersionInfo:
        return self._c.pipeline.rollback(version)

    def learned_models(self) -> dict[str, Any]:
        """What the learned rankers were fitted on and how they measured (empty when off)."""
        rankers = self._c.rankers
        return dict(rankers.info) if rankers is not None else {}

    def index_version(self) -> str:
        return self._c.store.live_collection() or ""

    def prepare(self, version: str | None = None, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Warm what answers on `version` (default: the live one) reuse, before users ask."""
        version = version or self.index_version()
        if version:
            self._c.answer_engine.prepare(version, keep_going)
