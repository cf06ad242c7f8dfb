"""Russian lemmatisation (pymorphy3) and stopwords for the lexical index.

The analyser is expensive to build (~0.5 s, tens of MB of dictionaries), so it is created lazily,
once per process, behind a lock; parsing itself is read-only and safe to share between threads.
Lemmas are cached because legal text repeats a small vocabulary over and over.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

__all__ = ["RU_STOPWORDS", "get_morph", "is_known", "is_name_like", "is_stopword", "lemma", "part_of_speech"]

_lock = threading.Lock()
_morph: MorphAnalyzer | None = None


def get_morph() -> MorphAnalyzer:
    global _morph
    if _morph is None:
        with _lock:
            if _morph is None:
                from pymorphy3 import MorphAnalyzer

                _morph = MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    parses = get_morph().parse(word)
    if not parses:
        return word
    best = parses[0]
    # On a tie prefer the noun reading: "данные" is otherwise read as the participle of "дать"
    # while "данных" is the noun, and "персональные данные" must give one term in every case.
    for parse in parses:
        if parse.score < best.score - 1e-9:
            break
        if parse.tag.POS == "NOUN":
            best = parse
            break
    # pymorphy writes ё in some normal forms ("всё", "её"); the index never has ё.
    return str(best.normal_form).replace("ё", "е")


def lemma(word: str) -> str:
    """Most probable normal form of a Russian word (lowercase, ё→е)."""
    return _lemma(word.lower().replace("ё", "е"))


@lru_cache(maxsize=50_000)
def part_of_speech(word: str) -> str:
    """pymorphy's part of speech of the most probable reading: VERB (finite), NOUN, ADJF …"""
    parses = get_morph().parse(word.lower())
    return str(parses[0].tag.POS or "") if parses else ""


@lru_cache(maxsize=200_000)
def _is_known(word: str) -> bool:
    return bool(get_morph().word_is_known(word))


def is_known(word: str) -> bool:
    """True when the word is in the Russian dictionary (not merely guessed by suffix)."""
    return _is_known(word.lower().replace("ё", "е"))


_NAME_LIKE = frozenset({"Abbr", "Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Init"})


@lru_cache(maxsize=50_000)
def _is_name_like(word: str) -> bool:
    parses = get_morph().parse(word)
    return bool(parses) and all(_NAME_LIKE & set(map(str, p.tag.grammemes)) for p in parses)


def is_name_like(word: str) -> bool:
    """True when every dictionary reading is a proper name or an abbreviation (МИОР is read as a
    place name, ИС as a personal name): such an all-caps token is an abbreviation, not a word."""
    return _is_name_like(word.lower().replace("ё", "е"))


# Lemmas only: callers check the lemma, so one entry covers every inflected form. Legal content
# words (право, орган, лицо, срок, порядок, статья, пункт …) are deliberately absent even when
# frequent: IDF already discounts them and questions do name them.
RU_STOPWORDS: frozenset[str] = frozenset(
    {
        # prepositions
        "в",
        "во",
        "на",
        "с",
        "со",
        "к",
        "ко",
        "по",
        "о",
        "об",
        "обо",
        "от",
        "до",
        "из",
        "за",
        "для",
        "при",
        "без",
        "над",
        "под",
        "про",
        "через",
        "между",
        "у",
        "перед",
        "после",
        "вместо",
        "кроме",
        "около",
        "среди",
        "вследствие",
        "согласно",
        "ввиду",
        "вне",
        "внутри",
        "посредством",
        "путем",
        "относительно",
        "насчет",
        "вокруг",
        "сквозь",
        "ради",
        # conjunctions and particles
        "и",
        "а",
        "но",
        "или",
        "либо",
        "же",
        "ли",
        "не",
        "ни",
        "да",
        "что",
        "чтобы",
        "как",
        "так",
        "также",
        "тоже",
        "то",
        "если",
        "когда",
        "пока",
        "хотя",
        "чем",
        "бы",
        "вот",
        "уже",
        "еще",
        "только",
        "лишь",
        "именно",
        "даже",
        "ведь",
        "будто",
        "словно",
        "поэтому",
        "потому",
        "поскольку",
        "тогда",
        "затем",
        "причем",
        "притом",
        "однако",
        "зато",
        "нибудь",
        # pronouns and determiners
        "я",
        "мы",
        "ты",
        "вы",
        "он",
        "она",
        "оно",
        "они",
        "себя",
        "свой",
        "мой",
        "наш",
        "ваш",
        "твой",
        "его",
        "ее",
        "их",
        "этот",
        "тот",
        "такой",
        "таков",
        "который",
        "какой",
        "каков",
        "чей",
        "кто",
        "весь",
        "все",
        "всякий",
        "каждый",
        "сам",
        "самый",
        "некоторый",
        "никакой",
        "ничто",
        "никто",
        "нечто",
        "некто",
        "любой",
        "другой",
        "иной",
        "данный",
        "настоящий",
        "указанный",
        "вышеуказанный",
        "нижеследующий",
        "следующий",
        "соответствующий",
        # adverbs of place/time/manner that carry no subject matter
        "где",
        "куда",
        "откуда",
        "здесь",
        "там",
        "тут",
        "туда",
        "сюда",
        "почему",
        "зачем",
        "сколько",
        "столько",
        "всегда",
        "иногда",
        "далее",
        "ниже",
        "выше",
        "более",
        "менее",
        "очень",
        "можно",
        "нужно",
        "надо",
        "нельзя",
        # auxiliary and copula verbs
        "быть",
        "являться",
        "мочь",
        "стать",
        "становиться",
        "иметься",
        # residue of «в том числе», «то есть», «и т.д.»
        "том",
        "число",
        "есть",
        "т",
        "д",
        "п",
        "др",
    }
)


def is_stopword(lemma_: str) -> bool:
    return lemma_ in RU_STOPWORDS
