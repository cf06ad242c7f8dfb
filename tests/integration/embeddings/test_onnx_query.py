"""Questions encoded through ONNX Runtime give the sentence-transformers vectors of the packaged
MiniLM; the exported graph is cached; anything unsupported falls back to PyTorch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import onnx_query
from assistant.embeddings.sentence_transformers import SentenceTransformerEmbedder
from assistant.settings import EmbeddingSettings
from tests.conftest import load_dev_items

QUESTIONS = [i["question"] for i in load_dev_items()] + ["ЦОН", "x" * 3000]


def test_onnx_vectors_equal_sentence_transformers(tmp_path: Path) -> None:
    fast = SentenceTransformerEmbedder(EmbeddingSettings(query_cache=0, query_max_tokens=256), tmp_path)
    slow = SentenceTransformerEmbedder(EmbeddingSettings(query_runtime="torch"), tmp_path / "never")
    ours = np.array([fast.embed_query(q) for q in QUESTIONS])
    reference = np.array(slow.embed_documents(QUESTIONS))
    assert fast._query_encoder is not None  # really went through ONNX Runtime
    assert np.min(np.sum(ours * reference, axis=1)) > 0.99999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert [p.suffix for p in tmp_path.iterdir()] == [".onnx"] and not (tmp_path / "never").exists()


def test_questions_are_cut_to_query_max_tokens(tmp_path: Path) -> None:
    short = SentenceTransformerEmbedder(EmbeddingSettings(query_cache=0, query_max_tokens=16), tmp_path)
    reference = SentenceTransformerEmbedder(EmbeddingSettings(query_runtime="torch"), tmp_path / "never")
    model = reference._load()
    model.max_seq_length = 16
    question = QUESTIONS[0]
    assert len(model.tokenizer(question)["input_ids"]) > 16
    ours = np.array(short.embed_query(question))
    assert float(ours @ np.array(reference.embed_documents([question])[0])) > 0.99999


def test_export_is_reused(tmp_path: Path) -> None:
    first = SentenceTransformerEmbedder(EmbeddingSettings(), tmp_path)
    first.prepare()
    (graph,) = tmp_path.glob("*.onnx")
    stamp = graph.stat().st_mtime_ns
    second = SentenceTransformerEmbedder(EmbeddingSettings(), tmp_path)
    second.prepare()
    assert graph.stat().st_mtime_ns == stamp and list(tmp_path.glob("*.onnx")) == [graph]


def test_questions_need_no_pytorch_once_the_graph_is_exported(tmp_path: Path) -> None:
    SentenceTransformerEmbedder(EmbeddingSettings(), tmp_path).prepare()  # exports the graph
    server = SentenceTransformerEmbedder(EmbeddingSettings(query_cache=0, query_max_tokens=256), tmp_path)
    server.prepare()
    ours = np.array([server.embed_query(q) for q in QUESTIONS])
    assert server._model is None  # the model (and PyTorch with it) was never loaded
    reference = SentenceTransformerEmbedder(EmbeddingSettings(query_runtime="torch"), tmp_path / "never")
    assert np.min(np.sum(ours * np.array(reference.embed_documents(QUESTIONS)), axis=1)) > 0.99999


def test_a_model_of_another_layout_is_not_read_from_its_files(tmp_path: Path) -> None:
    assert onnx_query.layout_from_files(tmp_path) is None  # no files at all
    (tmp_path / "modules.json").write_text('[{"type": "x.Transformer", "path": ""}]', encoding="utf-8")
    assert onnx_query.layout_from_files(tmp_path) is None


def test_repeated_question_is_served_from_memory(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(query_cache=2), tmp_path)
    first = embedder.embed_query("Кто ведет реестр?")
    assert embedder.embed_query("Кто ведет реестр?") is first
    embedder.embed_query("два")
    embedder.embed_query("три")
    assert list(embedder._recent) == ["два", "три"]  # oldest dropped
    embedder._settings.query_cache = 0  # turned off at run time (the benchmarks do): no reuse
    assert embedder.embed_query("три") is not embedder.embed_query("три")


def test_unsupported_head_stays_on_pytorch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_query, "supports", lambda model: False)
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(query_cache=0), tmp_path)
    vector = embedder.embed_query("Кто ведет реестр?")
    assert embedder._query_encoder is None and len(vector) == embedder.dim
    assert not list(tmp_path.glob("*.onnx"))


def test_supports_only_mean_pooling_layouts() -> None:
    class Transformer: ...

    class Pooling:
        def __init__(self, mode: str) -> None:
            self.pooling_mode = mode

    class Normalize: ...

    assert onnx_query.supports([Transformer(), Pooling("mean"), Normalize()])
    assert onnx_query.supports([Transformer(), Pooling("mean")])
    assert not onnx_query.supports([Transformer(), Pooling("cls"), Normalize()])
    assert not onnx_query.supports([Transformer(), Pooling("mean"), Normalize(), Normalize()])
