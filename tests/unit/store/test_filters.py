"""The filter language both engines share: the same dict gives the same conditions."""

from __future__ import annotations

from qdrant_client import models

from assistant.store.filters import build_filter, edge_filter


def test_build_filter_empty() -> None:
    assert build_filter(None) is None and build_filter({}) is None
    assert edge_filter(None) is None and edge_filter({}) is None


def test_build_filter_must_any_and_must_not() -> None:
    flt = build_filter({"kind": "registry", "registry.automatable": ["да", "частично"], "lang!": "kk"})
    assert flt.must == [
        models.FieldCondition(key="kind", match=models.MatchValue(value="registry")),
        models.FieldCondition(key="registry.automatable", match=models.MatchAny(any=["да", "частично"])),
    ]
    assert flt.must_not == [models.FieldCondition(key="lang", match=models.MatchValue(value="kk"))]


def test_build_filter_only_negative_or_tuple() -> None:
    flt = build_filter({"lang!": ("kk",)})
    assert flt.must is None
    assert flt.must_not == [models.FieldCondition(key="lang", match=models.MatchAny(any=["kk"]))]


def test_edge_filter_has_the_same_conditions() -> None:
    flt = edge_filter({"kind": "registry", "registry.automatable": ["да", "частично"], "lang!": "kk"})
    assert [c.key for c in flt.must] == ["kind", "registry.automatable"]
    assert [c.key for c in flt.must_not] == ["lang"]
    assert edge_filter({"lang!": ("kk",)}).must is None
