"""Registry questions for the training set: «who / is it automatable» questions made from each
row's function text (Kazakh ones from the Kazakh text of the point the row rests on), and
out-of-scope registry questions made from acts outside the index."""

from __future__ import annotations

import random

from assistant.domain import Chunk
from assistant.rag.features import action_siblings, function_head
from assistant.text.russian import lemma, part_of_speech
from eval.generate_text import CONTEXT, Noise, bucket, content_words, keep_some, sentences

REGISTRY_TEMPLATES_KK = {
    "who": ["{x} кім?", "Қай орган {x}?", "{x} — бұл қай органның функциясы?"],
    "status": ["{x} автоматтандыруға бола ма?", "{x} функциясының тәуекелі қандай?"],
}
REGISTRY_TEMPLATES = {
    "who": [
        "Кто {x}?",
        "Какой орган {x}?",
        "Какое ведомство отвечает за это: {x}?",
        "{x} — чья это функция?",
    ],
    "status": [
        "Можно ли автоматизировать: {x}?",
        "Функция «{x}» отмечена как автоматизируемая?",
        "Какой риск автоматизации у функции: {x}?",
    ],
}
OOS_REGISTRY_TEMPLATES = ["Какой орган по реестру {x}?", "Кто по реестру функций {x}?"]


def registry_items(rows: list[Chunk], rng: random.Random, noise: Noise) -> list[dict[str, object]]:
    """Russian questions from each row's function text; Kazakh ones from the Kazakh text of the
    point the row rests on (the registry itself is kept in Russian)."""
    items: list[dict[str, object]] = []
    for row in rows:
        reg = row.registry
        lang = "kk" if row.bridge and rng.random() < 0.3 else "ru"
        source = row.bridge if lang == "kk" else str(reg.get("function_text", ""))
        words = keep_some(content_words(source, lang), rng, 0.5, 0.85)
        if len(words) < 3:
            continue
        kind = "status" if rng.random() < 0.3 else "who"
        templates = REGISTRY_TEMPLATES_KK if lang == "kk" else REGISTRY_TEMPLATES
        question = rng.choice(templates[kind]).format(x=" ".join(w.lower() for w in words))
        if rng.random() < 0.3:
            question = f"{rng.choice(CONTEXT[lang])} {question}"
        question = noise.add(question, lang, rng)
        split = bucket(row.citation)
        items.append(
            {
                "id": f"gen-{split}-reg-{len(items):04d}",
                "lang": lang,
                "kind": "registry",
                "question": question[0].upper() + question[1:],
                "answerable": True,
                "gold_citations": [row.citation],
                "must_contain_any": [],
                "reference_answer": str(reg.get("function_text", "")),
                "notes": f"generated; type=registry-{kind}; agency={reg.get('agency', '')}",
                "gold_agency": str(reg.get("agency", "")) if kind == "who" else None,
                "gold_function_ids": [row.citation.removeprefix("registry:")],
            }
        )
    return items


def oos_registry_items(
    chunks: list[Chunk], rng: random.Random, n: int, noise: Noise
) -> list[dict[str, object]]:
    pool = [s for s in sentences(chunks) if s.lang == "ru"]
    items: list[dict[str, object]] = []
    for s in rng.sample(pool, min(n, len(pool))):
        words = keep_some(content_words(s.text, "ru"), rng)
        if len(words) < 3:
            continue
        question = rng.choice(OOS_REGISTRY_TEMPLATES).format(x=" ".join(w.lower() for w in words))
        question = noise.add(question, "ru", rng)
        split = bucket(s.citation.partition(".")[0])
        items.append(
            {
                "id": f"gen-{split}-oosreg-{len(items):04d}",
                "lang": "ru",
                "kind": "unanswerable",
                "question": question,
                "answerable": False,
                "gold_citations": [],
                "notes": f"generated; type=oos-registry; act={s.act}; from={s.citation}",
            }
        )
    return items


# a question names an action as a user does: the verb, now or in the past, or the row's noun in
# a frame that governs its case
ACTION_VERB_FORMS = ({"pres", "3per", "sing"}, {"past", "masc", "sing"})
ACTION_NOUN_FRAMES = (("Кто отвечает за {a} {x}?", "accs"), ("Кто занимается {a} {x}?", "ablt"))
ACTION_VERB_TEMPLATES = ("Кто {a} {x}?", "{x} — кто {a}?")


def _verb_lemmas(texts: list[str]) -> dict[str, str]:
    """Each 5-letter stem of a verb the texts use → its most frequent imperfective infinitive
    («утвер» → «утверждать»), to turn an action noun into the verb users ask with."""
    from collections import Counter

    from assistant.text.russian import get_morph

    morph = get_morph()
    counts: Counter[str] = Counter()
    for text in texts:
        for word in text.lower().split():
            word = word.strip(",.;:()«»")
            parse = morph.parse(word)[0] if word.isalpha() else None
            if parse is not None and parse.tag.POS == "VERB" and "impf" in parse.tag:
                counts[parse.normal_form] += 1
    out: dict[str, str] = {}
    for verb, _ in counts.most_common():
        out.setdefault(verb[:5], verb)
    return out


def _inflect(word: str, grammemes: set[str]) -> str | None:
    from assistant.text.russian import get_morph

    parse = get_morph().parse(word)[0]
    form = parse.inflect(grammemes)
    return str(form.word) if form is not None else None


def _distinct_words(agency: str, other: str) -> str:
    """The words of `agency` that `other` lacks, in order («центральный аппарат» of the central
    office against its committees), compared by lemma."""
    others = {lemma(w.strip("(),").lower()) for w in other.split()}
    return " ".join(w.strip("(),") for w in agency.split() if lemma(w.strip("(),").lower()) not in others)


def sibling_items(
    rows: list[Chunk], rng: random.Random, noise: Noise, per_row: int = 2
) -> list[dict[str, object]]:
    """Rows that do different things to one object («утверждение правил …» for a ministry's
    central office, «разработка правил …» for its committees) are told apart by the action alone.
    The generic questions above keep a random part of a row's words and so often drop it; these
    always name it, as a verb or as the noun, and half of them offer the rows' agencies as the
    alternatives users ask between («— центральный аппарат или ведомства?»)."""
    verbs = _verb_lemmas([str(r.registry.get("function_text", "")) for r in rows])
    items: list[dict[str, object]] = []
    for group in action_siblings(rows):
        split = bucket(group[0].citation)  # a group stays on one side of the split
        rest = function_head(group[0])[1]
        words = content_words(rest, "ru")
        for row in group:
            action = function_head(row)[0]
            others = [r for r in group if r is not row]
            for _ in range(per_row):
                obj = " ".join(w.lower() for w in keep_some(words, rng, 0.6, 1.0))
                # a row that names its action with a verb («разрабатывает») is asked with it
                is_verb = part_of_speech(action) == "VERB"
                verb = lemma(action) if is_verb else verbs.get(action[:5])
                question = None
                if verb is not None and (is_verb or rng.random() < 0.6):
                    form = _inflect(verb, set(rng.choice(ACTION_VERB_FORMS)))
                    if form:
                        question = rng.choice(ACTION_VERB_TEMPLATES).format(a=form, x=obj)
                if question is None:
                    frame, case = rng.choice(ACTION_NOUN_FRAMES)
                    question = frame.format(a=_inflect(action, {case}) or action, x=obj)
                agency = str(row.registry.get("agency", ""))
                other = str(rng.choice(others).registry.get("agency", ""))
                mine, theirs = _distinct_words(agency, other), _distinct_words(other, agency)
                if mine and theirs and rng.random() < 0.5:
                    pair = [mine, theirs] if rng.random() < 0.5 else [theirs, mine]
                    sep = ":" if " — " in question else " —"
                    question = f"{question.rstrip('?')}{sep} {pair[0]} или {pair[1]}?"
                question = noise.add(question, "ru", rng)
                items.append(
                    {
                        "id": f"gen-{split}-regact-{len(items):04d}",
                        "lang": "ru",
                        "kind": "registry",
                        "question": question[0].upper() + question[1:],
                        "answerable": True,
                        "gold_citations": [row.citation],
                        "must_contain_any": [],
                        "reference_answer": str(row.registry.get("function_text", "")),
                        "notes": f"generated; type=registry-action; agency={agency}",
                        "gold_agency": agency,
                        "gold_function_ids": [row.citation.removeprefix("registry:")],
                    }
                )
    return items
