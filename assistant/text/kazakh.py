"""A light, dependency-free Kazakh stemmer and Kazakh stopwords.

Approach
--------
Kazakh is agglutinative: a word is a stem followed by a predictable chain of suffixes
(derivation → plural → possessive → case), e.g. қызмет-тер-і-нің, мемлекет-тік, көрсет-іл-етін.
The stemmer peels suffixes off the end slot by slot (case → possessive → plural → verbal or
derivational → passive), removing at most one suffix per slot: the longest one from that slot's
list that still leaves a stem of at least ``min_stem`` letters containing a vowel and whose last
sound admits that variant of the suffix (-ті/-ты only after a consonant, -ні/-ны only after a
vowel, and so on). The pass is repeated until nothing changes, so that a bare stem which merely
looks inflected (тұлға, cut to тұл) and its really inflected forms (тұлғалар → тұлға → тұл) end
up with the same key; a pass that reaches a verb stem is final.

After a vowel-initial suffix is removed, a stem-final voiced consonant is devoiced (бабы → баб
→ бап, тармағы → тармақ, мемлекеттігі → мемлекеттік), undoing the regular п/б, қ/ғ, к/г
alternation. Derivational -лық/-лік/-дық/-дік/-тық/-тік is stripped by default (мемлекеттік →
мемлекет), which is what retrieval wants; turn it off with ``strip_derivational=False`` when the
adjective/abstract noun must stay distinct.

So «мемлекеттік», «мемлекеттің», «мемлекетке» → «мемлекет»; «қызметтердің», «қызметтер»,
«қызметті» → «қызмет»; «көрсетілетін», «көрсету» → «көрсет».

Limits
------
* No dictionary, and vowel harmony is not checked (only the sound class before a suffix): a
  stem that happens to end like a suffix is cut (қағида → қағи, жалпы → жалп). This is harmless
  for retrieval as long as every form of the word is cut the same way, which is the usual case,
  but two unrelated words may collide.
* Homonymous suffixes are not disambiguated (-ды is accusative, past tense and "having"), and
  first/second-person possessives, mood, negation and most verb morphology are left alone.
* Russian loanwords inside Kazakh text are treated as Kazakh: корпорациясы → корпорация is
  right, but Russian inflection (корпорации) is not undone here.
* It is a stemmer, not a lemmatiser: the stem is a retrieval key, not always a real word.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["KK_STOPWORDS", "KazakhStemmer", "is_stopword", "stem"]

_VOWELS = frozenset("аәеиоөұүыіуэюя")

# What the stem must end in for a suffix variant to be possible at all: Kazakh picks the variant
# by the preceding sound (accusative -ті after a consonant, -ні after a vowel; possessive -і
# after a consonant, -сі after a vowel). Checking it keeps «құзыреті» (құзырет + possessive -і)
# from being read as «құзыре» + accusative -ті.
_ANY, _C, _V, _VN = "", "C", "V", "VN"  # any / consonant / vowel / vowel or м, н, ң

Slot = tuple[tuple[str, str], ...]


def _slot(*groups: tuple[str, str]) -> Slot:
    """(space-separated suffixes, requirement) groups → (suffix, requirement), longest first."""
    pairs = {suffix: req for suffixes, req in groups for suffix in suffixes.split()}
    return tuple(sorted(pairs.items(), key=lambda item: len(item[0]), reverse=True))


# Slots in the order they are peeled off the end of a word (the reverse of the order they are
# attached). Each slot removes at most one suffix, so a stem that merely ends like a suffix is
# not eaten further within a pass (қызметіне → қызметі → қызмет, not қызме).
_CASE = _slot(
    ("ның нің", _VN),
    ("дың дің тың тің", _C),  # genitive
    ("ға ге", _ANY),
    ("қа ке", _C),
    ("на не", _V),  # dative (на/не after a possessive)
    ("да де", _ANY),
    ("та те", _C),
    ("нда нде", _V),  # locative
    ("дағы дегі", _ANY),
    ("тағы тегі", _C),
    ("ндағы ндегі", _V),  # locative + relative -ғы
    ("дан ден", _ANY),
    ("тан тен", _C),
    ("нан нен", _VN),
    ("ндан нден", _V),  # ablative
    ("ды ді ты ті ын ін", _C),
    ("ны ні сын сін", _V),  # accusative, incl. after a possessive
    ("мен бен пен менен бенен пенен", _ANY),  # instrumental
)
# Finite verb forms that end a word where a case ending would: present 3rd person and the
# passive future participle. They compete with the case slot (longest wins), so that
# көрсетілетін loses -ілетін rather than accusative -ін.
_FINITE = _slot(("ады еді ілетін ылатын", _C), ("летін латын йтын йтін", _V))
_POSSESSIVE = _slot(("сы сі", _V), ("ы і", _C))
_PLURAL = _slot(("лар лер", _ANY), ("дар дер тар тер", _C))
# Verbal noun and past participle; only after one of these is a passive -ыл/-іл stripped, so
# nouns that end in -ыл/-іл (өкіл, жыл) are left alone.
_VERBAL = _slot(("у ған ген", _ANY), ("қан кен", _C))
_PASSIVE = _slot(("ыл іл", _C))
_DERIVATIONAL = _slot(("лық лік", _ANY), ("дық дік тық тік", _C))

# Undo the alternation a voiceless stem-final consonant undergoes before a vowel.
_DEVOICE = {"б": "п", "ғ": "қ", "г": "к"}
# у and и are vowels in spelling but close a syllable like consonants (тарау-ы, көрсету-і).
_GLIDES = frozenset("уи")

_MAX_PASSES = 4


def _fits(base: str, requirement: str) -> bool:
    last = base[-1]
    if requirement == _C:
        return last not in _VOWELS or last in _GLIDES
    if requirement == _V:
        return last in _VOWELS
    if requirement == _VN:
        return last in _VOWELS or last in "мнң"
    return True


class KazakhStemmer:
    """Slot-by-slot longest-suffix stripper; see the module docstring for approach and limits."""

    def __init__(self, min_stem: int = 3, strip_derivational: bool = True) -> None:
        self.min_stem = min_stem
        self.strip_derivational = strip_derivational

    def _strip(self, word: str, slot: Slot) -> str | None:
        for suffix, requirement in slot:
            if not word.endswith(suffix):
                continue
            base = word[: -len(suffix)]
            if len(base) < self.min_stem or not (_VOWELS & set(base)) or not _fits(base, requirement):
                continue
            if suffix[0] in _VOWELS and base[-1] in _DEVOICE:
                base = base[:-1] + _DEVOICE[base[-1]]
            return base
        return None

    def _pass(self, word: str) -> tuple[str, bool]:
        """One pass over the slots; the flag tells that a verb stem was reached."""
        finite = self._strip(word, _FINITE)
        case = self._strip(word, _CASE)
        if finite is not None and (case is None or len(finite) <= len(case)):
            return self._strip(finite, _PASSIVE) or finite, True
        current = case or word
        for slot in (_POSSESSIVE, _PLURAL):
            current = self._strip(current, slot) or current
        verbal = self._strip(current, _VERBAL)
        if verbal is not None:
            return self._strip(verbal, _PASSIVE) or verbal, True
        if self.strip_derivational:
            current = self._strip(current, _DERIVATIONAL) or current
        return current, False

    def stem(self, word: str) -> str:
        """Stem of a lowercase Kazakh word (returned unchanged when nothing can be stripped)."""
        # Repeat to a fixed point: a bare stem that merely looks inflected (тұлға, қаржы) is cut
        # on the first pass, and its inflected forms (тұлғалар → тұлға) must reach the same key.
        # Verb stems are final: another pass would read қолдан- as қол + ablative -дан.
        current = word
        for _ in range(_MAX_PASSES):
            shorter, is_verb = self._pass(current)
            if shorter == current:
                break
            current = shorter
            if is_verb:
                break
        return _drop_glide(current)


_VOWELS = frozenset("аәеиоөұүыіэюя")


def _drop_glide(stem: str) -> str:
    """Present tense of a vowel-final verb inserts a glide: бақыла-й-ды, әзірле-й-ді. Without it
    the verb meets its verbal noun (бақылау → бақыла) and the rest of its forms."""
    if len(stem) > 4 and stem.endswith("й") and stem[-2] in _VOWELS:
        return stem[:-1]
    return stem


_DEFAULT = KazakhStemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem with the default settings (min stem 3, derivational suffixes stripped); cached."""
    return _DEFAULT.stem(word.lower())


# Surface forms; callers check both the word and its stem so inflected pronouns are caught too.
KK_STOPWORDS: frozenset[str] = frozenset(
    {
        # conjunctions, particles, postpositions
        "және",
        "мен",
        "бен",
        "пен",
        "немесе",
        "не",
        "я",
        "яғни",
        "бірақ",
        "алайда",
        "егер",
        "онда",
        "сонда",
        "да",
        "де",
        "та",
        "те",
        "ғана",
        "қана",
        "тек",
        "ма",
        "ме",
        "ба",
        "бе",
        "па",
        "пе",
        "ше",
        "туралы",
        "бойынша",
        "үшін",
        "арқылы",
        "сияқты",
        "дейін",
        "шейін",
        "кейін",
        "соң",
        "бері",
        "бастап",
        "қарай",
        "қатысты",
        "байланысты",
        "сәйкес",
        "жөнінде",
        "жөніндегі",
        "ретінде",
        "шеңберінде",
        "ішінде",
        "кезінде",
        "сондай",
        "ақ",
        "әрі",
        "бұдан",
        "бұған",
        "осыған",
        "сондықтан",
        "өйткені",
        "себебі",
        "ал",
        "тағы",
        # pronouns and determiners
        "сен",
        "сіз",
        "ол",
        "біз",
        "олар",
        "бұл",
        "осы",
        "сол",
        "мына",
        "мынадай",
        "осындай",
        "өз",
        "өзі",
        "өзінің",
        "оның",
        "олардың",
        "бұның",
        "осының",
        "барлық",
        "әр",
        "әрбір",
        "кейбір",
        "басқа",
        "өзге",
        "бәрі",
        "барша",
        "кез",
        "келген",
        # question words
        "кім",
        "қандай",
        "қалай",
        "қай",
        "қайда",
        "қашан",
        "неге",
        "неліктен",
        "қанша",
        "неше",
        "деген",
        "дегеніміз",
        # auxiliary verbs and their frequent forms
        "болу",
        "болады",
        "болып",
        "болса",
        "болған",
        "болатын",
        "табылады",
        "тиіс",
        "керек",
        "мүмкін",
        "жатады",
        "етеді",
        "ету",
        "деп",
        "бол",
        "ет",
    }
)


def is_stopword(word: str) -> bool:
    """True for a Kazakh function word, checked on the surface form and on its stem."""
    return word in KK_STOPWORDS or stem(word) in KK_STOPWORDS
