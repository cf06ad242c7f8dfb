"""The composition root: builds every component from settings, lazily and once.

Nothing heavy happens at import time; each backend is imported inside its adapter when first
used, so `kenes --help` is instant and tests can swap any part."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from assistant.offline import enforce_offline
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.embeddings.base import Embedder
    from assistant.facade import Assistant
    from assistant.llm.base import LLM
    from assistant.rag.answer import AnswerEngine
    from assistant.rag.knowledge import Knowledge
    from assistant.rag.learned import Rankers
    from assistant.rag.retrieval import HybridRetriever
    from assistant.rag.routed import RoutedRetriever
    from assistant.store.edge import EdgeStore
    from assistant.store.qdrant import QdrantStore
    from assistant.text.analyzer import Analyzer
    from assistant.text.sparse import SparseEncoder
    from ingest.pipeline import IngestPipeline


class Container:
    def __init__(self, settings: Settings | None = None) -> None:
        enforce_offline()
        self.settings = settings or Settings()

    @cached_property
    def store(self) -> EdgeStore | QdrantStore:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        qdrant = self.settings.qdrant
        if qdrant.url or qdrant.engine == "local":  # a server, or the pre-Edge embedded mode
            from assistant.store.qdrant import QdrantStore

            return QdrantStore(qdrant, str(self.settings.qdrant_path))
        from assistant.store.edge import EdgeStore

        return EdgeStore(qdrant, str(qdrant.path or self.settings.data_dir / "edge"))

    @cached_property
    def embedder(self) -> Embedder:
        from assistant.embeddings.factory import build_embedder

        return build_embedder(self.settings.embeddings, self.settings.models_dir / "onnx")

    @cached_property
    def analyzer(self) -> Analyzer:
        from assistant.text.analyzer import Analyzer
        from assistant.text.lexicon import Lexicon

        return Analyzer(Lexicon.load())

    @cached_property
    def sparse_encoder(self) -> SparseEncoder:
        from assistant.text.sparse import SparseEncoder

        r = self.settings.retrieval
        return SparseEncoder(self.analyzer, k1=r.bm25_k1, b=r.bm25_b)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from assistant.rag.retrieval import HybridRetriever

        return HybridRetriever(self.store, self.embedder, self.sparse_encoder, self.settings.retrieval)

    @cached_property
    def pipeline(self) -> IngestPipeline:
        from ingest.manifest import Manifest
        from ingest.pipeline import Encoder, IngestPipeline

        return IngestPipeline(
            self.store,
            Encoder(self.embedder, self.sparse_encoder),
            Manifest(self.settings.data_dir / "index" / "manifest.json"),
            keep_versions=self.settings.qdrant.keep_versions,
            alias=self.settings.qdrant.collection,
            sentence_vectors=self.settings.embeddings.sentence_vectors,
        )

    @cached_property
    def llm(self) -> LLM:
        from assistant.llm.factory import build_llm

        return build_llm(self.settings)

    @cached_property
    def knowledge(self) -> Knowledge:
        from assistant.rag.knowledge import Knowledge

        return Knowledge(
            self.store, self.analyzer, self.sparse_encoder, self.settings.data_dir / "index" / "readmodel"
        )

    @cached_property
    def routed_retriever(self) -> RoutedRetriever:
        from assistant.rag.routed import RoutedRetriever

        return RoutedRetriever(self.retriever, self.knowledge, self.rankers)

    @cached_property
    def rankers(self) -> Rankers | None:
        if not self.settings.retrieval.learned:
            return None
        from assistant.rag.learned import Rankers

        return Rankers.load(self.settings.retrieval.learned_model)

    @cached_property
    def answer_engine(self) -> AnswerEngine:
        from assistant.rag.answer import AnswerEngine

        llm = None if self.settings.answer.mode == "extractive" else self.llm
        return AnswerEngine(self.routed_retriever, self.knowledge, llm, self.settings, self.rankers)

    @cached_property
    def assistant(self) -> Assistant:
        from assistant.facade import Assistant

        return Assistant(self)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
