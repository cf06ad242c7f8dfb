"""Inline keyboards and their callback data.

Callback data is at most 64 bytes, and citation ids contain ':' (`registry:PS-08-03`), so the
data is packed by hand with '|' and carries the citation itself: buttons keep working after a
bot restart. A citation too long for that is replaced by a short alias kept in memory."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram.api import AnswerView, Citation
from bots.telegram.formatting import shorten
from bots.telegram.texts import t

CALLBACK_BYTES = 64
SEP = "|"
OPEN, PAGE, FEEDBACK, LIST, NOOP = "s", "p", "f", "l", "n"
LIST_PAGE = "a"  # ◀ ▶ of a long list in an answer: a|<page>|<answer_id>
ANSWER_SOURCE_BUTTONS = 6  # more than that and the answer's keyboard gets a "all sources" button
LIST_BUTTONS = 50  # Telegram allows 100 buttons per message; leave room for feedback and navigation
_ALIAS = "~"


class _Aliases:
    def __init__(self, capacity: int = 5_000) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def add(self, citation: str) -> str:
        key = _ALIAS + hashlib.sha1(citation.encode("utf-8")).hexdigest()[:12]
        self._items[key] = citation
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self._items.get(key)


aliases = _Aliases()


@dataclass(frozen=True)
class SourceRef:
    action: str  # OPEN (send a new message) or PAGE (edit the message in place)
    lang: str
    page: int
    citation: str


def pack_source(action: str, citation: str, lang: str, page: int = 0) -> str:
    data = SEP.join((action, lang, str(page), citation))
    if len(data.encode("utf-8")) <= CALLBACK_BYTES and not citation.startswith(_ALIAS):
        return data
    return SEP.join((action, lang, str(page), aliases.add(citation)))


def unpack_source(data: str) -> SourceRef | None:
    """None for malformed data or an alias this process no longer knows (bot restarted)."""
    parts = data.split(SEP, 3)
    if len(parts) != 4 or parts[0] not in (OPEN, PAGE) or not parts[2].isdigit():
        return None
    action, lang, page, citation = parts
    if citation.startswith(_ALIAS):
        resolved = aliases.get(citation)
        if resolved is None:
            return None
        citation = resolved
    return SourceRef(action, "kk" if lang == "kk" else "ru", int(page), citation)


def pack_feedback(answer_id: str, rating: int) -> str:
    return SEP.join((FEEDBACK, str(rating), answer_id))


def unpack_feedback(data: str) -> tuple[str, int] | None:
    parts = data.split(SEP, 2)
    if len(parts) != 3 or parts[0] != FEEDBACK or parts[1] not in ("1", "-1") or not parts[2]:
        return None
    return parts[2], int(parts[1])


def is_action(data: str | None, action: str) -> bool:
    return bool(data) and (data == action or str(data).startswith(action + SEP))


def _source_button(c: Citation, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=pack_source(OPEN, c.citation, c.lang))


def answer_keyboard(answer: AnswerView) -> InlineKeyboardMarkup:
    """One button per source (the first few), 'all sources' if there are more, then 👍/👎."""
    rows: list[list[InlineKeyboardButton]] = []
    shown = answer.citations[:ANSWER_SOURCE_BUTTONS]
    for c in shown:
        rows.append([_source_button(c, f"[{c.n}] {shorten(c.title or c.citation, 40)}")])
    hidden = len(answer.citations) - len(shown)
    if hidden > 0:
        label = t("all_sources", answer.lang, count=len(answer.citations))
        rows.append([InlineKeyboardButton(text=label, callback_data=SEP.join((LIST, answer.answer_id)))])
    rows.append(
        [
            InlineKeyboardButton(text="👍", callback_data=pack_feedback(answer.answer_id, 1)),
            InlineKeyboardButton(text="👎", callback_data=pack_feedback(answer.answer_id, -1)),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def sources_keyboard(citations: list[Citation], per_row: int = 5) -> InlineKeyboardMarkup:
    buttons = [_source_button(c, f"[{c.n}]") for c in citations[:LIST_BUTTONS]]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pager_keyboard(citation: str, lang: str, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ n/N ▶ for a paged source view (pages counted from 0); None when it fits on one page."""
    if pages <= 1:
        return None
    row: list[InlineKeyboardButton] = []
    if page > 0:
        row.append(InlineKeyboardButton(text="◀", callback_data=pack_source(PAGE, citation, lang, page - 1)))
    row.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=NOOP))
    if page + 1 < pages:
        row.append(InlineKeyboardButton(text="▶", callback_data=pack_source(PAGE, citation, lang, page + 1)))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def pack_list_page(answer_id: str, page: int) -> str:
    return SEP.join((LIST_PAGE, str(page), answer_id))


def unpack_list_page(data: str) -> tuple[str, int] | None:
    parts = data.split(SEP, 2)
    if len(parts) != 3 or parts[0] != LIST_PAGE or not parts[1].isdigit() or not parts[2]:
        return None
    return parts[2], int(parts[1])


def list_keyboard(
    answer: AnswerView, citations: list[Citation], page: int, pages: int, per_row: int = 5
) -> InlineKeyboardMarkup:
    """A page of a long list: its sources as [n] buttons, ◀ n/N ▶, then 👍/👎."""
    buttons = [_source_button(c, f"[{c.n}]") for c in citations[:LIST_BUTTONS]]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="◀", callback_data=pack_list_page(answer.answer_id, page - 1)))
    nav.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=NOOP))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(text="▶", callback_data=pack_list_page(answer.answer_id, page + 1)))
    rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(text="👍", callback_data=pack_feedback(answer.answer_id, 1)),
            InlineKeyboardButton(text="👎", callback_data=pack_feedback(answer.answer_id, -1)),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)
