"""A registry list or count question read as a selection. The agencies, acts and category it
names and the automatable / risk marks it asks for become one engine filter, which the store
counts and lists through its payload indexes; the words left over («в части общественных
советов», «по постановке на учёт») narrow the listed rows to the functions that name them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.domain import Chunk, Lang
from assistant.rag.quoting import function_terms
from assistant.text.analyzer import raw_tokens
from assistant.text.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.rag.knowledge import VersionKnowledge
    from assistant.rag.understand import Understanding

# Words of a list question that say what is asked (how many, which, functions, the registry),
# not what about: never topic words.
LIST_WORDS = frozenset(
    {
        "сколько", "какой", "каков", "функция", "реестр", "запись", "количество", "число", "перечислить",
        "список", "перечень", "весь", "всё", "такой", "это", "который", "отметка", "пометка", "отмечать",
        "помечать", "записать", "значиться", "числиться", "иметься", "есть", "быть", "орган", "строка",
        "категория", "оценить", "оценка", "автоматизация", "автоматизировать", "автоматизируемый", "риск",
        # the frame of a topic: «в части …», «по вопросам …», «что делает …», «связанные с …»,
        "часть", "вопрос", "отношение", "касаться", "связанный", "делать", "заниматься", "про",
        # and of an act: «по Закону о …»
        "закон", "положение", "кодекс", "постановление", "указ",
    }
)  # fmt: skip


TOPIC_SHARE = 0.5  # a topic word names at most this share of the selected rows


@dataclass
class RegistryQuery:
    agencies: list[str] = field(default_factory=list)
    acts: dict[str, str] = field(default_factory=dict)  # slug → title
    category: str | None = None
    automatable: str | None = None
    risk: str | None = None
    # index terms the listed functions must name (the question's own words, not its frame)
    topic: list[str] = field(default_factory=list)
    said: dict[str, str] = field(default_factory=dict)  # topic term → the word the question used

    def selects(self) -> bool:
        return bool(self.agencies or self.acts or self.category or self.automatable or self.risk)

    def engine_filter(self) -> dict[str, Any]:
        flt: dict[str, Any] = {"kind": "registry"}
        if self.agencies:
            flt["registry.agency"] = list(self.agencies)
        if self.acts:
            flt["registry.act_slug"] = list(self.acts)
        for key, value in (
            ("registry.category", self.category),
            ("registry.automatable", self.automatable),
            ("registry.automation_risk", self.risk),
        ):
            if value:
                flt[key] = value
        return flt

    def describe(self, lang: Lang) -> str:
        ru = lang != "kk"
        parts = []
        if self.agencies:
            parts.append(("органы: " if ru else "органдар: ") + "; ".join(self.agencies))
        if self.acts:
            parts.append(("акты: " if ru else "актілер: ") + "; ".join(f"«{t}»" for t in self.acts.values()))
        if self.category:
            parts.append(("категория: " if ru else "санат: ") + self.category)
        if self.automatable:
            parts.append(("автоматизируемая: " if ru else "автоматтандыру: ") + self.automatable)
        if self.risk:
            parts.append(("риск: " if ru else "тәуекел: ") + self.risk)
        if self.topic:
            words = (self.said.get(t, t) for t in self.topic)
            parts.append(("о чём: " if ru else "тақырып: ") + ", ".join(f"«{w}»" for w in words))
        return ", ".join(parts) if parts else ("все записи" if ru else "барлық жазбалар")


def read_query(u: Understanding, kb: VersionKnowledge) -> RegistryQuery:
    index = kb.registry
    acts, act_terms = index.match_acts(u.question)
    # an agency named with an act is one that holds functions under it: «местные исполнительные
    # органы по Закону о госуслугах» are those of that law, not those of another
    among = {a for a in index.agencies if index.acts_of(a) & set(acts)} if acts else None
    agencies = [m.agency for m in index.match_agencies(u.question, ignore=act_terms, among=among)]
    mention = agency_mention(u.question, agencies, kb)
    # a category is named outside the agency's name («…в сфере оказания государственных услуг»
    # is a body, not the «оказание услуг» category)
    category = index.match_category(" ".join(w for w in raw_tokens(u.question) if w not in mention))
    named = act_terms | (index.category_terms(category) if category else set())
    query = RegistryQuery(
        agencies=agencies,
        acts=acts,
        category=category,
        automatable=u.filters.get("automatable"),
        risk=u.filters.get("automation_risk"),
    )
    # what the asking sentences name beyond the selection («в части общественных советов»); a
    # situation told before them («Готовим справку для руководства.») is not what is counted
    sentences = split_sentences(u.question) or [u.question]
    asking = " ".join(s for s in sentences if "?" in s) or sentences[-1]
    for word in raw_tokens(asking):
        for term in kb.analyzer.terms(word, "ru") if word not in mention else []:
            if term not in named and term not in LIST_WORDS and term.isalpha():
                query.said.setdefault(term, word)
    query.topic = list(query.said)
    return query


def agency_mention(text: str, agencies: list[str], kb: VersionKnowledge) -> set[str]:
    """The words that name the agencies: for each, the longest run of words of its name (an
    abbreviation counts by what it stands for; «и», «в» do not break a run). A word of the name
    standing apart is the question's own: «в части общественных советов» after «МИОР»."""
    out: set[str] = set()
    for agency in agencies:
        name = kb.registry.agency_terms(agency)
        best: list[str] = []
        run: list[str] = []
        for word in raw_tokens(text):
            terms = set(kb.analyzer.query_terms(word))
            if terms & name:
                run.append(word)
            elif terms:  # a stopword has no terms and leaves the run as it is
                run = []
            if len(run) > len(best):
                best = list(run)
        out.update(best)
    return out


def narrowed(rows: list[Chunk], topic: list[str], kb: VersionKnowledge) -> tuple[list[str], list[Chunk]]:
    """The rows whose function names the most of the topic words that tell the selected rows
    apart. A word no row has is the asker's own («цифровизацию», «поручили»); a word most rows
    have describes the selection rather than narrowing it («иные полномочия» of the «иная»
    category). No telling word: the rows as they are."""
    terms = {r.citation: function_terms(r, kb) for r in rows}
    telling = [t for t in topic if 0 < sum(t in ts for ts in terms.values()) <= len(rows) * TOPIC_SHARE]
    if not telling:
        return [], rows
    hits = {c: sum(t in ts for t in telling) for c, ts in terms.items()}
    best = max(hits.values())
    return telling, [r for r in rows if hits[r.citation] == best]


def select(u: Understanding, kb: VersionKnowledge) -> tuple[RegistryQuery, int, list[Chunk]]:
    """The query, how many functions it selects (counted by the engine) and the rows, in
    function-id order."""
    query = read_query(u, kb)
    if not query.selects():
        return query, 0, []
    flt = query.engine_filter()
    rows = sorted(kb.registry_rows(flt), key=lambda c: str(c.registry.get("function_id", "")))
    query.topic, kept = narrowed(rows, query.topic, kb)
    total = len(kept) if query.topic else kb.registry_count(flt)
    return query, total, kept
