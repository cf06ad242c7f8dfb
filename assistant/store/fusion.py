"""Weighted reciprocal-rank fusion that gives the same result on every build of an index.

The engine scores each side (sparse BM25 with its IDF, dense cosine); equal scores are common on
the sparse side (registry rows of one function for several agencies share every word). The
engine's own fusion ranks tied points in its internal order, which differs from one build of the
same data to the next, so two deployments of one corpus answered a few questions differently and
refits of the rankers were not reproducible across builds. Here tied points share a rank, the
candidate cut never splits a tie arbitrarily, and equal fused scores are ordered by point id.
"""

from __future__ import annotations

from collections.abc import Sequence

# Points fetched past a side's candidate depth, so that a tie across the cut is seen whole.
TIE_MARGIN = 16

Scored = tuple[str, float]  # point id, score


def settled(points: Sequence[Scored], depth: int) -> list[Scored]:
    """One side's best `depth` points, best first, ties ordered by id; a tie across the cut
    keeps its lowest ids (the points fetched are `depth + TIE_MARGIN`, best first)."""
    return sorted(points, key=lambda p: (-p[1], p[0]))[:depth]


def competition_ranks(points: Sequence[Scored]) -> dict[str, int]:
    """1-based ranks of a side's points where tied scores share the best rank of the tie
    («1, 2, 2, 4»): the fused score of a point then never depends on how a tie was listed."""
    ranks: dict[str, int] = {}
    previous: float | None = None
    rank = 0
    for position, (point, score) in enumerate(sorted(points, key=lambda p: -p[1]), start=1):
        if score != previous:
            rank, previous = position, score
        ranks[point] = rank
    return ranks


def fuse(sides: Sequence[tuple[Sequence[Scored], float]], k: int, limit: int) -> list[Scored]:
    """Weighted RRF over (points, weight) per side, by Qdrant's formula Σ 1 / (k − 1 + rank / weight)
    (1-based rank: 1 / (k + rank − 1) at weight 1), so scores stay what the rankers were fitted on;
    best first, equal fused scores by id."""
    fused: dict[str, float] = {}
    for points, weight in sides:
        for point, rank in competition_ranks(points).items():
            fused[point] = fused.get(point, 0.0) + 1.0 / (k - 1 + rank / weight)
    return sorted(fused.items(), key=lambda p: (-p[1], p[0]))[:limit]


def fuse_sides(
    lists: Sequence[Sequence[Scored]], weights: Sequence[float], depth: int, k: int, limit: int
) -> list[Scored]:
    """What both stores do with the engine's per-side lists (fetched `depth + TIE_MARGIN` deep):
    each settled to `depth`, then fused."""
    return fuse([(settled(points, depth), w) for points, w in zip(lists, weights, strict=True)], k, limit)
