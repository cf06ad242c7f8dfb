"""A training set made from the corpus itself, so that anything Kenes fits (rankers, the
answerability decision) is fitted on questions nobody wrote for the dev sets.

Every item comes from one real sentence (or registry row) and is written the way users write:
a question word chosen by what the sentence can answer (a time limit, a ban, a duty, a body),
about half of the sentence's content words kept in their own inflected forms — the answer span
itself left out — and, for some items, a line of situational context in front («Мы — районный
акимат.»). Questions built from acts that are *not* in the demo index (the large codes and laws)
are its out-of-scope items: real legal wording about things the index does not cover.

Items are split by the article they come from (a fifth of the articles are held out), so the
held-out score measures articles the fitted model never saw.

    python -m eval.generate --acts data/demo/acts --registry data/demo/registry/functions.csv \
        --oos-acts ../shared/corpus-large --out eval/train/generated.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from assistant.domain import Chunk
from assistant.rag.means import MEANS, mostly_means
from assistant.rag.quote_context import list_items as list_points
from assistant.text.analyzer import Analyzer
from assistant.text.sentences import split_sentences
from eval.generate_registry import oos_registry_items, registry_items, sibling_items
from eval.generate_text import (
    CONTEXT,
    SEED,
    Noise,
    Sentence,
    article_texts,
    bucket,
    content_words,
    keep_some,
    sentences,
    unnumbered,
)

TIME_SPAN = re.compile(
    r"((в течение|не позднее|не ранее|за|на|через|в срок до|до)\s+)?"
    r"(\d+|одного|двух|трех|трёх|пяти|семи|десяти|пятнадцати|двадцати|тридцати|шестидесяти|"
    r"бір|екі|үш|бес|он|жиырма|отыз)\s*(\(\w+\)\s*)?"
    r"(рабоч\w*|календарн\w*|дн\w*|день|месяц\w*|час\w*|лет|год\w*|суток|сутки|"
    r"жұмыс|күн\w*|ай\w*|сағат\w*|жыл\w*)(\s+(дн\w*|күн\w*))?",
    re.I,
)
BAN = re.compile(
    r"(не допускается|запрещается|не вправе|не может|не могут|не подлежит|болмайды|тыйым салынады)", re.I
)
REFUSAL = re.compile(r"(отказ\w*|бас тарт\w*)", re.I)
DUTY = re.compile(r"(обязан\w*|должн\w+|міндетті)", re.I)
BODY_START = re.compile(
    r"^(уполномоченн\w+ орган\w*|государственн\w+ корпорац\w+|правительств\w+|министерств\w+|"
    r"местн\w+ исполнительн\w+ орган\w*|услугодател\w*|обладател\w+ информации|собственник\w*|оператор\w*|"
    r"уәкілетті орган|мемлекеттік корпорация|үкімет|көрсетілетін қызметті беруші)",
    re.I,
)

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "deadline": {
        "ru": [
            "В какой срок {x}?",
            "За сколько дней {x}?",
            "Сколько времени даётся, чтобы {x}?",
            "Когда {x}?",
        ],
        "kk": ["{x} қандай мерзімде?", "{x} қанша күнде?", "{x} мерзімі қандай?"],
    },
    "ban": {
        "ru": ["Можно ли {x}?", "Допускается ли {x}?", "Разрешено ли {x}?", "Закон позволяет {x}?"],
        "kk": ["{x} бола ма?", "{x} рұқсат етіле ме?", "{x} заң бойынша болады ма?"],
    },
    "duty": {
        "ru": ["Обязаны ли {x}?", "Нужно ли {x}?", "Должны ли мы {x}?", "Что обязан сделать: {x}?"],
        "kk": ["{x} міндетті ме?", "{x} керек пе?", "Біз {x} міндеттіміз бе?"],
    },
    "where": {
        "ru": ["Каким образом {x}?", "Через что {x}?", "Какими способами {x}?", "Где {x}?"],
        "kk": ["{x} қандай жолдармен?", "{x} қайда?", "{x} қандай тәсілдермен?"],
    },
    "refusal": {
        "ru": [
            "По каким основаниям могут отказать: {x}?",
            "Когда вправе отказать, если {x}?",
            "Могут ли отказать: {x}?",
        ],
        "kk": ["{x} қандай негізде бас тартады?", "{x} бас тарту негіздері қандай?"],
    },
    "who": {
        "ru": ["Кто {x}?", "Какой орган {x}?", "Кто у нас отвечает: {x}?"],
        "kk": ["{x} кім?", "Қай орган {x}?", "{x} кім жауап береді?"],
    },
    # a list the law opens with «…:» and spells out point by point: the question names the list,
    # the answer is its items
    "list": {
        "ru": ["Какие {x}?", "Что входит: {x}?", "Перечислите {x}.", "Что относится к этому: {x}?"],
        "kk": ["{x} қандай?", "{x} не жатады?", "{x} неден тұрады?"],
    },
    "other": {
        "ru": ["Что закон говорит: {x}?", "Как быть, если {x}?", "Какие правила: {x}?", "Что означает {x}?"],
        "kk": ["{x} туралы заң не дейді?", "{x} туралы не айтылған?", "{x} қандай талаптар бар?"],
    },
}


def question_type(sentence: str) -> str:
    if TIME_SPAN.search(sentence):
        return "deadline"
    if REFUSAL.search(sentence):
        return "refusal"
    if BAN.search(sentence):
        return "ban"
    if BODY_START.match(unnumbered(sentence)):
        return "who"
    if DUTY.search(sentence):
        return "duty"
    if MEANS.search(sentence):
        return "where"
    return "other"


def answer_span(sentence: str, kind: str) -> str:
    """What a question of this kind is made without: the time limit, the body the sentence starts
    with, the ban; "" for the other kinds (or when the sentence has none)."""
    if kind == "deadline" and (m := TIME_SPAN.search(sentence)):
        return m.group(0)
    if kind == "who" and (m := BODY_START.match(unnumbered(sentence))):
        return m.group(0)
    if kind == "ban" and (m := BAN.search(sentence)):
        return m.group(0)
    return ""


def phrase_of(sentence: str, kind: str, lang: str, rng: random.Random, noise: Noise) -> tuple[str, str]:
    """(question text, answer span) for one sentence."""
    span = answer_span(sentence, kind)
    body = sentence
    if span and kind == "who":
        body = unnumbered(sentence)[len(span) :]
    elif span:
        body = sentence.replace(span, " ")
    return ask(kind, keep_some(content_words(body, lang), rng), lang, rng, noise), span


def ask(kind: str, words: list[str], lang: str, rng: random.Random, noise: Noise) -> str:
    """A question of `kind` about `words`, now and then with a line of situation in front."""
    x = " ".join(w.lower() if not w.isupper() else w for w in words)
    question = rng.choice(TEMPLATES[kind][lang]).format(x=x)
    question = question[0].upper() + question[1:]
    if rng.random() < 0.4:
        question = f"{rng.choice(CONTEXT[lang])} {question}"
    return noise.add(question, lang, rng)


def law_items(
    chunks: list[Chunk], rng: random.Random, per_article: int, *, answerable: bool, prefix: str, noise: Noise
) -> list[dict[str, object]]:
    by_article: dict[tuple[str, str], list[Sentence]] = {}
    for s in sentences(chunks):
        by_article.setdefault((s.citation, s.lang), []).append(s)
    items: list[dict[str, object]] = []
    for (citation, _), group in sorted(by_article.items()):
        for s in rng.sample(group, min(per_article, len(group))):
            kind = question_type(s.text)
            question, span = phrase_of(s.text, kind, s.lang, rng, noise)
            if len(content_words(question, s.lang)) < 2:
                continue
            split = bucket(citation.partition(".")[0])
            items.append(
                {
                    "id": f"gen-{split}-{prefix}-{len(items):04d}",
                    "lang": s.lang,
                    "kind": "law" if answerable else "unanswerable",
                    "question": question,
                    "answerable": answerable,
                    "gold_citations": [citation] if answerable else [],
                    "must_contain_any": [span.strip()] if answerable and span.strip() else [],
                    "reference_answer": s.text if answerable else "",
                    "notes": f"generated; type={kind}; act={s.act}; from={citation}",
                }
            )
    return items


_POINT = re.compile(r"(?:^|\s)(?=(?:\d+(?:-\d+)?|[а-яә])\)\s)")


def list_kind(lead: str, items: str) -> str:
    """What a question about a whole list asks: the ways («… арқылы;» point after point), the
    grounds for a refusal, what is banned or owed; otherwise simply what the list holds."""
    points = [p for p in _POINT.split(items) if p.strip()]
    if mostly_means(points):
        return "where"
    for kind, pattern in (("refusal", REFUSAL), ("ban", BAN), ("duty", DUTY)):
        if pattern.search(lead):
            return kind
    return "list"


def list_questions(
    chunks: list[Chunk], rng: random.Random, per_article: int, noise: Noise
) -> list[dict[str, object]]:
    """Questions about a list as a whole, made from its lead-in («Государственные услуги
    оказываются:») and none of its points. The sentence items skip such lists (each point alone
    is too short to ask about), yet users ask for them in a few words of their own: «какими
    способами можно получить услугу?»."""
    items: list[dict[str, object]] = []
    for article in sorted(article_texts(chunks), key=lambda a: (a.citation, a.lang)):
        citation, lang, text = article.citation, article.lang, article.text
        leads = [
            (s, points)
            for s in split_sentences(text)
            # parsed as when eval/train/generated.jsonl was made, which regenerating reproduces
            if len(_POINT.findall(points := list_points(text, s, sub_lists=False))) >= 2
        ]
        for lead, points in rng.sample(leads, min(per_article, len(leads))):
            words = keep_some(content_words(unnumbered(lead), lang), rng, 0.6, 1.0)
            if len(words) < 2:
                continue
            kind = list_kind(lead, points)
            split = bucket(citation.partition(".")[0])
            items.append(
                {
                    "id": f"gen-{split}-list{lang}-{len(items):04d}",
                    "lang": lang,
                    "kind": "law",
                    "question": ask(kind, words, lang, rng, noise),
                    "answerable": True,
                    "gold_citations": [citation],
                    "must_contain_any": [],
                    "reference_answer": f"{lead} {points}",
                    "notes": f"generated; type=list-{kind}; act={article.act}; from={citation}",
                }
            )
    return items


def generate(acts: Path, registry: Path, oos_acts: Path | None, seed: int = SEED) -> list[dict[str, object]]:
    from ingest.sources import load_sources

    rng = random.Random(seed)
    demo = load_sources(acts, registry)
    act_chunks = [c for c in demo.chunks if c.kind == "act"]
    rows = [c for c in demo.chunks if c.kind == "registry"]
    large = load_sources(oos_acts, None).chunks if oos_acts is not None else []
    known = {t for c in demo.chunks for t in Analyzer().terms(c.text, c.lang)}
    # without texts outside the index there is nothing to draw from: questions stay as written
    noise = Noise(known, list(sentences(large)), list(sentences(act_chunks)) if large else [])
    items = law_items(
        [c for c in act_chunks if c.lang == "ru"], rng, 4, answerable=True, prefix="law", noise=noise
    )
    # the one act with a Kazakh text gets more per article, so Kazakh is not mostly out-of-scope
    items += law_items(
        [c for c in act_chunks if c.lang == "kk"], rng, 8, answerable=True, prefix="lawkk", noise=noise
    )
    items += registry_items(rows, rng, noise)
    # its own generator: the items above stay as they were without it
    items += list_questions(act_chunks, random.Random(seed + 1), 2, noise)
    if large:
        oos = law_items(large, rng, 1, answerable=False, prefix="oos", noise=noise)
        # out-of-scope items per language in proportion to the answerable ones of that language
        for lang in ("ru", "kk"):
            answerable = sum(1 for i in items if i["lang"] == lang and i["answerable"])
            pool = [i for i in oos if i["lang"] == lang]
            items += rng.sample(pool, min(len(pool), answerable // 2 if lang == "ru" else answerable))
        items += oos_registry_items(large, rng, 150, noise)
    # its own generator, appended: the items above stay as they were without it
    items += sibling_items(rows, random.Random(seed + 2), noise)
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=Path, default=Path("data/demo/acts"))
    parser.add_argument("--registry", type=Path, default=Path("data/demo/registry/functions.csv"))
    parser.add_argument("--oos-acts", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("eval/train/generated.jsonl"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    items = generate(args.acts, args.registry, args.oos_acts, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    kinds: dict[str, int] = {}
    for i in items:
        key = f"{i['kind']}/{i['lang']}/{str(i['id']).split('-')[1]}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(items)} items → {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
