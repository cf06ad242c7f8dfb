"""Admin uploads: a small multipart/form-data reader (standard library only), the layout of
uploaded act and registry files on disk, as `ingest` expects them, and their validation in a
separate, resource-limited process (`upload_worker`)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

from assistant.api.errors import PayloadTooLarge
from assistant.errors import ValidationProblem

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
UPLOADS_DIR = "uploads"  # under the data directory
UPLOAD_PREFIX = "upload-"
# Measured: a valid 50 MB registry CSV checks in 12 s at a 465 MB peak, a 4.5 MB act in 0.5 s
# under 100 MB; a bomb hits these limits instead of the server's memory.
CHECK_MEMORY_MB = 1536
CHECK_SECONDS = 180
MAX_PROBLEMS = 200
REGISTRY_SUFFIXES = (".csv", ".xlsx", ".jsonl")
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass
class FormPart:
    name: str
    data: bytes
    filename: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class Upload:
    """What an admin sent: the registry file and/or act files, and the update mode."""

    registry: FormPart | None = None
    acts: list[FormPart] = field(default_factory=list)
    incremental: bool = True


async def read_body(chunks: AsyncIterator[bytes], limit: int = MAX_UPLOAD_BYTES) -> bytes:
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(
                f"Upload larger than {limit // (1024 * 1024)} MB.", details={"limit": limit}
            )
    return bytes(body)


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    header = HeaderParser().parsestr(f"Content-Type: {content_type}\n\n")
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise ValidationProblem(
            "expected multipart/form-data", ["Content-Type: not multipart/form-data with a boundary"]
        )
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    pieces = (b"\r\n" + body).split(delimiter)
    parts: list[FormPart] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break  # the closing delimiter
        _, _, piece = piece.partition(b"\r\n")  # rest of the delimiter line (transport padding)
        head, sep, data = piece.partition(b"\r\n\r\n")
        if not sep:
            raise ValidationProblem("malformed multipart body", ["a part has no header/body separator"])
        headers: Message = HeaderParser().parsestr(head.decode("utf-8", errors="replace") + "\n\n")
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        if not isinstance(name, str):
            raise ValidationProblem("malformed multipart body", ["a part has no form field name"])
        parts.append(FormPart(name=name, data=data, filename=filename))
    return parts


def to_upload(parts: list[FormPart]) -> Upload:
    upload = Upload()
    problems: list[str] = []
    for part in parts:
        if part.name == "registry" and part.filename:
            if upload.registry is not None:
                problems.append("registry: send one registry file per upload")
            upload.registry = part
        elif part.name == "acts" and part.filename:
            upload.acts.append(part)
        elif part.name == "incremental":
            value = part.text.strip().lower()
            if value not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                problems.append(f"incremental: '{value}' is not a boolean")
            upload.incremental = value in ("true", "1", "yes", "on")
    if upload.registry is None and not upload.acts:
        problems.append("nothing to index: send a 'registry' file and/or 'acts' files")
    if upload.registry is not None and upload.registry.filename:
        suffix = Path(upload.registry.filename).suffix.lower()
        if suffix not in REGISTRY_SUFFIXES:
            problems.append(
                f"{upload.registry.filename}: unsupported registry format (use .csv, .xlsx or .jsonl)"
            )
    if problems:
        raise ValidationProblem(f"{len(problems)} problem(s) in the upload; nothing was changed", problems)
    return upload


def _safe(component: str) -> str:
    cleaned = _UNSAFE.sub("_", component).strip("._")
    if not cleaned:
        raise ValidationProblem("bad file name", [f"'{component}': not a usable file name"])
    return cleaned


def save(upload: Upload, root: Path) -> tuple[Path | None, Path | None]:
    """Write the files under `root`; returns (acts path, registry path) for `load_sources`.

    Acts come either as one loose file (`law.docx`: its own act, slug from the name) or as
    act folders, each file named `<slug>/<file>` (`public-services/rus.md`,
    `public-services/meta.yaml`), like the corpus layout."""
    registry_path: Path | None = None
    if upload.registry is not None and upload.registry.filename:
        registry_path = root / "registry" / _safe(Path(upload.registry.filename).name)
        registry_path.parent.mkdir(parents=True, exist_ok=True)
        registry_path.write_bytes(upload.registry.data)
    if not upload.acts:
        return None, registry_path
    names = [
        (p, [c for c in re.split(r"[\\/]+", p.filename or "") if c not in ("", ".")]) for p in upload.acts
    ]
    for named, components in names:
        if ".." in components:
            raise ValidationProblem("bad file name", [f"'{named.filename}': path outside the upload"])
    loose = [p for p, parts in names if len(parts) == 1]
    nested = [(p, parts[-2:]) for p, parts in names if len(parts) >= 2]
    if loose and (nested or len(loose) > 1):
        raise ValidationProblem(
            "cannot tell which act each file belongs to",
            ["acts: send either one act file, or act folders as '<slug>/rus.md', '<slug>/meta.yaml', …"],
        )
    acts_root = root / "acts"
    if loose:
        path = acts_root / _safe(loose[0].filename or "act")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(loose[0].data)
        return path, registry_path
    for part, (folder, name) in nested:
        path = acts_root / _safe(folder) / _safe(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(part.data)
    return acts_root, registry_path


def validate_isolated(
    acts: Path | None,
    registry: Path | None,
    *,
    memory_mb: int = CHECK_MEMORY_MB,
    seconds: int = CHECK_SECONDS,
) -> None:
    """Read and check every uploaded file in a child process limited to `memory_mb` of address
    space and `seconds` (wall clock and CPU); raises `ValidationProblem` with each problem (the
    first `MAX_PROBLEMS`, `problems_total` counts all), or naming the limit the files hit."""
    cmd = [sys.executable, "-m", "assistant.api.upload_worker", f"--memory-mb={memory_mb}"]
    cmd += [f"--cpu-s={seconds}"]
    cmd += [f"--acts={acts}"] if acts is not None else []
    cmd += [f"--registry={registry}"] if registry is not None else []
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise _limit_problem(f"reading the files took longer than {seconds} s") from None
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    log.info("upload check: exit %s in %.1f s", done.returncode, time.monotonic() - started)
    if result.get("ok") is True and done.returncode == 0:
        return
    if "problems" in result:
        problems = [str(p) for p in result["problems"]][:MAX_PROBLEMS]
        total = int(result.get("problems_total") or len(problems))
        if total > len(problems) and not (problems and problems[-1].startswith("…")):
            problems.append(f"… and {total - len(problems)} more problem(s) not listed")
        exc = ValidationProblem(str(result.get("message") or "invalid upload"), problems)
        exc.details["problems_total"] = total
        raise exc
    log.warning("upload check failed (exit %s): %s", done.returncode, done.stderr[-2000:])
    raise _limit_problem(f"reading the files needed more than {memory_mb} MB of memory or {seconds} s of CPU")


def _limit_problem(reason: str) -> ValidationProblem:
    return ValidationProblem(
        "the upload could not be checked within the limits; nothing was changed",
        [f"{reason} (a decompression bomb, or a file too large to index?)"],
    )


def sweep_uploads(uploads_dir: Path) -> int:
    """Remove upload folders a crashed server left behind; called at start-up, when no upload of
    this server can be in flight (one server owns a data directory). Returns how many."""
    if not uploads_dir.is_dir():
        return 0
    stale = [p for p in uploads_dir.iterdir() if p.is_dir() and p.name.startswith(UPLOAD_PREFIX)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    if stale:
        log.info("removed %d stale upload folder(s) from %s", len(stale), uploads_dir)
    return len(stale)
