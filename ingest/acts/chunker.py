"""Turn structural units into retrievable chunks that respect legal structure.

A unit that fits is one chunk. A long one is cut at its points (`1)`, `2-1)`, `3.`), never in the
middle of a point unless the point alone is too long; every window repeats the unit's lead-in so
that a window such as «…8) утверждает правила …» still says whose competence it lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain import Chunk, Lang
from ingest.acts.meta import ActMeta
from ingest.acts.structure import NUM, Unit

DEFAULT_MAX_CHARS = 1800
LEAD_IN_MAX = 300
PARENT_MAX = 200

POINT_RE = re.compile(rf"^(?P<num>{NUM})(?P<kind>[.)])\s*")
_SENTENCE_END_RE = re.compile(r"(?<=[.;!?:])\s+")


@dataclass
class _Point:
    number: str
    kind: str  # ')' for a subpoint, '.' for a numbered part
    lines: list[str] = field(default_factory=list)
    parent: str = ""  # the first line of the enclosing `N.` part, for a subpoint

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def _split_points(lines: list[str]) -> tuple[list[str], list[_Point]]:
    lead: list[str] = []
    points: list[_Point] = []
    parent = ""
    for line in lines:
        m = POINT_RE.match(line)
        if m:
            kind = m.group("kind")
            parent = line if kind == "." else parent
            points.append(_Point(m.group("num"), kind, [line], parent if kind == ")" else ""))
        elif points:
            points[-1].lines.append(line)
        else:
            lead.append(line)
    return lead, points


def _pack(pieces: list[str], limit: int, sep: str) -> list[str]:
    """Greedily join pieces into windows of at most `limit` chars."""
    out: list[str] = []
    cur = ""
    for piece in pieces:
        if cur and len(cur) + len(sep) + len(piece) <= limit:
            cur = f"{cur}{sep}{piece}"
            continue
        if cur:
            out.append(cur)
        cur = piece
    if cur:
        out.append(cur)
    return out


def _hard_split(text: str, limit: int) -> list[str]:
    words = text.split(" ")
    if max(map(len, words)) <= limit:
        return _pack(words, limit, " ")
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def split_long_text(text: str, limit: int) -> list[str]:
    """Split at line ends, then at sentence ends, then at spaces; each piece ≤ `limit` chars."""
    pieces: list[str] = []
    for line in text.split("\n"):
        if len(line) <= limit:
            pieces.append(line)
            continue
        sentences: list[str] = []
        for sentence in _SENTENCE_END_RE.split(line):
            sentences.extend([sentence] if len(sentence) <= limit else _hard_split(sentence, limit))
        pieces.extend(_pack(sentences, limit, " "))
    return _pack(pieces, limit, "\n")


@dataclass
class _Window:
    text: str
    point: str = ""


def _windows(unit: Unit, max_chars: int) -> list[_Window]:
    lead_lines, points = _split_points(unit.text.split("\n"))
    lead = "\n".join(lead_lines)
    if not points:
        return [_Window(piece) for piece in split_long_text(unit.text, max_chars)]
    windows: list[_Window] = []
    if len(lead) > LEAD_IN_MAX:
        # A long lead-in is content in itself: keep it whole in its own window(s).
        windows.extend(_Window(piece) for piece in split_long_text(lead, max_chars))
        prefix = _truncate(lead, LEAD_IN_MAX)
    else:
        prefix = lead
    groups: list[list[_Point]] = []
    size = 0
    for point in points:
        if groups and size + 1 + len(point.text) <= max_chars:
            groups[-1].append(point)
            size += 1 + len(point.text)
            continue
        groups.append([point])
        # A window opening with a subpoint repeats its part's first line as context.
        size = len(point.text)
        if point.kind == ")" and point.parent:
            size += len(_truncate(point.parent, PARENT_MAX)) + 1
    for group in groups:
        first = group[0]
        context = _truncate(first.parent, PARENT_MAX) if first.kind == ")" and first.parent else ""
        body = "\n".join(p.text for p in group)
        head = "\n".join(t for t in (prefix, context) if t)
        if len("\n".join(t for t in (context, body) if t)) <= max_chars:
            windows.append(_Window("\n".join(t for t in (head, body) if t), first.number))
            continue
        # Only a single point can overflow (groups grow only while they fit): cut it, and let
        # later pieces repeat the point's first line.
        point_head = _truncate(first.lines[0], PARENT_MAX)
        budget = max(max_chars - len(context) - len(point_head) - 2, max_chars // 2)
        for i, piece in enumerate(split_long_text(body, budget)):
            parts = [head, point_head, piece] if i else [head, piece]
            windows.append(_Window("\n".join(t for t in parts if t), first.number))
    return windows


def chunk_unit(unit: Unit, meta: ActMeta, lang: Lang, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """One chunk for a unit that fits in `max_chars`, else one per window of points."""

    def make(chunk_id: str, text: str, point: str = "") -> Chunk:
        return Chunk(
            chunk_id=f"{chunk_id}@{lang}",
            citation=unit.citation,
            kind="act",
            lang=lang,
            title=unit.title,
            text=text,
            act_slug=meta.slug,
            act_title=meta.title_for(lang),
            article=unit.article,
            point=point,
            version_date=meta.version_date_for(lang),
            source_url=meta.source_url_for(lang),
            repealed=meta.repealed,
            status=meta.status,
        )

    text = unit.text.strip()
    if len(text) <= max_chars:
        return [make(unit.citation, text)]
    chunks: list[Chunk] = []
    used: dict[str, int] = {}
    for window in _windows(unit, max_chars):
        base = f"{unit.citation}.p{window.point}" if window.point else f"{unit.citation}.w"
        used[base] = used.get(base, 0) + 1
        n = used[base]
        # Suffixes keep ids unique when a window repeats a point number (a long point cut in
        # pieces, or `1)` under both part 1. and part 2.); point-less windows are numbered.
        chunk_id = (base if n == 1 else f"{base}_{n}") if window.point else f"{base}{n}"
        chunks.append(make(chunk_id, window.text, window.point))
    return chunks


def chunk_units(
    units: list[Unit], meta: ActMeta, lang: Lang, *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[Chunk]:
    return [chunk for unit in units for chunk in chunk_unit(unit, meta, lang, max_chars=max_chars)]


def extract_point(text: str, point: str, *, part: str | None = None) -> str | None:
    """The text of subpoint `point)` (e.g. '2', '8-1') of an article, without its number; the
    first match, or the one inside numbered part `part.` when given. None when absent."""
    lines = [line.strip().strip("*").strip() for line in text.split("\n")]
    in_part = part is None
    collecting: list[str] | None = None
    for line in lines:
        m = POINT_RE.match(line)
        if collecting is not None:
            if m:
                break
            collecting.append(line)
            continue
        if m and m.group("kind") == ".":
            in_part = part is None or m.group("num") == part
        elif m and in_part and m.group("num") == point:
            collecting = [line[m.end() :].strip()]
    if collecting is None:
        return None
    return "\n".join(t for t in collecting if t)
