"""Domain models shared by ingest, retrieval, answering and every surface.

They are plain pydantic models so they serialise the same way to the CLI's `--json`, the API
and the eval files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Lang = Literal["ru", "kk"]
ChunkKind = Literal["act", "registry"]


class Chunk(BaseModel):
    """One retrievable unit: an article (or a point/window of a long one), a numbered paragraph
    of an act without article anchors, or one registry row."""

    chunk_id: str = Field(description="unique within an index version, e.g. 'public-services#st8.p3@kk'")
    citation: str = Field(description="stable citation id: 'public-services#st8', 'registry:PS-08-03'")
    kind: ChunkKind
    lang: Lang
    title: str = Field(description="human heading: 'Статья 8. Компетенция …' or the registry function")
    text: str
    act_slug: str = ""
    act_title: str = ""
    article: str = Field(default="", description="'8', '9-1' for articles, 'p16' for paragraphs")
    point: str = Field(default="", description="point number when the chunk is a part of an article")
    version_date: str = ""
    source_url: str = ""
    repealed: bool = False
    status: str = Field(default="", description="act status line, e.g. the «Утратило силу …» note")
    registry: dict[str, str] = Field(default_factory=dict, description="all registry columns")
    seq: int = Field(default=0, description="position in its source, to reassemble long articles")
    bridge: str = Field(
        default="", description="extra text indexed lexically only (Kazakh text of the same point)"
    )


class SearchHit(BaseModel):
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    sparse_rank: int | None = None


class SearchResult(BaseModel):
    query: str
    lang: Lang
    hits: list[SearchHit]
    timings: dict[str, float] = Field(default_factory=dict)
    index_version: str = ""
    # dense similarity of each candidate to the question, where the learned ranker read it
    similarities: dict[str, float] = Field(default_factory=dict, exclude=True)
    # the question's dense vector as searched (None: dense side off); not part of any response
    query_vector: list[float] | None = Field(default=None, exclude=True, repr=False)


class Citation(BaseModel):
    n: int
    citation: str
    kind: ChunkKind
    title: str
    quote: str = ""
    act_title: str = ""
    lang: Lang = "ru"
    version_date: str = ""
    source_url: str = ""
    repealed: bool = False
    status: str = ""


class Answer(BaseModel):
    question: str
    answer: str
    lang: Lang
    refused: bool = False
    mode: str = Field(default="", description="registry | extractive | hybrid | generative | refusal")
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list, description="citation ids retrieved, best first")
    notice: str = Field(default="", description="e.g. the LLM was unavailable and the answer is extractive")
    index_version: str = ""
    model: str = ""
    timings: dict[str, float] = Field(default_factory=dict)


class Turn(BaseModel):
    question: str
    answer: str = ""
