"""Eval sets: JSONL gold items, validated in one pass so an analyst fixes a file once.

Every problem is reported as ``file:line: field: reason``; nothing is half-loaded — a set with
any problem raises `ValidationProblem` listing all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import ValidationProblem

Kind = Literal["law", "multi", "registry", "registry-list", "registry+law", "unanswerable", "adversarial"]
KINDS: tuple[str, ...] = (
    "law",
    "multi",
    "registry",
    "registry-list",
    "registry+law",
    "unanswerable",
    "adversarial",
)

# Citation ids: `act-slug#stN[.pM]`, `act-slug#pN`, `registry:<id>`; the anchor prefix is left open
# because acts split by other structure get other anchors (e.g. `mior-statute#s7-p2`).
_CITATION_RE = re.compile(r"^(registry:\S+|[a-z0-9][a-z0-9_-]*#[a-z]+[0-9][0-9A-Za-z._-]*)$")


class EvalItem(BaseModel):
    # Unknown keys are rejected: a typo such as "gold_citation" would otherwise silently turn an
    # item into one without gold and inflate nothing but confusion.
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    lang: Literal["ru", "kk"]
    kind: Kind
    question: str = Field(min_length=1)
    answerable: bool
    gold_citations: list[str] = Field(default_factory=list)
    must_contain_any: list[str] = Field(default_factory=list)
    reference_answer: str = ""
    notes: str = ""
    gold_agency: str | None = None
    gold_automatable: Literal["да", "частично", "нет"] | None = None
    gold_risk: Literal["низкий", "средний", "высокий"] | None = None
    gold_function_ids: list[str] = Field(default_factory=list)
    gold_count: int | None = Field(default=None, ge=0)
    # Earlier questions of the same conversation, oldest first: the item is a follow-up.
    history: list[str] = Field(default_factory=list)
    # Set by the loader, not by the file: which dataset the item came from (for the report).
    dataset: str = ""

    @field_validator("id", "question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("gold_citations")
    @classmethod
    def _citation_ids(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not _CITATION_RE.match(c)]
        if bad:
            raise ValueError(f"not a citation id (act#stN, act#pN or registry:ID): {', '.join(bad)}")
        if len(set(value)) != len(value):
            raise ValueError("duplicate citation ids")
        return value

    @field_validator("must_contain_any")
    @classmethod
    def _phrases(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("blank phrase")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EvalItem:
        if self.answerable and not self.gold_citations:
            raise ValueError("gold_citations: an answerable item needs at least one gold citation")
        if not self.answerable and self.gold_citations:
            raise ValueError("gold_citations: an unanswerable item must not have gold citations")
        missing = [f for f in self.gold_function_ids if f"registry:{f}" not in self.gold_citations]
        if missing:
            raise ValueError(f"gold_function_ids: not in gold_citations as registry:ID: {', '.join(missing)}")
        return self

    @property
    def gold_ids(self) -> list[str]:
        """Retrieval gold: the gold citations plus any registry row named only by function id."""
        extra = [f"registry:{f}" for f in self.gold_function_ids]
        return list(dict.fromkeys([*self.gold_citations, *extra]))


def _field_of(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    msg = str(error.get("msg", "invalid"))
    # Model-level validators carry their field name in the message ("field: reason").
    if not loc and ": " in msg.removeprefix("Value error, "):
        return msg.removeprefix("Value error, ").split(": ", 1)[0]
    return ".".join(loc) or "(item)"


def _reason_of(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if not error.get("loc") and ": " in msg:
        msg = msg.split(": ", 1)[1]
    if error.get("type") == "extra_forbidden":
        return "unknown field (typo? see docs/eval.md for the format)"
    if error.get("type") == "missing":
        return "required field is missing"
    return msg


def _parse_file(path: Path, problems: list[str]) -> list[tuple[int, EvalItem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    parsed: list[tuple[int, EvalItem]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: json: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: (line): expected a JSON object, got {type(raw).__name__}")
            continue
        try:
            item = EvalItem.model_validate({**raw, "dataset": path.name})
        except ValidationError as exc:
            problems += [f"{where}: {_field_of(dict(e))}: {_reason_of(dict(e))}" for e in exc.errors()]
            continue
        parsed.append((lineno, item))
    if not parsed and not any(p.startswith(f"{path}") for p in problems):
        problems.append(f"{path}: (file): no items")
    return parsed


def load_dataset(paths: Sequence[Path | str] | Path | str) -> list[EvalItem]:
    """All items of the given JSONL files in file order. Raises `ValidationProblem` listing every
    problem (``file:line: field: reason``), including ids duplicated within or across files."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise ValidationProblem(
            "No eval dataset given.", ["(arguments): dataset: give at least one JSONL file"]
        )
    problems: list[str] = []
    items: list[EvalItem] = []
    seen: dict[str, str] = {}
    for p in paths:
        path = Path(p)
        for lineno, item in _parse_file(path, problems):
            where = f"{path}:{lineno}"
            if item.id in seen:
                problems.append(f"{where}: id: duplicate id {item.id!r} (first at {seen[item.id]})")
                continue
            seen[item.id] = where
            items.append(item)
    if problems:
        raise ValidationProblem(
            f"{len(problems)} problem(s) in the eval dataset(s); nothing was run.", problems
        )
    return items


def select(
    items: Iterable[EvalItem],
    *,
    kinds: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[EvalItem]:
    """The `--kind/--lang/--limit` filters; the limit applies after the other filters."""
    chosen = [i for i in items if (not kinds or i.kind in kinds) and (not langs or i.lang in langs)]
    return chosen[:limit] if limit is not None else chosen
