"""The registry rows of the live index held in memory: exact lookups and what a question names
(agencies, acts, a category), refreshed whenever the live version changes. Selections and
counts are the engine's (`rag/registry_query.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain import Chunk
from assistant.text.analyzer import Analyzer

# an act named by its kind («по Закону о госуслугах», «Положение о МИОР», «по трём законам — о
# …»): its title words are looked for in the rest of that sentence
ACT_MENTION = re.compile(
    r"\b(закон\w*|кодекс\w*|положени\w*|постановлени\w*|указ(?:а|у|ом|е|ы|ов)?\b|заң\w*|ереже\w*)([^.?!;]*)",
    re.I,
)
GENERIC_SHARE = 0.3  # a word in this share of agency names is common to them, not a name
# title words that name no act in particular
_GENERIC_TITLE = frozenset({"республика", "казахстан", "некоторый", "вопрос", "закон"})


def _lemmas(text: str) -> set[str]:
    """Dictionary forms of every word, stopwords included: a category may be one («иная»)."""
    from assistant.text.analyzer import raw_tokens
    from assistant.text.russian import lemma

    return {lemma(w) for token in raw_tokens(text) for w in token.split("-") if w}


@dataclass
class AgencyMatch:
    agency: str
    score: float


class RegistryIndex:
    def __init__(self, chunks: Iterable[Chunk], analyzer: Analyzer) -> None:
        self.rows = sorted(
            (c for c in chunks if c.kind == "registry"), key=lambda c: c.registry.get("function_id", "")
        )
        self.by_id = {c.citation: c for c in self.rows}
        self._analyzer = analyzer
        self.agencies = sorted({c.registry.get("agency", "") for c in self.rows})
        self.categories = sorted({c.registry.get("category", "") for c in self.rows})
        self._agency_terms = {a: set(analyzer.terms(a, "ru")) for a in self.agencies}
        self._category_lemmas = {c: _lemmas(c) for c in self.categories if c}
        # words in many agencies' names («орган», «уполномоченный») name none of them
        shared: dict[str, int] = {}
        for terms in self._agency_terms.values():
            for t in terms:
                shared[t] = shared.get(t, 0) + 1
        many = max(2, GENERIC_SHARE * len(self._agency_terms))
        self._generic_agency_terms = {t for t, n in shared.items() if n >= many}
        self._act_titles: dict[str, str] = {}
        self._agency_acts: dict[str, set[str]] = {}
        for c in self.rows:
            slug = str(c.registry.get("act_slug", ""))
            if slug:
                self._act_titles.setdefault(slug, str(c.registry.get("act_title", "") or slug))
                self._agency_acts.setdefault(str(c.registry.get("agency", "")), set()).add(slug)
        self._act_terms = {
            slug: set(analyzer.terms(title, "ru")) - _GENERIC_TITLE
            for slug, title in self._act_titles.items()
        }

    def __len__(self) -> int:
        return len(self.rows)

    def _question_terms(self, question: str) -> set[str]:
        return set(self._analyzer.query_terms(question))

    def agency_terms(self, agency: str) -> set[str]:
        return self._agency_terms.get(agency, set())

    def acts_of(self, agency: str) -> set[str]:
        return self._agency_acts.get(agency, set())

    def match_acts(self, question: str) -> tuple[dict[str, str], set[str]]:
        """Acts the question names after a word for an act («по Закону о госуслугах»): those with
        at least half their distinctive title words (and two, unless the title has one) in the
        rest of that sentence. Returns slug → title and the title words used, which then name
        no agency («госуслуг» is the law here, not the services body)."""
        acts: dict[str, str] = {}
        used: set[str] = set()
        for mention in ACT_MENTION.finditer(question):
            words = self._question_terms(mention.group(2))
            for slug, terms in self._act_terms.items():
                found = terms & words
                if terms and len(found) >= min(2, len(terms)) and len(found) >= len(terms) / 2:
                    acts.setdefault(slug, self._act_titles[slug])
                    used |= found
        return acts, used

    def match_agencies(
        self, question: str, ignore: set[str] | None = None, among: set[str] | None = None
    ) -> list[AgencyMatch]:
        """Agencies named in the question: the best lemma overlap with the agency's name, keeping
        every agency within a small margin of the best so an ambiguous mention shows them all.
        The mention must hold a word that few agency names share («местные исполнительные»,
        «информатизации»): «орган», «уполномоченный» alone name no agency in particular.
        `ignore`: words that name something else (an act's title); `among`: the agencies that
        fit the rest of the question (those holding functions under a named act)."""
        q = self._question_terms(question) - (ignore or set())
        names = {a: t for a, t in self._agency_terms.items() if t and (among is None or a in among)}
        # the words of the question that name some body at all ("МИОР" arrives expanded)
        mention = q & set().union(*names.values()) if names else set()
        # a name made only of shared words counts when the question gives all of it
        # («функции государственных органов»)
        if not (mention - self._generic_agency_terms) and not any(t <= mention for t in names.values()):
            return []
        scored = []
        for agency, terms in names.items():
            # first: does the agency carry every word of the mention; then: how much of the
            # agency's own name the question gives (Правительство РК vs «…определяемый
            # Правительством РК…»)
            covered = len(mention & terms) / len(mention)
            scored.append((covered, len(q & terms) / len(terms), agency))
        best_cover = max(s[0] for s in scored)
        if best_cover < 0.5:
            return []
        top = [s for s in scored if s[0] == best_cover]
        best_recall = max(s[1] for s in top)
        # one word of a long name («другое министерство») is a passing mention, not a name; a
        # long name is given by three of its words («местных исполнительных органов»)
        if best_recall < 0.4 and len(mention) < 3:
            return []
        matches = [AgencyMatch(a, recall) for cover, recall, a in top if recall >= best_recall - 0.1]
        return sorted(matches, key=lambda m: m.score, reverse=True)

    def match_category(self, question: str) -> str | None:
        q = _lemmas(question)
        for category, lemmas in self._category_lemmas.items():
            if lemmas and lemmas <= q:
                return category
        return None

    def category_terms(self, category: str) -> set[str]:
        return set(self._analyzer.terms(category.replace("-", " "), "ru"))
