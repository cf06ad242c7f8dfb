"""Admin uploads: a small multipart/form-data reader (standard library only) and the layout of
uploaded act and registry files on disk, as `ingest` expects them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

from assistant.api.errors import PayloadTooLarge
from assistant.errors import ValidationProblem

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
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
