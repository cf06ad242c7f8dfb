"""What a term means is answered by the law's own definition of it.

The acts define their terms as list entries «<term> – <what it is>» (the «основные понятия» /
«негізгі ұғымдар» article of a law). A question that asks what a term means
(«Что значит «проактивно распространять информацию»?», «… дегеніміз не?») about a term an act
defines — the same words, in any form — is answered by that entry: the article leads the
sources and the entry leads the quotes, whatever else the article says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.rag.evidence import Evidence, question_types
from assistant.text.sentences import split_sentences
from assistant.text.sparse import PREFIX_LEN

if TYPE_CHECKING:
    from assistant.domain import Chunk, Lang, SearchHit
    from assistant.rag.knowledge import VersionKnowledge
    from assistant.text.analyzer import Analyzer

# «3-1) проактивное распространение информации – распространение …»: an optional list number, a
# short head, a dash between spaces
DEFINITION = re.compile(r"^\s*(?:\d+(?:-\d+)?\)\s*)?(?P<head>[^–—:;]{3,150}?)\s+[–—]\s+\S")
MAX_HEAD_TERMS = 8
_QUOTED = re.compile(r"[«\"“]([^»\"”]{2,120})[»\"”]")
_FOCUS_END = re.compile(r"[^.?!]*\?")
# the words that ask for a meaning rather than name the term (their index terms are dropped)
FRAME = (
    "что это такое значит означает понимается подразумевается понятие термин под по закону "
    "дегеніміз не нені білдіреді деген заң бойынша ұғымы"
)


def _root(term: str) -> str:
    """A term's five-letter root (проактивное / проактивно, распространение / распространять)."""
    return term[:PREFIX_LEN] if len(term) > PREFIX_LEN + 1 else term


# a quoted act name («по Закону о доступе к информации», «Дербес деректер туралы» Заң) names a
# law, not a term, whatever terms its words make
_ACT_NAME = re.compile(r"(закон|кодекс|положени|постановлени|заң|ереже|қаулы|туралы$)", re.I)


def _quoted_terms(question: str) -> list[str]:
    return [q for q in _QUOTED.findall(question) if not _ACT_NAME.search(q.strip())]


def asked_term(question: str, analyzer: Analyzer, lang: Lang) -> frozenset[str]:
    """The terms of the term a definition question asks about: the phrase it quotes, or else its
    asking sentence without the words that ask («Что такое ротация государственных служащих?»
    asks about all three words, not about «государственный служащий»)."""
    quoted = _quoted_terms(question)
    if quoted:
        text = " ".join(quoted)
    else:
        asking = _FOCUS_END.findall(question)
        text = asking[-1] if asking else question
    frame = {_root(t) for t in analyzer.terms(FRAME, lang)} | {_root(t) for t in analyzer.terms(FRAME, "ru")}
    return frozenset(t for t in analyzer.terms(text, lang) if _root(t) not in frame)


def asks_about_term(question: str) -> bool:
    """Whether a question is about what a term means: it asks so («Что такое …?»), or it quotes
    a phrase («Это считается «нарушением безопасности персональных данных»?», «Мемлекеттік орган
    «көрсетілетін қызметті алушы» бола ала ма?») — which is about a term only when the phrase is
    one an act defines (`defining_sentence` matches the very words)."""
    return "definition" in question_types(question) or bool(_quoted_terms(question))


def defining_sentence(
    question: str, articles: Sequence[Chunk], analyzer: Analyzer, lang: Lang
) -> Evidence | None:
    """The entry of `articles` whose defined term is the term the question asks about — the same
    words, in any form."""
    if not asks_about_term(question):
        return None
    asked = asked_term(question, analyzer, lang)
    roots = {_root(t) for t in asked}
    if not asked:
        return None
    for article in articles:
        for sentence in split_sentences(article.text):
            m = DEFINITION.match(sentence)
            if m is None:
                continue
            head = set(analyzer.terms(m.group("head"), article.lang))
            if not 0 < len(head) <= MAX_HEAD_TERMS or {_root(t) for t in head} != roots:
                continue
            # one word is matched as itself: roots would take «услугодатель» for «услугополучатель»
            if len(head) > 1 or head == asked:
                return Evidence(article, sentence, 1.0)
    return None


def definition_first(
    question: str, lang: Lang, hits: list[SearchHit], kb: VersionKnowledge
) -> list[SearchHit]:
    """`hits` with the article that defines the asked term moved to the front."""
    if not asks_about_term(question):
        return hits  # before any article is read
    acts = [h for h in hits if h.chunk.kind == "act"]
    articles = [kb.article(h.chunk.citation, h.chunk.lang) or h.chunk for h in acts]
    found = defining_sentence(question, articles, kb.analyzer, lang)
    if found is None:
        return hits
    lead = next(h for h in acts if h.chunk.citation == found.chunk.citation)
    return [lead, *(h for h in hits if h is not lead)]
