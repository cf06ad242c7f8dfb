"""Dense vectors of the smallest units that answer — every sentence of every article, every
registry row's function with its clauses — saved beside the index by whoever builds a version
and read with its read model.

The store's dense side holds one vector per window of an article (a few hundred words; a row's
window carries its agency, category, marks and rationale too). A question that words its point
differently, or is asked in Kazakh about a Russian-only act, matches one sentence of a long
article, and a window's vector averages that sentence away. The learned source ranker reads a
candidate's best unit instead. A row is read by its function and by each clause of it («…
утверждает реестр государственных услуг и вносит в него изменения …»): scored by the whole
function alone, a short question picked the wrong one of two similar rows more often, and
articles, scored by their best of many sentences, need rows read as finely (docs/benchmarks.md,
seventh pass).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.rag.readmodel import mapped_arrays, unlink, write_arrays
from assistant.text.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.domain import Chunk
    from assistant.embeddings.base import Embedder

# a shorter one is a heading or a list marker, not a statement (the sentence rankers pass over
# them too)
MIN_SENTENCE_CHARS = 25
BATCH = 64


# where a function's clauses part: «…, …», «…; …», «… и …»
_CLAUSE = re.compile(r";|,|\s+и\s+")


def sentences_of(chunk: Chunk) -> list[str]:
    """The units of a chunk that are embedded: an article's sentences; a registry row's function
    and those of its clauses long enough to state something."""
    if chunk.kind == "registry":
        text = str(chunk.registry.get("function_text", "")).strip()
        clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= MIN_SENTENCE_CHARS]
        return [text, *(c for c in clauses if c != text)] if text else []
    return [s for s in split_sentences(chunk.text) if len(s) >= MIN_SENTENCE_CHARS]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


@dataclass
class SentenceVectors:
    """Unit vectors (float16, one row per distinct text) and, per citation, its rows."""

    embedder: str
    digests: np.ndarray  # (n,) 16-byte digests: the key a later build reuses a vector by
    vectors: np.ndarray  # (n, dim) float16
    members: Mapping[str, np.ndarray]  # citation → row indices into `vectors`

    def similarities(self, vector: Sequence[float], citations: Iterable[str]) -> dict[str, float]:
        """Each citation's best unit similarity to a (normalised) question vector."""
        q = np.asarray(vector, dtype=np.float32)
        out: dict[str, float] = {}
        for citation in citations:
            rows = self.members.get(citation)
            if rows is not None and rows.size:
                out[citation] = float((self.vectors[rows].astype(np.float32) @ q).max())
        return out

    def unit_similarities(self, vector: Sequence[float], chunks: Iterable[Chunk]) -> dict[str, float]:
        """Each embedded unit of `chunks` (an article's sentence) by its text → its similarity to
        a (normalised) question vector. Reads only the rows of these chunks' citations: a digest
        map over the whole version would cost a server memory per unit it holds."""
        q = np.asarray(vector, dtype=np.float32)
        out: dict[str, float] = {}
        for chunk in chunks:
            rows = self.members.get(chunk.citation)
            if rows is None or not rows.size:
                continue
            sims = self.vectors[rows].astype(np.float32) @ q
            by_digest = {bytes(d): float(v) for d, v in zip(self.digests[rows], sims, strict=True)}
            for text in sentences_of(chunk):
                sim = by_digest.get(_digest(text))
                if sim is not None:
                    out[text] = sim
        return out

    def best_articles(self, vector: Sequence[float], k: int, skip: set[str]) -> list[str]:
        """The `k` articles (not registry rows, not in `skip`) whose best unit is most similar to
        a (normalised) question vector, over every unit of the version: brute force, so for
        versions of a limited size (`RetrievalSettings.by_meaning_max_units`)."""
        citations, starts, rows = self._flat
        if not len(rows) or k <= 0:
            return []
        sims = self._scan_matrix @ np.asarray(vector, dtype=np.float32)
        best = np.maximum.reduceat(sims[rows], starts[:-1])
        out: list[str] = []
        for i in np.argsort(-best):
            citation = citations[int(i)]
            if not citation.startswith("registry:") and citation not in skip:
                out.append(citation)
                if len(out) == k:
                    break
        return out

    @cached_property
    def _scan_matrix(self) -> np.ndarray:
        """The vectors in float32, made at the first scan: converting the float16 ones on every
        question took ten times the product itself."""
        return self.vectors.astype(np.float32)

    @cached_property
    def _flat(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every citation with its rows laid end to end (citation i's rows are
        `rows[starts[i]:starts[i + 1]]`), as `save` writes them."""
        citations = sorted(self.members)
        groups = [np.asarray(self.members[c]) for c in citations]
        starts = np.cumsum([0, *(len(g) for g in groups)]).astype(np.int64)
        rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int32)
        return citations, starts, rows

    @cached_property
    def row_of(self) -> dict[bytes, int]:
        """Digest → row; made when first asked for (the fitting script), never by a server."""
        return {bytes(d): i for i, d in enumerate(self.digests)}

    def best_of_texts(self, vector: Sequence[float], texts: Iterable[str]) -> float | None:
        """The best similarity among the units of `texts` this version holds (the fitting script
        compares one article's two languages with it); None when it holds none of them."""
        rows = [self.row_of[k] for k in (_digest(t) for t in texts) if k in self.row_of]
        if not rows:
            return None
        return float((self.vectors[rows].astype(np.float32) @ np.asarray(vector, dtype=np.float32)).max())

    @classmethod
    def build(
        cls, chunks: Iterable[Chunk], embedder: Embedder, previous: SentenceVectors | None = None
    ) -> SentenceVectors:
        """From every chunk of a version; a sentence the previous version has keeps its vector,
        so a rebuild embeds only the sentences that changed."""
        return cls._assemble(*_collect(chunks, {}), embedder, previous)

    def updated(self, removed: Iterable[str], added: Iterable[Chunk], embedder: Embedder) -> SentenceVectors:
        """After an incremental update: the citations it rewrote (`removed`) lose their
        sentences, the chunks it wrote bring theirs."""
        gone = set(removed)
        by_row = [bytes(d) for d in self.digests]
        kept = {c: {by_row[int(i)] for i in rows} for c, rows in self.members.items() if c not in gone}
        return self._assemble(*_collect(added, kept), embedder, self)

    @classmethod
    def _assemble(
        cls,
        texts: dict[bytes, str],
        members: dict[str, set[bytes]],
        embedder: Embedder,
        previous: SentenceVectors | None,
    ) -> SentenceVectors:
        known: dict[bytes, np.ndarray] = {}
        if previous is not None and previous.embedder == embedder.name:
            known = {bytes(d): previous.vectors[i] for i, d in enumerate(previous.digests)}
        keys = sorted({k for ks in members.values() for k in ks})
        fresh = [k for k in keys if k not in known]
        for start in range(0, len(fresh), BATCH):
            batch = fresh[start : start + BATCH]
            for key, vec in zip(batch, embedder.embed_documents([texts[k] for k in batch]), strict=True):
                known[key] = np.asarray(vec, dtype=np.float16)
        row_of = {k: i for i, k in enumerate(keys)}
        vectors = (
            np.stack([known[k] for k in keys]) if keys else np.zeros((0, embedder.dim), dtype=np.float16)
        )
        return cls(
            embedder.name,
            np.array(keys, dtype="S16"),
            vectors.astype(np.float16),
            {c: np.array(sorted(row_of[k] for k in ks), dtype=np.int32) for c, ks in members.items()},
        )


def _collect(
    chunks: Iterable[Chunk], members: dict[str, set[bytes]]
) -> tuple[dict[bytes, str], dict[str, set[bytes]]]:
    """The sentences of `chunks` by digest, added to `members` (citation → digests)."""
    texts: dict[bytes, str] = {}
    for chunk in chunks:
        for text in sentences_of(chunk):
            key = _digest(text)
            texts.setdefault(key, text)
            members.setdefault(chunk.citation, set()).add(key)
    return texts, members


class _SavedMembers(Mapping[str, np.ndarray]):
    """Citation → its rows, read from the saved arrays (citations sorted, as `save` writes them)
    by binary search: no dictionary entry per citation, a million of which would take a server
    hundreds of megabytes before its first question."""

    def __init__(self, citations: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> None:
        # UTF-8 bytes sort as their text does, and a bytes array needs no alignment: a mapped
        # str array sits unaligned in the file, and numpy then copies all of it on every search
        # (a file written before 2026-12-07 holds str; it is small, and converted here)
        self._citations = np.char.encode(citations, "utf-8") if citations.dtype.kind == "U" else citations
        self._starts, self._rows = starts, rows

    def __getitem__(self, citation: str) -> np.ndarray:
        key = citation.encode("utf-8")
        if len(key) > self._citations.dtype.itemsize:
            raise KeyError(citation)  # longer than any saved one
        i = int(np.searchsorted(self._citations, np.array(key, dtype=self._citations.dtype)))
        if i >= len(self._citations) or self._citations[i] != key:
            raise KeyError(citation)
        return self._rows[self._starts[i] : self._starts[i + 1]]

    def __iter__(self) -> Iterator[str]:
        return (bytes(c).decode("utf-8") for c in self._citations)

    def __len__(self) -> int:
        return len(self._citations)


def _path(directory: Path, collection: str) -> Path:
    return directory / f"{collection}.sentences.npz"


def save(directory: Path, collection: str, sentences: SentenceVectors) -> None:
    citations = sorted(sentences.members)
    rows = [sentences.members[c] for c in citations]
    write_arrays(
        _path(directory, collection),
        embedder=np.array([sentences.embedder]),
        digests=sentences.digests,
        vectors=sentences.vectors,
        citations=np.array([c.encode("utf-8") for c in citations], dtype=bytes),
        starts=np.cumsum([0, *(len(r) for r in rows)]).astype(np.int64),
        rows=np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32),
    )


def load(directory: Path, collection: str) -> SentenceVectors | None:
    path = _path(directory, collection)
    if not path.exists():
        return None
    # mapped, not read: at national scale the vectors are gigabytes, and a question reads the
    # rows of its twenty candidates only
    data = mapped_arrays(path)
    members = _SavedMembers(data["citations"], data["starts"], data["rows"])
    return SentenceVectors(str(data["embedder"][0]), data["digests"], data["vectors"], members)


def remove(directory: Path, collection: str) -> None:
    unlink(_path(directory, collection))
