import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.text import sparse
from assistant.text.analyzer import Analyzer
from assistant.text.lexicon import Lexicon
from assistant.text.sparse import CorpusStats, SparseEncoder, term_counts, term_index


@pytest.fixture(scope="module")
def encoder() -> SparseEncoder:
    return SparseEncoder(Analyzer(Lexicon.load()))


def test_term_index_is_a_fixed_crc() -> None:
    assert term_index("государственный") == 902823277
    assert term_index("қызмет") == 1059392721
    assert term_index("9-1") == 621764056


def test_term_index_is_stable_across_processes() -> None:
    code = "from assistant.text.sparse import term_index; print(term_index('услуга'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == term_index("услуга")


def test_term_index_fits_31_bits() -> None:
    for term in ("а", "государственный", "x" * 1000, "мемлекет"):
        assert 0 <= term_index(term) < 2**31


def test_doc_stats(encoder: SparseEncoder) -> None:
    stats = encoder.doc_stats(["государственная услуга", "закон", "реестр государственных услуг"])
    # terms + the prefix term of "государственный" (the only term longer than PREFIX_LEN + 1)
    assert stats == CorpusStats(avgdl=8 / 3, n_docs=3)
    assert encoder.doc_stats([]) == CorpusStats(avgdl=0.0, n_docs=0)


def test_encode_doc_shape(encoder: SparseEncoder) -> None:
    indices, values = encoder.encode_doc(
        "реестр государственных услуг и государственная услуга", CorpusStats(4.0, 10)
    )
    assert indices == sorted(indices)
    # реестр, государственный, услуга + the prefix term ^госуд
    assert len(indices) == len(set(indices)) == len(values) == 4
    assert all(v > 0 for v in values)
    assert encoder.encode_doc("", CorpusStats(4.0, 10)) == ([], [])
    assert encoder.encode_doc("и в на который", CorpusStats(4.0, 10)) == ([], [])


def _weight(encoder: SparseEncoder, text: str, term: str, stats: CorpusStats) -> float:
    indices, values = encoder.encode_doc(text, stats)
    return dict(zip(indices, values, strict=True))[term_index(term)]


def test_tf_of_one_at_average_length_is_one(encoder: SparseEncoder) -> None:
    assert _weight(encoder, "реестр услуга", "реестр", CorpusStats(2.0, 5)) == pytest.approx(1.0)


def test_bm25_decreases_with_document_length(encoder: SparseEncoder) -> None:
    stats = CorpusStats(avgdl=5.0, n_docs=100)
    short = _weight(encoder, "реестр услуга", "реестр", stats)
    long = _weight(encoder, "реестр услуга закон право орган порядок срок лицо", "реестр", stats)
    assert long < short


def test_bm25_saturates_with_tf(encoder: SparseEncoder) -> None:
    stats = CorpusStats(avgdl=10.0, n_docs=100)
    filler = " закон" * 9
    weights = [_weight(encoder, "реестр " * tf + filler, "реестр", stats) for tf in (1, 2, 4, 8, 64)]
    assert weights == sorted(weights)  # more occurrences never hurt …
    assert weights[1] - weights[0] > weights[2] - weights[1] > weights[3] - weights[2]  # … but help less
    assert weights[-1] < encoder.k1 + 1


def test_colliding_indices_are_summed(encoder: SparseEncoder, monkeypatch: pytest.MonkeyPatch) -> None:
    stats = CorpusStats(avgdl=2.0, n_docs=2)
    _, separate = encoder.encode_doc("реестр услуга", stats)
    monkeypatch.setattr(sparse, "term_index", lambda term: 7)
    indices, values = encoder.encode_doc("реестр услуга", stats)
    assert indices == [7]
    assert values == [pytest.approx(sum(separate))]


def test_counted_terms_give_the_bm25_vector(encoder: SparseEncoder, monkeypatch: pytest.MonkeyPatch) -> None:
    stats = CorpusStats(avgdl=3.0, n_docs=3)
    terms = ["реестр", "услуга", "реестр"]  # dl = avgdl: norm = k1 = 1.2
    weight = {"реестр": 2 * 2.2 / (2 + 1.2), "услуга": 1 * 2.2 / (1 + 1.2)}
    indices, counts = term_counts(terms)
    assert indices == sorted(term_index(t) for t in weight) and sum(counts) == 3
    expected = sorted((term_index(t), w) for t, w in weight.items())
    assert encoder.encode_counts(indices, counts, stats) == (
        [i for i, _ in expected],
        [pytest.approx(w) for _, w in expected],
    )
    assert encoder.encode_terms(terms, stats) == encoder.encode_counts(indices, counts, stats)
    assert encoder.encode_counts(*term_counts([]), stats) == ([], [])
    # two terms on one index: weighted apart (each by its own count), then summed
    monkeypatch.setattr(sparse, "term_index", lambda term: 7)
    indices, counts = term_counts(terms)
    assert indices == [7, 7] and sorted(counts) == [1, 2]
    assert encoder.encode_counts(indices, counts, stats) == ([7], [pytest.approx(sum(weight.values()))])


def test_encode_query(encoder: SparseEncoder) -> None:
    indices, values = encoder.encode_query("Где ЦОН?")
    weights = dict(zip(indices, values, strict=True))
    assert indices == sorted(indices)
    assert weights[term_index("цон")] == 1.0
    assert weights[term_index("корпорация")] == 0.6
    assert encoder.encode_query("") == ([], [])


def test_query_and_document_meet(encoder: SparseEncoder) -> None:
    doc_indices, _ = encoder.encode_doc(
        "Государственная корпорация «Правительство для граждан» оказывает государственные услуги",
        CorpusStats(8.0, 10),
    )
    query_indices, _ = encoder.encode_query("какие услуги оказывает ЦОН")
    assert {term_index("корпорация"), term_index("услуга")} <= set(doc_indices) & set(query_indices)


def test_stats_from_lengths() -> None:
    assert CorpusStats.from_lengths([2, 4, 6]) == CorpusStats(avgdl=4.0, n_docs=3)
    assert CorpusStats.from_lengths([]) == CorpusStats(avgdl=0.0, n_docs=0)


def test_encode_doc_with_known_language(encoder: SparseEncoder) -> None:
    # Without Kazakh letters the heading reads as Russian; the chunk's language fixes that.
    indices, _ = encoder.encode_doc("ЖАЛПЫ ЕРЕЖЕЛЕР", CorpusStats(2.0, 2), lang="kk")
    assert term_index("ереже") in indices


def test_prefix_terms_join_derivations(encoder: SparseEncoder) -> None:
    """A verb in the question meets the act's noun through the shared prefix term."""
    from assistant.text.sparse import term_index

    q_indices, q_values = encoder.encode_query("передать")
    d_indices, _ = encoder.encode_doc("передача данных", CorpusStats(2.0, 1))
    shared = set(q_indices) & set(d_indices)
    assert shared == {term_index("^перед")}
    assert dict(zip(q_indices, q_values, strict=False))[term_index("^перед")] == 0.5


def test_doc_counts_are_the_counted_doc_terms(encoder: SparseEncoder) -> None:
    """Ingest counts terms and prefixes per distinct term; the multiset is `doc_terms`'."""
    from collections import Counter

    from assistant.text.lang import Lang

    parts: list[tuple[str, Lang]] = [
        ("Передача персональных данных и передача сведений", "ru"),
        ("деректерді беру", "kk"),
    ]
    expected = Counter(t for text, lang in parts for t in encoder.doc_terms(text, lang))
    assert encoder.doc_counts(parts) == expected
    assert expected["^перед"] == 2
