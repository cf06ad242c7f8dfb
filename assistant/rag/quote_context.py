"""What a quote needs around it to say what the law says: a list point's lead-in, a list
opening's items, the points that make exceptions to a quoted rule; and one quote per source,
its sentences merged in the order of the text."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from assistant.rag.evidence import Evidence
from assistant.rag.quoting import clip
from assistant.text.sentences import split_sentences

_LIST_ITEM = re.compile(r"^\s*(\d+(-\d+)?|[а-яә])\)\s")
LEAD_IN_CHARS = 240
# what a quoted list opening («… которое содержит:») brings of its items: the reader asked what
# the list holds, and a lead-in alone names none of it (a display budget, like LEAD_IN_CHARS)
LIST_ITEMS_CHARS = 600


def lead_in(article_text: str, sentence: str) -> str:
    """The line that opens the list a quoted point belongs to («При оказании государственных
    услуг не допускается истребования от услугополучателей:»): a point alone can read as the
    opposite of the law, since its «не допускается» stands in the lead-in. Empty for a sentence
    that is not a list item. An unnumbered line of a list under a heading («Перечень
    организаций, находящихся в ведении Министерства» / «Акционерное общество «Хабар».») gets
    that heading: the line alone does not say what list it is on."""
    at = article_text.find(sentence[:60])
    if at < 0:
        return ""
    if not _LIST_ITEM.match(sentence):
        return _heading_above(article_text, at) if sentence.rstrip().endswith((".", ";")) else ""
    for line in reversed(article_text[:at].splitlines()):
        line = line.strip()
        if not line or _LIST_ITEM.match(line):
            continue
        return line if line.endswith(":") and len(line) <= LEAD_IN_CHARS else ""
    return ""


_HEADING_END = re.compile(r"[.;:!?,…»)]$")


def _heading_above(article_text: str, at: int) -> str:
    """The heading over the short lines a line at `at` stands among: walking up over lines no
    longer than a lead-in that end like list entries («.», «;»), the first line that opens a
    list («…:») or has no closing mark at all («Перечень …»)."""
    if at > 0 and article_text[at - 1] != "\n":
        return ""  # not the start of a line: part of a paragraph
    for line in reversed(article_text[:at].splitlines()):
        line = line.strip()
        if not line:
            continue
        if len(line) > LEAD_IN_CHARS:
            return ""
        if line.endswith(":") or not _HEADING_END.search(line):
            return line if line[0].isupper() else ""
        if not line.endswith((".", ";")):
            return ""
    return ""


def list_entries(article_text: str, sentence: str, *, sub_lists: bool = True) -> list[str]:
    """The items of the list a sentence opens (it ends with «:»), in their order: the items at
    the level right below it, whether numbered («1) …») or plain lines ending with «;», up to
    the one that closes the list with a full stop. A numbered item's own sub-list is passed over,
    so the items after it are still named (`sub_lists=False`: the list ends there, as it did
    when the training questions were generated)."""
    if not sentence.rstrip().endswith(":"):
        return []
    at = article_text.find(sentence[-60:])
    if at < 0:
        return []
    entries: list[str] = []
    numbered: bool | None = None
    sub_items = False  # the last numbered item opened a list of its own («… в случаях:»)
    for line in article_text[at + len(sentence[-60:]) :].splitlines():
        line = line.strip()
        if not line:
            continue
        is_numbered = bool(_LIST_ITEM.match(line))
        if numbered is None:
            numbered = is_numbered
        if line.startswith("#"):
            break
        if is_numbered != numbered:
            if sub_lists and sub_items and line[0].islower():
                continue  # «превышения … сроков;» under «1) … в случаях:»: the item names its own list
            break
        sub_items = is_numbered and line.endswith(":")
        entries.append(line)
        if line.endswith("."):
            break
    return entries


def list_items(
    article_text: str, sentence: str, *, sub_lists: bool = True, rank: Mapping[str, float] | None = None
) -> str:
    """The items of the list a quoted sentence opens (`list_entries`), up to LIST_ITEMS_CHARS,
    in the order of the text. A list longer than that shows the items `rank` (sentence text →
    its closeness in meaning to the question) puts first, the rest left out as «…»: read from
    the top, a long list of rights was cut before the item that answers («…вправе: 1) … 2) … …»)."""
    entries = list_entries(article_text, sentence, sub_lists=sub_lists)
    # each item shown up to a quarter of the budget: a reader asking what the list holds
    # needs every item named more than the end of the first one
    shown = [clip(line, LIST_ITEMS_CHARS // 4) for line in entries]

    def closeness(line: str) -> float:
        return max((v for text, v in (rank or {}).items() if text in line or line in text), default=-1.0)

    order = sorted(range(len(entries)), key=lambda i: -closeness(entries[i])) if rank else range(len(entries))
    keep: set[int] = set()
    size = 0
    for i in order:
        if size + len(shown[i]) > LIST_ITEMS_CHARS:
            break
        keep.add(i)
        size += len(shown[i]) + 1
    items: list[str] = []
    for i in sorted(keep):
        if i and i - 1 not in keep:
            items.append("…")
        items.append(shown[i])
    if entries and len(entries) - 1 not in keep:
        items.append("…")
    return " ".join(items)


def in_context(
    article_text: str, sentence: str, *, with_head: bool = True, rank: Mapping[str, float] | None = None
) -> str:
    """A quote as a reader needs it: a list point preceded by its list's lead-in, a list opening
    followed by its items."""
    head = lead_in(article_text, sentence) if with_head else ""
    items = list_items(article_text, sentence, rank=rank)
    quote = f"{sentence} {items}" if items else sentence
    return f"{head} … {quote}" if head else quote


# «2. Требования пункта 1 настоящей статьи не распространяются на случаи: …», «4. Осы баптың
# 2-тармағының қолданысы … қолданылмайды»: a later point that lifts an earlier one for some cases
_EXCEPTION = (
    re.compile(
        r"\bпункт(?:а|ов|ом|е)?\s+(?P<n>\d+(?:-\d+)?(?:\s*(?:,|и)\s*\d+(?:-\d+)?)*)\s+настоящей статьи"
        r"[^.]*?не (?:распростран|применя)",
        re.I,
    ),
    re.compile(
        r"осы баптың\s+(?P<n>\d+(?:-\d+)?(?:\s*(?:,|және)\s*\d+(?:-\d+)?)*)-тармағ\w*[^.]*?"
        r"(?:қолданылмайды|таратылмайды)",
        re.I,
    ),
)
_POINT_START = re.compile(r"^(\d+(?:-\d+)?)\.\s")


def point_of(article_text: str, sentence: str) -> str:
    """The number of the numbered point («3. …») a sentence of an article stands in; empty
    before the first one."""
    own = _POINT_START.match(sentence)
    if own:
        return own.group(1)
    at = article_text.find(sentence[:60])
    if at < 0:
        return ""
    for line in reversed(article_text[:at].splitlines()):
        m = _POINT_START.match(line.strip())
        if m:
            return m.group(1)
        if line.startswith("#"):
            break
    return ""


@functools.lru_cache(maxsize=2048)
def _exception_points(article_text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """An article's sentences that lift earlier points, in order, each with the points it names:
    read once per article text (a merged quote and the answer's opening both ask, answer after
    answer)."""
    found = []
    for sentence in split_sentences(article_text):
        named = frozenset(
            n
            for pattern in _EXCEPTION
            if (m := pattern.search(sentence))
            for n in re.findall(r"\d+(?:-\d+)?", m.group("n"))
        )
        if named:
            found.append((sentence, named))
    return tuple(found)


def exceptions_to(article_text: str, points: set[str]) -> list[str]:
    """The sentences of an article that lift any of `points` for some cases: a quoted rule
    without them can say the opposite of the law for exactly the case asked about."""
    if not points:
        return []
    return [sentence for sentence, named in _exception_points(article_text) if points & named]


def with_exceptions(article_text: str, sentence: str, rank: Mapping[str, float] | None = None) -> str:
    """A quote in context followed by the points that make exceptions to its own point: what
    an answer opens with must not state the rule without them."""
    quote = in_context(article_text, sentence, rank=rank)
    point = point_of(article_text, sentence)
    exceptions = exceptions_to(article_text, {point} if point else set())
    return " … ".join([quote, *(in_context(article_text, e) for e in exceptions if e not in quote)])


def merged(evidence: list[Evidence], rank: Mapping[str, float] | None = None) -> list[tuple[Evidence, str]]:
    """One quote per source: the sentences of one article joined in their order in the text
    («… » between them), each with what a reader needs around it (a list point's lead-in, said
    once). Returns (evidence, the quote in context) in the order the sources first appear."""
    groups: dict[str, list[Evidence]] = {}
    for ev in evidence:
        groups.setdefault(ev.chunk.citation, []).append(ev)
    out: list[tuple[Evidence, str]] = []
    for group in groups.values():
        text = group[0].chunk.text
        group.sort(key=lambda e: text.find(e.sentence[:60]) % (len(text) + 1))
        said: list[str] = []
        heads: set[str] = set()
        for ev in group:
            head = lead_in(text, ev.sentence)
            if any(ev.sentence in s for s in said):
                continue  # an item the list opening before it already brought
            said.append(in_context(text, ev.sentence, with_head=head not in heads, rank=rank))
            heads.add(head)
        # a quoted rule is followed by the points that make exceptions to it
        quoted_points = {point_of(text, ev.sentence) for ev in group} - {""}
        for exception in exceptions_to(text, quoted_points):
            if not any(exception in s for s in said):
                said.append(in_context(text, exception))
        joined = Evidence(group[0].chunk, " … ".join(e.sentence for e in group), max(e.score for e in group))
        out.append((joined, " … ".join(said).replace("… …", "…")))
    return out


def first_said(focus: str, quote: str) -> str:
    """A merged quote with its best sentence (in context) moved to the front, for a reader that
    sees only its beginning."""
    rest = [part for part in quote.split(" … ") if part and part not in focus]
    return " … ".join([focus, *rest])
