"""The model's summary step on its own: tokens streamed as they come, what the citation check
keeps, the early stop on a copied cut quote, and a dead model."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import Chunk
from assistant.llm.fake import FakeLLM
from assistant.rag.events import Token
from assistant.rag.evidence import Evidence
from assistant.rag.quoting import act_citation
from assistant.rag.summary import Summary, chars_for, summarise
from assistant.rag.understand import understand
from assistant.text.analyzer import Analyzer
from tests.conftest import make_settings

SENTENCE = "Жалоба рассматривается в течение пяти рабочих дней со дня ее регистрации."
WEAK = "Жалоба подается в письменной форме."


@dataclass
class KB:
    analyzer: Any


def run(gen: Generator[Token, None, Summary]) -> tuple[list[str], Summary]:
    tokens: list[str] = []
    while True:
        try:
            tokens.append(next(gen).text)
        except StopIteration as stop:
            return tokens, stop.value


def summary_of(
    llm: FakeLLM, tmp_path: Path, timings: dict[str, float] | None = None, weak_score: float = 0.1
) -> tuple[list[str], Summary]:
    chunk = Chunk(chunk_id="a#st5", citation="a#st5", kind="act", lang="ru", title="Статья 5", text=SENTENCE)
    other = chunk.model_copy(update={"chunk_id": "a#st6", "citation": "a#st6", "text": WEAK})
    evidence = [Evidence(chunk, SENTENCE, 1.0), Evidence(other, WEAK, weak_score)]
    citations = [act_citation(i, ev.chunk, ev.sentence) for i, ev in enumerate(evidence, 1)]
    said = {1: SENTENCE, 2: WEAK}
    u = understand("За сколько дней рассматривают жалобу?")
    settings = make_settings(tmp_path)
    return run(
        summarise(
            llm,
            u,
            citations,
            evidence,
            said,
            said,
            KB(Analyzer()),
            settings,
            {} if timings is None else timings,
        )
    )


def test_the_streamed_tokens_make_the_verified_summary(tmp_path: Path) -> None:
    llm = FakeLLM()
    timings: dict[str, float] = {}
    tokens, summary = summary_of(llm, tmp_path, timings)
    assert "".join(tokens).strip().startswith("Жалоба рассматривается в течение пяти рабочих дней")
    assert summary.text.endswith("[1].") and "пяти рабочих дней" in summary.text
    assert (summary.model, summary.notice) == ("fake", "")
    assert {"ttft_ms", "llm_ms", "dropped_sentences"} <= timings.keys()
    # only the quote near the best one is in the prompt: the weak one would pull the model off
    prompt = llm.calls[0][-1].content
    assert "[1]" in prompt and WEAK not in prompt


@pytest.mark.parametrize(("weak_score", "sent"), [(0.75, False), (0.85, True)])
def test_a_quote_goes_to_the_model_only_near_the_best_one(
    tmp_path: Path, weak_score: float, sent: bool
) -> None:
    llm = FakeLLM()
    summary_of(llm, tmp_path, weak_score=weak_score)  # the share required is 0.8 by default
    assert (WEAK in llm.calls[0][-1].content) is sent


def test_a_kazakh_quote_keeps_half_the_characters_of_a_russian_one(tmp_path: Path) -> None:
    # the same tokens to prefill: this model's tokenizer spends twice as many on a Kazakh character
    assert chars_for(320, "ru") == 320 and chars_for(320, "kk") == 160
    ru = (
        SENTENCE
        + " Решение направляется заявителю в электронной форме через портал государственных услуг в тот же рабочий день."
    )
    kk = "Шағым тіркелген күнінен бастап бес жұмыс күні ішінде қаралады, ал шешім өтініш берушіге " * 3
    chunks = [
        Chunk(chunk_id="a#st5", citation="a#st5", kind="act", lang="ru", title="Статья 5", text=ru),
        Chunk(chunk_id="a#st5@kk", citation="a#st6", kind="act", lang="kk", title="6-бап", text=kk),
    ]
    evidence = [Evidence(c, c.text, 1.0) for c in chunks]
    citations = [act_citation(i, ev.chunk, ev.sentence) for i, ev in enumerate(evidence, 1)]
    said = {1: ru, 2: kk}
    llm = FakeLLM()
    u = understand("За сколько дней рассматривают жалобу?")
    run(summarise(llm, u, citations, evidence, said, said, KB(Analyzer()), make_settings(tmp_path), {}))
    prompt = llm.calls[0][-1].content
    assert len(ru) > 160 and ru in prompt  # under the Russian budget of 320: whole
    kk_line = next(line for line in prompt.splitlines() if "[2]" in line)
    assert kk_line.endswith("…") and len(kk_line.partition(": ")[2]) <= 161


def test_an_unsupported_sentence_is_dropped(tmp_path: Path) -> None:
    _, summary = summary_of(FakeLLM(reply="Жалобу рассматривают за один час в суде [1]."), tmp_path)
    assert summary.text == ""


def test_a_copied_cut_quote_stops_the_model_and_leaves_no_summary(tmp_path: Path) -> None:
    reply = "Жалоба … рассматривается в течение пяти рабочих дней со дня ее регистрации [1]. " * 5
    tokens, summary = summary_of(FakeLLM(reply=reply), tmp_path)
    assert summary.text == ""
    assert len("".join(tokens)) < len(reply) / 2  # stopped at the first cut mark


@pytest.mark.parametrize("fail_after", [None, 2])
def test_a_dead_model_leaves_a_notice_not_an_error(tmp_path: Path, fail_after: int | None) -> None:
    llm = FakeLLM(fail=fail_after is None, fail_after=fail_after)
    _, summary = summary_of(llm, tmp_path)
    assert summary.notice and summary.model == ""
