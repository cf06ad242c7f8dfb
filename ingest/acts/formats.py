"""Read an act file of any supported format into normalised text lines.

Markdown is returned as is; the other formats are rendered to a markdown-like text (headings as
`#` lines) so that one structure parser serves them all.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.domain import Lang
from assistant.errors import ValidationProblem
from ingest.acts.structure import ARTICLE_PLAIN_RE, CHAPTER_PLAIN_RE

MARKDOWN_SUFFIXES = (".md", ".markdown")
SUPPORTED_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".docx", ".pdf", ".html", ".htm")

# Far more than the text of an act needs; the audit's 258 KB .docx cost 402 MB and 26 s to open.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000

_LANG_STEMS: dict[str, Lang] = {"rus": "ru", "ru": "ru", "kaz": "kk", "kk": "kk"}

# A word broken by a hyphen at a line end ("госу-\nдарственных"). Only a lowercase letter may
# follow, so "9-\n1" numbering and line-initial capitals are never glued.
_HYPHEN_WRAP_RE = re.compile(r"(\w)[-\u00ad\u2010]\n([a-zа-яёәғқңөұүһі])")
_HEADING_STYLE_RE = re.compile(r"^(?:heading|заголовок)\s*(\d)", re.I)
_BLANKS_RE = re.compile(r"[ \t\u00a0\u2007\u202f]+")
# The corpus markdown embeds annex tables as raw HTML.
_TABLE_RE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW_RE = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_CELL_RE = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def lang_of_stem(stem: str) -> Lang | None:
    """'rus'/'ru' → 'ru', 'kaz'/'kk' → 'kk', anything else → None."""
    return _LANG_STEMS.get(stem.lower())


def is_markdown(path: Path) -> bool:
    return path.suffix.lower() in MARKDOWN_SUFFIXES


def _problem(path: Path, reason: str) -> ValidationProblem:
    return ValidationProblem(f"cannot read act file {path.name}", [f"{path.name}: {reason}"])


def _norm_line(line: str) -> str:
    return _BLANKS_RE.sub(" ", line).strip()


def _read_plain(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Texts saved by Windows tools in the region are usually cp1251.
        return raw.decode("cp1251")


def _table_rows(match: re.Match[str]) -> str:
    rows = []
    for row in _ROW_RE.findall(match.group(0)):
        cells = [_norm_line(html.unescape(_TAG_RE.sub(" ", cell))) for cell in _CELL_RE.findall(row)]
        line = " | ".join(cell for cell in cells if cell)
        # Indented so that the structure parser treats rows as continuation of the enclosing
        # paragraph, never as a new numbered paragraph.
        if line:
            rows.append(f"    {line}")
    return "\n".join(rows)


def _read_markdown(path: Path) -> str:
    return _TABLE_RE.sub(_table_rows, _read_plain(path))


def _plain_heading(text: str) -> str:
    """Promote a paragraph that is an article/chapter heading to a `#` line."""
    if ARTICLE_PLAIN_RE.match(text):
        return f"### {text}"
    if CHAPTER_PLAIN_RE.match(text):
        return f"## {text}"
    return text


def check_zip_bomb(archive: zipfile.ZipFile) -> None:
    """Refuse an archive that would unpack to more than `MAX_UNZIPPED_BYTES` or holds too many
    members, before anything is unpacked. The sizes come from the zip directory; zipfile never
    inflates a member past its declared size, so a lying header cannot get around this."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValueError(f"{len(members)} parts inside (limit {MAX_ZIP_MEMBERS})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise ValueError(
            f"unpacks to {unpacked // (1024 * 1024)} MB (limit {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB)"
        )


def _read_docx(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # python-docx reports a non-zip file as "Package not found at <path>", which sends admins
    # looking for a missing file; zipfile names the real problem.
    with zipfile.ZipFile(path) as archive:
        if "word/document.xml" not in archive.namelist():
            raise ValueError("no word/document.xml inside; is it a .doc or another zip?")
        check_zip_bomb(archive)
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [_norm_line(c.text) for c in row.cells]
                lines.append(" | ".join(c for c in cells if c))
            continue
        if not isinstance(block, Paragraph):
            continue
        # A paragraph may carry soft line breaks; each becomes its own line.
        for part in block.text.split("\n"):
            text = _norm_line(part)
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            m = _HEADING_STYLE_RE.match(style)
            if m:
                lines.append(f"{'#' * max(1, min(int(m.group(1)), 6))} {text}")
            elif style.lower() in ("title", "название"):
                lines.append(f"# {text}")
            else:
                lines.append(_plain_heading(text))
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n".join(pages)
    text = _HYPHEN_WRAP_RE.sub(r"\1\2", text)
    return "\n".join(_norm_line(line) for line in text.splitlines())


def _html_blocks(path: Path) -> Iterator[str]:
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(_read_plain(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "head", "template"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    headings = {f"h{i}": i for i in range(1, 7)}
    blocks = (*headings, "p", "li", "pre", "td", "th", "dt", "dd", "blockquote", "div")
    for el in soup.find_all(blocks):
        if not isinstance(el, Tag):
            continue
        # Only innermost blocks: an <li> holding <p>s is emitted through its paragraphs.
        if el.find(blocks) is not None:
            continue
        for part in el.get_text().split("\n"):
            text = _norm_line(part)
            if not text:
                continue
            level = headings.get(el.name)
            yield f"{'#' * min(level, 4)} {text}" if level else _plain_heading(text)


def _read_html(path: Path) -> str:
    return "\n".join(_html_blocks(path))


_READERS: dict[str, tuple[str, Callable[[Path], str]]] = {
    ".md": ("markdown", _read_markdown),
    ".markdown": ("markdown", _read_markdown),
    ".txt": ("text", _read_plain),
    ".docx": (".docx", _read_docx),
    ".pdf": (".pdf", _read_pdf),
    ".html": ("HTML", _read_html),
    ".htm": ("HTML", _read_html),
}


def read_act_text(path: Path) -> str:
    """The act text with `\\n` line ends; raises `ValidationProblem` naming the file when it cannot
    be read or yields no text."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise _problem(path, f"unsupported format '{path.suffix}' (supported: {supported})")
    kind, read = reader
    if not path.is_file():
        raise _problem(path, "file not found")
    try:
        text = read(path)
    except Exception as exc:  # any parser failure means the same thing to an admin: bad file
        reason = str(exc) or type(exc).__name__
        raise _problem(path, f"not a valid {kind} file ({reason})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if not text.strip():
        raise _problem(path, "no text could be extracted (empty or scanned file?)")
    return text
