"""A long list in an answer (e.g. «functions of agency X by risk») shown page by page inside the
chat, with ◀ ▶ under the message, instead of one long wall of text.

The answer is split into its head (the lines before the list), the numbered or bulleted items,
and its tail; each page repeats the head, shows its items and only the sources those items
cite. The API's pointer to the analytics page or `kenes analytics` is replaced with advice a
civil servant can follow in the chat."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bots.telegram.api import AnswerView, Citation
from bots.telegram.formatting import citation_lines, escape, render_answer_text
from bots.telegram.texts import t

LIST_PAGE_ITEMS = 5
_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*])\s+\S")
_MARKER = re.compile(r"\[(\d{1,3})\]")
# the rest of a long list lives on the analytics page or in the CLI: neither is for a bot user
_ELSEWHERE = re.compile(r"\s*\((?:полный список|толық тізім)[^()]*\)")


@dataclass(frozen=True)
class ListPage:
    html: str
    citations: list[Citation]  # the sources the page's items cite (for its buttons)


def list_pages(answer: AnswerView, per_page: int = LIST_PAGE_ITEMS) -> list[ListPage] | None:
    """The answer in pages, or None when it has no list longer than one page."""
    lines = answer.answer.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if _ITEM.match(line)), None)
    if first is None:
        return None
    end = first
    while end < len(lines) and _ITEM.match(lines[end]):
        end += 1
    items = lines[first:end]
    if len(items) <= per_page:
        return None
    head, tail = lines[:first], [_ELSEWHERE.sub("", line) for line in lines[end:]]
    if any(_ELSEWHERE.search(line) for line in lines[end:]):
        tail.append(t("list_narrow", answer.lang))
    by_n = {c.n: c for c in answer.citations}
    pages = []
    total = (len(items) + per_page - 1) // per_page
    for k in range(total):
        chunk = items[k * per_page : (k + 1) * per_page]
        cited = sorted({int(n) for line in chunk for n in _MARKER.findall(line) if int(n) in by_n})
        cited += sorted({int(n) for line in head + tail for n in _MARKER.findall(line) if int(n) in by_n})
        citations = [by_n[n] for n in dict.fromkeys(cited)]
        pages.append(ListPage(_page_html(answer, head, chunk, tail, citations, k + 1, total), citations))
    return pages


def _page_html(
    answer: AnswerView,
    head: list[str],
    items: list[str],
    tail: list[str],
    citations: list[Citation],
    page: int,
    pages: int,
) -> str:
    lang = answer.lang
    blocks = [render_answer_text("\n".join([*head, *items, *tail]))]
    if answer.notice:
        blocks.append(f"<i>{escape(answer.notice.strip())}</i>")
    if citations:
        blocks.append("\n".join([f"<b>{t('sources', lang)}:</b>", *citation_lines(citations, lang)]))
    blocks.append(f"<i>{t('list_page', lang, page=page, pages=pages)}</i>")
    return "\n\n".join(b for b in blocks if b)
