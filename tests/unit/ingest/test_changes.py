"""The change report of an update: registry and act changes, summary and Markdown."""

from __future__ import annotations

from assistant.domain import Chunk, Lang
from ingest.changes import act_changes, registry_changes, summary, to_markdown
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import row


def reg(**overrides: str) -> Chunk:
    return row_to_chunk(RegistryRow.model_validate(row(**overrides)))


def act(slug: str, article: str, text: str, lang: Lang = "ru", point: str = "") -> Chunk:
    suffix = f".p{point}" if point else ""
    return Chunk(
        chunk_id=f"{slug}#st{article}{suffix}@{lang}",
        citation=f"{slug}#st{article}",
        kind="act",
        lang=lang,
        title=f"Статья {article}",
        text=text,
        act_slug=slug,
    )


OLD = [
    reg(function_id="A-1"),
    reg(function_id="A-2", function_text="ведет реестр"),
    reg(function_id="A-3", automatable="да", automation_risk="низкий"),
    reg(function_id="A-4", agency="старый орган"),
    reg(function_id="A-5", automation_rationale="было так"),
]
NEW = [
    reg(function_id="A-1"),
    reg(function_id="A-2", function_text="ведет и публикует реестр"),
    reg(
        function_id="A-3",
        automatable="частично",
        automation_risk="средний",
        automation_rationale="пересмотрено",
    ),
    reg(function_id="A-4", agency="новый орган", updated_on="2025-01-01"),
    reg(function_id="A-5", automation_rationale="стало иначе"),
    reg(function_id="B-1", function_text="новая функция", agency="новый орган"),
]


def test_registry_changes() -> None:
    changes = registry_changes([*OLD, act("x", "1", "t")], [*NEW[1:], act("x", "1", "t2")])
    assert changes["added"] == [
        {"function_id": "B-1", "agency": "новый орган", "function_text": "новая функция"}
    ]
    assert changes["removed"] == [
        {
            "function_id": "A-1",
            "agency": OLD[0].registry["agency"],
            "function_text": OLD[0].registry["function_text"],
        }
    ]
    assert changes["text_edited"] == [
        {"function_id": "A-2", "old": "ведет реестр", "new": "ведет и публикует реестр"}
    ]
    assert changes["assessment_changed"] == [
        {
            "function_id": "A-3",
            "old_automatable": "да",
            "old_automation_risk": "низкий",
            "new_automatable": "частично",
            "new_automation_risk": "средний",
        }
    ]
    # the rationale alone is not a change an admin must review; agency and date are
    assert changes["other_changed"] == [{"function_id": "A-4", "fields": ["agency", "updated_on"]}]


def test_no_registry_changes() -> None:
    changes = registry_changes(OLD, OLD)
    assert all(
        changes[k] == [] for k in ("added", "removed", "text_edited", "assessment_changed", "other_changed")
    )


def test_one_row_may_change_in_several_ways() -> None:
    changes = registry_changes(
        [reg(function_id="A-1")], [reg(function_id="A-1", function_text="x", automatable="да")]
    )
    assert [c["function_id"] for c in changes["text_edited"]] == ["A-1"]
    assert [c["function_id"] for c in changes["assessment_changed"]] == ["A-1"]


def test_act_changes() -> None:
    old = [
        act("law", "1", "один"),
        act("law", "2", "два, часть 1", point="1"),
        act("law", "2", "два, часть 2", point="2"),
        act("law", "3", "три"),
        act("law", "1", "бір", lang="kk"),
        act("same", "1", "неизменно"),
    ]
    new = [
        act("law", "1", "один"),
        act("law", "2", "два, часть 1", point="1"),
        act("law", "2", "два, ИЗМЕНЕНО", point="2"),
        act("law", "4", "четыре"),
        act("law", "1", "бір", lang="kk"),
        act("same", "1", "неизменно"),
        act("fresh", "1", "новый закон"),
    ]
    changes = act_changes(old, new)
    assert changes == {
        "fresh": {
            "articles_added": ["fresh#st1@ru"],
            "articles_removed": [],
            "articles_changed": [],
            "status": "new act",
        },
        "law": {
            "articles_added": ["law#st4@ru"],
            "articles_removed": ["law#st3@ru"],
            "articles_changed": ["law#st2@ru"],
            "status": "amended",
        },
    }


def test_act_changes_ignore_registry_rows() -> None:
    assert act_changes([reg(function_id="A-1")], [reg(function_id="A-2")]) == {}


def test_summary() -> None:
    changes = {"registry": registry_changes(OLD, NEW), "acts": {"law": {}}}
    assert summary(changes) == {
        "registry_added": 1,
        "registry_removed": 0,
        "registry_text_edited": 1,
        "registry_assessment_changed": 1,
        "acts_changed": 1,
    }
    assert summary({}) == dict.fromkeys(summary(changes), 0)


def test_to_markdown() -> None:
    changes = {
        "registry": registry_changes(OLD, NEW[1:]),
        "acts": act_changes([act("law", "3", "три")], [act("law", "4", "четыре")]),
        "reembedded": 3,
        "payload_only": 2,
    }
    md = to_markdown(changes, "20260101T000000000")
    lines = md.split("\n")
    assert lines[0] == "# Change report — index version 20260101T000000000"
    for expected in (
        "- functions added: 1",
        "- functions removed: 1",
        "- function texts edited: 1",
        "- automation assessments changed: 1",
        "- acts added or amended: 1",
        "- re-embedded items: 3; payload-only updates: 2",
        "## Added",
        "| B-1 | новый орган | новая функция |",
        "## Removed",
        "## Text edited",
        "| A-2 | ведет реестр | ведет и публикует реестр |",
        "## Automation assessment changed",
        "| A-3 | да / низкий | частично / средний |",
        "## Act law (amended)",
        "- articles added: law#st4@ru",
        "- articles removed: law#st3@ru",
    ):
        assert expected in lines, expected


def test_to_markdown_of_an_empty_report_has_no_sections() -> None:
    md = to_markdown({}, "v1")
    assert "##" not in md
    assert "- functions added: 0" in md and "- re-embedded items: 0; payload-only updates: 0" in md
