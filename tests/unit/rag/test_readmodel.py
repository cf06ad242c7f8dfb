"""A version's saved read-model statistics: exact counts, the root index, written atomically."""

from __future__ import annotations

from pathlib import Path

from assistant.rag.readmodel import RootIndex, VersionStats, load, remove, save

POINTS = [("Заявление рассматривается в течение пяти дней.", [1, 2, 2]), ("Золотовалютные активы.", [2, 3])]


def test_counts_and_roots_of_a_version() -> None:
    stats = VersionStats.of(POINTS)
    assert stats.n_docs == 2 and stats.df == {1: 1, 2: 2, 3: 1}  # a term counts once per chunk
    assert "золот" in stats.roots and "валют" in stats.roots and "2025 " not in stats.roots


def test_roundtrip_through_the_file(tmp_path: Path) -> None:
    stats = VersionStats.of(POINTS)
    save(tmp_path, "kenes__v1", stats)
    back = load(tmp_path, "kenes__v1")
    assert back is not None and back.n_docs == 2 and back.df == stats.df
    assert back.roots.pieces == stats.roots.pieces
    assert [p.name for p in tmp_path.iterdir()] == ["kenes__v1.npz"]  # no temporary file left
    remove(tmp_path, "kenes__v1")
    remove(tmp_path, "kenes__v1")  # twice is fine
    assert load(tmp_path, "kenes__v1") is None


def test_an_update_shifts_the_counts_exactly() -> None:
    old = VersionStats.of(POINTS)
    new = old.shifted([POINTS[1]], [("Новая статья о сроках.", [3, 4])])
    assert new == VersionStats(2, new.df, new.roots) and new.df == {1: 1, 2: 1, 3: 1, 4: 1}
    fresh = VersionStats.of([POINTS[0], ("Новая статья о сроках.", [3, 4])])
    assert new.df == fresh.df and new.n_docs == fresh.n_docs
    assert fresh.roots.pieces <= new.roots.pieces  # removed texts' roots may stay


def test_roots_are_word_pieces_only() -> None:
    roots = RootIndex()
    roots.add("Национального банка; 2025 год.")
    assert "нацио" in roots.done() and "а бан" not in roots
