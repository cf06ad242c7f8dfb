"""What the training-set generators share: the articles and sentences of the corpus, the
train / valid split by article, the words a question keeps, and the situational noise users add
(eval/generate.py for law questions, eval/generate_registry.py for registry ones)."""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.domain import Chunk
from assistant.text.analyzer import raw_tokens, word_term
from assistant.text.sentences import split_sentences

SEED = 13
HELD_OUT_BUCKETS = 5  # one article in five is held out

# Situational lines of the kind users put before a question; generic, about no article.
CONTEXT = {
    "ru": [
        "Мы — районный акимат.", "Коллеги, вопрос по работе.", "Гражданин обратился к нам с заявлением.",
        "Готовим ответ на запрос.", "У нас в управлении спор.", "Я специалист областного управления.",
        "Пишет житель села.", "Нам поступила жалоба.", "Руководитель попросил уточнить.",
    ],
    "kk": [
        "Біз аудан әкімдігіміз.", "Әріптестер, сұрақ бар.", "Азамат бізге өтінішпен келді.",
        "Сұрауға жауап дайындап жатырмыз.", "Басшы нақтылауды сұрады.", "Бізге шағым түсті.",
    ],
}  # fmt: skip


@dataclass
class Sentence:
    citation: str
    lang: str
    text: str
    act: str


def bucket(key: str) -> str:
    return "valid" if zlib.crc32(key.encode()) % HELD_OUT_BUCKETS == 0 else "train"


def articles(chunks: list[Chunk]) -> dict[tuple[str, str], list[Chunk]]:
    out: dict[tuple[str, str], list[Chunk]] = {}
    for c in chunks:
        if c.kind == "act":
            out.setdefault((c.citation, c.lang), []).append(c)
    return out


def article_texts(chunks: list[Chunk]) -> Iterator[Sentence]:
    """Each article's whole text (its windows in order), one per citation and language."""
    for (citation, lang), pieces in articles(chunks).items():
        pieces.sort(key=lambda c: c.seq)
        yield Sentence(citation, lang, "\n".join(p.text for p in pieces), pieces[0].act_slug)


def sentences(chunks: list[Chunk]) -> Iterator[Sentence]:
    for article in article_texts(chunks):
        for s in split_sentences(article.text):
            if 60 <= len(s) <= 600:
                yield Sentence(article.citation, article.lang, s, article.act)


_NUMBERING = re.compile(r"^[\d).\s-]+")


def unnumbered(sentence: str) -> str:
    """«3) уполномоченный орган …» → «уполномоченный орган …»."""
    return _NUMBERING.sub("", sentence)


def content_words(text: str, lang: str) -> list[str]:
    return [
        t for t in raw_tokens(text) if len(t) > 3 and t.isalpha() and word_term(t.lower(), lang) is not None
    ]


def keep_some(words: list[str], rng: random.Random, low: float = 0.25, high: float = 0.55) -> list[str]:
    """A third to a half of the words, in order: users name the matter, not the whole sentence."""
    if len(words) <= 2:
        return words
    n = max(2, min(8, round(len(words) * rng.uniform(low, high))))
    start = rng.randrange(0, max(1, len(words) - n * 2 + 1))
    window = words[start : start + n * 2]
    picked = sorted(rng.sample(range(len(window)), min(n, len(window))))
    return [window[i] for i in picked]


class Noise:
    """Situational words users add that no act in the index contains («камеры», «ярмарка»,
    «смартфон»): drawn from texts outside the index and put into answerable and out-of-scope
    items alike, so that a word the index lacks says nothing by itself about answerability."""

    def __init__(self, known: set[str], outside: list[Sentence], inside: list[Sentence]) -> None:
        self.unknown: dict[str, list[str]] = {"ru": [], "kk": []}
        self.common: dict[str, list[str]] = {"ru": [], "kk": []}
        for s in outside:
            for w in content_words(s.text, s.lang):
                if word_term(w.lower(), s.lang) not in known:
                    self.unknown[s.lang].append(w.lower())
        # words of the index itself, as often as they occur: users also name everyday matters of
        # public administration («акимат», «сотрудник», «заявление») that are not the point
        for s in inside:
            self.common[s.lang] += [w.lower() for w in content_words(s.text, s.lang)]

    def add(self, question: str, lang: str, rng: random.Random) -> str:
        unknown, common = self.unknown.get(lang) or [], self.common.get(lang) or []
        if not unknown or not common or rng.random() < 0.2:
            return question
        words = [rng.choice(unknown) for _ in range(rng.randint(0, 4))]
        words += [rng.choice(common) for _ in range(rng.randint(0, 3))]
        rng.shuffle(words)
        if not words:
            return question
        if rng.random() < 0.3:  # now and then inside the question itself
            head, _, tail = question.rpartition(" ")
            return f"{head} {' '.join(words)} {tail}" if head else question
        return f"{' '.join(words).capitalize()}. {question}"
