from __future__ import annotations

from typing import Any

import numpy as np

from assistant.analytics.groups import (
    LemmaVectorizer,
    action_of,
    find_groups,
    members_table,
    strip_circumstantial,
)
from assistant.text.analyzer import Analyzer
from tests.unit.analytics.conftest import row


def _by_ids(groups: list[Any]) -> list[set[str]]:
    return [{m.function_id for m in g.members} for g in groups]


def test_same_kind_of_work_is_grouped_across_agencies(
    analyzer: Analyzer, kinds_of_work: list[dict[str, Any]]
) -> None:
    groups = find_groups(kinds_of_work, analyzer)
    ids = _by_ids(groups)
    assert {"R-1", "R-2", "R-3"} in ids
    assert {"N-1", "N-2", "N-3"} in ids
    assert {"I-1", "I-2"} in ids
    assert not any("X-1" in g for g in ids)  # a singleton is not a group


def test_groups_are_sorted_by_size_times_share_automatable(
    analyzer: Analyzer, kinds_of_work: list[dict[str, Any]]
) -> None:
    groups = find_groups(kinds_of_work, analyzer)
    assert [g.id for g in groups] == ["G001", "G002", "G003"]
    assert [g.priority for g in groups] == [3.0, 2.0, 0.0]  # registries, publishing, approving rules
    registries = groups[0]
    assert registries.automatable == {"да": 3, "частично": 0, "нет": 0}
    assert registries.share_automatable == 1.0
    assert registries.agencies == ["Агентство В", "Министерство А", "Министерство Б"]
    assert registries.categories == {"учетно-регистрационная": 3}
    assert registries.action == "ведение"
    assert registries.label.startswith("ведение")


def test_medoid_is_the_member_closest_to_the_others(analyzer: Analyzer) -> None:
    rows = [
        row("A", "o1", "ведет реестр лицензий"),
        row("B", "o2", "ведет реестр лицензий и разрешений"),
        row("C", "o3", "ведет реестр разрешений"),
    ]
    (group,) = find_groups(rows, analyzer, threshold=0.3)
    assert group.medoid.function_id == "B"
    assert group.members[0].function_id == "B" and group.members[0].similarity == 1.0
    assert all(0 < m.similarity <= 1 for m in group.members)


def test_threshold_and_min_agencies(analyzer: Analyzer, kinds_of_work: list[dict[str, Any]]) -> None:
    # at 0.95 only wordings that are the same after lemmatisation stay together
    strict = _by_ids(find_groups(kinds_of_work, analyzer, threshold=0.95))
    assert sorted(map(sorted, strict)) == [["I-1", "I-2"], ["N-1", "N-2"], ["R-1", "R-2"]]
    two_agencies = find_groups(kinds_of_work, analyzer, min_agencies=3)
    assert _by_ids(two_agencies) == [{"R-1", "R-2", "R-3"}, {"N-1", "N-2", "N-3"}]
    assert find_groups([], analyzer) == []


def test_leading_action_skips_light_verbs_and_merges_verb_and_noun(analyzer: Analyzer) -> None:
    def action(text: str) -> str:
        return action_of(analyzer.terms(text, "ru"))[0]

    assert action("осуществляет мониторинг рынка") == "мониторинг"
    assert action("осуществление мониторинга рынка") == "мониторинг"
    assert action("утверждает правила") == action("утверждение правил") == "утверждение"
    assert action("ведет учет") == action("ведение учета") == "ведение"
    assert action_of([]) == ("", -1)


def test_circumstantial_lead_is_stripped() -> None:
    assert strip_circumstantial("в установленном порядке ведение реестра") == "ведение реестра"
    assert strip_circumstantial("в соответствии с законодательством создание совета") == "создание совета"
    assert (
        strip_circumstantial(
            "на основе и во исполнение основных направлений, определенных Президентом, формирует политику"
        )
        == "формирует политику"
    )
    assert strip_circumstantial("ведение реестра") == "ведение реестра"


def test_vectors_are_unit_length_and_identical_texts_have_similarity_one(analyzer: Analyzer) -> None:
    vec = LemmaVectorizer(analyzer)
    m = vec.fit_transform(["ведет реестр", "ведение реестра", "утверждает правила"])
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0)
    assert float(m[0] @ m[1]) > 0.99  # the verb and its action noun are one feature
    assert float(m[0] @ m[2]) < 0.1
    new = vec.transform(["ведет реестр совершенно незнакомых слов"])[0]
    assert 0.2 < float(m[0] @ new) < 0.9  # unknown words dilute the match instead of vanishing


def test_members_table_lists_every_member(analyzer: Analyzer, kinds_of_work: list[dict[str, Any]]) -> None:
    groups = find_groups(kinds_of_work, analyzer)
    table = members_table(groups)
    assert len(table.rows) == sum(g.size for g in groups) == 8
    assert table.columns[:2] == ["группа", "function_id"]
