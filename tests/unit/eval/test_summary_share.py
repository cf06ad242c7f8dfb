"""eval/summary_share.py: the answer span of a generated item and the count per share."""

from __future__ import annotations

from eval.summary_share import item_span, table


def test_the_span_is_what_the_question_was_made_without() -> None:
    deadline = {
        "notes": "generated; type=deadline; act=x; from=x#st1",
        "reference_answer": "Жалоба рассматривается в течение пяти рабочих дней со дня регистрации.",
    }
    assert item_span(deadline) == "в течение пяти рабочих дней"
    other = {"notes": "generated; type=other; act=x", "reference_answer": "Жалоба рассматривается."}
    assert item_span(other) is None


def test_a_summary_opens_only_with_the_share_required() -> None:
    rows = [
        # a vague summary: the span is only in the lead sentence
        {"share": 0.2, "same_lang": True, "span_in_summary": False, "span_in_lead": True},
        # a faithful one: both have it
        {"share": 0.9, "same_lang": True, "span_in_summary": True, "span_in_lead": True},
        # a Kazakh summary of a Russian source opens whatever its share
        {"share": 0.0, "same_lang": False, "span_in_summary": True, "span_in_lead": False},
        # no summary: the lead opens
        {"share": None, "same_lang": True, "span_in_summary": False, "span_in_lead": True},
    ]
    counts = table(rows)
    assert counts["0.0"] == 3 and counts["0.5"] == counts["1.0"] == 4
    # with the summary never opening, the lead always does: the Kazakh one here lacks the span
    assert counts["never"] == 3
