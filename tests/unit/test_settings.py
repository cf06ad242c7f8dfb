"""Settings from KENES_* environment variables, nested with `__`, and a settings file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import DEMO_DIR, PROJECT_ROOT, Settings
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("KENES_"):
            monkeypatch.delenv(key)


def load() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_defaults() -> None:
    s = load()
    assert s.data_dir == Path("var") and s.demo_dir == DEMO_DIR == PROJECT_ROOT / "data" / "demo"
    assert (s.llm.mode, s.embeddings.mode, s.answer.mode) == ("llamacpp", "e5", "hybrid")
    assert s.qdrant.url is None and s.qdrant.collection == "kenes" and s.qdrant.keep_versions == 3
    assert s.retrieval.top_k == 8 and s.api.auth_required is True


def test_nested_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KENES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KENES_LLM__MODE", "fake")
    monkeypatch.setenv("KENES_LLM__MAX_TOKENS", "64")
    monkeypatch.setenv("KENES_EMBEDDINGS__MODE", "hashing")
    monkeypatch.setenv("KENES_QDRANT__KEEP_VERSIONS", "5")
    monkeypatch.setenv("KENES_QDRANT__URL", "http://qdrant:6333")
    monkeypatch.setenv("KENES_RETRIEVAL__TOP_K", "12")
    monkeypatch.setenv("KENES_ANSWER__MODE", "extractive")
    monkeypatch.setenv("KENES_API__CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    s = load()
    assert s.data_dir == tmp_path
    assert s.llm.mode == "fake" and s.llm.max_tokens == 64
    assert s.llm.temperature == 0.1  # the rest of a nested group keeps its defaults
    assert s.embeddings.mode == "hashing"
    assert (
        s.qdrant.keep_versions == 5
        and s.qdrant.url == "http://qdrant:6333"
        and s.qdrant.collection == "kenes"
    )
    assert s.retrieval.top_k == 12 and s.answer.mode == "extractive"
    assert s.api.cors_origins == ["https://a.example", "https://b.example"]


def test_env_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("kenes_llm__mode", "openai")
    assert load().llm.mode == "openai"


def test_unknown_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KENES_NO_SUCH_THING", "1")
    monkeypatch.setenv("KENES_LLM__NO_SUCH_FIELD", "1")
    assert load().llm.mode == "llamacpp"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("KENES_LLM__MODE", "gpt"),
        ("KENES_EMBEDDINGS__MODE", "openai"),
        ("KENES_QDRANT__KEEP_VERSIONS", "0"),
        ("KENES_RETRIEVAL__TOP_K", "1000"),
        ("KENES_LLM__MODEL_SIZE", "7b"),
        ("KENES_API__MAX_LLM_CONCURRENCY", "0"),
    ],
)
def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError):
        load()


def test_secrets_are_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KENES_LLM__API_KEY", "sk-very-secret")
    monkeypatch.setenv("KENES_QDRANT__API_KEY", "qd-very-secret")
    s = load()
    assert s.llm.api_key is not None and s.llm.api_key.get_secret_value() == "sk-very-secret"
    assert "very-secret" not in repr(s) and "very-secret" not in s.model_dump_json()


def test_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "kenes.env"
    env_file.write_text("KENES_LLM__MODE=fake\nKENES_RETRIEVAL__TOP_K=4\n", encoding="utf-8")
    s = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert s.llm.mode == "fake" and s.retrieval.top_k == 4
    monkeypatch.setenv("KENES_RETRIEVAL__TOP_K", "6")  # the environment wins over the file
    assert Settings(_env_file=env_file).retrieval.top_k == 6  # type: ignore[call-arg]


def test_derived_paths(tmp_path: Path) -> None:
    s = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert s.qdrant_path == tmp_path / "qdrant" and s.models_dir == tmp_path / "models"
    explicit = Settings(_env_file=None, data_dir=tmp_path, qdrant={"path": tmp_path / "elsewhere"})  # type: ignore[call-arg]
    assert explicit.qdrant_path == tmp_path / "elsewhere"


def test_init_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KENES_LLM__MODE", "openai")
    s = make_settings(tmp_path, embeddings={"mode": "hashing"})
    assert s.llm.mode == "fake" and s.embeddings.mode == "hashing" and s.data_dir == tmp_path


def test_llm_threads_default_to_the_cpu_count() -> None:
    assert load().llm.n_threads == (os.cpu_count() or 2)
