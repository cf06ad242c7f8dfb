"""Telegram HTML: escaping, the answer and source layouts, and splitting at safe boundaries."""

from __future__ import annotations

import re

import pytest

from bots.telegram import formatting
from bots.telegram.api import AnswerView, Citation, SourceView
from bots.telegram.formatting import (
    format_answer,
    render_answer_text,
    source_pages,
    split_html,
    strip_html,
    units,
)
from tests.e2e.fake_telegram import parse_html


def _balanced(piece: str) -> bool:
    return parse_html(piece) is not None


def _citation(n: int, **kw: object) -> Citation:
    base: dict[str, object] = {
        "n": n,
        "citation": f"public-services#st{n}",
        "kind": "act",
        "title": f"Статья {n}. Компетенция",
        "act_title": "О государственных услугах",
        "version_date": "2024-01-01",
    }
    return Citation.model_validate({**base, **kw})


def test_escapes_everything_from_the_api() -> None:
    out = render_answer_text('Закон <b>не</b> & "кавычки" [1] <script>alert(1)</script>')
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&lt;b&gt;не&lt;/b&gt;" in out
    assert "&amp;" in out and '"кавычки"' in out
    assert "<b>[1]</b>" in out
    assert _balanced(out)


def test_llm_markdown_bold_and_code_become_tags_but_never_nest() -> None:
    out = render_answer_text("**Важно**: см. `kenes analytics` и `ст. [2]` **a [3] b**")
    assert "<b>Важно</b>" in out and "<code>kenes analytics</code>" in out
    assert "<code>ст." not in out  # a marker inside would nest an entity in code
    assert _balanced(out)


def test_answer_lists_sources_with_date_and_repealed_flag() -> None:
    answer = AnswerView(
        answer_id="a",
        conversation_id="c",
        answer="Срок — пять дней [1]. Орган — министерство [2].",
        notice="LLM недоступна",
        citations=[_citation(1), _citation(2, repealed=True, title="Статья 2 <x>")],
    )
    (text,) = format_answer(answer)
    assert "<b>Источники:</b>" in text and "<i>LLM недоступна</i>" in text
    assert "ред. от 01.01.2024" in text and "⚠ утратил силу" in text
    assert "Статья 2 &lt;x&gt;" in text
    assert text.count("О государственных услугах") == 1  # the act is named once
    assert _balanced(text)


def test_kazakh_answer_uses_kazakh_labels() -> None:
    answer = AnswerView(
        answer_id="a", conversation_id="c", answer="Жауап [1].", lang="kk", citations=[_citation(1)]
    )
    (text,) = format_answer(answer)
    assert "Дереккөздер" in text and "01.01.2024 редакциясы" in text


def test_short_text_is_one_piece_and_empty_text_none() -> None:
    assert split_html("<b>да</b>") == ["<b>да</b>"]
    assert split_html("   \n ") == []


def test_pieces_respect_the_limit_and_prefer_paragraphs() -> None:
    paragraphs = [f"Абзац {i}. " + "слово " * 40 for i in range(30)]
    text = "\n\n".join(paragraphs)
    pieces = split_html(text, 1000)
    assert len(pieces) > 3
    assert all(units(p) <= 1000 for p in pieces)
    assert all(p.startswith("Абзац") for p in pieces)  # every cut fell between paragraphs
    assert re.sub(r"\s+", " ", " ".join(pieces)) == re.sub(r"\s+", " ", text).strip()


def test_sentences_then_words_when_there_is_no_paragraph() -> None:
    text = " ".join(f"Предложение {i} о сроках рассмотрения." for i in range(200))
    pieces = split_html(text, 500)
    assert all(units(p) <= 500 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    one_word = "а" * 1200
    assert [len(p) for p in split_html(one_word, 500)] == [500, 500, 200]


def test_never_cuts_inside_tags_or_entities_and_reopens_tags() -> None:
    inner = " ".join(f"пункт&nbsp;{i} &amp; «{i}»" for i in range(300))
    text = f'<b>Заголовок</b>\n<i>{inner}</i>\n<a href="https://zan.gov.kz/doc?a=1&amp;b=2">ссылка</a>'
    pieces = split_html(text, 700)
    assert len(pieces) > 3
    for piece in pieces:
        assert units(piece) <= 700
        assert _balanced(piece.replace("&nbsp;", " ")), piece
        assert not re.search(r"&[a-z#0-9]*$", strip_html(piece.split("<")[-1]))  # no entity cut
    assert all(p.startswith("<i>") for p in pieces[1:-1])  # the italic run reopened after each cut
    rejoined = "".join(strip_html(p) for p in pieces)
    assert rejoined.replace(" ", "").replace("\n", "") == strip_html(text).replace(" ", "").replace("\n", "")


def test_limit_counts_utf16_units_like_telegram() -> None:
    text = "👍" * 3000  # 2 UTF-16 units each
    pieces = split_html(text, 4096)
    assert all(units(p) <= 4096 for p in pieces)
    assert [len(p) for p in pieces] == [2048, 952]


def test_the_default_limit_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting, "MESSAGE_LIMIT", 100)
    answer = AnswerView(answer_id="a", conversation_id="c", answer="Очень длинный ответ. " * 30)
    parts = format_answer(answer)
    assert len(parts) > 3 and all(units(p) <= 100 for p in parts)


def test_long_answer_with_many_sources_splits_into_valid_messages() -> None:
    lines = [f"{i}. «функция {i}» — орган; автоматизируемая: да [{i}]" for i in range(1, 120)]
    citations = [_citation(i, title=f"REG-{i}: функция {i} " + "x" * 80) for i in range(1, 120)]
    answer = AnswerView(answer_id="a", conversation_id="c", answer="\n".join(lines), citations=citations)
    parts = format_answer(answer)
    assert len(parts) >= 2
    assert all(units(p) <= 4096 and _balanced(p) for p in parts)


def test_source_pages_carry_the_header_and_a_page_footer() -> None:
    source = SourceView(
        citation="mior-statute#p16",
        title="п. 16. Функции:",
        text="\n".join(f"{i}) функция номер {i} <важная> & нужная;" for i in range(400)),
        act_title="О Министерстве",
        version_date="2019-09-12",
        source_url="https://zan.gov.kz/client/#!/doc/1?x=1&y=2",
        repealed=True,
        status="Утратило силу постановлением № 866",
    )
    pages = source_pages(source, "ru")
    assert len(pages) > 3
    for i, page in enumerate(pages, 1):
        assert units(page) <= 4096 and _balanced(page)
        assert page.startswith("<b>п. 16. Функции:</b>")
        assert f"стр. {i}/{len(pages)}" in page
        assert "утратил силу" in page and "&lt;важная&gt;" in page
    assert 'href="https://zan.gov.kz/client/#!/doc/1?x=1&amp;y=2"' in pages[0]


def test_registry_source_shows_labelled_columns_and_unsafe_links_are_dropped() -> None:
    source = SourceView(
        citation="registry:PS-08-03",
        kind="registry",
        title="PS-08-03: ведение реестра",
        text="Орган: …",
        source_url="javascript:alert(1)",
        registry={"function_id": "PS-08-03", "agency": "Министерство", "automatable": "да"},
    )
    (page,) = source_pages(source, "kk")
    assert "<b>Коды:</b> PS-08-03" in page and "<b>Орган:</b> Министерство" in page
    assert "href" not in page and "бет" not in page


def test_strip_html_gives_the_plain_text() -> None:
    assert strip_html("<b>[1]</b> a &lt;b&gt; &amp; c") == "[1] a <b> & c"
