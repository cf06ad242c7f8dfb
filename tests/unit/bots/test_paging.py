"""A long list in an answer is shown page by page; each page keeps the head, cites only its own
items and says nothing about pages a bot user cannot open."""

from __future__ import annotations

from bots.telegram.api import AnswerView, Citation
from bots.telegram.keyboards import NOOP, list_keyboard, unpack_list_page
from bots.telegram.paging import list_pages


def _listing(n: int, shown: int, lang: str = "ru") -> AnswerView:
    lines = [f"В реестре органы: МИОР: {n} функций."]
    lines += [f"{i}. «функция {i}» — МИОР; риск: высокий [{i}]" for i in range(1, shown + 1)]
    if n > shown:
        lines.append(f"…и ещё {n - shown} (полный список — на странице аналитики или `kenes analytics`).")
    citations = [
        Citation(n=i, citation=f"registry:X-{i}", kind="registry", title=f"X-{i}")
        for i in range(1, shown + 1)
    ]
    return AnswerView(
        answer_id="a" * 36, conversation_id="c", answer="\n".join(lines), lang=lang, citations=citations
    )


def test_a_short_answer_is_not_paged() -> None:
    assert list_pages(_listing(3, 3)) is None


def test_long_list_pages_keep_the_head_and_cite_their_own_items() -> None:
    pages = list_pages(_listing(79, 12), per_page=5)
    assert pages is not None and len(pages) == 3
    first, last = pages[0], pages[-1]
    assert first.html.startswith("В реестре органы: МИОР: 79 функций.")
    assert "«функция 5»" in first.html and "«функция 6»" not in first.html
    assert [c.n for c in first.citations] == [1, 2, 3, 4, 5]
    assert [c.n for c in last.citations] == [11, 12]
    assert "Список: стр. 3 из 3" in last.html
    for page in pages:  # the analytics page and the CLI are not for a bot user
        assert "kenes analytics" not in page.html and "аналитики" not in page.html
        assert "уточните орган" in page.html.lower()


def test_list_keyboard_pages_and_its_callback_data_round_trips() -> None:
    answer = _listing(20, 12)
    pages = list_pages(answer, per_page=5)
    assert pages is not None
    rows = list_keyboard(answer, pages[1].citations, 1, len(pages)).inline_keyboard
    nav = rows[-2]
    assert [b.text for b in nav] == ["◀", "2/3", "▶"]
    assert nav[1].callback_data == NOOP
    assert unpack_list_page(str(nav[2].callback_data)) == (answer.answer_id, 2)
    assert all(len(str(b.callback_data).encode()) <= 64 for row in rows for b in row)
    assert [b.text for b in rows[0]] == [f"[{n}]" for n in range(6, 11)]
