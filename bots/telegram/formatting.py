"""Answers and sources as Telegram HTML, split into messages Telegram accepts.

Everything from the API is escaped before any markup is added, so text from documents can
never inject tags. Splitting works on the finished HTML and knows its tags and entities: a cut
lands at the best boundary available (paragraph, line, sentence, word), never inside a tag or an
entity, and tags open at a cut are closed before it and reopened after it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bots.telegram.api import AnswerView, Citation, SourceView
from bots.telegram.texts import REGISTRY_FIELDS, t

# Telegram's limit for a message text. Read at call time (tests lower it).
MESSAGE_LIMIT = 4096
# a source page leaves room for its header (title, act, date, status) and footer
SOURCE_PAGE_CHARS = 3000
_TITLE_CHARS = 300
_STATUS_CHARS = 300

_MARKER = re.compile(r"\[(\d{1,3})\]")
# no '<' inside: markup is added step by step and must never end up crossing or nested in code
_BOLD = re.compile(r"\*\*(?=\S)([^<\n]+?)(?<=\S)\*\*")
_CODE = re.compile(r"`([^`<\n]+)`")
_ATOM = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]\w*);|[\s\S]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_SENTENCE_END = frozenset(".!?…;:")


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def escape_attr(text: str) -> str:
    return html.escape(text, quote=True)


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): emoji outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# registry scales are kept in Russian; a Kazakh reader gets them in Kazakh
_KK_VALUES = {
    "да": "иә",
    "частично": "ішінара",
    "нет": "жоқ",
    "низкий": "төмен",
    "средний": "орташа",
    "высокий": "жоғары",
}
_SCALE_FIELDS = ("automatable", "automation_risk")


def day(text: str) -> str:
    """ISO dates (2019-09-12) as the one date format of the UI: 12.09.2019."""
    return _ISO_DATE.sub(r"\3.\2.\1", text)


def render_answer_text(text: str) -> str:
    """The answer body: escaped, `[n]` markers in bold; an LLM's `**bold**` and `code` kept."""
    body = escape(day(text.strip()))
    body = _MARKER.sub(r"<b>[\1]</b>", body)
    body = _BOLD.sub(r"<b>\1</b>", body)
    return _CODE.sub(r"<code>\1</code>", body)


def citation_line(c: Citation, lang: str, *, with_act: bool = True) -> str:
    """`[n] title — act; ред. от date ⚠ утратил силу` (the act left out when already named)."""
    line = f"<b>[{c.n}]</b> {escape(shorten(c.title or c.citation, _TITLE_CHARS))}"
    if with_act and c.act_title and c.act_title not in c.title:
        line += " — " + escape(shorten(c.act_title, _TITLE_CHARS))
    if c.version_date:
        line += "; " + escape(t("edition", lang, date=day(c.version_date)))
    if c.repealed:
        line += " " + t("repealed", lang)
    return line


def citation_lines(citations: list[Citation], lang: str) -> list[str]:
    """One line per source; an act's title is named once, so a list of many registry rows of
    one statute does not repeat it on every line."""
    seen: set[str] = set()
    lines = []
    for c in citations:
        lines.append(citation_line(c, lang, with_act=c.act_title not in seen))
        seen.add(c.act_title)
    return lines


def format_answer(answer: AnswerView, limit: int | None = None) -> list[str]:
    """The answer, its notice and the list of its sources, as one or more HTML messages."""
    lang = answer.lang
    blocks = [render_answer_text(answer.answer)]
    if answer.notice:
        blocks.append(f"<i>{escape(answer.notice.strip())}</i>")
    if answer.citations:
        lines = [f"<b>{t('sources', lang)}:</b>", *citation_lines(answer.citations, lang)]
        blocks.append("\n".join(lines))
        if lang == "kk" and any(c.kind == "registry" for c in answer.citations):
            blocks.append(f"<i>{t('ru_only', lang)}</i>")
    return split_html("\n\n".join(b for b in blocks if b), limit)


def format_sources(citations: list[Citation], lang: str, limit: int | None = None) -> list[str]:
    lines = [f"<b>{t('sources', lang)}:</b>", *citation_lines(citations, lang)]
    return split_html("\n".join(lines), limit)


def _source_header(source: SourceView, lang: str) -> str:
    lines = [f"<b>{escape(shorten(source.title or source.citation, _TITLE_CHARS))}</b>"]
    meta = []
    if source.act_title and source.act_title not in source.title:
        meta.append(escape(shorten(source.act_title, _TITLE_CHARS)))
    if source.version_date:
        meta.append(escape(t("edition", lang, date=day(source.version_date))))
    if meta:
        lines.append(" · ".join(meta))
    if source.repealed:
        status = f": {escape(shorten(source.status, _STATUS_CHARS))}" if source.status else ""
        lines.append(f"<b>{t('repealed', lang)}</b>{status}")
    if source.source_url.startswith(("http://", "https://")):
        url = escape_attr(source.source_url)
        lines.append(f'<a href="{url}">{t("open_source", lang)}</a>')
    return "\n".join(lines)


def _source_body(source: SourceView, lang: str) -> str:
    if source.kind == "registry" and source.registry:
        row = source.registry
        lines = []
        for key, labels in REGISTRY_FIELDS.items():
            value = (row.get(key) or "").strip()
            if lang == "kk" and key in _SCALE_FIELDS:
                value = _KK_VALUES.get(value.lower(), value)
            if value:
                lines.append(f"<b>{escape(labels['kk' if lang == 'kk' else 'ru'])}:</b> {escape(day(value))}")
        if lines:
            if lang == "kk":
                lines.append(f"<i>{t('ru_only', lang)}</i>")
            return "\n".join(lines)
    return escape(source.text.strip())


def source_pages(source: SourceView, lang: str, page_chars: int | None = None) -> list[str]:
    """The source text in pages, each with the source's header and, if several, a page footer."""
    header = _source_header(source, lang)
    pages = split_html(_source_body(source, lang), page_chars or SOURCE_PAGE_CHARS) or [""]
    total = len(pages)
    out = []
    for i, body in enumerate(pages, 1):
        footer = f"\n\n<i>{t('page', lang, page=i, pages=total)}</i>" if total > 1 else ""
        out.append(f"{header}\n\n{body}{footer}" if body else header)
    return out


def strip_html(text: str) -> str:
    """Plain text of our HTML: the fallback if Telegram ever refuses to parse a message."""
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


# -- splitting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cut:
    end: int  # atoms before the cut
    priority: int
    stack: tuple[tuple[str, str], ...]  # (name, opening tag) open at the cut


def _atoms(text: str) -> list[str]:
    return _ATOM.findall(text)


def _priority(atoms: list[str], i: int) -> int:
    """How good a cut after atom i is: 4 paragraph, 3 line, 2 sentence, 1 word, 0 anywhere."""
    a = atoms[i]
    nxt = atoms[i + 1] if i + 1 < len(atoms) else ""
    if a == "\n":
        return 4 if nxt == "\n" or (i > 0 and atoms[i - 1] == "\n") else 3
    if a.isspace():
        prev = atoms[i - 1] if i > 0 else ""
        return 2 if prev in _SENTENCE_END else 1
    return 0


def _closing(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _is_text(atom: str) -> bool:
    return not (atom.startswith("<") and atom.endswith(">") and len(atom) > 1)


def split_html(text: str, limit: int | None = None) -> list[str]:
    """Split HTML into pieces of at most `limit` UTF-16 units, each with balanced tags."""
    limit = limit or MESSAGE_LIMIT
    text = text.strip()
    if not text:
        return []
    if units(text) <= limit:
        return [text]
    atoms = _atoms(text)
    pieces: list[str] = []
    start = 0
    stack: tuple[tuple[str, str], ...] = ()
    while start < len(atoms):
        start = _skip_space(atoms, start)
        if start >= len(atoms):
            break
        end, stack_at_end = _fit(atoms, start, stack, limit)
        body = "".join(atoms[start:end]).rstrip()
        piece = "".join(tag for _, tag in stack) + body + _closing(stack_at_end)
        if strip_html(piece).strip():
            pieces.append(piece)
        start, stack = end, stack_at_end
    return pieces


def _skip_space(atoms: list[str], i: int) -> int:
    while i < len(atoms) and atoms[i].isspace():
        i += 1
    return i


def _fit(
    atoms: list[str], start: int, stack: tuple[tuple[str, str], ...], limit: int
) -> tuple[int, tuple[tuple[str, str], ...]]:
    """The end of the piece starting at `start`: the best cut in its second half (else anywhere)."""
    used = sum(units(tag) for _, tag in stack)
    cuts: list[_Cut] = []
    current = stack
    i = start
    while i < len(atoms):
        atom = atoms[i]
        after = _push_pop(current, atom)
        if used + units(atom) + units(_closing(after)) > limit:
            break
        used += units(atom)
        current = after
        nxt = atoms[i + 1] if i + 1 < len(atoms) else ""
        if _is_text(atom) and not nxt.startswith("</"):
            # not just before a closing tag: that cut would leave an empty element behind
            cuts.append(_Cut(i + 1, _priority(atoms, i), current))
        elif atom.startswith("</"):
            cuts.append(_Cut(i + 1, 0, current))
        i += 1
    if i >= len(atoms):
        return len(atoms), current
    if not cuts:  # one atom larger than the limit: send it alone rather than loop forever
        return start + 1, _push_pop(stack, atoms[start])
    half = start + (i - start) // 2
    late = [c for c in cuts if c.end > half] or cuts
    best = max(late, key=lambda c: (c.priority, c.end))
    return best.end, best.stack


def _push_pop(stack: tuple[tuple[str, str], ...], atom: str) -> tuple[tuple[str, str], ...]:
    if _is_text(atom) or atom.startswith("<!"):
        return stack
    match = _TAG_NAME.match(atom)
    if match is None:
        return stack
    name = match.group(1).lower()
    if atom.startswith("</"):
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == name:
                return stack[:k] + stack[k + 1 :]
        return stack
    if atom.endswith("/>"):
        return stack
    return (*stack, (name, atom))
