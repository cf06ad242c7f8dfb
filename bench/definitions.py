"""«What does this term mean?» on every term the demo acts define, with the law's definitions
(`assistant/rag/definitions.py`) and without them, in one run.

The questions are made from the index itself — one per «<term> – …» entry of an «основные
понятия» article, «Что означает «<term>»?» in Russian and ««<term>» дегеніміз не?» in Kazakh —
so nobody wrote them for this code. An answer counts when it quotes the start of the entry's
definition, in any line and in its first line. Fake LLM (the answer text is the quoted evidence).
Writes docs/benchmarks.md (section "definitions") and bench/results/definitions.json.

    .venv/bin/python -m bench.definitions        # needs a built demo index (kenes ingest)
"""

from __future__ import annotations

from typing import Any

from assistant.container import Container
from assistant.rag import answer as answer_module
from assistant.rag import routed as routed_module
from assistant.rag.definitions import DEFINITION
from assistant.settings import Settings
from assistant.text.sentences import split_sentences
from bench.common import machine, machine_line, publish

# the lead-ins of the articles that hold a law's definitions, Russian and Kazakh
GLOSSARY_LEAD = ("основные понятия", "негізгі ұғымдар")


def entries(container: Container) -> list[tuple[str, str, str, str]]:
    """(citation, lang, term, definition start) of every definition entry in the live index."""
    name = container.store.live_collection() or ""
    kb = container.knowledge.for_version(name)
    seen: set[tuple[str, str]] = set()
    out = []
    for payload, _ in container.store.scan(name, ["citation", "lang", "kind"]):
        key = (str(payload.get("citation")), str(payload.get("lang")))
        if payload.get("kind") != "act" or key in seen:
            continue
        seen.add(key)
        article = kb.article(*key)
        if article is None or not any(lead in article.text for lead in GLOSSARY_LEAD):
            continue
        for sentence in split_sentences(article.text):
            if m := DEFINITION.match(sentence):
                out.append((*key, m.group("head").strip(), sentence[m.end("head") :].strip(" –—")[:40]))
    return out


def question(term: str, lang: str) -> str:
    return f"«{term}» дегеніміз не?" if lang == "kk" else f"Что означает «{term}»?"


def measure(container: Container, items: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    found = lead = cited = 0
    for citation, lang, term, start in items:
        answer = container.assistant.ask(question(term, lang))
        found += start in answer.answer
        lead += start in answer.answer.split("\n")[0]
        cited += any(c.citation == citation for c in answer.citations)
    n = len(items)
    return {"n": n, "in_answer": found / n, "in_first_line": lead / n, "article_cited": cited / n}


def main() -> int:
    m = machine()
    settings = Settings()
    settings.llm.mode = "fake"
    container = Container(settings)
    try:
        items = entries(container)
        with_defs = measure(container, items)
        # the same questions with the definition lookup switched off: what it adds
        saved = answer_module.defining_sentence, routed_module.definition_first
        answer_module.defining_sentence = lambda *args, **kwargs: None
        routed_module.definition_first = lambda question, lang, hits, kb: hits
        try:
            without = measure(container, items)
        finally:
            answer_module.defining_sentence, routed_module.definition_first = saved
    finally:
        container.close()
    by_lang = {lang: sum(1 for i in items if i[1] == lang) for lang in ("ru", "kk")}
    rows = [
        f"| {label} | {without[k]:.3f} | {with_defs[k]:.3f} |"
        for k, label in (("in_answer", "definition quoted"), ("in_first_line", "definition in the first line"),
                         ("article_cited", "defining article cited"))
    ]  # fmt: skip
    markdown = "\n".join([
        "## «What does it mean?» questions (`bench/definitions.py`)", "", machine_line(m), "",
        f"{with_defs['n']} questions, one per defined term of the demo acts (ru {by_lang['ru']}, kk "
        f"{by_lang['kk']}), made from the index; fake LLM.", "",
        "| | without the definition lookup | with it |", "|---|---|---|", *rows,
    ])  # fmt: skip
    publish(
        "definitions", markdown, {"machine": m, "with": with_defs, "without": without, "by_lang": by_lang}
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
