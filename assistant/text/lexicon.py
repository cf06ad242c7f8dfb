"""Synonym / abbreviation lexicon for query expansion (data in ``lexicon.yaml``).

People ask about «ЦОН», «егов» and «госуслуги»; the acts say «Государственная корпорация»,
«веб-портал электронного правительства» and «государственная услуга». A Kazakh question and a
Russian registry row share no words at all unless a bridge supplies them. The lexicon finds such
surface forms in a text and returns the phrases to add to the lexical query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.text.analyzer import match_key, raw_tokens
from assistant.text.lang import Lang

__all__ = ["Lexicon", "LexiconEntry"]

_MODES: tuple[Lang, ...] = ("ru", "kk")
# A case ending glued to an abbreviation: «ЦОНа», «ЦОНе», «ИИНом».
_ABBR_WITH_TAIL_RE = re.compile("([A-ZА-ЯӘҒҚҢӨҰҮҺІ]{2,})([а-яәғқңөұүһі]{1,3})")

Keys = tuple[str, ...]


@dataclass(frozen=True)
class LexiconEntry:
    forms: tuple[str, ...]
    # (phrase, language of the phrase): a short phrase does not reveal its language by itself.
    expansions: tuple[tuple[str, Lang], ...]
    documents: bool = False


def _is_abbreviation(form: str) -> bool:
    tokens = raw_tokens(form)
    return len(tokens) == 1 and tokens[0] == form.strip() and len(form) >= 2 and form.isupper()


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _tagged(item: dict[str, Any]) -> tuple[tuple[str, Lang], ...]:
    ru: Lang = "ru"
    kk: Lang = "kk"
    return tuple((p, ru) for p in _strings(item.get("ru"))) + tuple((p, kk) for p in _strings(item.get("kk")))


def _keys(phrase: str, mode: Lang) -> Keys:
    return tuple(match_key(token.lower(), mode) for token in raw_tokens(phrase))


class Lexicon:
    """Matches lexicon forms in text and returns their expansion phrases."""

    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = entries
        self._abbreviations: dict[str, list[int]] = {}
        # Per analysis mode: first key → [(key sequence, entry index)].
        self._phrases: dict[Lang, dict[str, list[tuple[Keys, int]]]] = {m: {} for m in _MODES}
        self._expansion_keys: dict[str, dict[Lang, Keys]] = {}
        for index, entry in enumerate(entries):
            for form in entry.forms:
                if _is_abbreviation(form):
                    self._abbreviations.setdefault(raw_tokens(form)[0], []).append(index)
                    continue
                for mode in _MODES:
                    keys = _keys(form, mode)
                    if keys:
                        self._phrases[mode].setdefault(keys[0], []).append((keys, index))
            for phrase, _ in entry.expansions:
                self._expansion_keys[phrase] = {mode: _keys(phrase, mode) for mode in _MODES}

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """Load the lexicon from YAML; the packaged ``lexicon.yaml`` by default."""
        if path is None:
            text = resources.files("assistant.text").joinpath("lexicon.yaml").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        return cls.from_dict(yaml.safe_load(text) or {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        entries: list[LexiconEntry] = []
        for item in data.get("expansions") or []:
            entries.append(
                LexiconEntry(
                    forms=_strings(item["forms"]),
                    expansions=_tagged(item),
                    documents=bool(item.get("documents", False)),
                )
            )
        for item in data.get("bridges") or []:
            members = _tagged(item)
            # Every member is both a form and an expansion; expand() drops what the text has.
            entries.append(LexiconEntry(forms=tuple(p for p, _ in members), expansions=members))
        return cls(entries)

    def _abbreviation_entries(self, token: str) -> list[int]:
        if token in self._abbreviations:
            return self._abbreviations[token]
        match = _ABBR_WITH_TAIL_RE.fullmatch(token)
        if match is not None:
            return self._abbreviations.get(match.group(1), [])
        return []

    def _matched_entries(self, tokens: list[str], keys: dict[Lang, list[str]]) -> list[int]:
        found: list[int] = []
        for i, token in enumerate(tokens):
            found.extend(self._abbreviation_entries(token))
            for mode in _MODES:
                seq = keys[mode]
                for phrase_keys, index in self._phrases[mode].get(seq[i], ()):
                    if tuple(seq[i : i + len(phrase_keys)]) == phrase_keys:
                        found.append(index)
        return found

    @staticmethod
    def _contains(seq: Sequence[str], phrase_keys: Keys) -> bool:
        n = len(phrase_keys)
        if n == 0:
            return False
        return any(tuple(seq[i : i + n]) == phrase_keys for i in range(len(seq) - n + 1))

    def expand_with_lang(self, text: str, *, documents: bool = False) -> list[tuple[str, Lang]]:
        """Like :meth:`expand`, with the language each phrase must be analysed in."""
        tokens = raw_tokens(text)
        if not tokens:
            return []
        lowered = [t.lower() for t in tokens]
        keys = {mode: [match_key(t, mode) for t in lowered] for mode in _MODES}
        out: list[tuple[str, Lang]] = []
        seen: set[str] = set()
        for index in self._matched_entries(tokens, keys):
            entry = self.entries[index]
            if documents and not entry.documents:
                continue
            for phrase, lang in entry.expansions:
                if phrase.lower() in seen:
                    continue
                seen.add(phrase.lower())
                phrase_keys = self._expansion_keys[phrase]
                if any(self._contains(keys[mode], phrase_keys[mode]) for mode in _MODES):
                    continue
                out.append((phrase, lang))
        return out

    def expand(self, text: str, *, documents: bool = False) -> list[str]:
        """Expansion phrases for the forms found in ``text``, in order of first match, without
        duplicates and without phrases the text already contains.

        ``documents=True`` restricts to entries safe to add to document text.
        """
        return [phrase for phrase, _ in self.expand_with_lang(text, documents=documents)]
