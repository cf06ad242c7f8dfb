"""Groups of functions that are the same kind of work across agencies (keeping a registry,
publishing information, approving rules…), found lexically and offline.

Each function text becomes a TF-IDF vector over its lemmas, where the leading action (the
first verb or action noun, with «осуществление»-like light verbs skipped and verb/noun forms
merged: «утверждает» = «утверждение») is an extra, heavily weighted feature and the few words
right after it (the object: «правила», «реестр») count more than the tail (the sphere). Cosine
similarity, average-linkage agglomerative clustering (scipy), cut at a similarity threshold.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.analytics.counts import AUTOMATABLE, RISKS, automatable_of, field_value, risk_of, share
from assistant.analytics.export import Cell, Table
from assistant.text.analyzer import Analyzer

# Average linkage cut: members are on average at least this similar to each other.
DEFAULT_THRESHOLD = 0.45
ACTION_WEIGHT = 0.75  # ‖action one-hot‖ relative to the unit lexical vector
HEAD_TERMS = 3  # words after the action that name the object of the work
HEAD_BOOST = 2.0
# Above this many rows the O(n²) linkage is run per leading action instead of over everything.
MAX_LINKAGE_ROWS = 6000

# Leading circumstantial phrases say nothing about the kind of work (the rubric's step 1 too).
_LEAD_RE = re.compile(
    r"^(?:в установленном (?:законодательством )?порядке|в установленных законодательством случаях"
    r"|в соответствии с законодательством(?: республики казахстан)?"
    r"|на основе и во исполнение .*?,\s*(?=\w+(?:ет|ют|ит|ят)\b)"
    r"|после внесения в реестр [^,]*?(?=принима|осуществля|$))[\s,]*"
)

# Verbs that only carry the real action in the next noun («осуществление мониторинга»).
# fmt: off
LIGHT = frozenset({
    "осуществлять", "осуществление", "проводить", "проведение", "производить", "выполнять", "вправе",
    "обладать", "иметь", "являться", "основа", "исполнение", "установленный", "соответствие",
})
ACTION_ALIASES: dict[str, str] = {
    "утверждать": "утверждение", "разрабатывать": "разработка", "обеспечивать": "обеспечение",
    "организовать": "организация", "организовывать": "организация", "координировать": "координация",
    "взаимодействовать": "взаимодействие", "размещать": "размещение", "разместить": "размещение",
    "рассматривать": "рассмотрение", "рассмотреть": "рассмотрение", "определять": "определение",
    "предоставлять": "предоставление", "представлять": "представление", "формировать": "формирование",
    "вести": "ведение", "оказывать": "оказание", "создавать": "создание", "направлять": "направление",
    "согласовывать": "согласование", "запрашивать": "запрос", "устанавливать": "установление",
    "установить": "установление", "контролировать": "контроль", "выдавать": "выдача", "вносить": "внесение",
    "принимать": "принятие", "требовать": "требование", "публиковать": "публикация",
    "опубликовать": "публикация", "опубликование": "публикация", "анализировать": "анализ",
    "регистрировать": "регистрация", "проверять": "проверка", "мониторить": "мониторинг",
    "реализовать": "реализация", "реализовывать": "реализация", "содействовать": "содействие",
    "участвовать": "участие", "информировать": "информирование", "готовить": "подготовка",
    "подготавливать": "подготовка", "собирать": "сбор", "обобщать": "обобщение", "учитывать": "учет",
    "выработать": "выработка", "вырабатывать": "выработка", "получать": "получение",
}
# Boilerplate that names the legal frame, not the work.
DOMAIN_STOP = frozenset({
    "предел", "компетенция", "свой", "республика", "казахстан", "вопрос", "относиться", "входить",
    "соответствующий", "установить", "предусмотренный", "настоящий", "иной", "являться",
})
# fmt: on


def strip_circumstantial(text: str) -> str:
    """Drop a leading «в установленном порядке», «на основе и во исполнение …,» and the like."""
    low = text.strip()
    prev = None
    while prev != low:
        prev, low = low, _LEAD_RE.sub("", low, count=1).strip()
    return low


def action_of(terms: Sequence[str]) -> tuple[str, int]:
    """(canonical leading action, its index in terms); ('', -1) for an empty text."""
    for i, term in enumerate(terms):
        if term in LIGHT or term.isdigit():
            continue
        return ACTION_ALIASES.get(term, term), i
    return "", -1


@dataclass
class _Doc:
    action: str
    weights: dict[str, float]


class LemmaVectorizer:
    """TF-IDF over lemmas with a leading-action feature; rows are L2-normalised, so a dot product
    is the cosine similarity."""

    def __init__(self, analyzer: Analyzer, action_weight: float = ACTION_WEIGHT) -> None:
        self.analyzer = analyzer
        self.action_weight = action_weight
        self.vocab: dict[str, int] = {}
        self.actions: dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0)
        self.max_idf = 1.0

    def doc(self, text: str) -> _Doc:
        terms = [
            t for t in self.analyzer.terms(strip_circumstantial(text.lower()), "ru") if t not in DOMAIN_STOP
        ]
        action, at = action_of(terms)
        weights: dict[str, float] = {}
        for i, term in enumerate(terms):
            if i == at:
                continue
            boost = HEAD_BOOST if at < i <= at + HEAD_TERMS else 1.0
            key = ACTION_ALIASES.get(term, term)
            weights[key] = max(weights.get(key, 0.0), boost)  # presence, not repetition
        return _Doc(action, weights)

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        docs = [self.doc(t) for t in texts]
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.weights.keys())
        self.vocab = {term: i for i, term in enumerate(sorted(df))}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in sorted(df)])
        self.max_idf = math.log(1 + n) + 1.0
        self.actions = {a: i for i, a in enumerate(sorted({d.action for d in docs if d.action}))}
        return self._vectors(docs)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors([self.doc(t) for t in texts])

    def _vectors(self, docs: Sequence[_Doc]) -> np.ndarray:
        width = len(self.vocab)
        out = np.zeros((len(docs), width + len(self.actions)))
        for row, d in enumerate(docs):
            unknown = 0.0  # words the reference never saw still dilute the similarity
            for term, w in d.weights.items():
                j = self.vocab.get(term)
                if j is None:
                    unknown += (w * self.max_idf) ** 2
                else:
                    out[row, j] = w * self.idf[j]
            norm = math.sqrt(float(out[row, :width] @ out[row, :width]) + unknown)
            if norm:
                out[row, :width] /= norm
            a = self.actions.get(d.action)
            lexical = 1.0 if norm else 0.0
            if a is not None:
                out[row, width + a] = self.action_weight
            total = math.sqrt(lexical + (self.action_weight**2 if d.action else 0.0))
            if total:
                out[row] /= total
        return out


def cluster(vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Average-linkage clusters whose members are on average ≥ threshold cosine-similar."""
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2  # float noise would make squareform reject the matrix
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    clusters: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        clusters.setdefault(int(label), []).append(i)
    return list(clusters.values())


@dataclass
class Member:
    function_id: str
    agency: str
    function_text: str
    category: str
    automatable: str
    risk: str
    similarity: float  # to the group's medoid


@dataclass
class Group:
    id: str
    action: str
    label: str
    medoid: Member
    members: list[Member]
    agencies: list[str]
    automatable: dict[str, int]
    risk: dict[str, int]
    categories: dict[str, int]
    cohesion: float  # mean similarity of members to the medoid
    share_automatable: float = 0.0
    priority: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self, with_members: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "action": self.action,
            "size": self.size,
            "n_agencies": len(self.agencies),
            "agencies": self.agencies,
            "automatable": self.automatable,
            "risk": self.risk,
            "categories": self.categories,
            "share_automatable": self.share_automatable,
            "priority": self.priority,
            "cohesion": self.cohesion,
            "representative": self.medoid.__dict__,
        }
        if with_members:
            out["members"] = [m.__dict__ for m in self.members]
        return out


def _make_group(
    rows: Sequence[Mapping[str, Any]], idx: list[int], vectors: np.ndarray, vec: LemmaVectorizer
) -> Group:
    sims = vectors[idx] @ vectors[idx].T
    centre = int(np.argmax(sims.sum(axis=1)))  # medoid: the wording closest to all the others
    members = []
    for pos, i in enumerate(idx):
        r = rows[i]
        members.append(
            Member(
                field_value(r, "function_id"),
                field_value(r, "agency"),
                field_value(r, "function_text"),
                field_value(r, "category"),
                automatable_of(r),
                risk_of(r),
                round(float(sims[centre, pos]), 3),
            )
        )
    medoid = members[centre]
    members.sort(key=lambda m: (-m.similarity, m.function_id))
    aut = Counter(m.automatable for m in members)
    rsk = Counter(m.risk for m in members)
    agencies = sorted({m.agency for m in members})
    docs = [vec.doc(m.function_text) for m in members]
    action = Counter(d.action for d in docs).most_common(1)[0][0]
    objects: Counter[str] = Counter()
    for d in docs:
        objects.update(t for t, w in d.weights.items() if w > 1.0)
    top = [t for t, c in objects.most_common(2) if c * 2 >= len(docs)]
    # «частично» counts as half: a group of partly automatable work is half a candidate.
    auto_share = share(2 * aut.get("да", 0) + aut.get("частично", 0), 2 * len(members))
    return Group(
        id="",
        action=action,
        label=" · ".join([action, *top]) if action else " · ".join(top),
        medoid=medoid,
        members=members,
        agencies=agencies,
        automatable={v: aut.get(v, 0) for v in AUTOMATABLE},
        risk={v: rsk.get(v, 0) for v in RISKS},
        categories=dict(Counter(m.category for m in members).most_common()),
        cohesion=round(float(sims[centre].mean()), 3),
        share_automatable=auto_share,
        priority=round(len(members) * auto_share, 3),
    )


def find_groups(
    rows: Sequence[Mapping[str, Any]],
    analyzer: Analyzer,
    threshold: float = DEFAULT_THRESHOLD,
    min_size: int = 2,
    min_agencies: int = 1,
) -> list[Group]:
    """Groups of similar functions, sorted by size × share automatable (the automation
    programme's candidates first), then by size. Singletons are left out by default."""
    rows = [r for r in rows if field_value(r, "function_text")]
    vec = LemmaVectorizer(analyzer)
    vectors = vec.fit_transform([field_value(r, "function_text") for r in rows])
    if len(rows) <= MAX_LINKAGE_ROWS:
        clusters = cluster(vectors, threshold)
    else:
        by_action: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by_action.setdefault(vec.doc(field_value(r, "function_text")).action, []).append(i)
        clusters = [
            [idx[j] for j in c] for idx in by_action.values() for c in cluster(vectors[idx], threshold)
        ]
    groups = [_make_group(rows, sorted(c), vectors, vec) for c in clusters if len(c) >= min_size]
    groups = [g for g in groups if len(g.agencies) >= min_agencies]
    groups.sort(key=lambda g: (-g.priority, -g.size, -len(g.agencies), g.medoid.function_id))
    for n, g in enumerate(groups, 1):
        g.id = f"G{n:03d}"
    return groups


def groups_table(groups: Sequence[Group]) -> Table:
    columns = [
        "группа", "вид работы", "функций", "органов", "да", "частично", "нет", "доля автоматизируемых",
        "приоритет", "риск: низкий", "риск: средний", "риск: высокий", "категории", "типичная формулировка",
        "id типичной", "органы",
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for g in groups:
        rows.append(
            [
                g.id,
                g.label,
                g.size,
                len(g.agencies),
                *(g.automatable[v] for v in AUTOMATABLE),
                g.share_automatable,
                g.priority,
                *(g.risk[v] for v in RISKS),
                "; ".join(f"{k} ({n})" for k, n in g.categories.items()),
                g.medoid.function_text,
                g.medoid.function_id,
                "; ".join(g.agencies),
            ]
        )
    title = "Группы однотипных функций (по размеру × доле автоматизируемых)"
    return Table("groups", title, columns, rows, frozenset({"доля автоматизируемых"}))


def members_table(groups: Sequence[Group]) -> Table:
    columns = [
        "группа",
        "function_id",
        "орган",
        "функция",
        "категория",
        "автоматизируемо",
        "риск",
        "сходство",
    ]
    rows: list[list[Cell]] = [
        [g.id, m.function_id, m.agency, m.function_text, m.category, m.automatable, m.risk, m.similarity]
        for g in groups
        for m in g.members
    ]
    return Table("group_members", "Состав групп", columns, rows)
