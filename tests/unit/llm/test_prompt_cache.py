"""Issue 15, defect 8: the saved prompt states of llama-cpp-python held ~311 MB of logits each,
uncounted, so `kenes ask --batch` over law questions grew to 8.5 GB. The cache now counts every
byte, drops the never-read logits and keeps a bounded number of states."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")

from llama_cpp.llama import LlamaState

from assistant.llm.prompt_cache import PromptStateCache, state_bytes

N_VOCAB = 151_936  # Qwen2.5


def state(n_tokens: int, kv_bytes: int = 1 << 20) -> LlamaState:
    """What `Llama.save_state()` returns after a completion of `n_tokens` (n_batch = 512)."""
    return LlamaState(
        input_ids=np.zeros(4096, dtype=np.intc),
        scores=np.zeros((min(n_tokens, 512), N_VOCAB), dtype=np.single),
        n_tokens=n_tokens,
        llama_state=b"\0" * 16,
        llama_state_size=kv_bytes,
        seed=42,
    )


def test_states_keep_one_row_of_logits_and_are_fully_counted() -> None:
    cache = PromptStateCache(512 << 20, max_states=4)
    big = state(900)
    assert big.scores.nbytes > 290 << 20  # what the probe's 8.5 GB was made of
    cache[list(range(900))] = big
    kept = cache[list(range(900))]
    assert kept.scores.shape == (1, N_VOCAB)
    assert cache.cache_size == state_bytes(kept) == (1 << 20) + N_VOCAB * 4 + 4096 * 4


def test_at_most_max_states_are_kept_newest_first() -> None:
    cache = PromptStateCache(512 << 20, max_states=2)
    for i in range(10):
        cache[[i, *range(100, 600)]] = state(501)
    assert len(cache.cache_state) == 2
    assert [key[0] for key in cache.cache_state] == [8, 9]


def test_the_byte_budget_still_evicts() -> None:
    cache = PromptStateCache(3 << 20, max_states=10)
    for i in range(5):
        cache[[i]] = state(10, kv_bytes=1 << 20)  # ~1.6 MB each with its row of logits
    assert len(cache.cache_state) == 1 and cache.cache_size <= 3 << 20


def test_a_restored_state_broadcasts_into_the_logits_buffer() -> None:
    """`Llama.load_state` does `scores[:n_tokens, :] = state.scores.copy()`: one row must fit."""
    cache = PromptStateCache(512 << 20)
    cache[[1, 2, 3]] = state(700)
    buffer = np.ones((512, N_VOCAB), dtype=np.single)
    restored = cache[[1, 2, 3, 4]]
    buffer[: restored.n_tokens, :] = restored.scores.copy()
    assert not buffer.any()
