"""The answer engine: understand → retrieve → (registry answer | evidence + LLM synthesis →
citation check | refusal). One template method; the steps are small methods so a different
deployment can override one of them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from assistant.domain import Answer, Chunk, Lang, SearchHit, SearchResult
from assistant.rag import registry_answers as reg
from assistant.rag import registry_query
from assistant.rag.definitions import defining_sentence
from assistant.rag.events import Event, Final, Token
from assistant.rag.evidence import Evidence, EvidenceRanker, led_by_meaning, value_not_stated
from assistant.rag.features import question_terms
from assistant.rag.means import asks_means, means_list
from assistant.rag.prompts import phrase, prefix_messages
from assistant.rag.quote_context import in_context, merged, with_exceptions
from assistant.rag.quoting import (
    act_citation,
    basis_quote,
    function_terms,
    label,
    with_repeal_notes,
)
from assistant.rag.relevance import Answerability, act_topic, coverage, query_weights, unknown_salient
from assistant.rag.rerank import answerable_prob, best_sentences
from assistant.rag.row_scope import asks_what_it_excludes
from assistant.rag.summary import Summary, adds_of_lead, summarise
from assistant.rag.understand import Understanding, understand

if TYPE_CHECKING:
    from assistant.llm.base import LLM
    from assistant.rag.knowledge import Knowledge
    from assistant.rag.learned import Rankers
    from assistant.rag.routed import RoutedRetriever
    from assistant.settings import Settings

__all__ = ["AnswerEngine", "Event", "Final", "Token"]

log = logging.getLogger(__name__)
PREPARE_S = 20.0  # warm-up of registry rows at start: a budget of time, not of rows


def noted(answer: Answer, notice: str) -> None:
    """Puts `notice` first among the answer's notices."""
    answer.notice = " ".join(n for n in (notice, answer.notice) if n)


class AnswerEngine:
    # Calibrated on the dev sets (docs/benchmarks.md). Sources covering less than `floor` of the
    # question's IDF-weighted terms never answer it; below `threshold`, a question that names
    # something the corpus never mentions is refused. A registry row must cover `row_min` to be
    # the answer, and rows within `tie_margin` of the best are shown with it.
    floor = 0.2
    threshold = 0.45
    row_min = 0.25
    tie_margin = 0.05
    # Rows are ranked by coverage plus this share of the retrieved articles that come from the
    # row's own act: the act most of the evidence comes from is what the question is about
    # («запросы граждан об информации» → the access-to-information law), which word overlap with
    # a one-line row cannot tell. Rows of one act compete on coverage alone.
    topic_weight = 0.5

    def __init__(
        self,
        retriever: RoutedRetriever,
        knowledge: Knowledge,
        llm: LLM | None,
        settings: Settings,
        rankers: Rankers | None = None,
    ) -> None:
        self.retriever = retriever
        self.knowledge = knowledge
        self.llm = llm
        self.settings = settings
        self.rankers = rankers

    def warmup(self) -> None:
        """Load the model and evaluate the fixed prompt prefix of each language it answers in
        once, so a question pays only for its own tokens. Failure is not fatal: answers degrade
        to extracts."""
        if self.llm is not None:
            for lang in sorted(self.settings.answer.summary_languages):
                self.llm.warmup(prefix_messages(lang))

    def prepare(self, version: str, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Compute what answers reuse for index `version` (row and article terms, the basis
        line of every row) now, off the request path: otherwise the first questions after a
        start or a re-index pay for it, all at once when many arrive together. A national
        registry (tens of thousands of rows) is warmed for PREPARE_S at most, the rest on first
        use; `keep_going` lets a stopping server end it early."""
        kb = self.knowledge.for_version(version)
        deadline = time.monotonic() + PREPARE_S
        for row in kb.registry.rows:
            if time.monotonic() > deadline or not keep_going():
                log.info("registry rows warmed up to %s; the rest on first use", row.citation)
                break
            kb.terms(row)
            basis = row.registry.get("citation", "")
            for lang in ("ru", "kk"):
                article = kb.article(basis, lang)
                if article is not None:
                    kb.terms(article)
                    basis_quote(article, row, kb)

    # -- template method -------------------------------------------------------------------
    def stream(
        self, question: str, history: list[str] | None = None, lang: Lang | None = None
    ) -> Iterator[Event]:
        started = time.perf_counter()
        u = understand(question, history, lang)
        timings: dict[str, float] = {}
        if u.injection or u.personal_lookup:
            key = "injection" if u.injection else "personal_lookup"
            refusal = self._refusal(u, [], phrase(key, u.lang), started, timings, [])
            refusal.index_version = self.retriever.live_version()  # nothing searched, still audited
            yield Final(refusal)
            return
        top_k = self.settings.retrieval.top_k
        # the learned path sees every re-ranked candidate: a «who» question's row may sit below
        # the articles that mention the same words
        depth = max(top_k, self.retriever.rerank_depth) if self.rankers is not None else top_k
        result = self.retriever.search(u.question, u=u, top_k=depth)
        timings["retrieval_ms"] = result.timings.get("total_ms", 0.0)
        hits = result.hits
        retrieved = [h.chunk.citation for h in hits[:top_k]]
        kb = self.knowledge.for_version(result.index_version)

        listed = self._registry_list(u, kb) if u.intent in ("registry_list", "registry_count") else None
        if listed is not None:
            answer = listed
        else:
            answer = yield from self._answer_from_hits(u, result, kb, timings, started)
        # a row found below the top (the same function held by another agency) that the answer
        # cites was retrieved too: list it, so every citation traces back to retrieval
        cited = {c.citation for c in answer.citations}
        deeper = [h.chunk.citation for h in hits[top_k:] if h.chunk.citation in cited]
        answer.retrieved = retrieved + [c for c in dict.fromkeys(deeper) if c not in retrieved]
        answer.index_version = result.index_version
        answer.timings = {**timings, **answer.timings, "total_ms": (time.perf_counter() - started) * 1000}
        answer.answer = with_repeal_notes(answer)
        yield Final(answer)

    def answer(self, question: str, history: list[str] | None = None, lang: Lang | None = None) -> Answer:
        final = None
        for event in self.stream(question, history, lang):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    # -- steps -----------------------------------------------------------------------------
    def _answer_from_hits(
        self,
        u: Understanding,
        result: SearchResult,
        kb: Any,
        timings: dict[str, float],
        started: float,
    ) -> Generator[Event, None, Answer]:
        if self.rankers is not None:
            return (yield from self._answer_learned(u, result, kb, timings, started, self.rankers))
        hits = result.hits
        reg_hits = [h.chunk for h in hits[:5] if h.chunk.kind == "registry"]
        act_hits = [h.chunk for h in hits if h.chunk.kind == "act"][:3]
        articles = [kb.article(c.citation, c.lang) or c for c in act_hits]
        weights = query_weights(u.retrieval_query, kb.analyzer)
        # the row that covers the question best, in the act the evidence is about, leads — not
        # merely the first one retrieved
        topic = act_topic(hits)
        covs = {c.chunk_id: coverage(weights, kb.terms(c), kb.stats) for c in reg_hits[:3]}
        row_cov = sorted(
            (
                (covs[c.chunk_id] + self.topic_weight * topic.get(c.registry.get("act_slug", ""), 0.0), i, c)
                for i, c in enumerate(reg_hits[:3])
            ),
            key=lambda x: (-x[0], x[1]),
        )
        reg_hits = [c for _, _, c in row_cov] + reg_hits[3:]
        row_score = row_cov[0][0] if row_cov else 0.0  # coverage + topic of the leading row
        lead_cov = covs[reg_hits[0].chunk_id] if reg_hits else 0.0
        reg_cov = max(covs.values(), default=0.0)
        law_cov = max((coverage(weights, kb.terms(a), kb.stats) for a in articles), default=0.0)
        unknown = unknown_salient(u.question, kb.analyzer, kb.stats, kb.roots) if u.lang == "ru" else []
        timings["coverage_reg"] = round(reg_cov, 3)
        timings["coverage_law"] = round(law_cov, 3)
        registry_first = u.intent in ("registry_who", "registry_status")
        key = "no_function" if registry_first else "no_answer"
        closest = [*reg_hits[:1], *act_hits[:2]]
        if not Answerability(max(reg_cov, law_cov), unknown).answerable(self.threshold, self.floor):
            return self._refusal(u, closest, phrase(key, u.lang), started, timings, [])
        if reg_hits and row_score >= self.row_min and (registry_first or lead_cov >= law_cov):
            tied = [c for score, _, c in row_cov if score >= max(self.row_min, row_score - self.tie_margin)]
            # a question that also asks for the law gets the best article that answers it too
            law = [
                a
                for a in articles[:1]
                if u.wants_law and coverage(weights, kb.terms(a), kb.stats) >= self.threshold
            ]
            return reg.single(u, tied, kb, law)
        if articles:
            defined = defining_sentence(u.question, articles, kb.analyzer, u.lang)
            lead, articles = self._lead_quote(u, hits, kb, articles, defined)
            return (yield from self._law(u, articles, kb, timings, None, lead))
        return self._refusal(u, closest, phrase(key, u.lang), started, timings, [])

    def _answer_learned(
        self,
        u: Understanding,
        result: SearchResult,
        kb: Any,
        timings: dict[str, float],
        started: float,
        rankers: Rankers,
    ) -> Generator[Event, None, Answer]:
        """Hits come ordered by the candidate model, each scored with its probability of being
        the source; one calibrated decision says refuse, answer with a caution, or answer."""
        hits = result.hits
        q = question_terms(u, kb)
        act_hits = [h for h in hits if h.chunk.kind == "act"][:3]
        sources = [(kb.article(h.chunk.citation, h.chunk.lang) or h.chunk, h.score) for h in act_hits]
        articles = [a for a, _ in sources]
        evidence = best_sentences(rankers, q, sources, kb, self.settings.answer.evidence_sentences)
        chosen = evidence if rankers.sentence_quotes else None
        p = answerable_prob(rankers, q, hits, evidence[0] if evidence else None, kb, result.similarities)
        timings["answerable_p"] = round(p, 3)
        registry_first = u.intent in ("registry_who", "registry_status")
        rows = [h for h in (hits if registry_first else hits[:5]) if h.chunk.kind == "registry"]
        key = "no_function" if registry_first else "no_answer"
        closest = [h.chunk for h in (rows[:1] + act_hits[:2])]
        missing = value_not_stated(u.question, [a.text for a in articles])
        if missing:
            timings["value_not_stated"] = 1.0  # asked for a date, a sum or a time span no source states
        # a source that defines the very term asked about answers the question; the list of the
        # asked ways leads the quotes of a «by what ways?» question
        defined = defining_sentence(u.question, articles, kb.analyzer, u.lang)
        lead_quote, articles = self._lead_quote(u, hits, kb, articles, defined)
        # «кто … и в какой срок?»: the row still answers who; the missing value gets a notice
        # the best row's own function says it does not cover what is asked: no row is the performer
        excluded = registry_first and bool(rows) and asks_what_it_excludes(q, rows[0].chunk, kb)
        if (p < rankers.refuse_below and defined is None) or (missing and not registry_first) or excluded:
            if registry_first and rows:  # the nearest rows, shown as what they are: other functions
                nearest = [h.chunk for h in rows[:3]]
                return self._refusal(u, nearest, phrase(key, u.lang), started, timings, [], "closest_rows")
            return self._refusal(u, closest, phrase(key, u.lang), started, timings, [])
        lead = rows[0] if rows else None
        top_act = act_hits[0].score if act_hits else 0.0
        # a «who / is it automatable» question is answered by its best row once the question
        # passed the answerability decision; any other question by a row only when the model
        # takes the row for the source rather than any article
        if lead is not None and (registry_first or lead.score > top_act):
            text_of = function_terms
            same = [h.chunk for h in rows if text_of(h.chunk, kb) == text_of(lead.chunk, kb)]
            if u.intent == "registry_who" and hits[0].chunk.kind == "act":
                # the model takes an article for the source rather than any row (and no row
                # derived from it stands just below: routed.row_before_its_basis): the law
                # answers, and the nearest registry rows follow as what they are, the nearest entries
                answer = yield from self._law(u, articles, kb, timings, chosen, lead_quote, result)
                answer = reg.with_nearest_rows(answer, same, u.lang, phrase("quotes", u.lang))
            else:
                law = [a for a in articles[:1] if u.wants_law]
                answer = reg.single(u, same, kb, law)
            if missing:
                noted(answer, phrase("value_not_stated", u.lang))
            return answer
        if not sources:
            return self._refusal(u, closest, phrase(key, u.lang), started, timings, [])
        answer = yield from self._law(u, articles, kb, timings, chosen, lead_quote, result)
        if p < rankers.caution_below:
            noted(answer, phrase("caution", u.lang))
        return answer

    @staticmethod
    def _lead_quote(
        u: Understanding, hits: list[SearchHit], kb: Any, articles: list[Chunk], defined: Evidence | None
    ) -> tuple[Evidence | None, list[Chunk]]:
        """What leads an answer's quotes, and its sources: the law's definition of the asked term
        if a source has it; for a «by what ways?» question, the list of the asked ways among every
        candidate article, its article added when the three best lack it (its words are not the
        question's, so the rankers place it lower; the list leads the quotes all the same)."""
        if defined is not None or not asks_means(u.question):
            return defined, articles  # before any other article is read
        candidates = [
            kb.article(h.chunk.citation, h.chunk.lang) or h.chunk for h in hits if h.chunk.kind == "act"
        ]
        found = means_list(u.question, candidates, kb.analyzer, u.lang)
        if found is None:
            return None, articles
        if any(a.citation == found.chunk.citation for a in articles):
            return found, articles
        return found, [*articles, found.chunk]

    def _registry_list(self, u: Understanding, kb: Any) -> Answer | None:
        query, total, rows = registry_query.select(u, kb)
        if not query.selects():
            return None
        shown = rows[:5] if u.intent == "registry_count" else rows[: reg.LIST_SHOWN]
        text = reg.listing(shown, total, query.describe(u.lang), u.lang)
        citations = [reg.row_citation(i, r) for i, r in enumerate(shown, 1)]
        return Answer(
            question=u.question,
            answer=text,
            lang=u.lang,
            mode="registry",
            citations=citations,
            refused=not rows,
        )

    def _law(
        self,
        u: Understanding,
        articles: list[Chunk],
        kb: Any,
        timings: dict[str, float],
        evidence: list[Evidence] | None,
        lead: Evidence | None,
        result: SearchResult | None = None,
    ) -> Generator[Event, None, Answer]:
        """A law answer from `articles`: `evidence` chosen by the sentence model (None: by the
        evidence ranker), led by `lead` if any: the law's definition of the asked term, or the
        list of the ways asked about. `result`: the search, whose question vector gives the
        articles' sentences by closeness in meaning (none without it)."""
        n_quotes = self.settings.answer.evidence_sentences
        # the sentences by closeness in meaning: what a long quoted list shows of its items, and
        # the quote of a best source with no text in the question's language (alone)
        dense_of = self.retriever.unit_similarities(result, articles) if result is not None else {}
        alone = bool(articles) and kb.article(articles[0].citation, u.lang) is None
        if evidence is None:
            # one more when a lead comes first: a list's item the ranker picks is in the lead
            evidence = EvidenceRanker(kb.analyzer, kb.stats.idf).rank(
                u.retrieval_query, articles, limit=n_quotes + (lead is not None), asks=u.question, lang=u.lang
            )
        if alone and dense_of:
            evidence = led_by_meaning(evidence, articles[0], dense_of)
        if lead is not None:
            # the asked term's definition, the list of the asked ways: it leads, and the quotes
            # chosen for the question follow it (less what it already says: a list's items)
            brought = in_context(lead.chunk.text, lead.sentence)
            evidence = [lead, *(e for e in evidence if e.sentence not in brought)][: n_quotes + 1]
        if not evidence:
            evidence = [Evidence(a, a.text[:400], 0.0) for a in articles[:1]]
        # evidence comes best first: each source's best sentence is what the model must see
        # first (a quote is clipped for it) and the overall best one leads an extractive answer
        best_of: dict[str, Evidence] = {}
        for ev in evidence:
            best_of.setdefault(ev.chunk.citation, ev)
        lead = evidence[0]
        # one citation per article; a list point with its lead-in, which the reader, the model
        # and the polarity check all need to see what the point says
        quoted = merged(evidence, dense_of)
        evidence = [ev for ev, _ in quoted]
        citations = [act_citation(i, ev.chunk, ev.sentence) for i, ev in enumerate(evidence, 1)]
        said = {c.n: text for c, (_, text) in zip(citations, quoted, strict=True)}
        n_of = {c.citation: c.n for c in citations}
        focus = {n_of[k]: with_exceptions(ev.chunk.text, ev.sentence, dense_of) for k, ev in best_of.items()}
        quotes = "\n".join(f"[{c.n}] «{said[c.n]}» — {label(c)}" for c in citations)
        summary = Summary()
        if (
            self.settings.answer.mode != "extractive"
            and self.llm is not None
            and u.lang in self.settings.answer.summary_languages
        ):
            summary = yield from summarise(
                self.llm, u, citations, evidence, said, focus, kb, self.settings, timings
            )
        synthesis = summary.text
        n = n_of[lead.chunk.citation]  # the lead is its own source's best sentence
        if synthesis and lead.chunk.lang == u.lang:
            # a summary that leaves out what the law adds to the question («в течение одного
            # рабочего дня») would open the answer without its fact: the law's sentence opens it
            said_of_lead = adds_of_lead(synthesis, focus[n], u.question, kb, u.lang)
            timings["summary_adds"] = round(said_of_lead, 3)
            if said_of_lead < self.settings.answer.summary_min_adds:
                synthesis = ""
        if synthesis:
            text = f"{synthesis}\n\n{phrase('quotes', u.lang)}\n{quotes}"
        else:
            text = (
                f"{phrase('evidence_lead', u.lang)} «{focus[n]}» [{n}]\n\n"
                f"{phrase('quotes', u.lang)}\n{quotes}"
            )
        return Answer(
            question=u.question,
            answer=text,
            lang=u.lang,
            mode="hybrid" if synthesis else "extractive",
            citations=citations,
            notice=summary.notice,
            model=summary.model,
        )

    def _refusal(
        self,
        u: Understanding,
        closest: list[Chunk],
        message: str,
        started: float,
        timings: dict[str, float],
        retrieved: list[str],
        closest_label: str = "closest",
    ) -> Answer:
        citations = [
            reg.row_citation(i, c) if c.kind == "registry" else act_citation(i, c, c.text[:300])
            for i, c in enumerate(closest, 1)
        ]
        text = message
        if citations:
            text += (
                "\n" + phrase(closest_label, u.lang) + "\n" + "\n".join(f"- {label(c)}" for c in citations)
            )
        return Answer(
            question=u.question,
            answer=text,
            lang=u.lang,
            refused=True,
            mode="refusal",
            citations=citations,
            retrieved=retrieved,
            timings={**timings, "total_ms": (time.perf_counter() - started) * 1000},
        )
