"""What a term means is answered by the law's own definition of it.

The acts define their terms as list entries «<term> – <what it is>» (the «основные понятия»
article of a law, «… деп түсініледі» in Kazakh). A question that asks what a term means
(«Что значит «проактивно распространять информацию»?», «… дегеніміз не?») and names every word
of a defined term in some form is answered by that entry: the article leads the sources and the
entry leads the quotes, whatever else the article says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.rag.evidence import Evidence, question_types
from assistant.text.sentences import split_sentences
from assistant.text.sparse import PREFIX_LEN, with_prefixes

if TYPE_CHECKING:
    from assistant.domain import Chunk, Lang, SearchHit
    from assistant.rag.knowledge import VersionKnowledge
    from assistant.text.analyzer import Analyzer

# «3-1) проактивное распространение информации – распространение …»: an optional list number, a
# short head, a dash between spaces
DEFINITION = re.compile(r"^\s*(?:\d+(?:-\d+)?\)\s*)?(?P<head>[^–—:;]{3,150}?)\s+[–—]\s+\S")
# a one-word head («информация – …») is named by nearly every question; it counts only when the
# question puts the word in quotes
MIN_HEAD_TERMS = 2
MAX_HEAD_TERMS = 8
_QUOTED = re.compile(r"[«\"“]([^»\"”]{2,120})[»\"”]")


def _named(term: str, asked: set[str]) -> bool:
    """The question names a head term in some form: the term itself, or its five-letter root
    (проактивное / проактивно, распространение / распространять)."""
    return term in asked or (len(term) > PREFIX_LEN + 1 and f"^{term[:PREFIX_LEN]}" in asked)


def defining_sentence(
    question: str, articles: Sequence[Chunk], analyzer: Analyzer, lang: Lang
) -> Evidence | None:
    """The entry of `articles` that defines the term a «what does it mean» question asks about;
    the entry with the longest head when several are named (the most specific term)."""
    if "definition" not in question_types(question):
        return None
    asked = set(with_prefixes(analyzer.terms(question, lang)))
    quoted = {t for q in _QUOTED.findall(question) for t in analyzer.terms(q, lang)}
    best: tuple[int, Evidence] | None = None
    for article in articles:
        for sentence in split_sentences(article.text):
            m = DEFINITION.match(sentence)
            if m is None:
                continue
            head = analyzer.terms(m.group("head"), article.lang)
            if not head or len(head) > MAX_HEAD_TERMS or not all(_named(t, asked) for t in head):
                continue
            if len(head) < MIN_HEAD_TERMS and not set(head) <= quoted:
                continue
            if best is None or len(head) > best[0]:
                best = (len(head), Evidence(article, sentence, 1.0))
    return best[1] if best else None


def definition_first(
    question: str, lang: Lang, hits: list[SearchHit], kb: VersionKnowledge
) -> list[SearchHit]:
    """`hits` with the article that defines the asked term moved to the front."""
    if "definition" not in question_types(question):
        return hits  # before any article is read
    acts = [h for h in hits if h.chunk.kind == "act"]
    articles = [kb.article(h.chunk.citation, h.chunk.lang) or h.chunk for h in acts]
    found = defining_sentence(question, articles, kb.analyzer, lang)
    if found is None:
        return hits
    lead = next(h for h in acts if h.chunk.citation == found.chunk.citation)
    return [lead, *(h for h in hits if h is not lead)]
