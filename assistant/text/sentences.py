"""Sentence splitting for Russian and Kazakh legal text (used to quote evidence).

Legal text ends sentences with «.», «!», «?», and list items with «;» or «:»; numbered points
(«1)», «2.», «9-1)») start on their own line. The traps are abbreviations («ст.», «п.», «т.е.»,
«РК»), initials («А.Б. Иванов») and numbers («статья 9-1.», «1-бап.»), which end in a dot but
do not end a sentence.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# Lowercased tokens that end with a dot without ending the sentence (ru + kk).
_ABBREVIATIONS = frozenset(
    {
        "ст",
        "п",
        "пп",
        "ч",
        "г",
        "гг",
        "т.е",
        "т.д",
        "т.п",
        "т.к",
        "др",
        "пр",
        "см",
        "рис",
        "им",
        "тыс",
        "млн",
        "млрд",
        "руб",
        "тг",
        "стр",
        "обл",
        "ул",
        "д",
        "кв",
        "прим",
        "подп",
        "абз",
        "разд",
        "гл",
        "утв",
        "ред",
        "изм",
        "доп",
        "рк",
        "напр",
        "вкл",
        "искл",
        "ж",
        "жж",
        "т.б",
        "т.с.с",
        "тт",
        "тарм",
        "қр",
    }
)

# A candidate sentence end: terminal punctuation, optional closing quotes/brackets, whitespace.
_END_RE = re.compile(r"[.!?;…]+[\"»”’)\]]*(?=\s)")
_PREV_TOKEN_RE = re.compile(r"(\S+)$")
_OPENERS = "«\"„“'(["
# A line that starts a new unit whatever the previous line ended with: numbered points
# («1)», «2.», «9-1)»), lettered subpoints («а)»), bullets, markdown headings and quotes.
_UNIT_START_RE = re.compile(r"^(?:\d+(?:-\d+)*[.)]\s|[а-яәғқңөұүһі]\)\s|[-–—•*]\s|#{1,6}\s|>)")
_LINE_END_RE = re.compile(r"[.!?;:…][\"»”’)\]*]*$")
_BLANK_LINE_RE = re.compile(r"\n\s*\n")
_TAG_RE = re.compile(r"<[^>]*>")


def _is_non_terminal(prev: str) -> bool:
    """True when the token before a dot makes the dot part of an abbreviation or number."""
    token = prev.lstrip(_OPENERS).rstrip(".")
    if not token:
        return False
    if token[0].isdigit():
        return True  # «9-1.», «1-бап.», «2020 ж.»-style numbers and numbered headings
    if token.lower() in _ABBREVIATIONS:
        return True
    parts = token.split(".")
    # Initials and dotted abbreviations: «А», «А.Б», «т.е», «т.д».
    return all(len(part) <= 1 for part in parts)


def _starts_sentence(rest: str) -> bool:
    rest = rest.lstrip()
    rest = rest.lstrip(_OPENERS)
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _split_inline(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _END_RE.finditer(text):
        punct = match.group(0)
        if not _starts_sentence(text[match.end() :]):
            continue
        if punct.rstrip('"»”’)]').endswith(".") and not punct.startswith("..."):
            prev = _PREV_TOKEN_RE.search(text, 0, match.start())
            if prev is not None and _is_non_terminal(prev.group(1)):
                continue
        out.append(text[start : match.end()])
        start = match.end()
    out.append(text[start:])
    return out


def _units(block: str) -> list[str]:
    """Join hard-wrapped lines; break where a line ends a sentence or a new point begins."""
    units: list[str] = []
    current: list[str] = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line:
            continue
        if current and (_UNIT_START_RE.match(line) or _LINE_END_RE.search(current[-1])):
            units.append(" ".join(current))
            current = []
        current.append(line)
    if current:
        units.append(" ".join(current))
    return units


def split_sentences(text: str) -> list[str]:
    """Split legal text into stripped, non-empty sentences (markup-only lines are dropped)."""
    sentences: list[str] = []
    for block in _BLANK_LINE_RE.split(text):
        for unit in _units(block):
            for piece in _split_inline(unit):
                sentence = piece.strip()
                if sentence and _TAG_RE.sub("", sentence).strip():
                    sentences.append(sentence)
    return sentences
