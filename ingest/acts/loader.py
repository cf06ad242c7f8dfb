"""Load acts (a corpus folder, one act folder, or a single dropped-in file) into chunks."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.domain import Chunk, Lang
from assistant.errors import ValidationProblem
from ingest.acts.chunker import DEFAULT_MAX_CHARS, chunk_units
from ingest.acts.formats import SUPPORTED_SUFFIXES, is_markdown, lang_of_stem, read_act_text
from ingest.acts.meta import ActMeta, load_meta, make_meta
from ingest.acts.structure import clean_text, split_units

_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC_RE = re.compile(r"[а-яёА-ЯЁәғқңөұүһіӘҒҚҢӨҰҮҺІ]")
# Russian texts quote Kazakh names («Егемен Қазақстан»), so a few Kazakh letters prove nothing;
# in Kazakh prose they are several percent of all letters.
_KAZAKH_SHARE = 0.01


def detect_lang(text: str) -> Lang:
    letters = len(_CYRILLIC_RE.findall(text))
    kazakh = sum(1 for ch in text if ch in _KAZAKH_LETTERS)
    return "kk" if letters and kazakh / letters >= _KAZAKH_SHARE else "ru"


def _chunks_of(text: str, path: Path, meta: ActMeta, lang: Lang, max_chars: int, label: str) -> list[Chunk]:
    units = split_units(text, meta.slug, markdown=is_markdown(path))
    if not units:
        raise ValidationProblem(
            f"no articles or numbered paragraphs in {label}",
            [f"{label}: no articles («Статья N.» / «N-бап.») or numbered paragraphs («N. …») found"],
        )
    return chunk_units(units, meta, lang, max_chars=max_chars)


def _act_files(act_dir: Path) -> tuple[dict[Lang, Path], list[str]]:
    files: dict[Lang, Path] = {}
    problems: list[str] = []
    for path in sorted(act_dir.iterdir()):
        lang = lang_of_stem(path.stem)
        if not path.is_file() or lang is None:
            continue
        label = f"{act_dir.name}/{path.name}"
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            problems.append(f"{label}: unsupported format '{path.suffix}'")
        elif lang in files:
            # Two texts for one language would give duplicate citation ids; the admin must choose.
            problems.append(f"{label}: a second {lang} text next to {files[lang].name}")
        else:
            files[lang] = path
    if not files and not problems:
        problems.append(f"{act_dir.name}: no act text (expected rus.* and/or kaz.*)")
    return files, problems


def _collect(act_dir: Path, max_chars: int) -> tuple[list[Chunk], list[str]]:
    try:
        meta = load_meta(act_dir)
    except ValidationProblem as exc:
        return [], list(exc.problems)
    files, problems = _act_files(act_dir)
    chunks: list[Chunk] = []
    for lang, path in files.items():
        label = f"{act_dir.name}/{path.name}"
        try:
            text = read_act_text(path)
            chunks.extend(_chunks_of(text, path, meta, lang, max_chars, label))
        except ValidationProblem as exc:
            # formats names the bare file; give the admin the folder too.
            problems.extend(p if p.startswith(label) else f"{act_dir.name}/{p}" for p in exc.problems)
    return chunks, problems


def _raise(problems: list[str], what: str) -> None:
    if problems:
        raise ValidationProblem(f"{len(problems)} problem(s) in {what}", problems)


def load_act_dir(act_dir: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunks of every language text in one act folder (`rus.md`, `kaz.docx`, …)."""
    act_dir = Path(act_dir)
    chunks, problems = _collect(act_dir, max_chars)
    _raise(problems, act_dir.name)
    return chunks


def load_acts(root: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunks of every act folder under `root`, in folder-name order; all problems in one error."""
    root = Path(root)
    if not root.is_dir():
        raise ValidationProblem(f"acts folder not found: {root}", [f"{root}: not a folder"])
    chunks: list[Chunk] = []
    problems: list[str] = []
    for act_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        dir_chunks, dir_problems = _collect(act_dir, max_chars)
        chunks.extend(dir_chunks)
        problems.extend(dir_problems)
    _raise(problems, str(root))
    return chunks


def _slug_of(path: Path) -> str:
    stem = path.parent.name if lang_of_stem(path.stem) else path.stem
    return re.sub(r"[^\w-]+", "-", stem.lower()).strip("-_") or "act"


def load_act_file(path: Path, slug: str | None = None, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunks of a single act file dropped in by an admin, without a meta.yaml: the slug comes
    from the file name and the language from the letters of the text."""
    path = Path(path)
    slug = slug or _slug_of(path)
    text = read_act_text(path)
    lang = lang_of_stem(path.stem) or detect_lang(text)
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    if not title:
        title = next((clean_text(line) for line in text.splitlines() if clean_text(line)), slug)
        title = title[:200]
    meta = make_meta(slug, title if lang == "ru" else "", title_kk=title if lang == "kk" else "")
    return _chunks_of(text, path, meta, lang, max_chars, path.name)
