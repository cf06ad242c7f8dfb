"""The registry rows of the live index held in memory: exact lookups, filters and counts for
registry questions (no model involved), refreshed whenever the live version changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain import Chunk
from assistant.text.analyzer import Analyzer


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
        self._category_terms = {c: set(analyzer.terms(c, "ru")) for c in self.categories}

    def __len__(self) -> int:
        return len(self.rows)

    def _question_terms(self, question: str) -> set[str]:
        return set(self._analyzer.query_terms(question))

    def match_agencies(self, question: str) -> list[AgencyMatch]:
        """Agencies named in the question: the best lemma overlap with the agency's name, keeping
        every agency within a small margin of the best so an ambiguous mention shows them all."""
        q = self._question_terms(question)
        # the words of the question that name some body at all ("МИОР" arrives expanded)
        mention = q & set().union(*self._agency_terms.values()) if self._agency_terms else set()
        if not mention:
            return []
        scored = []
        for agency, terms in self._agency_terms.items():
            if terms:
                # first: does the agency carry every word of the mention; then: how much of
                # the agency's own name the question gives (Правительство РК vs «…определяемый
                # Правительством РК…»)
                covered = len(mention & terms) / len(mention)
                scored.append((covered, len(q & terms) / len(terms), agency))
        best_cover = max(s[0] for s in scored)
        if best_cover < 0.5:
            return []
        top = [s for s in scored if s[0] == best_cover]
        best_recall = max(s[1] for s in top)
        if best_recall < 0.4:
            return []
        matches = [AgencyMatch(a, recall) for cover, recall, a in top if recall >= best_recall - 0.1]
        return sorted(matches, key=lambda m: m.score, reverse=True)

    def match_category(self, question: str) -> str | None:
        q = self._question_terms(question)
        for category, terms in self._category_terms.items():
            if terms and terms <= q:
                return category
        return None

    def select(
        self,
        agencies: list[str] | None = None,
        automatable: str | None = None,
        risk: str | None = None,
        category: str | None = None,
    ) -> list[Chunk]:
        out = []
        for row in self.rows:
            r = row.registry
            if agencies and r.get("agency") not in agencies:
                continue
            if automatable and r.get("automatable") != automatable:
                continue
            if risk and r.get("automation_risk") != risk:
                continue
            if category and r.get("category") != category:
                continue
            out.append(row)
        return out
