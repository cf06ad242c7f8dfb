"""Registry list and count questions made from the registry itself, with the rows each one
selects as gold, to check the reading of such questions (agency, act, category, marks, topic) on
items nobody wrote while writing the rules.

Each item picks a real selection — an agency, an act, a category, an automatable or risk mark,
or a topic word pair that several functions share — and asks for it the way users do: short
names for agencies («местных исполнительных органов»), laws by their title after «по Закону о»,
categories in any case form, a situation in front now and then. The gold is every row the
selection holds, so `kenes eval run` scores the count and the rows listed.

    python -m eval.generate_lists --out eval/train/registry-lists.jsonl
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
from collections import Counter
from pathlib import Path

SEED = 17
Row = dict[str, str]

CATEGORY_FORMS = {
    "нормотворческая": ["нормотворческих", "нормотворческие"],
    "организационно-координационная": ["организационно-координационных"],
    "информационно-аналитическая": ["информационно-аналитических"],
    "контрольно-надзорная": ["контрольно-надзорных", "контрольно-надзорные"],
    "учетно-регистрационная": ["учетно-регистрационных", "учётно-регистрационных"],
    "разрешительная": ["разрешительных"],
    "иная": ["категории «иная»", "записанных как «иная»"],
    "оказание услуг": ["по оказанию услуг"],
}
MARKS = {
    ("automatable", "да"): ["автоматизируемых", "с отметкой «автоматизируемая: да»"],
    ("automatable", "нет"): ["не автоматизируемых"],
    ("automatable", "частично"): ["частично автоматизируемых"],
    ("automation_risk", "высокий"): ["с высоким риском"],
    ("automation_risk", "низкий"): ["с низким риском"],
}
COUNT_TEMPLATES = [
    "Сколько в реестре {what}?",
    "Сколько {what} числится в реестре?",
    "Какое количество {what} в реестре функций?",
]
LIST_TEMPLATES = ["Какие функции в реестре — {what}? Перечисли.", "Перечисли {what} по реестру."]
SITUATION = [
    "Готовим справку для руководства.", "Коллеги, нужна цифра для отчёта.", "Нас попросили посчитать.",
    "Планируем цифровизацию в управлении.",
]  # fmt: skip


def short_agency(agency: str) -> str:
    """How users name an agency: its first words, up to the first comma, in the genitive."""
    from assistant.text.russian import get_morph

    morph = get_morph()
    head, _, aside = agency.partition("(")
    words = head.split(",")[0].split()[:8]
    out = []
    for w in words:
        parse = morph.parse(w)[0]
        form = parse.inflect({"gent"}) if parse.tag.POS in {"NOUN", "ADJF", "PRTF"} else None
        out.append(form.word if form else w)
    return " ".join(out) + (f" ({aside.strip(') ')})" if aside else "")


def act_phrase(title: str) -> str:
    return f"по Закону «{title}»" if not title.startswith("О некоторых") else "по Положению о МИОР"


def _noun_pairs(term_lists: list[list[str]]) -> Counter[tuple[str, str]]:
    """Adjacent pairs of long words, counted once per function."""
    pairs: Counter[tuple[str, str]] = Counter()
    for terms in term_lists:
        pairs.update(set(itertools.pairwise([t for t in terms if len(t) > 4])))
    return pairs


def generate(registry: Path, seed: int = SEED) -> list[dict[str, object]]:
    from assistant.text.analyzer import Analyzer

    analyzer = Analyzer()
    rng = random.Random(seed)
    with registry.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    in_order = {r["function_id"]: analyzer.terms(r["function_text"], "ru") for r in rows}
    terms_of = {fid: set(terms) for fid, terms in in_order.items()}
    # (how the question names it, the row fields it fixes, the topic words its functions share)
    selections: list[tuple[str, dict[str, str], set[str]]] = []
    agencies = sorted({r["agency"] for r in rows})
    acts = sorted({(r["act_slug"], r["act_title"]) for r in rows})
    # a short name that begins several agencies' names («уполномоченного органа») names none
    shorts = {a: short_agency(a).split(" (")[0] for a in agencies}
    named = [a for a in agencies if sum(other.startswith(shorts[a]) for other in shorts.values()) == 1]
    for agency in named:
        name = short_agency(agency)
        selections.append((f"функций {name}", {"agency": agency}, set()))
        for (key, value), forms in MARKS.items():
            selections.append(
                (f"{rng.choice(forms)} функций у {name}", {"agency": agency, key: value}, set())
            )
    for slug, title in acts:
        selections.append((f"функций {act_phrase(title)}", {"act_slug": slug}, set()))
        for category, forms in CATEGORY_FORMS.items():
            what = f"{rng.choice(forms)} функций {act_phrase(title)}"
            selections.append((what, {"act_slug": slug, "category": category}, set()))
        for agency in sorted({r["agency"] for r in rows if r["act_slug"] == slug} & set(named)):
            what = f"функций у {short_agency(agency)} {act_phrase(title)}"
            selections.append((what, {"act_slug": slug, "agency": agency}, set()))
    for category, forms in CATEGORY_FORMS.items():
        selections.append((f"{rng.choice(forms)} функций", {"category": category}, set()))
    for agency in named:
        own = [r for r in rows if r["agency"] == agency]
        # a topic is what some of an agency's functions are about, not what most of them say
        counted = _noun_pairs([in_order[r["function_id"]] for r in own])
        # most shared first, ties by the words, so the set is the same on every run
        ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
        for a, b in [pair for pair, n in ranked if 2 <= n <= len(own) / 2][:3]:
            selections.append((f"функций {short_agency(agency)} про «{a} {b}»", {"agency": agency}, {a, b}))
    items: list[dict[str, object]] = []
    for what, fixed, topic in selections:
        gold = [
            r["function_id"]
            for r in rows
            if all(r[k] == v for k, v in fixed.items()) and topic <= terms_of[r["function_id"]]
        ]
        if not gold:
            continue
        counting = rng.random() < 0.6
        question = rng.choice(COUNT_TEMPLATES if counting else LIST_TEMPLATES).format(what=what)
        if rng.random() < 0.3:
            question = f"{rng.choice(SITUATION)} {question}"
        items.append(
            {
                "id": f"gen-list-{len(items):04d}",
                "lang": "ru",
                "kind": "registry-list",
                "question": question,
                "answerable": True,
                "gold_citations": [f"registry:{g}" for g in gold],
                "gold_function_ids": gold,
                "gold_count": len(gold),
                "must_contain_any": [],
                "notes": f"generated; selection={what}",
            }
        )
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=Path("data/demo/registry/functions.csv"))
    parser.add_argument("--out", type=Path, default=Path("eval/train/registry-lists.jsonl"))
    args = parser.parse_args(argv)
    items = generate(args.registry)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    print(f"{len(items)} items → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
