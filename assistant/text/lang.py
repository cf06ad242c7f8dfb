"""Script-level text handling shared by the lexical pipeline: normalisation and language detection.

Kazakh and Russian share the Cyrillic alphabet, so detection works on evidence rather than on the
script: Kazakh-only letters (әғқңөұүһі) and Kazakh function words count for Kazakh, Russian
function words count for Russian.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.domain import Lang

__all__ = ["KK_LETTERS", "Lang", "detect_lang", "has_kazakh_letters", "is_cyrillic", "normalize"]

KK_LETTERS = frozenset("әғқңөұүһі")
_KK_LETTERS_RE = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_WORD_RE = re.compile(r"[^\W\d_]+")

# Invisible characters that official texts and copy-paste leave inside words, and stress marks
# and other combining diacritics that survive NFC: left in place, either would cut a word in two
# at tokenisation.
_DROPPED_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u0300-\u036f\u0483-\u0489]")

# Kazakh texts converted from old encodings often carry Latin look-alikes inside Cyrillic words
# (most often Latin "i" for "і": «уәкiлеттi»); without mapping them the same word would yield
# two different terms. Only Latin runs touching a Cyrillic letter are mapped, so "eGov" stays.
_LATIN_TO_CYRILLIC = str.maketrans(
    "aeopcxyiAEOPCXYIKMHTBkmh",
    "аеорсхуіАЕОРСХУІКМНТВкмһ",
)
# Every Latin run, its neighbours checked in `_to_cyrillic`: a look-behind/look-ahead pattern
# tried at every character took three quarters of a build's normalisation time.
_LATIN_RUN_RE = re.compile("[a-zA-Z]+")
# Detection needs a sample, not a whole act.
_DETECT_CHARS = 20_000

# Words without Kazakh letters that still mark Kazakh (short queries often have only these).
_KK_FUNCTION_WORDS = frozenset(
    {
        "және",
        "туралы",
        "бойынша",
        "қандай",
        "кім",
        "қалай",
        "мен",
        "үшін",
        "немесе",
        "осы",
        "бұл",
        "ол",
        "олар",
        "деген",
        "дегеніміз",
        "қайда",
        "қашан",
        "неге",
        "қанша",
        "қай",
        "керек",
        "бар",
        "жоқ",
        "ма",
        "ме",
        "ба",
        "бе",
        "па",
        "пе",
        "арқылы",
        "сияқты",
        "мынадай",
        "болады",
        "болып",
        "табылады",
        "тиіс",
        "сәйкес",
        "жөніндегі",
        "сондай",
        "егер",
        "бірақ",
        "яғни",
        "бастап",
        "дейін",
        "кейін",
        "ретінде",
        "емес",
    }
)
_RU_FUNCTION_WORDS = frozenset(
    {
        "и",
        "в",
        "во",
        "на",
        "что",
        "как",
        "для",
        "по",
        "с",
        "со",
        "о",
        "об",
        "от",
        "к",
        "ко",
        "из",
        "за",
        "это",
        "какие",
        "какой",
        "какая",
        "каким",
        "какого",
        "ли",
        "или",
        "при",
        "до",
        "где",
        "кто",
        "когда",
        "чем",
        "если",
        "может",
        "можно",
        "нужно",
        "такое",
        "также",
        "который",
        "которые",
        "которых",
        "которая",
        "этот",
        "эти",
        "его",
        "их",
        "ее",
        "же",
        "бы",
        "является",
        "являются",
        "чтобы",
        "есть",
        "нет",
        "только",
        "между",
        "через",
        "под",
        "без",
        "после",
        "так",
        "у",
        "а",
        "но",
        "либо",
        "всех",
        "все",
    }
)


# Endings only Russian words have; evidence for Russian in sentences without function words.
_RU_ENDINGS = (
    "ая",
    "ый",
    "ий",
    "ой",
    "ое",
    "ые",
    "ых",
    "ого",
    "ому",
    "ыми",
    "ими",
    "ами",
    "ями",
    "ает",
    "яет",
    "ует",
    "ются",
    "ется",
    "ться",
    "ость",
    "ости",
    "ции",
    "ние",
    "ния",
    "нию",
    "нием",
)


def _is_cyrillic_char(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _to_cyrillic(match: re.Match[str]) -> str:
    run, text = match.group(0), match.string
    start, end = match.span()
    if (start and _is_cyrillic_char(text[start - 1])) or (end < len(text) and _is_cyrillic_char(text[end])):
        return run.translate(_LATIN_TO_CYRILLIC)
    return run


def normalize(text: str) -> str:
    """Case-preserving normalisation: NFC, no invisible/combining marks, ё→е, Latin look-alikes
    inside Cyrillic words mapped to Cyrillic."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = _DROPPED_RE.sub("", text)
        text = text.replace("ё", "е").replace("Ё", "Е")
        text = _LATIN_RUN_RE.sub(_to_cyrillic, text)
    return text


def has_kazakh_letters(word: str) -> bool:
    return _KK_LETTERS_RE.search(word) is not None


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC_RE.search(word) is not None


def detect_lang(text: str) -> Lang:
    """Return "kk" when Kazakh evidence outweighs Russian evidence, else "ru" (the default).

    Kazakh evidence: words with Kazakh letters, Kazakh function words. Russian evidence: Russian
    function words, words with endings only Russian has (-ая, -ого, -ется …). A Kazakh name
    quoted in a Russian sentence («Азаматтарға арналған үкімет») is outweighed by the Russian
    words around it; a short Kazakh query usually has no Russian evidence at all, so a single
    Kazakh word decides it.
    """
    words = [w for w in _WORD_RE.findall(normalize(text[:_DETECT_CHARS]).lower()) if is_cyrillic(w)]
    if not words:
        return "ru"
    kk = sum(1 for w in words if w in _KK_FUNCTION_WORDS or has_kazakh_letters(w))
    ru = sum(
        1 for w in words if w in _RU_FUNCTION_WORDS or (w.endswith(_RU_ENDINGS) and not has_kazakh_letters(w))
    )
    if kk > ru and kk >= max(1.0, 0.1 * len(words)):
        return "kk"
    return "ru"
