"""Reading and validating everything an index version is built from, before anything is
written: acts (any supported format) and the registry, plus the Kazakh bridge for rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.domain import Chunk
from assistant.errors import ValidationProblem
from ingest.acts.chunker import extract_point
from ingest.acts.loader import load_act_dir, load_act_file, load_acts
from ingest.registry import RegistryRow, load_registry, registry_part, registry_point, row_to_chunk

# One acts path (a folder of act folders, one act folder, one act file) or several of them, e.g.
# the demo acts and data/large in one build.
ActsArg = Path | Sequence[Path] | None


def acts_paths(acts: ActsArg) -> list[Path]:
    if acts is None:
        return []
    return [Path(acts)] if isinstance(acts, (str, Path)) else [Path(p) for p in acts]


@dataclass
class SourceSet:
    chunks: list[Chunk]
    files: list[dict[str, str]] = field(default_factory=list)  # path + sha256 of every input
    rows: list[RegistryRow] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_act_dir(path: Path) -> bool:
    """One act's folder (meta.yaml or rus.* / kaz.* texts) rather than a folder of acts."""
    return (path / "meta.yaml").exists() or any(
        p.is_file() and p.stem.lower() in ("rus", "ru", "kaz", "kk") for p in path.iterdir()
    )


def _input_files(acts: list[Path], registry: Path | None) -> list[Path]:
    files: list[Path] = []
    for path in acts:
        if path.is_file():
            files.append(path)
        else:
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.name != "SOURCE.md")
    if registry is not None:
        files.append(registry)
    return files


def _load_acts_path(acts: Path) -> tuple[list[Chunk], list[str]]:
    if not acts.exists():
        return [], [f"{acts}: no such file or folder"]
    try:
        if not acts.is_dir():
            return load_act_file(acts), []
        if is_act_dir(acts):
            return load_act_dir(acts), []
        chunks = load_acts(acts)
        return chunks, [] if chunks else [f"{acts}: no act folders (with meta.yaml / rus.* / kaz.*) found"]
    except ValidationProblem as exc:
        return [], list(exc.problems)


def _same_slug_twice(paths: list[Path], per_path: list[list[Chunk]]) -> list[str]:
    """Two acts paths holding an act of the same slug would give duplicate citation ids."""
    owner: dict[str, Path] = {}
    problems: list[str] = []
    for path, chunks in zip(paths, per_path, strict=True):
        for slug in sorted({c.act_slug for c in chunks}):
            if slug in owner:
                problems.append(f"{path}: act '{slug}' is also in {owner[slug]}")
            owner.setdefault(slug, path)
    return problems


def load_sources(acts: ActsArg, registry: Path | None) -> SourceSet:
    """Load acts (folders of act folders, act folders or act files) and a registry file. Every
    problem in every file is collected and raised together, so nothing is half-loaded."""
    problems: list[str] = []
    paths = acts_paths(acts)
    per_path: list[list[Chunk]] = []
    for path in paths:
        path_chunks, path_problems = _load_acts_path(path)
        per_path.append(path_chunks)
        problems += path_problems
    problems += _same_slug_twice(paths, per_path)
    chunks = [c for part in per_path for c in part]
    rows: list[RegistryRow] = []
    if registry is not None:
        if not registry.exists():
            problems.append(f"{registry}: no such file")
        else:
            try:
                rows = load_registry(registry)
            except ValidationProblem as exc:
                problems += exc.problems
    if problems:
        raise ValidationProblem(f"{len(problems)} problem(s) in the input; nothing was loaded", problems)

    for seq, chunk in enumerate(chunks):
        chunk.seq = seq
    registry_chunks = [row_to_chunk(row) for row in rows]
    sources = SourceSet(
        chunks=chunks + registry_chunks,
        rows=rows,
        files=[{"path": str(p), "sha256": file_sha256(p)} for p in _input_files(paths, registry)],
    )
    link_rows_to_acts(chunks, rows, registry_chunks)
    return sources


def flag_rows_on_repealed_acts(act_chunks: list[Chunk], row_chunks: list[Chunk]) -> None:
    """A row resting on a repealed act is flagged as such (status and version date of the act)."""
    acts = {c.act_slug: c for c in act_chunks if c.lang == "ru"}
    for chunk in row_chunks:
        act = acts.get(chunk.act_slug)
        if act is not None and act.repealed:
            chunk.repealed, chunk.status = True, act.status
            chunk.version_date = chunk.version_date or act.version_date


def link_rows_to_acts(act_chunks: list[Chunk], rows: list[RegistryRow], row_chunks: list[Chunk]) -> None:
    """A row resting on a repealed act is flagged as such. Registry rows exist only in Russian:
    when the article a row rests on also exists in Kazakh, the Kazakh text of the same point is
    indexed with the row, so a Kazakh question about the function reaches it lexically."""
    flag_rows_on_repealed_acts(act_chunks, row_chunks)
    kk_articles: dict[str, str] = {}
    kk_titles: dict[str, str] = {}
    for chunk in sorted(act_chunks, key=lambda c: c.seq):
        if chunk.lang == "kk":
            kk_articles[chunk.citation] = kk_articles.get(chunk.citation, "") + "\n" + chunk.text
            kk_titles[chunk.citation] = chunk.title
    for row, chunk in zip(rows, row_chunks, strict=True):
        article = kk_articles.get(row.citation or "")
        if not article:
            continue
        point = registry_point(row)
        text = extract_point(article, point, part=registry_part(row)) if point and point != "00" else None
        # the point itself, not the article title: every row of an article shares the title,
        # so it would tie them all on a Kazakh question
        chunk.bridge = text or kk_titles.get(row.citation or "", "")
