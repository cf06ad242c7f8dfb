"""The model's summary of a law answer: the prompt from the quotes, the token stream (stopped
early when the model only copies a cut quote), and the citation check of what it wrote. What
survives is the summary; the quotes are always shown under it."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import LLMUnavailable
from assistant.rag.citations import check, copies_cut_quote, verified_text
from assistant.rag.events import Token
from assistant.rag.evidence import Evidence
from assistant.rag.prompts import finished_part, law_messages, phrase, without_prompt_echo
from assistant.rag.quote_context import first_said
from assistant.rag.quoting import clip, unit_label

if TYPE_CHECKING:
    from assistant.domain import Citation
    from assistant.llm.base import LLM
    from assistant.rag.understand import Understanding
    from assistant.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Summary:
    text: str = ""  # the verified sentences; empty when none survived the check
    notice: str = ""  # why there is no summary, when the user should know (the model is down)
    model: str = ""


# This model's tokenizer spends twice the tokens on a Kazakh character as on a Russian one (the
# public-services act: 3.2 characters a token in Russian, 1.58 in Kazakh), so a Kazakh quote gets
# half the characters: the same number of tokens to prefill.
KK_CHARS_SHARE = 0.5


def chars_for(limit: int, lang: str) -> int:
    """The characters a quote in `lang` may keep in the prompt, for a budget of `limit` in Russian."""
    return round(limit * KK_CHARS_SHARE) if lang == "kk" else limit


def summarise(
    llm: LLM,
    u: Understanding,
    citations: list[Citation],
    evidence: list[Evidence],
    said: dict[int, str],
    focus: dict[int, str],
    kb: Any,
    settings: Settings,
    timings: dict[str, float],
) -> Generator[Token, None, Summary]:
    """Stream the model's answer to `u` over the quotes `said` (by citation number), yielding
    its tokens, and return what of it the citation check keeps."""
    # Only the quotes that nearly match the best one go to the model: weak ones cost prefill
    # time and pull a small model off topic. They are still shown to the user.
    ratio = settings.answer.llm_source_ratio
    given = [c for c, ev in zip(citations, evidence, strict=True) if ev.score >= ratio * evidence[0].score]
    limit = settings.answer.llm_source_chars
    sources = [
        (
            c.n,
            unit_label(c.citation, u.lang),
            clip(first_said(focus[c.n], said[c.n]), chars_for(limit, c.lang)),
        )
        for c in given
    ]
    t0 = time.perf_counter()
    parts: list[str] = []
    budget = settings.llm.max_tokens
    stream = llm.stream(law_messages(u.question, sources, u.lang), max_tokens=budget)
    copying = False
    summary = Summary()
    try:
        for token in stream:
            if not parts:
                timings["ttft_ms"] = (time.perf_counter() - t0) * 1000
            parts.append(token)
            yield Token(token)
            # copying a cut quote: the check would drop the whole summary, so stop now and show
            # the law's sentence seconds sooner
            if copying := copies_cut_quote("".join(parts[-3:])):
                break
        summary.model = llm.name
    except LLMUnavailable as exc:
        log.warning("LLM unavailable, answering extractively: %s", exc)
        summary.notice = phrase("llm_down", u.lang)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # the model thread stops generating at once
    timings["llm_ms"] = (time.perf_counter() - t0) * 1000
    raw = without_prompt_echo("".join(parts), u.lang)
    if len(parts) >= budget:  # ran out of tokens: its last sentence is cut off
        raw = finished_part(raw)
    checked = check(raw, {c.n: said[c.n] for c in given}, kb.analyzer, settings.answer.support_threshold)
    summary.text = "" if copying else verified_text(checked)
    timings["dropped_sentences"] = float(sum(1 for c in checked if not c.kept))
    return summary


def adds_of_lead(summary: str, lead: str, question: str, kb: Any, lang: str) -> float:
    """How much of what the lead sentence adds to the question the summary says: the IDF mass of
    the lead's terms that the question lacks («в течение одного рабочего дня», the body that
    decides), found among the summary's terms. A summary that restates the question and leaves
    that out opens the answer without its fact. 1.0 when the lead adds nothing."""
    asked = set(kb.analyzer.terms(question, lang))
    adds = {t for t in kb.analyzer.terms(lead) if t not in asked}
    total = sum(kb.stats.idf(t) for t in adds)
    if total <= 0:
        return 1.0
    said = set(kb.analyzer.terms(summary))
    return sum(kb.stats.idf(t) for t in adds if t in said) / total
