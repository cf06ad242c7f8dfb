"""How sources are shown in answers: unit labels («ст. 9-1» / «9-1-бап»), citations with their
quotes, the line of an article a registry row rests on, repeal notes."""

from __future__ import annotations

from typing import Any

from assistant.domain import Answer, Chunk, Citation
from assistant.rag.prompts import phrase
from assistant.text.sparse import with_prefixes


def unit_label(citation: str, lang: str = "ru") -> str:
    """'public-services#st9-1' → 'ст. 9-1' / '9-1-бап'; 'mior-statute#p16' → 'п. 16' / '16-тармақ';
    'x#s3-p2' → 'разд. 3, п. 2'."""
    anchor = citation.partition("#")[2]
    kk = lang == "kk"
    if anchor.startswith("st"):
        return f"{anchor[2:]}-бап" if kk else f"ст. {anchor[2:]}"
    if anchor.startswith("s") and "-p" in anchor:
        section, _, para = anchor.partition("-p")
        return f"{section[1:]}-бөлім, {para}-тармақ" if kk else f"разд. {section[1:]}, п. {para}"
    para = anchor.removeprefix("p")
    return f"{para}-тармақ" if kk else f"п. {para}"


def clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


def act_citation(n: int, chunk: Chunk, quote: str) -> Citation:
    return Citation(
        n=n,
        citation=chunk.citation,
        kind=chunk.kind,
        title=chunk.title,
        quote=quote.strip(),
        act_title=chunk.act_title,
        lang=chunk.lang,
        version_date=chunk.version_date,
        source_url=chunk.source_url,
        repealed=chunk.repealed,
        status=chunk.status,
    )


def function_terms(row: Chunk, kb: Any) -> frozenset[str]:
    """One function performed by several agencies is one set of words in several rows."""
    text = str(row.registry.get("function_text", ""))
    return frozenset(kb.memo(("function_terms", text), lambda: kb.analyzer.terms(text, "ru")))


def basis_quote(article: Chunk, row: Chunk, kb: Any) -> str:
    """The line of the article a registry row was taken from: the one sharing most lemmas
    with the function text (works for numbered points and for statute list lines alike)."""
    key = ("basis_quote", article.chunk_id, row.chunk_id)
    return str(kb.memo(key, lambda: best_basis_line(article, row, kb)))


def best_basis_line(article: Chunk, row: Chunk, kb: Any) -> str:
    function_only = row.model_copy(
        update={
            "chunk_id": f"{row.chunk_id}#function",  # not the row's own entry in the terms cache
            "bridge": "",
            "title": "",
            "kind": "act",
            "text": row.registry.get("function_text", ""),
        }
    )
    target = set(kb.terms(function_only))
    if article.lang == "kk" and row.bridge:
        target = set(kb.analyzer.terms(row.bridge, "kk"))
    best, best_score = article.text[:400], 0.0
    for line in article.text.split("\n"):
        terms = set(with_prefixes(kb.analyzer.terms(line, article.lang)))
        if terms and target:
            score = len(terms & target) / len(target | terms) ** 0.5
            if score > best_score:
                best, best_score = line.strip(), score
    return best


def label(c: Citation) -> str:
    if c.kind == "registry":
        return f"реестр, {c.citation.removeprefix('registry:')}"
    return f"«{c.act_title}», {unit_label(c.citation, c.lang)}" + (
        f" (ред. {c.version_date})" if c.version_date else ""
    )


def with_repeal_notes(answer: Answer) -> str:
    if answer.refused:
        return answer.answer  # nothing rests on the nearest sources a refusal lists
    notes = []
    for c in answer.citations:
        if c.repealed:
            note = phrase("repealed", answer.lang).format(
                title=f"«{c.act_title}»" if c.act_title else c.citation,
                status=c.status,
                date=c.version_date,
            )
            if note not in notes:
                notes.append(note)
    return answer.answer + ("\n\n" + "\n".join(f"⚠ {n}" for n in notes) if notes else "")
