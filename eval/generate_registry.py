"""Registry questions for the training set: «who / is it automatable» questions made from each
row's function text (Kazakh ones from the Kazakh text of the point the row rests on), and
out-of-scope registry questions made from acts outside the index."""

from __future__ import annotations

import random

from assistant.domain import Chunk
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
