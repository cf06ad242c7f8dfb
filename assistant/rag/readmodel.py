"""What a version's read model sums up from all of its chunks — how many there are, the document
frequency of every sparse term, the root index — saved beside the index by whoever builds the
version (a full build, an incremental update) so that a server never reads a million chunks to
learn them. A version without the file (built before it existed) is read once and the file
written then."""

from __future__ import annotations

import contextlib
import io
import math
import mmap
import os
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from assistant.rag.relevance import ROOT_LEN, doc_frequencies
from assistant.text.lang import normalize

if TYPE_CHECKING:
    from assistant.store.base import VectorStore

_WORD = re.compile(rf"[^\W\d_]{{{ROOT_LEN},}}")


class RootIndex:
    """Every ROOT_LEN-letter piece of every word in the index: answers "is this root mentioned
    anywhere at all?" (золота → «золотовалютных») without holding the corpus text."""

    def __init__(self, pieces: Iterable[str] = ()) -> None:
        self.pieces: set[str] = set(pieces)
        self._seen: set[str] = set()

    @staticmethod
    def words(text: str) -> set[str]:
        """The words of a text that have roots (ROOT_LEN letters or more), normalised."""
        return set(_WORD.findall(normalize(text).lower()))

    def add(self, text: str) -> None:
        self.add_words(self.words(text))

    def add_words(self, words: Iterable[str]) -> None:
        for word in set(words) - self._seen:
            self._seen.add(word)
            self.pieces.update(word[i : i + ROOT_LEN] for i in range(len(word) - ROOT_LEN + 1))

    def done(self) -> RootIndex:
        self._seen = set()
        return self

    def __contains__(self, root: object) -> bool:
        return root in self.pieces


@dataclass
class VersionStats:
    n_docs: int
    df: Counter[int]  # sparse term index → chunks holding it
    roots: RootIndex

    @classmethod
    def of(cls, points: Iterable[tuple[str, list[int]]]) -> VersionStats:
        """From (chunk text, sparse term indices) of every chunk of a version, in one pass."""
        roots = RootIndex()

        def indices() -> Iterator[list[int]]:
            for text, ix in points:
                roots.add(text)
                yield ix

        return cls.counted(indices(), roots)

    @classmethod
    def counted(cls, doc_indices: Iterable[list[int]], roots: RootIndex) -> VersionStats:
        """From the sparse term indices of every chunk and a root index already built (a build
        makes it in the pass that analyses the texts)."""
        df, n = doc_frequencies(doc_indices)
        return cls(n, df, roots.done())

    @classmethod
    def scanned(cls, store: VectorStore, collection: str) -> VersionStats:
        """Read from the stored version itself: its texts and sparse indices, nothing else."""
        return cls.of((str(payload.get("text", "")), ix) for payload, ix in store.scan(collection, ["text"]))

    def shifted(
        self, removed: Iterable[tuple[str, list[int]]], added: Iterable[tuple[str, list[int]]]
    ) -> VersionStats:
        """After an update: counts exact; the roots of removed texts stay (a word the index no
        longer has reads as known — the lenient side of an answerability signal)."""
        df = Counter(self.df)
        n = self.n_docs
        for _, indices in removed:
            df.subtract(set(indices))
            n -= 1
        roots = RootIndex(self.roots.pieces)
        for text, indices in added:
            df.update(set(indices))
            roots.add(text)
            n += 1
        return VersionStats(n, +df, roots.done())


def directory_in(index_dir: Path) -> Path:
    """Where the files live: beside the manifest of index versions."""
    return index_dir / "readmodel"


def _path(directory: Path, collection: str) -> Path:
    return directory / f"{collection}.npz"


def write_arrays(path: Path, **arrays: Any) -> None:
    """A read-model file of a version, written whole or not at all (a temporary file beside it,
    renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def mapped_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a read-model file, each mapped from the file instead of read into memory.

    `np.savez` stores every array uncompressed, as a plain .npy member of a zip: its bytes lie in
    the file as they would in memory, so the operating system reads a page only when a question
    touches it. Unit vectors at national scale are gigabytes; read whole they would be resident
    in every server process. A member stored otherwise (compressed) is read as usual."""
    out: dict[str, np.ndarray] = {}
    with path.open("rb") as raw, zipfile.ZipFile(raw) as archive:
        whole = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
        if hasattr(mmap, "MADV_RANDOM"):
            # a question reads a few rows here and there: read from disk, no read-ahead around them
            whole.madvise(mmap.MADV_RANDOM)
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            array = _mapped_member(whole, raw, info) if info.compress_type == zipfile.ZIP_STORED else None
            out[name] = (
                array if array is not None else np.load(io.BytesIO(archive.read(info)), allow_pickle=False)
            )
    return out


def _mapped_member(whole: mmap.mmap, raw: BinaryIO, info: zipfile.ZipInfo) -> np.ndarray | None:
    raw.seek(info.header_offset)
    local = raw.read(30)  # the member's local header: its own name and extra field lengths
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    version = np.lib.format.read_magic(raw)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
    else:
        return None
    if dtype.hasobject or math.prod(shape) == 0:
        return None  # nothing to map (an empty array), or not plain data
    flat = np.frombuffer(whole, dtype=dtype, count=math.prod(shape), offset=raw.tell())
    return flat.reshape(shape, order="F" if fortran else "C")


def unlink(path: Path) -> None:
    """A read-model file removed; one that is not there is fine."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def save(directory: Path, collection: str, stats: VersionStats) -> None:
    write_arrays(
        _path(directory, collection),
        n_docs=np.array([stats.n_docs]),
        terms=np.fromiter(stats.df.keys(), dtype=np.int64, count=len(stats.df)),
        counts=np.fromiter(stats.df.values(), dtype=np.int64, count=len(stats.df)),
        roots=np.array(sorted(stats.roots.pieces), dtype=f"<U{ROOT_LEN}"),
    )


def load(directory: Path, collection: str) -> VersionStats | None:
    path = _path(directory, collection)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        df = Counter(dict(zip(data["terms"].tolist(), data["counts"].tolist(), strict=True)))
        return VersionStats(int(data["n_docs"][0]), df, RootIndex(data["roots"].tolist()))


def remove(directory: Path, collection: str) -> None:
    unlink(_path(directory, collection))
