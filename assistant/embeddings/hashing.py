"""Deterministic, dependency-free embedder for unit tests and smoke runs: a hashed
bag of character trigrams, L2-normalised. Not a semantic model."""

from __future__ import annotations

import math
import zlib


class HashingEmbedder:
    name = "hashing-trigram"

    def __init__(self, dim: int = 256) -> None:
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self._dim
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            vec[zlib.crc32(padded[i : i + 3].encode()) % self._dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
