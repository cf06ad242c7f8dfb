"""Callback data within Telegram's 64 bytes, and the keyboards under answers and sources."""

from __future__ import annotations

from bots.telegram.api import AnswerView, Citation
from bots.telegram.keyboards import (
    CALLBACK_BYTES,
    LIST,
    OPEN,
    PAGE,
    answer_keyboard,
    pack_feedback,
    pack_source,
    pager_keyboard,
    sources_keyboard,
    unpack_feedback,
    unpack_source,
)


def _answer(n_citations: int) -> AnswerView:
    citations = [
        Citation(n=i, citation=f"registry:PS-{i:02d}", kind="registry", title=f"PS-{i:02d}: функция {i}" * 3)
        for i in range(1, n_citations + 1)
    ]
    return AnswerView(answer_id="0" * 36, conversation_id="c", answer="…", citations=citations)


def test_source_data_round_trips_with_colons_in_the_citation() -> None:
    data = pack_source(OPEN, "registry:PS-08-03", "kk", 2)
    ref = unpack_source(data)
    assert ref is not None and (ref.action, ref.lang, ref.page, ref.citation) == (
        OPEN,
        "kk",
        2,
        "registry:PS-08-03",
    )


def test_a_long_citation_gets_an_alias_within_64_bytes() -> None:
    citation = "очень-длинный-акт-о-государственных-услугах-и-не-только#st125-1.p3"
    data = pack_source(PAGE, citation, "ru", 11)
    assert len(data.encode("utf-8")) <= CALLBACK_BYTES
    ref = unpack_source(data)
    assert ref is not None and ref.citation == citation and ref.page == 11


def test_malformed_or_unknown_data_is_rejected() -> None:
    assert unpack_source("s|ru|x|a#st1") is None
    assert unpack_source("s|ru|0|~000000000000") is None  # an alias from before a restart
    assert unpack_source("garbage") is None
    assert unpack_feedback("f|2|abc") is None
    assert unpack_feedback(pack_feedback("a" * 36, -1)) == ("a" * 36, -1)
    assert len(pack_feedback("a" * 36, -1).encode()) <= CALLBACK_BYTES


def test_answer_keyboard_has_sources_then_feedback() -> None:
    rows = answer_keyboard(_answer(2)).inline_keyboard
    assert [b.text[:3] for b in (rows[0][0], rows[1][0])] == ["[1]", "[2]"]
    assert [b.text for b in rows[-1]] == ["👍", "👎"]
    for row in rows:
        for button in row:
            assert button.callback_data and len(button.callback_data.encode()) <= CALLBACK_BYTES
            assert len(button.text) <= 45


def test_many_sources_get_an_all_sources_button() -> None:
    rows = answer_keyboard(_answer(15)).inline_keyboard
    assert len(rows) == 6 + 2
    assert rows[6][0].callback_data == f"{LIST}|{'0' * 36}" and "15" in rows[6][0].text
    listing = sources_keyboard(_answer(15).citations)
    assert sum(len(r) for r in listing.inline_keyboard) == 15


def test_pager_shows_only_the_possible_directions() -> None:
    assert pager_keyboard("a#st1", "ru", 0, 1) is None
    first = pager_keyboard("a#st1", "ru", 0, 3)
    last = pager_keyboard("a#st1", "ru", 2, 3)
    assert first is not None and [b.text for b in first.inline_keyboard[0]] == ["1/3", "▶"]
    assert last is not None and [b.text for b in last.inline_keyboard[0]] == ["◀", "3/3"]
    back = unpack_source(str(last.inline_keyboard[0][0].callback_data))
    assert back is not None and back.page == 1 and back.action == PAGE
