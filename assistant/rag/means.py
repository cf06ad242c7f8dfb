"""By what ways a thing is done is answered by the list that names the ways.

«Какими способами можно получить государственную услугу?» / «Мемлекеттік қызметті қандай
жолдармен алуға болады?» is answered by «Государственные услуги оказываются: 1) услугодателями;
2) через Государственную корпорацию; 3) посредством веб-портала …» — a list whose opening names
the question's subject and whose items (or opening) say «через / посредством / путем / арқылы».
Its words are not the question's («способ», «получить» are in none of them), so term overlap
ranks articles that merely repeat the question's words above it; read as a list of means about
the asked subject, it is the answer: the list leads the quotes, its article joins the sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.rag.evidence import Evidence
from assistant.rag.quote_context import list_entries
from assistant.text.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.domain import Chunk, Lang
    from assistant.text.analyzer import Analyzer

ASKS_MEANS = re.compile(
    r"(как\w+ (способ|пут|средств|канал)\w*|через что|через как\w+|"
    r"қандай (жол|тәсіл|арна)\w*|не арқылы|қандай .{0,20}арқылы)",
    re.I,
)
# a way or channel («через веб-портал», «посредством …», «… арқылы»)
MEANS = re.compile(r"(\bчерез\b|посредством|\bпут[её]м\b|арқылы)", re.I)
# an opening that says it lists ways: «… обеспечивается следующими способами:», «… мынадай тәсілдермен:»
WAYS = re.compile(r"(способ\w*|тәсіл\w*|\bпут[её]м\b|посредством|арқылы)", re.I)
# the words that ask for ways rather than name the subject (and what the lexicon makes of them)
FRAME = {"ru": "способ путь средство канал", "kk": "жол тәсіл арна"}
MIN_ITEMS = 2


def mostly_means(items: Sequence[str]) -> bool:
    """Whether at least half of a list's items name a way («через …», «посредством …», «… арқылы»)."""
    return bool(items) and 2 * sum(bool(MEANS.search(i)) for i in items) >= len(items)


def _is_means_list(opening: str, items: list[str]) -> bool:
    """A list of means: its opening says it lists ways («следующими способами:», «путем:»), or
    most of its items name one."""
    if len(items) < MIN_ITEMS:
        return False
    return bool(WAYS.search(opening)) or mostly_means(items)


def asks_means(question: str) -> bool:
    return ASKS_MEANS.search(question) is not None


def means_list(question: str, articles: Sequence[Chunk], analyzer: Analyzer, lang: Lang) -> Evidence | None:
    """The opening of the list of means in `articles` that names the most of the question's
    words (at least one): the list answers «by what ways?» about the subject it opens with."""
    if not asks_means(question):
        return None
    frame = {t for words in FRAME.values() for t in analyzer.query_terms(words, lang)}
    asked = {t for t in analyzer.query_terms(question, lang) if t not in frame}
    best: tuple[int, Evidence] | None = None
    for article in articles:
        if article.lang != lang:
            continue  # the opening's words are compared with the question's own
        for sentence in split_sentences(article.text):
            if not sentence.rstrip().endswith(":"):
                continue
            if not _is_means_list(sentence, list_entries(article.text, sentence)):
                continue
            shared = len(asked & set(analyzer.terms(sentence, article.lang)))
            if shared and (best is None or shared > best[0]):
                best = (shared, Evidence(article, sentence, 1.0))
    return best[1] if best else None
