"""What each chunk looks like to the two retrievers. Kept apart from the stored text because a
registry row's automation assessment is shown to users but must not be embedded: changing a
flag then updates the payload only, with no re-embedding."""

from __future__ import annotations

from assistant.domain import Chunk, Lang

DENSE_CHARS = 1200  # the packaged MiniLM truncates at 256 word pieces anyway


def body(chunk: Chunk) -> str:
    if chunk.kind == "registry":
        r = chunk.registry
        return ". ".join(
            part
            for part in (
                r.get("agency"),
                r.get("function_text"),
                r.get("category"),
                r.get("act_title"),
                r.get("legal_basis"),
            )
            if part
        )
    return chunk.text


def lexical_text(chunk: Chunk) -> str:
    """The heading (so article titles match paraphrases), any cross-language bridge, the body."""
    title = "" if chunk.kind == "registry" else chunk.title
    return "\n".join(part for part in (title, chunk.bridge, body(chunk)) if part)


def lexical_parts(chunk: Chunk) -> list[tuple[str, Lang]]:
    """The lexical text split by language: the Kazakh bridge of a Russian row is analysed as
    Kazakh, or its words would be lemmatised as Russian and never meet a Kazakh question."""
    title = "" if chunk.kind == "registry" else chunk.title
    parts: list[tuple[str, Lang]] = [(f"{title}\n{body(chunk)}".strip(), chunk.lang)]
    if chunk.bridge:
        parts.append((chunk.bridge, "kk"))
    return parts


def dense_text(chunk: Chunk) -> str:
    title = "" if chunk.kind == "registry" else chunk.title
    return f"{title}\n{body(chunk)}".strip()[:DENSE_CHARS]


def whole_text(windows: list[str]) -> str:
    """An article's text from its windows, in order. A window after the first repeats the
    article's lead-in and its part's first line as context (ingest/acts/chunker.py), whole or cut
    with «…»; those leading lines are dropped, so the article reads once, as written, and a list
    opening is followed by its items, not by a copy of the line above it."""
    said: list[str] = []
    known: set[str] = set()

    def repeated(line: str) -> bool:
        text = line.strip()
        if not text or text in known:
            return bool(text)
        if text.endswith("…"):
            head = text[:-1].rstrip(" ,;:")
            return bool(head) and any(s.startswith(head) for s in said)
        return False

    lines: list[str] = []
    for i, window in enumerate(windows):
        own = window.split("\n")
        if i:
            while own and repeated(own[0]):
                own.pop(0)
        for line in own:
            lines.append(line)
            said.append(line.strip())
            known.add(line.strip())
    return "\n".join(lines)
