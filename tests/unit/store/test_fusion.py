import pytest

from assistant.store.fusion import competition_ranks, fuse, settled


def test_tied_scores_share_the_best_rank_of_the_tie() -> None:
    assert competition_ranks([("a", 3.0), ("b", 2.0), ("c", 2.0), ("d", 1.0)]) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }


def test_a_side_s_cut_keeps_a_tie_by_id_whatever_order_it_came_in() -> None:
    listed = [("a", 5.0), ("z", 1.0), ("m", 1.0), ("c", 1.0)]
    assert settled(listed, 3) == settled(list(reversed(listed)), 3) == [("a", 5.0), ("c", 1.0), ("m", 1.0)]


def test_fusion_is_the_engine_s_weighted_rrf_without_ties() -> None:
    # Qdrant's weighted RRF, measured on its own fusion: 1 / (k − 1 + rank / weight), 1-based rank
    fused = dict(fuse([([("a", 9.0), ("b", 8.0)], 1.0), ([("b", 0.9), ("a", 0.8)], 0.15)], k=10, limit=5))
    assert fused["a"] == pytest.approx(1 / 10 + 1 / (9 + 2 / 0.15))
    assert fused["b"] == pytest.approx(1 / 11 + 1 / (9 + 1 / 0.15))


def test_fusion_does_not_depend_on_how_ties_were_listed() -> None:
    sparse = [("r1", 4.0), ("r2", 4.0), ("art", 3.0)]
    dense = [("art", 0.9), ("r2", 0.8), ("r1", 0.7)]
    one = fuse([(sparse, 1.0), (dense, 0.15)], k=10, limit=3)
    other = fuse([([sparse[1], sparse[0], sparse[2]], 1.0), (dense, 0.15)], k=10, limit=3)
    assert one == other
    assert [p for p, _ in one] == [
        "art",
        "r2",
        "r1",
    ]  # r1 and r2 tie on the sparse side; r2 is ahead on the dense one


def test_equal_fused_scores_are_ordered_by_id_and_cut_at_the_limit() -> None:
    assert fuse([([("b", 1.0), ("a", 1.0), ("c", 1.0)], 1.0)], k=10, limit=2) == [("a", 0.1), ("b", 0.1)]
