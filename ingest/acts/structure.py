"""Split an act's text into citable units: articles, or numbered paragraphs for acts (decrees,
statutes) that have no articles."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

NUM = r"\d+(?:-\d+)*"
_HEAD = rf"(?:Статья\s+(?P<ru>{NUM})|(?P<kk>{NUM})-бап)"
# A markdown heading may also write the Kazakh number apart from «бап» («### 32-2 бап.», as the
# local-government law does once); in running text that form is a reference, not a heading.
_MD_HEAD = rf"(?:Статья\s+(?P<ru>{NUM})|(?P<kk>{NUM})(?:-|\s)бап)"
# Headings in markdown may omit the full stop after the number; plain lines must have it, so
# that running text such as «Статья 16 исключена …» is never taken for a heading.
ARTICLE_HEADING_RE = re.compile(rf"^{_MD_HEAD}\.?(?:\s+(?P<title>.*))?$")
ARTICLE_PLAIN_RE = re.compile(rf"^{_HEAD}\.(?:\s+(?P<title>.*))?$")
# Codes print sections in capitals («РАЗДЕЛ 2.», «2-БӨЛІМ.») and open with «ОБЩАЯ ЧАСТЬ» /
# «ЖАЛПЫ БӨЛІК» lines, sometimes as a deep (#####) heading.
CHAPTER_PLAIN_RE = re.compile(
    rf"^(?:(?:(?:Глава|Раздел)\s+{NUM}|{NUM}-(?:тарау|бөлім))\.|(?:Общая|Особенная)\s+часть$"
    r"|(?:Жалпы|Ерекше)\s+бөлік$)",
    re.IGNORECASE,
)
PARAGRAPH_RE = re.compile(rf"^(?P<num>{NUM})\.\s+(?P<text>\S.*)$")
# «Сноска» (ru) and «Ескерту» (kk) open the editorial notes on amendments.
FOOTNOTE_RE = re.compile(r"^(?:Сноска|Ескерту)\b")
# «Примечание!» / «Примечание ИЗПИ!» (kk «Ескертпе!» / «ЗҚАИ-ның ескертпесі!») open an editor's
# note (e.g. a pending Constitutional Court review) written in italics on the next line. Unlike
# «Примечание.» without «!», which is part of the law, it is not text of the act.
EDITOR_NOTE_RE = re.compile(r"^(?:Примечание(?:\s+ИЗПИ)?|Ескертпе|ЗҚАИ-ның\s+ескертпесі)\s*!$", re.IGNORECASE)
# The repository's navigation between the parts of a split act («↑ [Вся редакция](../rus.md)»).
_NAV_RE = re.compile(r"^↑\s*\[[^\]]*\]\([^)]*\)$")
# The signature closes the act: it is not part of the last article.
SIGNATURE_RE = re.compile(
    r"^(?:Президент\s+Республики\s+Казахстан|Қазақстан\s+Республикасының\s+Президент[іi])$"
)
_ANCHOR_RE = re.compile(r"^<a\s+(?:id|name)=\"[^\"]*\"\s*>\s*</a>$")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")

UnitKind = Literal["article", "paragraph"]


@dataclass
class Unit:
    """One citable piece of an act before chunking."""

    kind: UnitKind
    citation: str  # 'public-services#st9-1', 'mior-statute#p16', 'mior-statute#s0-p3'
    article: str  # '9-1', 'p16', 's0-p3'
    number: str  # the number as printed: '9-1', '16'
    title: str  # 'Статья 9-1. …' / '9-1-бап. …' / 'п. 16. Функции: …'
    chapter: str = ""  # 'Глава 2. …' / '2-тарау. …' / the `## ` section of a paragraph
    lines: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        # A repealed article is only a footnote («Статья 16 исключена …»): keep that rather than
        # produce an empty unit.
        body = self.lines or self.footnotes
        return "\n".join(body) if body else self.title


@dataclass
class _Line:
    text: str
    level: int = 0  # heading level, 0 for body text
    nested: bool = False  # indented in markdown: belongs to the enclosing list item
    footnote: bool = False
    end: bool = False  # the act's signature: no article text after it


def _whole_line(raw: str, marker: str) -> bool:
    return len(raw) > 2 * len(marker) and raw.startswith(marker) and raw.endswith(marker)


def clean_text(line: str) -> str:
    """Drop markdown quote and emphasis markers that wrap whole lines in the corpus."""
    s = line.strip()
    while s.startswith(">"):
        s = s[1:].strip()
    return s.strip("*").strip()


def _lines(text: str, markdown: bool) -> list[_Line]:
    out: list[_Line] = []
    note = False  # the previous line opened an editor's note
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or _ANCHOR_RE.match(stripped) or _NAV_RE.match(stripped):
            continue
        # Indentation only carries meaning in markdown (list-item continuation); plain texts
        # indent first lines of paragraphs arbitrarily.
        nested = markdown and len(raw) - len(raw.lstrip()) >= 2
        m = _MD_HEADING_RE.match(stripped)
        if m:
            out.append(_Line(clean_text(m.group(2)), len(m.group(1)), nested))
            continue
        s = clean_text(stripped)
        if not s:
            continue
        was_note, note = note, bool(EDITOR_NOTE_RE.match(s))
        if FOOTNOTE_RE.match(s) or note or (was_note and _whole_line(stripped, "*")):
            out.append(_Line(s, footnote=True, nested=nested))
        elif SIGNATURE_RE.match(s):
            out.append(_Line(s, end=True))
        elif markdown and _whole_line(stripped, "**") and ARTICLE_PLAIN_RE.match(s):
            # a bold line used as an article heading (АППК ст. 43-1)
            out.append(_Line(s, level=3))
        elif not markdown and ARTICLE_PLAIN_RE.match(s):
            out.append(_Line(s, level=3))
        elif not markdown and CHAPTER_PLAIN_RE.match(s):
            out.append(_Line(s, level=2))
        else:
            out.append(_Line(s, nested=nested))
    return out


def _article_number(line: _Line) -> str | None:
    if not line.level or line.nested:
        return None
    m = ARTICLE_HEADING_RE.match(line.text)
    return (m.group("ru") or m.group("kk")) if m else None


def _split_articles(lines: list[_Line], slug: str) -> list[Unit]:
    units: list[Unit] = []
    seen: set[str] = set()
    cur: Unit | None = None
    chapter = ""
    for line in lines:
        number = _article_number(line)
        if line.end:
            cur = None
        elif number is not None and number not in seen:
            seen.add(number)
            cur = Unit("article", f"{slug}#st{number}", number, number, line.text, chapter)
            units.append(cur)
        elif line.level and not line.nested and (line.level <= 2 or CHAPTER_PLAIN_RE.match(line.text)):
            # A chapter (or any top-level heading) ends the article; text under it until the next
            # article is chapter-level prose, not part of the previous article.
            chapter = line.text if line.level > 1 else chapter
            cur = None
        elif cur is not None:
            (cur.footnotes if line.footnote else cur.lines).append(line.text)
    return units


def _paragraph_title(number: str, first_line: str, max_len: int = 80) -> str:
    words = first_line.split()
    head = ""
    for word in words:
        if len(head) + len(word) + 1 > max_len:
            return f"п. {number}. {head}…"
        head = f"{head} {word}".strip()
    return f"п. {number}. {head}"


def _split_paragraphs(lines: list[_Line], slug: str) -> list[Unit]:
    # (section index, unit) pairs; ids are assigned once the main section is known.
    found: list[tuple[int, Unit]] = []
    section, section_title, chapter = 0, "", ""
    used: set[str] = set()
    cur: Unit | None = None
    for line in lines:
        if line.end:
            cur = None
            continue
        if line.level and not line.nested:
            if line.level == 2:
                # Numbering restarts in each `## ` section (the decree, its Положение, annexes).
                section, section_title, chapter, used = section + 1, line.text, "", set()
            elif line.level > 2:
                chapter = line.text
            cur = None
            continue
        m = PARAGRAPH_RE.match(line.text) if not line.nested and not line.footnote else None
        if m and m.group("num") not in used:
            number = m.group("num")
            used.add(number)
            context = " / ".join(t for t in (section_title, chapter) if t)
            cur = Unit("paragraph", "", "", number, _paragraph_title(number, m.group("text")), context)
            cur.lines.append(m.group("text"))
            found.append((section, cur))
        elif cur is not None:
            (cur.footnotes if line.footnote else cur.lines).append(line.text)
    if not found:
        return []
    counts = Counter(sec for sec, _ in found)
    main = max(sorted(counts), key=lambda sec: counts[sec])  # ties: the earliest section
    for sec, unit in found:
        unit.article = f"p{unit.number}" if sec == main else f"s{sec}-p{unit.number}"
        unit.citation = f"{slug}#{unit.article}"
    return [unit for _, unit in found]


def split_units(text: str, slug: str, *, markdown: bool = True) -> list[Unit]:
    """Articles when the text has article headings, else numbered paragraphs.

    `markdown=False` (docx/pdf/html/txt) also recognises plain «Статья N.» / «N-бап.» lines as
    headings and ignores indentation."""
    lines = _lines(text, markdown)
    if any(_article_number(line) for line in lines):
        return _split_articles(lines, slug)
    return _split_paragraphs(lines, slug)
