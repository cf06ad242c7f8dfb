"""The generated training set: enough items, honest splits, gold that exists, answers left out."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from assistant.rag.evidence import question_types
from assistant.settings import DEMO_DIR
from eval.datasets import load_dataset
from eval.generate import TEMPLATES, TIME_SPAN, generate, keep_some, list_kind, main, question_type

SHARED_LARGE = Path(__file__).resolve().parents[3].parent / "shared" / "corpus-large"
COMMITTED = Path(__file__).resolve().parents[3] / "eval" / "train" / "generated.jsonl"


def test_question_type_follows_what_the_sentence_can_answer() -> None:
    assert question_type("Заявление рассматривается в течение пяти рабочих дней.") == "deadline"
    assert question_type("Не допускается требование от услугополучателя документов.") == "ban"
    assert question_type("Уполномоченный орган утверждает правила оказания услуг.") == "who"
    assert question_type("Оператор обязан принять меры по защите персональных данных.") == "who"
    assert question_type("Все госорганы обязаны обеспечить доступность услуг.") == "duty"
    assert question_type("Государственные услуги оказываются через Государственную корпорацию.") == "where"
    assert question_type("Мемлекеттік көрсетілетін қызметтер веб-портал арқылы көрсетіледі.") == "where"
    assert question_type("Основаниями для отказа в оказании услуги являются:") == "refusal"


@pytest.mark.parametrize("kind", ["deadline", "where", "refusal", "who"])
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_typed_template_asks_what_the_answer_ranker_reads_as_that_type(kind: str, lang: str) -> None:
    """The rankers learn what a «where» or «deadline» question wants only if the generated
    questions of that type are read as that type at answer time."""
    wanted = {"deadline": "deadline", "where": "where", "refusal": "refusal", "who": "who"}[kind]
    for template in TEMPLATES[kind][lang]:
        assert wanted in question_types(template.format(x="выдача справки")), template


def test_untyped_templates_ask_for_no_type() -> None:
    for lang in ("ru", "kk"):
        for template in TEMPLATES["other"][lang]:
            assert "where" not in question_types(template.format(x="выдача справки")), template


@pytest.mark.parametrize(
    ("lead", "points", "kind"),
    [
        (
            "Государственные услуги оказываются:",
            "1) услугодателями; 2) через Госкорпорацию; 3) посредством портала;",
            "where",
        ),
        ("Мемлекеттік көрсетілетін қызметтер:", "1) беруші арқылы; 2) портал арқылы;", "where"),
        ("Основаниями для отказа в оказании услуги являются:", "1) а; 2) б;", "refusal"),
        ("Собственник и (или) оператор обязаны:", "1) утверждать перечень; 2) принимать меры;", "duty"),
        ("Министерство имеет ведомства:", "1) Комитет информации; 2) Комитет по делам религий;", "list"),
    ],
)
def test_a_list_question_asks_for_what_the_list_holds(lead: str, points: str, kind: str) -> None:
    assert list_kind(lead, points) == kind


def test_lists_are_asked_about_by_their_lead_in_alone() -> None:
    items = generate(DEMO_DIR / "acts", DEMO_DIR / "registry" / "functions.csv", None)
    lists = [i for i in items if "type=list-" in str(i["notes"])]
    assert len(lists) >= 60 and {i["lang"] for i in lists} == {"ru", "kk"}
    for i in lists:
        lead, _, points = str(i["reference_answer"]).partition(": ")
        assert points.startswith("1)"), i["reference_answer"]
        asked = set(str(i["question"]).lower().split())
        # the point after the first is not asked about: the answer is the list, not its words
        second = points.split("2)", 1)[1].split(";")[0].lower().split()
        assert not [w for w in second if len(w) > 6 and w in asked and w not in lead.lower()], i
    ways = {(i["lang"], i["gold_citations"][0]) for i in lists if "type=list-where" in str(i["notes"])}  # type: ignore[index]
    assert {("ru", "public-services#st18"), ("kk", "public-services#st18")} <= ways


def test_keep_some_keeps_order_and_a_part() -> None:
    words = [f"w{i}" for i in range(20)]
    kept = keep_some(words, random.Random(1))
    assert 2 <= len(kept) <= 8
    assert kept == sorted(kept, key=words.index)


def test_demo_corpus_alone_gives_law_and_registry_items_split_by_article() -> None:
    items = generate(DEMO_DIR / "acts", DEMO_DIR / "registry" / "functions.csv", None)
    kinds = Counter(str(i["kind"]) for i in items)
    assert kinds["law"] >= 400 and kinds["registry"] >= 300
    by_article: dict[str, set[str]] = {}
    for i in items:
        if i["kind"] == "law":
            split = str(i["id"]).split("-")[1]
            by_article.setdefault(str(i["gold_citations"][0]), set()).add(split)  # type: ignore[index]
    assert all(len(splits) == 1 for splits in by_article.values()), "an article in both splits"
    assert {"train", "valid"} <= {s for splits in by_article.values() for s in splits}
    deadlines = [i for i in items if "type=deadline" in str(i["notes"]) and i["must_contain_any"]]
    assert deadlines
    for i in deadlines:  # the answer span is what the question asks for, so it is left out
        assert str(i["must_contain_any"][0]) not in str(i["question"])  # type: ignore[index]


def test_generation_is_reproducible_and_loads_as_an_eval_set(tmp_path: Path) -> None:
    args = ["--acts", str(DEMO_DIR / "acts"), "--registry", str(DEMO_DIR / "registry" / "functions.csv")]
    main([*args, "--out", str(tmp_path / "a.jsonl")])
    main([*args, "--out", str(tmp_path / "b.jsonl")])
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert len(load_dataset([tmp_path / "a.jsonl"])) >= 700


def test_the_committed_training_set_is_large_and_has_out_of_scope_items() -> None:
    items = load_dataset([COMMITTED])
    assert len(items) >= 1000
    assert sum(not i.answerable for i in items) >= 300
    assert {i.lang for i in items} == {"ru", "kk"}
    assert all(i.id.startswith(("gen-train-", "gen-valid-")) for i in items)


@pytest.mark.skipif(not SHARED_LARGE.exists(), reason="needs ../shared/corpus-large")
def test_out_of_scope_items_come_from_acts_outside_the_index() -> None:
    items = generate(DEMO_DIR / "acts", DEMO_DIR / "registry" / "functions.csv", SHARED_LARGE)
    oos = [i for i in items if not i["answerable"]]
    assert len(oos) >= 300
    assert all(i["gold_citations"] == [] for i in oos)
    assert TIME_SPAN.search("в течение одного рабочего дня")
    assert json.dumps(items[0], ensure_ascii=False)


def test_rows_differing_only_in_action_are_asked_by_their_action() -> None:
    from eval.generate_registry import sibling_items
    from eval.generate_text import Noise

    items = generate(DEMO_DIR / "acts", DEMO_DIR / "registry" / "functions.csv", None)
    asked = [i for i in items if "type=registry-action" in str(i["notes"])]
    assert len(asked) >= 90  # the demo registry has 24 MIOR functions in pairs, and a few more
    by_row: dict[str, list[str]] = {}
    for i in asked:
        by_row.setdefault(str(i["gold_citations"][0]), []).append(str(i["question"]).lower())  # type: ignore[index]
    # the central office approves the rules, its committees draft them: each is asked by its own verb
    assert all(any(w in q for w in ("утвержд", "утверди")) for q in by_row["registry:MIOR-C-007"])
    assert all(any(w in q for w in ("разраб", "разработ")) for q in by_row["registry:MIOR-V-006"])
    alternatives = [q for q in by_row["registry:MIOR-C-007"] + by_row["registry:MIOR-V-006"] if " или " in q]
    assert alternatives
    assert all("центральный аппарат" in q and "ведомства" in q for q in alternatives)
    # rows of one action for several agencies cannot be told apart by it, and are not asked
    assert not sibling_items([], random.Random(0), Noise(set(), [], []))
    splits = {
        str(i["id"]).split("-")[1] for i in asked if str(i["gold_citations"][0]).endswith(("C-007", "V-006"))
    }  # type: ignore[index]
    assert len(splits) == 1  # a pair stays on one side of the split
