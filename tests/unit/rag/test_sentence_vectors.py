"""Unit vectors (article sentences, row functions and their clauses): a citation's best unit,
reuse on a rebuild or update, the saved file."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from assistant.domain import Chunk
from assistant.embeddings.hashing import HashingEmbedder
from assistant.rag.sentence_vectors import SentenceVectors, load, remove, save, sentences_of

ARTICLE = (
    "1. Заявление рассматривается в течение пяти рабочих дней.\n\n"
    "2. Персональные данные хранятся на территории Республики Казахстан.\n\n"
    "3. Итог."
)


def _act(citation: str, text: str) -> Chunk:
    return Chunk(chunk_id=f"{citation}@ru", kind="act", lang="ru", citation=citation, title="", text=text)


def _row(citation: str, function: str) -> Chunk:
    return Chunk(
        chunk_id=citation,
        kind="registry",
        lang="ru",
        citation=citation,
        title="",
        text=f"Орган: министерство. Функция: {function}.",
        registry={"function_text": function},
    )


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def test_units_are_an_articles_sentences_and_a_rows_function_with_its_clauses() -> None:
    assert sentences_of(_act("a#st1", ARTICLE)) == [
        "1. Заявление рассматривается в течение пяти рабочих дней.",
        "2. Персональные данные хранятся на территории Республики Казахстан.",
    ]  # «3. Итог.» is too short to state anything
    function = "утверждает реестр государственных услуг, вносит в реестр изменения по согласованию; ведёт"
    assert sentences_of(_row("registry:R-1", function)) == [
        function,
        "утверждает реестр государственных услуг",
        "вносит в реестр изменения по согласованию",  # «ведёт» alone is too short
    ]
    assert sentences_of(_row("registry:R-2", "ведёт реестр государственных услуг")) == [
        "ведёт реестр государственных услуг"
    ]


def test_a_citation_scores_by_its_best_sentence() -> None:
    embedder = HashingEmbedder()
    vectors = SentenceVectors.build(
        [_act("a#st1", ARTICLE), _row("registry:R-1", "ведёт реестр государственных услуг")], embedder
    )
    sentence = "2. Персональные данные хранятся на территории Республики Казахстан."
    sims = vectors.similarities(embedder.embed_query(sentence), ["a#st1", "registry:R-1", "b#st9"])
    assert set(sims) == {"a#st1", "registry:R-1"}  # an unknown citation has no similarity
    exact = float(np.dot(embedder.embed_query(sentence), embedder.embed_documents([sentence])[0]))
    whole = float(np.dot(embedder.embed_query(sentence), embedder.embed_documents([ARTICLE])[0]))
    assert abs(sims["a#st1"] - exact) < 1e-2 and sims["a#st1"] > whole  # the sentence, not the average


def test_each_sentence_of_the_given_chunks_has_its_own_similarity() -> None:
    embedder = HashingEmbedder()
    article, other = _act("a#st1", ARTICLE), _act("b#st2", "Срок — десять дней со дня подачи заявления.")
    vectors = SentenceVectors.build([article, other], embedder)
    question = embedder.embed_query("где хранятся персональные данные")
    sims = vectors.unit_similarities(question, [article, _act("c#st3", "Нет такой статьи в версии.")])
    assert set(sims) == set(sentences_of(article))  # not the other article's, none of an unknown one
    for sentence, sim in sims.items():
        assert abs(sim - float(np.dot(question, embedder.embed_documents([sentence])[0]))) < 1e-2


def test_the_articles_closest_in_meaning_are_found_by_their_best_sentence() -> None:
    embedder = HashingEmbedder()
    chunks = [
        _act("a#st1", ARTICLE),
        _act("b#st2", "Срок — десять дней со дня подачи заявления. Персональные данные уничтожаются."),
        _act("c#st3", "Государственная пошлина уплачивается до подачи заявления в орган."),
        _row("registry:R-1", "хранит персональные данные на территории Республики Казахстан"),
    ]
    vectors = SentenceVectors.build(chunks, embedder)
    question = embedder.embed_query("2. Персональные данные хранятся на территории Республики Казахстан.")
    # registry rows are never among them; a skipped citation is passed over
    assert vectors.best_articles(question, 1, set()) == ["a#st1"]
    assert vectors.best_articles(question, 1, {"a#st1"}) == ["b#st2"]
    assert len(vectors.best_articles(question, 5, set())) == 3
    assert vectors.best_articles(question, 0, set()) == []


def test_a_rebuild_and_an_update_embed_only_new_sentences() -> None:
    embedder = CountingEmbedder()
    first = SentenceVectors.build(
        [_act("a#st1", ARTICLE), _act("b#st1", "Срок составляет десять календарных дней.")], embedder
    )
    assert len(embedder.embedded) == 3
    embedder.embedded.clear()
    again = SentenceVectors.build([_act("a#st1", ARTICLE)], embedder, previous=first)
    assert embedder.embedded == [] and set(again.members) == {"a#st1"}
    changed = first.updated(
        ["b#st1"], [_act("b#st1", "Срок составляет пятнадцать календарных дней.")], embedder
    )
    assert embedder.embedded == ["Срок составляет пятнадцать календарных дней."]
    assert set(changed.members) == {"a#st1", "b#st1"} and len(changed.vectors) == 3  # the old one is gone
    query = embedder.embed_query("Срок составляет пятнадцать календарных дней.")
    assert changed.similarities(query, ["b#st1"])["b#st1"] > first.similarities(query, ["b#st1"])["b#st1"]


def test_vectors_of_another_embedder_are_not_reused() -> None:
    first = SentenceVectors.build([_act("a#st1", ARTICLE)], HashingEmbedder())
    first.embedder = "another-model"
    embedder = CountingEmbedder()
    SentenceVectors.build([_act("a#st1", ARTICLE)], embedder, previous=first)
    assert len(embedder.embedded) == 2


def test_roundtrip_through_the_file(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    vectors = SentenceVectors.build(
        [_act("a#st1", ARTICLE), _act("b#st2", "Срок — десять дней со дня подачи.")], embedder
    )
    save(tmp_path, "kenes__v1", vectors)
    back = load(tmp_path, "kenes__v1")
    assert back is not None and back.embedder == embedder.name
    query = embedder.embed_query("срок подачи")
    assert back.similarities(query, ["a#st1", "b#st2"]) == vectors.similarities(query, ["a#st1", "b#st2"])
    assert [p.name for p in tmp_path.iterdir()] == ["kenes__v1.sentences.npz"]  # no temporary file left
    remove(tmp_path, "kenes__v1")
    remove(tmp_path, "kenes__v1")
    assert load(tmp_path, "kenes__v1") is None


def _file_backed(array: np.ndarray) -> bool:
    base: object = array.base
    while base is not None and not isinstance(base, mmap.mmap):
        base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
    return isinstance(base, mmap.mmap)


def test_a_saved_file_is_mapped_not_read(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    vectors = SentenceVectors.build(
        [
            _act("a#st1", ARTICLE),
            _act("b#st2", "Срок — десять дней со дня подачи."),
            _row("registry:R-1", "ведёт реестр"),
        ],
        embedder,
    )
    save(tmp_path, "kenes__v1", vectors)
    back = load(tmp_path, "kenes__v1")
    assert back is not None
    # the vectors stay in the file; the operating system reads the pages a question touches
    assert _file_backed(back.vectors) and _file_backed(back.digests)
    assert list(back.members) == sorted(vectors.members) and len(back.members) == len(vectors.members)
    for citation, rows in vectors.members.items():
        assert citation in back.members and (back.members[citation] == rows).all()
    assert "c#st3" not in back.members and back.members.get("c#st3") is None
    # an update from a mapped version works as from a built one
    changed = back.updated(["b#st2"], [_act("b#st2", "Срок — пятнадцать дней со дня подачи.")], embedder)
    assert set(changed.members) == set(vectors.members)


def test_a_compressed_member_is_read_as_usual(tmp_path: Path) -> None:
    from assistant.rag.readmodel import mapped_arrays

    path = tmp_path / "x.npz"
    np.savez_compressed(path, a=np.arange(6, dtype=np.int32).reshape(2, 3), empty=np.zeros(0))
    arrays = mapped_arrays(path)
    assert not _file_backed(arrays["a"]) and arrays["a"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert arrays["empty"].shape == (0,)


def test_a_file_written_with_str_citations_still_loads(tmp_path: Path) -> None:
    from assistant.rag.readmodel import write_arrays

    vectors = SentenceVectors.build(
        [_act("a#st1", ARTICLE), _act("b#st2", "Срок — десять дней со дня подачи заявления.")],
        HashingEmbedder(),
    )
    citations = sorted(vectors.members)
    write_arrays(  # the layout before citations were saved as UTF-8 bytes
        tmp_path / "kenes__v0.sentences.npz",
        embedder=np.array([vectors.embedder]),
        digests=vectors.digests,
        vectors=vectors.vectors,
        citations=np.array(citations, dtype=str),
        starts=np.cumsum([0, *(len(vectors.members[c]) for c in citations)]).astype(np.int64),
        rows=np.concatenate([vectors.members[c] for c in citations]),
    )
    back = load(tmp_path, "kenes__v0")
    assert back is not None and list(back.members) == citations
    assert (back.members["b#st2"] == vectors.members["b#st2"]).all()
