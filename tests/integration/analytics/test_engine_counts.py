"""The live index's summary, breakdown and heat map come from the engine's facets, and say exactly what a
count over the rows in Python says (embedded Qdrant Edge, the demo index)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.analytics import counts
from assistant.analytics.service import AnalyticsService
from assistant.container import Container

pytestmark = pytest.mark.integration

FILTERS = [(None, None), ("да", None), (None, "высокий"), ("частично", "низкий"), ("нет", "высокий")]


@pytest.mark.parametrize("by", ["agency", "category", "act"])
@pytest.mark.parametrize(("automatable", "risk"), FILTERS)
def test_engine_summary_equals_the_count_over_rows(
    demo_container: Container, by: str, automatable: str | None, risk: str | None
) -> None:
    service = AnalyticsService.from_container(demo_container)
    assert (
        service.summary(by, automatable, risk).to_dict()
        == counts.summarize(service.rows, by, automatable, risk).to_dict()
    )


@pytest.mark.parametrize(("automatable", "risk"), FILTERS)
def test_engine_breakdown_equals_the_count_over_rows(
    demo_container: Container, automatable: str | None, risk: str | None
) -> None:
    service = AnalyticsService.from_container(demo_container)
    expected = counts.breakdown(service.rows, automatable, risk)
    assert service.breakdown(automatable, risk) == expected


@pytest.mark.parametrize(("automatable", "risk"), FILTERS[:3])
def test_engine_heat_map_equals_the_count_over_rows(
    demo_container: Container, automatable: str | None, risk: str | None
) -> None:
    service = AnalyticsService.from_container(demo_container)
    expected = counts.matrix(service.rows, "category", "automation_risk", automatable, risk)
    assert service.heat(automatable, risk).to_dict() == expected.to_dict()


def test_the_summary_is_counted_by_the_engine(demo_container: Container, monkeypatch: Any) -> None:
    service = AnalyticsService.from_container(demo_container)
    asked: list[str] = []
    store = demo_container.store
    real = store.facet

    def spy(name: str, key: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        asked.append(key)
        return real(name, key, filters)

    monkeypatch.setattr(store, "facet", spy)
    service.summary("category")
    assert asked and set(asked) == {"registry.category"}
