"""Citation check after generation: a sentence survives only if it cites a source that was
given and that source supports it (enough of the sentence's content lemmas occur in it), says
what the source says (polarity, numbers) and is finished (not cut off mid-phrase or a copy of a
cut quote)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.analyzer import Analyzer, raw_tokens
from assistant.text.numbers import amounts, numbers
from assistant.text.russian import get_morph
from assistant.text.sentences import split_sentences
from assistant.text.sparse import prefix_of, with_prefixes

MARKER = re.compile(r"\[(\d{1,2})\]")
# the number of the point a sentence was copied from («14. Информация …», «7-4) утверждает …»):
# the source's numbering, meaningless at the start of a summary sentence
POINT_NUMBER = re.compile(r"^\d{1,3}(?:-\d{1,2})?[.)]\s+(?=\w)")
COPIED = "copies a cut quote"
UNFINISHED = "ends mid-phrase"
# parts of speech no finished sentence ends on: the model stopped mid-phrase and put a marker
# («…, осуществляется на [1].»); what such a sentence says is not a claim of the source's
_DANGLING = frozenset({"PREP", "CONJ"})
_LIKELY = 0.05  # pymorphy's estimate: «так» is an adverb at 0.44, «и» a noun (the letter) at 0.00
_CAN_END = frozenset(
    {"NOUN", "NPRO", "ADJF", "ADJS", "ADVB", "VERB", "INFN", "PRTF", "PRTS", "GRND", "NUMR", "PRED"}
)


@dataclass
class CheckedSentence:
    text: str
    cited: list[int]
    support: float
    kept: bool
    reason: str = ""


def support(sentence_terms: set[str], source_terms: set[str]) -> float:
    """Share of the sentence's words found in the source, a word counting as found when the
    word itself or (for long words) its prefix is there."""
    words = [t for t in sentence_terms if not t.startswith("^")]
    if not words:
        return 0.0
    hits = sum(1 for t in words if t in source_terms or prefix_of(t) in source_terms)
    return hits / len(words)


_MARKERS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d{1,2}\]\s*)+)")
_STOP_AFTER_MARKER = re.compile(r"(\[\d{1,2}\])\s*([.!?])\s*")


_NEGATION = re.compile(r"(?<!\w)(не|нельзя|запрещ\w*|емес|жоқ|болмайды|тыйым\w*)(?!\w)", re.I)


def negated(text: str) -> bool:
    return _NEGATION.search(text) is not None


def normalise_markers(answer: str) -> str:
    """«A. [1] B. [2]» → «A [1].» / «B [2].», and a break after every «[n].», so each marker
    stays with the sentence it cites and the sentence splitter cannot glue two sentences
    (it reads «[1].» as a numbered point otherwise)."""
    moved = _MARKERS_AFTER_STOP.sub(lambda m: " " + " ".join(m.group(2).split()) + m.group(1) + " ", answer)
    return _STOP_AFTER_MARKER.sub(lambda m: m.group(1) + m.group(2) + "\n", moved)


def check(
    answer: str, sources: dict[int, str], analyzer: Analyzer, threshold: float
) -> list[CheckedSentence]:
    source_terms = {n: set(with_prefixes(analyzer.terms(text))) for n, text in sources.items()}
    out: list[CheckedSentence] = []
    carried: list[int] = []
    # «...» is the model's spelling of «…»: one mark, or the splitter ends a sentence at its first dot
    for sentence in split_sentences(normalise_markers(answer.replace("...", "…"))):
        cited = [int(m) for m in MARKER.findall(sentence)]
        valid = [n for n in dict.fromkeys(cited) if n in sources]
        bare = POINT_NUMBER.sub("", MARKER.sub("", sentence).strip())
        if not bare or not re.search(r"\w", bare):
            carried = valid
            continue
        if copies_cut_quote(bare):
            # a copy of a quote as the prompt cut it (the quoting marks each cut and join with
            # «…»): it stops or skips where the cut was, and the whole quote is shown anyway
            out.append(CheckedSentence(bare, valid, 0.0, False, COPIED))
            carried = []
            continue
        if unfinished(bare):
            out.append(CheckedSentence(bare, valid, 0.0, False, UNFINISHED))
            carried = []
            continue
        terms = set(analyzer.terms(bare))
        if not valid and carried:
            valid = carried  # "[1]. Текст…": a marker standing alone cites the sentence after it
        if not valid:
            # an uncited sentence is kept only if one given source supports it, and is then
            # cited to that source; a marker pointing at a source that was not given never counts
            best_n, best = max(
                ((n, support(terms, source_terms[n])) for n in sources), key=lambda x: x[1], default=(0, 0.0)
            )
            if best >= threshold:
                valid = [best_n]
            else:
                reason = "cites a source that was not given" if cited else "no citation"
                out.append(CheckedSentence(bare, [], best, False, reason))
                carried = []
                continue
        carried = []
        best = max(support(terms, source_terms[n]) for n in valid)
        kept = best >= threshold
        reason = "" if kept else "not supported by the cited source"
        if kept and all(negated(bare) != negated(sources[n]) for n in valid):
            # lexical support cannot see "можно" vs "не может": a claim whose polarity differs
            # from every source it cites says the opposite of the law and is dropped
            kept, reason = False, "negation differs from the cited source"
        elif kept and not amounts(bare) <= set().union(*(numbers(sources[n]) for n in valid)):
            # a time limit the cited source does not state is the model's, not the law's
            kept, reason = False, "a number differs from the cited source"
        text = cited_sentence(bare, valid)
        out.append(CheckedSentence(text, valid, best, kept, reason))
    return out


def unfinished(sentence: str) -> bool:
    """Whether the sentence's last word can only be a function word: a preposition or a
    conjunction by pymorphy's most probable reading, with no likely reading that could end a
    sentence («так», «как» have one). pymorphy reads an unknown (Kazakh) word as an open-class
    word, so a Kazakh sentence is not judged by this."""
    words = [t for t in raw_tokens(sentence) if t.isalpha()]
    if not words:
        return False
    parses = get_morph().parse(words[-1].lower())
    return (
        bool(parses)
        and str(parses[0].tag.POS) in _DANGLING
        and not any(str(p.tag.POS) in _CAN_END and p.score >= _LIKELY for p in parses)
    )


def copies_cut_quote(text: str) -> bool:
    """Whether model text carries a cut mark of the quoting («…», which it also spells «...»)."""
    return "…" in text or "..." in text


_SPACE_BEFORE_STOP = re.compile(r"\s+([.!?;,])")
_FINAL_STOP = re.compile(r"^(.*?)([.!?;]*)$", re.S)


def cited_sentence(bare: str, cited: list[int]) -> str:
    """«… из бюджета.» + [1] → «… из бюджета [1].»: the markers go before the final stop, and
    the space a marker taken out leaves before a stop goes too."""
    match = _FINAL_STOP.fullmatch(_SPACE_BEFORE_STOP.sub(r"\1", bare))
    assert match is not None  # the pattern matches any text
    body, stop = match.groups()
    return f"{body} {''.join(f'[{n}]' for n in cited)}{stop}"


def verified_text(checked: list[CheckedSentence]) -> str:
    """The kept sentences, in order — or nothing when the model was copying cut quotes: what it
    kept of the copy are fragments (a list item without its lead-in, one entry of a list), and
    the answer's own lead, the law's sentence in context, says it better (measured on the dev
    questions with the packaged model: docs/benchmarks.md)."""
    if any(c.reason == COPIED for c in checked):
        return ""
    return " ".join(c.text for c in checked if c.kept)
