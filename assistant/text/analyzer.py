"""Text → index terms for the sparse (lexical) half of hybrid retrieval.

Russian words are lemmatised, Kazakh words stemmed, and the choice is made per word, because
Russian documents quote Kazakh names and Kazakh questions borrow Russian words. The same
function must serve documents and queries: a term only matches if both sides produce it.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.text import kazakh, russian
from assistant.text.lang import Lang, detect_lang, has_kazakh_letters, is_cyrillic, normalize

if TYPE_CHECKING:
    from assistant.text.lexicon import Lexicon

__all__ = [
    "EXPANSION_WEIGHT",
    "MAX_QUERY_WEIGHT",
    "Analyzer",
    "abbreviation",
    "match_key",
    "raw_tokens",
    "word_term",
]

# Lexicon expansions are evidence of intent, not words the user typed: weaker than the question.
EXPANSION_WEIGHT = 0.6
MAX_QUERY_WEIGHT = 2.0

# Letters-only runs, or numbers with hyphenated parts ("9-1", article/point numbers), kept whole.
_TOKEN_RE = re.compile(r"\d+(?:-\d+)*|[^\W\d_]+")

# Russian inflections that Kazakh words do not end in; used to recognise a Russian word inside
# Kazakh text when it has no Kazakh letters to give it away. Only dictionary words qualify, and
# endings shared with Kazakh (-ы: бабы is «its article», not «баба») are left out, because a
# Kazakh word sent to the lemmatiser would no longer meet its own inflected forms.
_RU_ENDINGS = (
    "ый",
    "ий",
    "ой",
    "ая",
    "яя",
    "ое",
    "ее",
    "ые",
    "ие",
    "ых",
    "их",
    "ого",
    "его",
    "ому",
    "ему",
    "ую",
    "юю",
    "ыми",
    "ими",
    "ами",
    "ями",
    "ах",
    "ях",
    "ов",
    "ев",
    "ость",
    "ости",
    "остью",
    "ия",
    "ии",
    "ию",
    "ией",
    "ние",
    "ния",
    "нию",
    "нием",
    "ть",
    "ться",
    "ет",
    "ют",
    "ит",
    "ят",
    "ется",
    "ются",
    "ится",
    "ятся",
    "ал",
    "ала",
    "али",
    "ило",
    "и",
)
_RU_ONLY_LETTERS_RE = re.compile("[ёщъь]")
_MAX_GUESS_FREE = 4
# An abbreviation, possibly with a case ending glued on: «ЦОН», «ЦОНа», «ИИНом», «МЦРИАП».
_ABBR_RE = re.compile("([A-ZА-ЯӘҒҚҢӨҰҮҺІ]{2,6})[a-zа-яәғқңөұүһі]{0,3}")
_MAX_KK_ABBR = 4
# Kazakh noun + light verb idioms whose noun alone means something else: «жол беру / жол
# берілмейді» is «допускать / не допускается» (106 of the 116 uses of a bare «жол» before a
# word in the Kazakh public-services law and large acts), while «жол» alone is «путь, способ». The pair becomes one
# term, so «қандай жолдармен» (by what ways) stops meeting every «… жол берілмейді».
_KK_IDIOMS = {"жол": "бер"}


def raw_tokens(text: str) -> list[str]:
    """Normalised tokens with their case preserved and nothing dropped (abbreviation matching
    needs both)."""
    return _TOKEN_RE.findall(normalize(text))


def _looks_russian(word: str) -> bool:
    if not russian.is_known(word):
        return False
    return _RU_ONLY_LETTERS_RE.search(word) is not None or word.endswith(_RU_ENDINGS)


def abbreviation(token: str, lang: Lang = "ru") -> str | None:
    """Lowercase abbreviation if the case-preserved token is one (ЦОН, ЦОНе, ХҚКО), else None.

    Abbreviations are kept verbatim: the analysers would inflect or stem them as if they were
    words. All-caps headings («ОБЩИЕ ПОЛОЖЕНИЯ», «МЕМЛЕКЕТТІК») are words, so a token counts as
    an abbreviation only when it is short and not a common dictionary word; readings as a proper
    name do not count, since the dictionary "knows" МИОР as a place and ИС as a name.
    """
    match = _ABBR_RE.fullmatch(token)
    if match is None:
        return None
    low = match.group(1).lower()
    # Kazakh headings have no dictionary to tell words from abbreviations: only length helps.
    if lang == "kk" or has_kazakh_letters(low):
        return low if len(low) <= _MAX_KK_ABBR else None
    if not russian.is_known(low) or russian.is_name_like(low):
        return low
    return None


@lru_cache(maxsize=200_000)
def match_key(word: str, lang: Lang) -> str:
    """The comparison key of a lowercase word in a text of the given language, stopwords kept.

    Kazakh letters → Kazakh stem. Otherwise Russian lemma, except in Kazakh text, where a word
    without Kazakh letters is usually still Kazakh (мемлекеттер, туралы, сала) and is stemmed
    unless it is a dictionary Russian word with a Russian-only inflection.
    """
    if word[0].isdigit() or not is_cyrillic(word):
        return word
    if has_kazakh_letters(word):
        return kazakh.stem(word)
    if lang == "kk" and not _looks_russian(word):
        return kazakh.stem(word)
    if len(word) <= _MAX_GUESS_FREE and not russian.is_known(word):
        # pymorphy guesses a lemma for unknown words from their ending; on short ones (цон,
        # егов, миор) the guess is noise (егов → ег), so keep the word as it is.
        return word
    return russian.lemma(word)


@lru_cache(maxsize=200_000)
def word_term(word: str, lang: Lang) -> str | None:
    """Index term of a lowercase word, or None for a stopword."""
    key = match_key(word, lang)
    if word[0].isdigit() or not is_cyrillic(word):
        return key
    if key in kazakh.KK_STOPWORDS or word in kazakh.KK_STOPWORDS:
        return None
    if russian.is_stopword(key) or (lang == "ru" and russian.is_stopword(word)):
        return None
    return key


# Raw tokens remembered per language with their terms (most of any text is a few thousand
# tokens): a build's analysis spent most of its time deciding each token's term anew. The memo
# is emptied when full, so a server's stream of questions cannot grow it without end.
_MEMO_MAX = 500_000


def _join_idioms(terms: list[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        verb = _KK_IDIOMS.get(out[-1]) if out else None
        if verb is not None and term.startswith(verb):
            out[-1] += verb
        out.append(term)
    return out


class Analyzer:
    """Tokenises and normalises text into index terms; optionally expands queries via a lexicon."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon
        self._memo: dict[str, dict[str, str]] = {}

    def tokens(self, text: str) -> list[str]:
        """Lowercase tokens (ё→е); 1-character tokens are dropped unless they are digits."""
        return [t for t in (tok.lower() for tok in raw_tokens(text)) if len(t) > 1 or t.isdigit()]

    @staticmethod
    def token_term(token: str, lang: Lang) -> str | None:
        """The index term of one case-preserved token, or None when it is not indexed."""
        if len(token) < 2 and not token.isdigit():
            return None
        abbr = abbreviation(token, lang) if token[0].isupper() else None
        return abbr if abbr is not None else word_term(token.lower(), lang)

    def terms(self, text: str, lang: Lang | None = None) -> list[str]:
        """Index terms in text order, with repeats (BM25 needs term frequencies)."""
        if lang is None:
            lang = detect_lang(text)
        memo = self._memo.setdefault(lang, {})
        tokens = raw_tokens(text)
        # the memo keeps "" for a token that is not indexed, so None means "not seen yet"
        looked = list(map(memo.get, tokens))
        if None in looked:
            for i, term in enumerate(looked):
                if term is None:
                    if len(memo) >= _MEMO_MAX:
                        memo.clear()
                    term = looked[i] = memo[tokens[i]] = self.token_term(tokens[i], lang) or ""
        out = [term for term in looked if term]
        return _join_idioms(out) if not _KK_IDIOMS.keys().isdisjoint(out) else out

    def query_terms(self, text: str, lang: Lang | None = None) -> dict[str, float]:
        """Query term weights: 1.0 per occurrence (capped at 2.0), lexicon expansion terms 0.6."""
        counts = Counter(self.terms(text, lang))
        weights = {term: min(float(n), MAX_QUERY_WEIGHT) for term, n in counts.items()}
        if self.lexicon is not None:
            for phrase, phrase_lang in self.lexicon.expand_with_lang(text):
                # Each expansion is analysed in its own language: a Kazakh question expanded
                # with a Russian phrase must produce Russian lemmas to meet Russian documents.
                for term in self.terms(phrase, phrase_lang):
                    if weights.get(term, 0.0) < EXPANSION_WEIGHT:
                        weights[term] = EXPANSION_WEIGHT
        return weights
