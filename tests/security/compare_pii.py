"""Precision/recall of our audit-log masker (`assistant.pii`) and of `airlock-pii`, when it is
importable, on the labelled sample. Run: `python -m tests.security.compare_pii`.

A labelled value counts as found when predicted spans cover every character of it; a predicted
span counts as right when it overlaps a labelled value."""

from __future__ import annotations

from collections.abc import Callable

from assistant.pii import find_pii
from tests.security.pii_sample import SAMPLE

Detector = Callable[[str], list[tuple[int, int]]]


def ours(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in find_pii(text)]


def airlock() -> Detector | None:
    try:
        from airlock_pii import detect
    except ImportError:
        return None
    return lambda text: [(e.start, e.end) for e in detect(text)]


def _numeric(value: str) -> bool:
    return any(ch.isdigit() or ch == "@" for ch in value)


def score(detect: Detector, *, names: bool = True) -> tuple[float, float, int, int]:
    found = total = right = predicted = 0
    for text, gold in SAMPLE:
        spans = detect(text)
        if not names:  # numbers and addresses only: drop names from both sides
            people = [(text.index(g), text.index(g) + len(g)) for g in gold if not _numeric(g)]
            spans = [(s, e) for s, e in spans if not any(s < pe and ps < e for ps, pe in people)]
            gold = [g for g in gold if _numeric(g)]
        covered = {i for s, e in spans for i in range(s, e)}
        golds = [(text.index(g), text.index(g) + len(g)) for g in gold]
        total += len(golds)
        found += sum(all(i in covered for i in range(s, e)) for s, e in golds)
        predicted += len(spans)
        right += sum(any(s < ge and gs < e for gs, ge in golds) for s, e in spans)
    return right / max(predicted, 1), found / max(total, 1), found, total


def main() -> None:
    detectors: dict[str, Detector | None] = {"assistant.pii": ours, "airlock-pii": airlock()}
    for name, detect in detectors.items():
        if detect is None:
            print(f"{name}: not installed")
            continue
        for label, names in (("all", True), ("without names", False)):
            p, r, found, total = score(detect, names=names)
            print(f"{name:14} {label:14} precision {p:.2f}  recall {r:.2f} ({found}/{total})")


if __name__ == "__main__":
    main()
