"""Saved prompt states for llama-cpp-python, with honest size accounting.

llama-cpp-python saves a state after *every* completion (`cache[prompt + completion] =
save_state()`), and each state carries a copy of the logits buffer: `n_batch × n_vocab`
float32, 512 × 151,936 × 4 B ≈ 311 MB for Qwen2.5. Its `LlamaRAMCache` counts only the KV bytes
(a few MB), so a 512 MB budget kept ~40 states ≈ 12 GB: issue 15 measured 8.5 GB after 43 law
questions. With `logits_all=False` (ours) those logits are never read — sampling uses the
context's own logits, and a restored state is always re-evaluated from its last token — so a
state keeps one zero row instead (it still broadcasts into the buffer on restore), every byte
kept is counted, and at most `max_states` states are kept: one per language prefix is what
makes the cache useful, the rest only repeat a prefix already held.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_cpp.llama_cache import LlamaRAMCache


def state_bytes(state: Any) -> int:
    return int(state.llama_state_size) + int(state.scores.nbytes) + int(state.input_ids.nbytes)


class PromptStateCache(LlamaRAMCache):
    def __init__(self, capacity_bytes: int, *, max_states: int = 4) -> None:
        super().__init__(capacity_bytes)
        self.max_states = max(1, max_states)

    @property
    def cache_size(self) -> int:
        return sum(state_bytes(s) for s in self.cache_state.values())

    def __setitem__(self, key: Sequence[int], value: Any) -> None:
        scores = value.scores
        if scores.ndim == 2 and scores.shape[0] > 1:
            value.scores = np.zeros((1, scores.shape[1]), dtype=scores.dtype)
        super().__setitem__(key, value)  # evicts the oldest while over capacity_bytes
        while len(self.cache_state) > self.max_states:
            self.cache_state.popitem(last=False)
