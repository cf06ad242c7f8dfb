"""The summary, breakdown and heat map of the live index counted by the engine: facet requests
over the payload indexes (one per automatable or risk value, or per category and mark pair),
instead of a pass over the rows in Python. Same results as `counts.summarize` /
`counts.breakdown` / `counts.matrix` on the same rows (a test holds them equal on the demo
index); a registry file with no index is still counted in Python."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistant.analytics.counts import (
    AUTOMATABLE,
    DIMENSIONS,
    NO_ACT,
    RISKS,
    TOTAL,
    BreakdownLine,
    Matrix,
    Summary,
    SummaryLine,
    ordered,
    share,
)

# (payload key, filters) → points per value of that key
Facet = Callable[[str, dict[str, Any]], dict[str, int]]
Count = Callable[[dict[str, Any]], int]

FIELDS = {"agency": "registry.agency", "category": "registry.category", "act": "registry.act_slug"}
AUTOMATABLE_FIELD = "registry.automatable"
RISK_FIELD = "registry.automation_risk"


def _base(automatable: str | None, risk: str | None) -> dict[str, Any]:
    flt: dict[str, Any] = {"kind": "registry"}
    if automatable:
        flt[AUTOMATABLE_FIELD] = automatable
    if risk:
        flt[RISK_FIELD] = risk
    return flt


def _narrowed(base: dict[str, Any], field: str, value: str) -> dict[str, Any] | None:
    """`base` also fixing `field` to `value`; None when `base` already fixes it otherwise (no
    row can match, so no request is sent)."""
    if field in base and base[field] != value:
        return None
    return {**base, field: value}


def summarize(
    facet: Facet,
    count: Count,
    by: str = "agency",
    automatable: str | None = None,
    risk: str | None = None,
    act_titles: Mapping[str, str] | None = None,
) -> Summary:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension '{by}' (use {', '.join(DIMENSIONS)})")
    key, base = FIELDS[by], _base(automatable, risk)
    totals = facet(key, base)

    def facet_of(field: str, value: str) -> dict[str, int]:
        flt = _narrowed(base, field, value)
        return facet(key, flt) if flt is not None else {}

    def count_of(field: str, value: str) -> int:
        flt = _narrowed(base, field, value)
        return count(flt) if flt is not None else 0

    by_aut = {v: facet_of(AUTOMATABLE_FIELD, v) for v in AUTOMATABLE}
    by_risk = {v: facet_of(RISK_FIELD, v) for v in RISKS}
    grand = count(base)

    def label(value: str) -> str:
        return (act_titles or {}).get(value) or value or NO_ACT if by == "act" else value or "—"

    lines = [
        SummaryLine(
            key=label(value),
            total=n,
            automatable={v: by_aut[v].get(value, 0) for v in AUTOMATABLE},
            risk={v: by_risk[v].get(value, 0) for v in RISKS},
            share_of_all=share(n, grand),
        )
        for value, n in totals.items()
    ]
    lines.sort(key=lambda line: (-line.total, line.key))
    total_line = SummaryLine(
        key=TOTAL,
        total=grand,
        automatable={v: count_of(AUTOMATABLE_FIELD, v) for v in AUTOMATABLE},
        risk={v: count_of(RISK_FIELD, v) for v in RISKS},
        share_of_all=share(grand, grand),
    )
    filters = {k: v for k, v in (("automatable", automatable), ("risk", risk)) if v}
    return Summary(by=by, lines=lines, totals=total_line, filters=filters)


def matrix(facet: Facet, automatable: str | None = None, risk: str | None = None) -> Matrix:
    """Category × risk, the heat map's cells."""
    base = _base(automatable, risk)
    totals = facet(FIELDS["category"], base)
    cells = {
        v: facet(FIELDS["category"], flt) if (flt := _narrowed(base, RISK_FIELD, v)) else {} for v in RISKS
    }
    labels = sorted(totals, key=lambda k: (-totals[k], k))
    return Matrix(labels, list(RISKS), [[cells[c].get(lab, 0) for c in RISKS] for lab in labels])


def breakdown(
    facet: Facet, count: Count, automatable: str | None = None, risk: str | None = None
) -> list[BreakdownLine]:
    """Agency × category × automatable × risk, non-empty cells only: one facet over the agencies
    per category and mark pair."""
    base = _base(automatable, risk)
    total = count(base)
    cells = [
        (aut, rsk, both)
        for aut in AUTOMATABLE
        if (with_aut := _narrowed(base, AUTOMATABLE_FIELD, aut)) is not None
        for rsk in RISKS
        if (both := _narrowed(with_aut, RISK_FIELD, rsk)) is not None
    ]
    lines = [
        BreakdownLine(agency, category, aut, rsk, count=n, share=share(n, total))
        for category in facet(FIELDS["category"], base)
        for aut, rsk, flt in cells
        for agency, n in facet(FIELDS["agency"], {**flt, FIELDS["category"]: category}).items()
    ]
    return ordered(lines)
