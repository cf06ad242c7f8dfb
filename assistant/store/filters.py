"""One filter language for both engines: {'lang': 'ru'} → must match; a list or tuple value →
any of; a key ending in "!" ({'lang!': 'kk'}) → must not. Each engine has its own classes for
the same conditions, imported only when a filter is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Condition = Callable[[str, Any], Any]


def _split(filters: dict[str, Any], condition: Condition) -> tuple[list[Any], list[Any]]:
    must: list[Any] = []
    must_not: list[Any] = []
    for key, value in filters.items():
        (must_not if key.endswith("!") else must).append(condition(key.rstrip("!"), value))
    return must, must_not


def build_filter(filters: dict[str, Any] | None) -> Any:
    """The filter for qdrant-client (a Qdrant server)."""
    if not filters:
        return None
    from qdrant_client import models

    def condition(field: str, value: Any) -> Any:
        many = isinstance(value, list | tuple)
        match = models.MatchAny(any=list(value)) if many else models.MatchValue(value=value)
        return models.FieldCondition(key=field, match=match)

    must, must_not = _split(filters, condition)
    return models.Filter(must=must or None, must_not=must_not or None)


def edge_filter(filters: dict[str, Any] | None) -> Any:
    """The filter for Qdrant Edge (the embedded engine)."""
    if not filters:
        return None
    from qdrant_edge import FieldCondition, Filter, MatchAny, MatchValue

    def condition(field: str, value: Any) -> Any:
        match = MatchAny(any=list(value)) if isinstance(value, list | tuple) else MatchValue(value)
        return FieldCondition(key=field, match=match)

    must, must_not = _split(filters, condition)
    return Filter(must=must or None, must_not=must_not or None)
