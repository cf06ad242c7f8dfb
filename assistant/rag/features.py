"""Features the learned models read: of a candidate source (article or registry row) for a
question, of a sentence of an article for a question, and of the question as a whole (is it
answerable from what was found?).

Every feature is a number the live index can compute for any question — shares of the
question's IDF-weighted terms, ranks, lengths, whether a sentence holds what the question type
asks for — never a word list tied to particular questions. The models in `rag/learned.py` are
fitted on these by `eval/train_ranker.py` over generated questions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.rag.evidence import ANAPHORA, answer_types, question_types
from assistant.rag.quoting import function_terms
from assistant.rag.relevance import Coverage, coverage, text_terms, unknown_salient
from assistant.rag.understand import POINTS_BACK, own_words
from assistant.text.analyzer import raw_tokens
from assistant.text.lang import detect_lang
from assistant.text.sentences import split_sentences
from assistant.text.sparse import prefix_of, with_prefixes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from assistant.domain import Chunk
    from assistant.rag.knowledge import VersionKnowledge
    from assistant.rag.relevance import TermStats
    from assistant.rag.understand import Understanding

_OWN_CANDIDATE_FEATURES = (
    "rank_recip", "fused_rel", "coverage", "title_coverage", "best_sentence", "second_sentence",
    "bigrams", "type_match", "topic", "log_terms", "registry", "registry_x_intent",
    "act_x_intent", "action", "same_lang", "type_density", "dense", "sibling_action", "row_precision", "act_named",
)  # fmt: skip
# features read against the best candidate of the same question (see `candidate_gaps`)
GAPPED = (
    "coverage", "title_coverage", "best_sentence", "bigrams", "type_match", "type_density", "dense",
)  # fmt: skip
CANDIDATE_FEATURES = (*_OWN_CANDIDATE_FEATURES, *(f"{name}_gap" for name in GAPPED))
SENTENCE_FEATURES = (
    "coverage", "density", "source_prob", "source_rank_recip", "type_match", "type_missing",
    "position_recip", "log_terms", "carried", "best_in_source", "hand_log",
    "coverage_gap", "hand_gap",
)  # fmt: skip
ANSWERABILITY_FEATURES = (
    "top_coverage", "known_coverage", "focus_coverage", "best_sentence", "best_sentence_idf",
    "unknown_words", "focus_unknown_words", "log_query_terms", "registry_intent", "top_is_registry",
    "type_satisfied", "top_dense", "across", "across_x_dense",
)  # fmt: skip


@dataclass
class QuestionTerms:
    """A question analysed once, passed to every feature function."""

    weights: dict[str, float]
    types: list[str]
    bigrams: set[tuple[str, str]] = field(default_factory=set)
    registry_intent: bool = False
    # the sentence that asks (the last one with a question mark): a situation told before it
    # may use words no act has, the question itself names what must be answered
    focus: dict[str, float] = field(default_factory=dict)
    text: str = ""
    focus_text: str = ""
    lang: str = "ru"
    _covers: dict[str, Coverage] = field(default_factory=dict, repr=False, compare=False)

    def covers(self, text_terms: set[str], stats: TermStats, *, focus: bool = False) -> float:
        """`coverage` of the question's (or its asking sentence's) terms, prepared once."""
        key = "focus" if focus else "all"
        if key not in self._covers:
            self._covers[key] = Coverage(self.focus if focus else self.weights, stats)
        return self._covers[key](text_terms)

    @classmethod
    def of(cls, u: Understanding, kb: VersionKnowledge) -> QuestionTerms:
        from assistant.text.sparse import query_weights

        terms = kb.analyzer.terms(u.retrieval_query, u.lang)
        weights = query_weights(kb.analyzer, u.retrieval_query, u.lang)
        focus_text = focus_sentence(u.question)
        focus = query_weights(kb.analyzer, focus_text, u.lang)
        return cls(
            weights=weights,
            types=question_types(u.question),
            bigrams=set(itertools.pairwise(terms)),
            registry_intent=u.intent in ("registry_who", "registry_status"),
            focus=focus or weights,
            text=u.question,
            focus_text=focus_text,
            lang=u.lang,
        )


def question_terms(u: Understanding, kb: VersionKnowledge) -> QuestionTerms:
    """The question analysed once per index version: re-ranking and the answer both read it."""
    key = ("question", u.question, u.retrieval_query, u.lang, u.intent)
    return kb.recent(key, lambda: QuestionTerms.of(u, kb))


FOCUS_MIN_WORDS = 2


def focus_sentence(question: str) -> str:
    """The sentence that asks — with the one before it when it points back to it («Какой орган
    её выдаёт?», «Закон такое разрешает?»): that is where the question names its subject. A last
    question with nothing of its own («Если нет — почему?») leaves the asking to the one before."""
    parts = split_sentences(question)
    asking = [i for i, s in enumerate(parts) if "?" in s]
    if not asking:
        return question
    i = next(
        (i for i in reversed(asking) if len(own_words(parts[i], detect_lang(parts[i]))) >= FOCUS_MIN_WORDS),
        asking[-1],
    )
    return " ".join(parts[i - 1 : i + 1]) if i > 0 and POINTS_BACK.search(parts[i]) else parts[i]


def sentences_of(chunk: Chunk, kb: VersionKnowledge) -> list[tuple[str, set[str]]]:
    """The sentences of an article (or the text of a row) with their index terms, cached per
    index version."""

    def compute() -> list[tuple[str, set[str]]]:
        text = chunk.text if chunk.kind == "act" else str(chunk.registry.get("function_text", chunk.text))
        return [(s, text_terms([(s, chunk.lang)], kb.analyzer)) for s in split_sentences(text)]

    return kb.per_text(("sentences", chunk.chunk_id), compute)


def _bigrams(chunk: Chunk, kb: VersionKnowledge) -> set[tuple[str, str]]:
    def compute() -> set[tuple[str, str]]:
        terms = kb.analyzer.terms(kb.lexical(chunk), chunk.lang)
        return set(itertools.pairwise(terms))

    return kb.per_text(("bigrams", chunk.chunk_id), compute)


def _type_match(types: list[str], text: str) -> float:
    if not types:
        return 0.0
    found = answer_types(text)
    return sum(1.0 for t in types if t in found) / len(types)


def candidate_features(
    q: QuestionTerms,
    chunk: Chunk,
    rank: int,
    fused: float,
    top_fused: float,
    topic: dict[str, float],
    action: float,
    lang: str,
    kb: VersionKnowledge,
    dense: float,
    sibling_action: float,
) -> list[float]:
    stats = kb.stats
    units = sentences_of(chunk, kb)
    sentence_cov = sorted((q.covers(terms, stats) for _, terms in units), reverse=True)
    title_terms = text_terms([(chunk.title, chunk.lang)], kb.analyzer) if chunk.title else set()
    is_row = chunk.kind == "registry"
    # a row answers «who» by its agency, whatever its function's wording: every row has that type
    text = (
        chunk.text
        if not is_row
        else f"{chunk.registry.get('agency', '')}: {chunk.registry.get('function_text', '')}"
    )
    return [
        1.0 / (1 + rank),
        fused / top_fused if top_fused > 0 else 0.0,
        q.covers(kb.terms(chunk), stats),
        q.covers(title_terms, stats) if title_terms else 0.0,
        sentence_cov[0] if sentence_cov else 0.0,
        sentence_cov[1] if len(sentence_cov) > 1 else 0.0,
        len(q.bigrams & _bigrams(chunk, kb)) / len(q.bigrams) if q.bigrams else 0.0,
        _type_match(q.types, text),
        topic.get(chunk.act_slug, 0.0)
        if not is_row
        else topic.get(str(chunk.registry.get("act_slug", "")), 0.0),
        math.log1p(len(kb.terms(chunk))),
        float(is_row),
        float(is_row and q.registry_intent),
        float(not is_row and q.registry_intent),
        action,
        float(chunk.lang == lang),
        # how much of the text is made of what the question asks for: an article that lists the
        # ways to get a service («… арқылы;» point after point) or one time limit after another
        _type_density(q.types, units),
        # the question's dense similarity to the text (multilingual e5): relates wordings that
        # share no lemma («министр в отпуске» → «в период отсутствия»)
        dense,
        sibling_action,
        row_precision(q, chunk, kb) if is_row else 0.0,
        act_named(q, chunk, kb),
    ]


def named_share(q: QuestionTerms, terms: frozenset[str], kb: VersionKnowledge) -> float:
    """How much of a text (its index terms) the question names: IDF-weighted, a term met only by
    its root counting half, the question's lexicon expansions counting in full — coverage read
    the other way."""
    total = sum(kb.stats.idf(t) for t in terms)
    return named_weight(q, terms, kb) / total if total > 0 else 0.0


def named_weight(q: QuestionTerms, terms: Iterable[str], kb: VersionKnowledge) -> float:
    """The IDF weight of the `terms` the question names (a term met only by its root: half)."""
    idf = kb.stats.idf
    found = 0.0
    for t in terms:
        if t in q.weights:
            found += idf(t)
        elif (root := prefix_of(t)) is not None and root in q.weights:
            found += 0.5 * idf(t)
    return found


def row_precision(q: QuestionTerms, row: Chunk, kb: VersionKnowledge) -> float:
    """How much of a registry row's function the question names. A row whose function says much
    the question does not («… биометрических данных … для аутентификации») is another function,
    though it holds every word asked; and a Kazakh question meets a row with no Kazakh text only
    through its Russian expansions, which weigh too little in the question's own coverage to
    tell such rows apart."""
    return named_share(q, function_terms(row, kb), kb)


def act_named(q: QuestionTerms, chunk: Chunk, kb: VersionKnowledge) -> float:
    """How much of the title of the act a candidate comes from the question names («по Закону о
    персональных данных», «Дербес деректер туралы заң» through its Russian expansions): a
    Kazakh question about an act with no Kazakh text names it only through the lexicon, and its
    own words then meet the Kazakh articles of another act."""
    title = str(chunk.registry.get("act_title", "")) if chunk.kind == "registry" else chunk.act_title
    lang = "ru" if chunk.kind == "registry" else chunk.lang
    terms = kb.memo(("title_terms", title, lang), lambda: frozenset(kb.analyzer.terms(title, lang)))
    return named_share(q, terms, kb)


def function_head(row: Chunk) -> tuple[str, str]:
    """A registry row's function split into its first word, the action, and the rest, the object
    («утверждение» | «правил аккредитации журналистов»), lower-cased."""
    head, _, rest = str(row.registry.get("function_text", "")).strip().lower().partition(" ")
    return head, rest


def action_siblings(rows: list[Chunk]) -> list[list[Chunk]]:
    """Groups of rows that do different things to one object («утверждение правил …» by a
    ministry's central office, «разработка правил …» by its committees). Rows doing the same
    thing for several agencies are no such group: no action tells them apart."""
    groups: dict[str, list[Chunk]] = {}
    for row in rows:
        _, rest = function_head(row)
        if rest:
            groups.setdefault(rest, []).append(row)
    return [g for g in groups.values() if len({function_head(r)[0][:5] for r in g}) > 1]


def sibling_actions(q: QuestionTerms, rows: list[Chunk], kb: VersionKnowledge) -> dict[str, float]:
    """For each row of an `action_siblings` group: how much more of the question its action word
    names than its best sibling's. The object and the agencies' shared words cover both rows
    alike, so only the action tells them apart; rows without such a sibling among the
    candidates get none."""

    def named(row: Chunk) -> float:
        head, _ = function_head(row)
        return sum(q.weights.get(t, 0.0) for t in set(with_prefixes(kb.analyzer.terms(head, "ru"))))

    out: dict[str, float] = {}
    for group in action_siblings(rows):
        scores = {r.citation: named(r) for r in group}
        for r in group:
            out[r.citation] = scores[r.citation] - max(v for k, v in scores.items() if k != r.citation)
    return out


_GAP_AT = tuple(_OWN_CANDIDATE_FEATURES.index(name) for name in GAPPED)


def candidate_gaps(rows: list[list[float]]) -> list[list[float]]:
    """Each candidate row plus how far it falls behind the question's best candidate on the
    GAPPED features: what makes a source is being the best match among those found, and one
    question's shares are not comparable with another's."""
    if not rows:
        return rows
    best = [max((r[i] for r in rows if not math.isnan(r[i])), default=math.nan) for i in _GAP_AT]
    return [[*r, *(r[i] - b for i, b in zip(_GAP_AT, best, strict=True))] for r in rows]


def _type_density(types: list[str], units: list[tuple[str, set[str]]]) -> float:
    if not types or not units:
        return 0.0
    return sum(_type_match(types, s) for s, _ in units) / len(units)


def sentence_features(
    q: QuestionTerms,
    sentence: str,
    terms: set[str],
    cov: float,
    position: int,
    previous_cov: float,
    source_prob: float,
    source_rank: int,
    best_in_source: float,
    kb: VersionKnowledge,
) -> list[float]:
    matched = sum(kb.stats.idf(t) * w for t, w in q.weights.items() if t in terms)
    type_match = _type_match(q.types, sentence)
    return [
        cov,
        matched / math.sqrt(max(8, len(terms))),
        source_prob,
        1.0 / (1 + source_rank),
        type_match,
        float(bool(q.types) and type_match == 0.0),
        1.0 / (1 + position),
        math.log1p(len(terms)),
        previous_cov if ANAPHORA.match(sentence) else 0.0,
        float(cov >= best_in_source - 1e-9),
        # the hand-written evidence score (rag/evidence.py) in log form: its rank prior and
        # per-type boost become additive, so the model can weigh it against the rest
        math.log(1e-3 + matched / math.sqrt(max(8, len(terms))) + 0.35 / (1 + source_rank))
        + math.log(1.5) * sum(1 for t in q.types if t in answer_types(sentence)),
    ]


def with_gaps(rows: list[list[float]]) -> list[list[float]]:
    """Each sentence row plus how far it falls behind the best sentence of the same question (in
    coverage and in the hand score): a ranking is decided among one question's sentences, which
    a per-sentence model sees only through such gaps."""
    if not rows:
        return rows
    cov_i, hand_i = SENTENCE_FEATURES.index("coverage"), SENTENCE_FEATURES.index("hand_log")
    best_cov = max(r[cov_i] for r in rows)
    best_hand = max(r[hand_i] for r in rows)
    return [[*r, best_cov - r[cov_i], best_hand - r[hand_i]] for r in rows]


def unknown_words(text: str, lang: str, kb: VersionKnowledge) -> int:
    """Words naming a thing the index has in no form: not the word, not its root, not a lexicon
    expansion of it (Russian: nouns, participles and abbreviations, by their part of speech;
    Kazakh, which has no tagger here: any content word of four letters or more)."""
    if lang == "ru":
        return len(unknown_salient(text, kb.analyzer, kb.stats, kb.roots))

    count = 0
    for token in raw_tokens(text):
        terms = kb.analyzer.terms(token, "kk")
        if not terms or len(terms[0]) < 4 or not terms[0].isalpha():
            continue
        forms = with_prefixes(terms) + [t for t in kb.analyzer.query_terms(token, "kk") if t not in terms]
        count += not any(kb.stats.doc_freq(t) > 0 for t in forms)
    return count


def answerability_features(
    q: QuestionTerms,
    probs: list[tuple[float, Chunk]],
    best_sentence: tuple[float, str],
    kb: VersionKnowledge,
    dense: dict[str, float],
) -> list[float]:
    """What says a question can be answered from what was found, read from the evidence itself
    (not from the candidate model's confidence, whose calibration shifts with how a question is
    worded)."""
    top = probs[0][1] if probs else None
    sources = [c for _, c in probs[:3]]
    # what the sources share with the question among the words the index knows at all: scenario
    # words no act uses («камеры», «ярмарка») neither help nor hurt here
    known = {t: w for t, w in q.weights.items() if kb.stats.doc_freq(t) > 0}
    sentence_terms = text_terms([(best_sentence[1], top.lang if top is not None else "ru")], kb.analyzer)
    matched = [kb.stats.idf(t) for t, w in q.weights.items() if w >= 1.0 and t in sentence_terms]
    focus_unknown = float(unknown_words(q.focus_text, q.lang, kb))
    top_dense = max((dense[c.citation] for c in sources if c.citation in dense), default=math.nan)
    # a Kazakh question whose best source has no Kazakh text: its own words cannot occur there,
    # so every coverage above runs low for an answerable question too, and only the meaning
    # (the dense similarity) still tells answerable from not
    across = float(top is not None and q.lang != top.lang)
    return [
        max((q.covers(kb.terms(c), kb.stats) for c in sources), default=0.0),
        max((coverage(known, kb.terms(c), kb.stats) for c in sources), default=0.0) if known else 0.0,
        max((q.covers(kb.terms(c), kb.stats, focus=True) for c in sources), default=0.0),
        best_sentence[0],
        math.log1p(sum(matched)),
        float(unknown_words(q.text, q.lang, kb)),
        focus_unknown,
        math.log1p(sum(1 for t in q.weights if not t.startswith("^"))),
        float(q.registry_intent),
        float(top is not None and top.kind == "registry"),
        _type_match(q.types, best_sentence[1]) if q.types else 1.0,
        # how close the question's meaning comes to the best sources («погода в Астане» shares
        # a city name with the acts, not a topic)
        top_dense,
        across,
        across * top_dense if across else 0.0,
    ]
