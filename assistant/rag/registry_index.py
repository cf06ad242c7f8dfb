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
        scored = []
        for agency, terms in self._agency_terms.items():
            if terms:
                overlap = len(q & terms)
                # recall of the agency's name, with a bonus for naming more of it
                scored.append(AgencyMatch(agency, overlap / len(terms) + 0.02 * overlap))
        scored.sort(key=lambda m: m.score, reverse=True)
        if not scored or scored[0].score < 0.5:
            return []
        best = scored[0].score
        return [m for m in scored if m.score >= best - 0.05]

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
