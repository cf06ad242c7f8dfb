"""CI gate: compare a run summary with the thresholds in eval/thresholds.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError
from eval.report import Summary

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
_BOUND_KEYS = {"min", "max", "optional"}


def load_thresholds(path: Path | str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Read and check a thresholds file; a malformed one is a ConfigError, never a silent pass."""
    path = Path(path) if path is not None else DEFAULT_THRESHOLDS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read thresholds {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of scope -> metric -> bounds")
    for scope, metrics in data.items():
        if not isinstance(metrics, dict):
            raise ConfigError(f"{path}: {scope}: expected a mapping of metric -> bounds")
        for metric, bound in metrics.items():
            if not isinstance(bound, dict) or not bound.keys() & {"min", "max"} or bound.keys() - _BOUND_KEYS:
                raise ConfigError(f"{path}: {scope}.{metric}: expected {{min: x}} and/or {{max: x}}")
            for key in ("min", "max"):
                if key in bound and not isinstance(bound[key], (int, float)):
                    raise ConfigError(f"{path}: {scope}.{metric}.{key}: not a number")
    return data


def _group(summary: Mapping[str, Any], scope: str) -> Mapping[str, Any] | None:
    if scope == "overall":
        return summary.get("overall")
    dim, sep, value = scope.partition(":")
    if not sep or dim not in ("kind", "lang", "dataset", "kind_lang"):
        return None
    return summary.get(f"by_{dim}", {}).get(value)


def check_gate(summary: Summary | Mapping[str, Any], thresholds: Mapping[str, Any]) -> list[str]:
    """Every violated bound as a readable line; an empty list means the gate passes."""
    data = summary.model_dump() if isinstance(summary, Summary) else summary
    failures: list[str] = []
    for scope, metrics in thresholds.items():
        group = _group(data, scope)
        if group is None:
            if not all(b.get("optional") for b in metrics.values()):
                failures.append(f"{scope}: no items in this scope (or unknown scope)")
            continue
        for metric, bound in metrics.items():
            if metric not in group:
                failures.append(f"{scope} {metric}: unknown metric")
                continue
            value = group[metric]
            if value is None:
                if not bound.get("optional"):
                    failures.append(f"{scope} {metric}: no items to measure")
                continue
            if "min" in bound and value < bound["min"]:
                failures.append(f"{scope} {metric} = {value:.3f} < min {bound['min']}")
            if "max" in bound and value > bound["max"]:
                failures.append(f"{scope} {metric} = {value:.3f} > max {bound['max']}")
    return failures
