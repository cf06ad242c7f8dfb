"""Retrieval that knows what was asked: registry list/count questions get the exact rows of the
named agency/category first; a registry row near the top brings the article it rests on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.domain import Chunk, Lang, SearchHit, SearchResult
from assistant.rag import registry_query
from assistant.rag.definitions import definition_first
from assistant.rag.evidence import answer_types, question_types
from assistant.rag.rerank import rerank
from assistant.rag.understand import Understanding, understand
from assistant.text.russian import part_of_speech
from assistant.text.sparse import query_weights

ANSWER_TYPES_FOR_RETRIEVAL = ("deadline", "refusal", "document")
RERANK_DEPTH = 20  # candidates the learned ranker re-orders

if TYPE_CHECKING:
    from assistant.rag.knowledge import Knowledge, VersionKnowledge
    from assistant.rag.learned import Rankers
    from assistant.rag.retrieval import HybridRetriever
    from assistant.rag.sentence_vectors import SentenceVectors
    from assistant.text.analyzer import Analyzer

BASIS_FROM_TOP = 3  # rows this close to the top are strong enough to vouch for their article
MAX_BASIS_INSERTS = 2


def with_basis_articles(hits: list[SearchHit], kb: VersionKnowledge, lang: Lang) -> list[SearchHit]:
    """Right after each of the top registry rows comes the article it rests on (moved up if it
    was further down), so a law question answered by a row also surfaces the law."""
    out: list[SearchHit] = []
    placed: set[str] = set()
    later = {h.chunk.citation: h for h in hits}
    moved = 0
    for i, hit in enumerate(hits):
        if hit.chunk.citation in placed:
            continue
        out.append(hit)
        placed.add(hit.chunk.citation)
        basis = hit.chunk.registry.get("citation", "") if hit.chunk.kind == "registry" else ""
        if i < BASIS_FROM_TOP and basis and basis not in placed and moved < MAX_BASIS_INSERTS:
            found = later.get(basis)
            article = found.chunk if found else kb.article_any(basis, lang)
            if article is not None:
                out.append(SearchHit(chunk=article, score=hit.score))
                placed.add(basis)
                moved += 1
    return out


def answer_type_boost(question: str, hits: list[SearchHit]) -> list[SearchHit]:
    """A question that asks for a time limit, grounds for refusal or the form of a decision is
    answered only by a text that contains one: such candidates move up a little (RRF scores are
    close, so a small factor reorders neighbours without overturning the ranking)."""
    types = [t for t in question_types(question) if t in ANSWER_TYPES_FOR_RETRIEVAL]
    if not types:
        return hits
    rescored = [
        SearchHit(chunk=h.chunk, score=h.score * (1.08 if answer_types(h.chunk.text) & set(types) else 1.0))
        for h in hits
    ]
    return sorted(rescored, key=lambda h: h.score, reverse=True)


# Words that only introduce the action named by what follows («осуществляет контроль»,
# «проведение анализа»).
LIGHT_WORDS = frozenset(
    {
        "осуществлять", "обеспечивать", "принимать", "оказывать", "проводить",
        "осуществление", "обеспечение", "принятие", "оказание", "проведение",
    }
)  # fmt: skip
ACTION_NOUNS = 2


def function_action(function_text: str, analyzer: Analyzer) -> set[str]:
    """What a registry function does: its main verb(s), or else the first nouns of the phrase
    after any light word. Functions read «[circumstance,] <verb> [и <verb>] <object>» or, in
    statutes, «<action noun> <object>»:
    «разрабатывает и утверждает правила …» → {разрабатывать, утверждать};
    «осуществляет государственный контроль за качеством …» → {контроль, качество};
    «после внесения в реестр … принимают меры по переводу …» → {мера, перевод};
    «проведение изучения и анализа деятельности …» → {изучение, анализ}."""
    words = [w.strip(",.;:()«»") for w in function_text.split()]
    words = [w for w in words if w]
    start = next((i for i, w in enumerate(words) if part_of_speech(w) == "VERB"), None)
    rest = words
    if start is not None:
        verbs: list[str] = []
        i = start
        while i < len(words) and (part_of_speech(words[i]) == "VERB" or (words[i] == "и" and verbs)):
            verbs += analyzer.terms(words[i], "ru")
            i += 1
        action = {v for v in verbs if v not in LIGHT_WORDS}
        if action:
            return action
        rest = words[i:]
    nouns = [
        t
        for w in rest
        if part_of_speech(w) == "NOUN"
        for t in analyzer.terms(w, "ru")
        if t not in LIGHT_WORDS
    ]
    return set(nouns[:ACTION_NOUNS])


def action_scores(question: str, hits: list[SearchHit], kb: VersionKnowledge) -> dict[str, float]:
    """For each registry row among the hits: how much of the question its function's action
    names (the weights of the question terms found in the action)."""
    rows = [h for h in hits if h.chunk.kind == "registry"]
    if not rows:
        return {}
    weights = query_weights(kb.analyzer, question)

    def action_score(h: SearchHit) -> float:
        action = kb.memo(
            ("function_action", h.chunk.chunk_id),
            lambda: function_action(str(h.chunk.registry.get("function_text", "")), kb.analyzer),
        )
        return sum(w for t, w in weights.items() if t in action)

    return {h.chunk.citation: action_score(h) for h in rows}


def function_action_order(question: str, hits: list[SearchHit], kb: VersionKnowledge) -> list[SearchHit]:
    """Registry rows re-ordered among the places they already hold, by how much of the question
    their function's action names: «кто контролирует качество» wants the row that *exercises*
    control, not the one that writes control rules or reports to the controller, though all
    three mention control. Articles keep their places; rows whose action the question does not
    name keep their order."""
    slots = [i for i, h in enumerate(hits) if h.chunk.kind == "registry"]
    if len(slots) < 2:
        return hits
    scores = action_scores(question, hits, kb)
    rows = sorted((hits[i] for i in slots), key=lambda h: scores[h.chunk.citation], reverse=True)
    out = list(hits)
    for slot, row in zip(slots, rows, strict=True):
        out[slot] = row
    return out


def rests_on(row: Chunk, article: Chunk) -> bool:
    """The registry row was derived from this article (its legal basis)."""
    return row.kind == "registry" and row.registry.get("citation", "") == article.citation


BASIS_ROW_DEPTH = 3  # how far below its article a row may stand and still be moved above it


def row_before_its_basis(hits: list[SearchHit]) -> list[SearchHit]:
    """For a «who / is it automatable» question whose best source is an article with a row
    derived from it just below: the row goes first. Both say the same thing, and the row is
    what names the performer (a Kazakh question often ranks the Kazakh article above the
    Russian-only row); the answer cites the article as the row's legal basis."""
    if not hits or hits[0].chunk.kind != "act":
        return hits
    for i, h in enumerate(hits[1:BASIS_ROW_DEPTH], 1):
        if rests_on(h.chunk, hits[0].chunk):
            return [h, *hits[:i], *hits[i + 1 :]]
    return hits


class RoutedRetriever:
    def __init__(
        self,
        retriever: HybridRetriever,
        knowledge: Knowledge,
        rankers: Rankers | None = None,
        rerank_depth: int = RERANK_DEPTH,
    ) -> None:
        self.retriever = retriever
        self.knowledge = knowledge
        self.rankers = rankers
        self.rerank_depth = rerank_depth

    def search(
        self,
        query: str,
        *,
        u: Understanding | None = None,
        top_k: int | None = None,
        lang: Lang | None = None,
        filters: dict[str, Any] | None = None,
        history: list[str] | None = None,
        use_rankers: bool = True,
    ) -> SearchResult:
        u = u or understand(query, history, lang=lang)
        top_k = top_k or self.retriever.settings.top_k
        learned = self.rankers if use_rankers else None
        depth = max(top_k, self.rerank_depth) if learned is not None else top_k
        result = self.retriever.search(u.retrieval_query, top_k=depth, lang=u.lang, filters=filters)
        if filters:  # an explicit filter is an exact request: no routing on top of it
            return result
        kb = self.knowledge.for_version(result.index_version)
        hits = result.hits
        if u.intent in ("registry_list", "registry_count"):
            _, _, rows = registry_query.select(u, kb)
            if rows:
                chosen = {r.citation for r in rows[:top_k]}
                hits = [SearchHit(chunk=r, score=1.0) for r in rows[:top_k]] + [
                    h for h in hits if h.chunk.citation not in chosen
                ]
        elif learned is not None:
            # the learned ranker reads what the hand rules used to decide (answer type, action of
            # the row, the act the evidence is about) as features, over a deeper candidate list
            hits = self.candidates(u, hits, kb)
            hits += self.by_meaning(u, result, hits)
            # similarities mean what the rankers learned only from the embedder they were fitted on
            if learned.info.get("dense_model") == self.retriever.embedder.name:
                result.similarities = self.similarities(result, hits, learned.across_offset)
            hits = rerank(learned, u, hits, kb, action_scores(u.question, hits, kb), result.similarities)
            if u.intent in ("registry_who", "registry_status"):
                hits = row_before_its_basis(hits)
        else:
            hits = with_basis_articles(
                function_action_order(u.question, answer_type_boost(u.question, hits), kb), kb, u.lang
            )
        if u.intent not in ("registry_list", "registry_count"):
            hits = definition_first(u.question, u.lang, hits, kb)
        result.hits = hits[:top_k]
        return result

    def live_version(self) -> str:
        return self.retriever.store.live_collection() or ""

    def similarities(
        self,
        result: SearchResult,
        hits: list[SearchHit],
        across_offset: float = 0.0,
        *,
        as_if_no_own_text: bool = False,
    ) -> dict[str, float]:
        """The question's dense similarity to each candidate of `result` (searched already): its
        best unit (an article's sentence, a row's function or clause) where the version has their
        vectors, else its best window; `across_offset` added for an article with no text in the
        question's language (see `Rankers.across_offset`). `as_if_no_own_text`: every article read
        as having none (the fit's Kazakh questions searched in the Russian texts alone)."""
        citations = list(dict.fromkeys(h.chunk.citation for h in hits))
        sims = self.retriever.similarities(result, citations)
        kb = self.knowledge.for_version(result.index_version)
        units = self._units(result)
        if sims and units is not None:
            sims.update(units[0].similarities(units[1], citations))
        if across_offset:
            across = {
                h.chunk.citation
                for h in hits
                if h.chunk.kind == "act"
                and h.chunk.citation in sims
                and (as_if_no_own_text or h.chunk.lang != result.lang)
            }
            for citation in across:
                if as_if_no_own_text or kb.article(citation, result.lang) is None:
                    sims[citation] += across_offset
        return sims

    def unit_similarities(self, result: SearchResult, chunks: list[Chunk]) -> dict[str, float]:
        """The question's dense similarity to each sentence of `chunks` (the answer's source
        articles), by sentence text; empty when the version has no unit vectors of this
        embedder (sparse-only mode has none)."""
        units = self._units(result)
        return units[0].unit_similarities(units[1], chunks) if units is not None else {}

    def _units(self, result: SearchResult) -> tuple[SentenceVectors, list[float]] | None:
        """The version's unit vectors and the question's vector, when the version has units of
        this embedder (sparse-only mode has none)."""
        sentences = self.knowledge.for_version(result.index_version).sentences
        embedder = self.retriever.embedder
        if sentences is None or sentences.embedder != embedder.name or embedder.name == "none":
            return None
        return sentences, result.query_vector or embedder.embed_query(result.query)

    @staticmethod
    def candidates(u: Understanding, hits: list[SearchHit], kb: VersionKnowledge) -> list[SearchHit]:
        """What the learned ranker re-orders (and is trained on): the fused hits, each top row
        followed by the article it rests on."""
        return with_basis_articles(hits, kb, u.lang)

    def by_meaning(self, u: Understanding, result: SearchResult, hits: list[SearchHit]) -> list[SearchHit]:
        """The articles whose best sentence comes closest in meaning to the question, when fusion
        missed them (`RetrievalSettings.by_meaning`), as candidates with no fused score. The
        rankers were fitted on the fused candidates alone and score these by the same features
        (a refit with them measured worse: docs/benchmarks.md, tenth pass)."""
        settings = self.retriever.settings
        units = self._units(result) if settings.by_meaning else None
        if units is None or len(units[0].vectors) > settings.by_meaning_max_units:
            return []
        kb = self.knowledge.for_version(result.index_version)
        have = {h.chunk.citation for h in hits}
        found = [
            kb.article_any(c, u.lang) for c in units[0].best_articles(units[1], settings.by_meaning, have)
        ]
        return [SearchHit(chunk=a, score=0.0) for a in found if a is not None]
