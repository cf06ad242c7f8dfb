"""Registry of functions of government bodies: load (csv/xlsx/jsonl), validate, turn into chunks.

A registry file is all-or-nothing: every bad row is reported with its line number in one
`ValidationProblem`, and nothing is returned, so an index never holds half a registry version.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, field_validator

from assistant.domain import Chunk
from assistant.errors import ValidationProblem
from ingest.acts.meta import repeal_status
from ingest.registry_files import READERS

Automatable = Literal["да", "частично", "нет"]
Risk = Literal["низкий", "средний", "высокий"]
AUTOMATABLE: tuple[str, ...] = ("да", "частично", "нет")
RISKS: tuple[str, ...] = ("низкий", "средний", "высокий")

REQUIRED = ("function_id", "agency", "function_text", "category", "automatable", "automation_risk")
COLUMNS = (
    "function_id",
    "agency",
    "function_text",
    "act_slug",
    "act_title",
    "legal_basis",
    "citation",
    "category",
    "automatable",
    "automation_risk",
    "automation_rationale",
    "updated_on",
)
OPTIONAL_COLUMNS = ("positions",)

_CITATION_RE = re.compile(r"^[\w.-]+#(?:st|p)\d+(?:-\d+)*$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# «…, пп. 2-1)» in legal_basis is the subpoint; «п. 16» alone is a paragraph, not a point.
_SUBPOINT_RE = re.compile(r"пп\.\s*(\d+(?:-\d+)*)\)")


def _norm_enum(value: object) -> str:
    return " ".join(str(value or "").split()).lower()


class RegistryRow(BaseModel):
    function_id: str
    agency: str
    function_text: str
    act_slug: str = ""
    act_title: str = ""
    legal_basis: str = ""
    citation: str = ""
    category: str
    automatable: Automatable
    automation_risk: Risk
    automation_rationale: str = ""
    updated_on: str = ""
    positions: list[str] = []

    @field_validator(
        "function_id",
        "agency",
        "function_text",
        "act_slug",
        "act_title",
        "legal_basis",
        "citation",
        "category",
        "automation_rationale",
        "updated_on",
        mode="before",
    )
    @classmethod
    def _strip(cls, value: object) -> str:
        return "" if value is None else str(value).strip()

    @field_validator("function_id", "agency", "function_text", "category")
    @classmethod
    def _required(cls, value: str, info: Any) -> str:
        if not value:
            raise ValueError(f"{info.field_name} is empty")
        return value

    @field_validator("automatable", mode="before")
    @classmethod
    def _automatable(cls, value: object) -> str:
        return _check_enum("automatable", value, AUTOMATABLE)

    @field_validator("automation_risk", mode="before")
    @classmethod
    def _risk(cls, value: object) -> str:
        return _check_enum("automation_risk", value, RISKS)

    @field_validator("updated_on")
    @classmethod
    def _date(cls, value: str) -> str:
        if not value:
            return value
        try:
            if not _ISO_DATE_RE.match(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"updated_on '{value}' is not an ISO date (YYYY-MM-DD)") from None
        return value

    @field_validator("citation")
    @classmethod
    def _citation(cls, value: str) -> str:
        if value and not _CITATION_RE.match(value):
            raise ValueError(f"citation '{value}' is not '<act-slug>#st<N>' or '<act-slug>#p<N>'")
        return value

    @field_validator("positions", mode="before")
    @classmethod
    def _positions(cls, value: object) -> list[str]:
        items = value if isinstance(value, list) else str(value or "").split(";")
        return [str(item).strip() for item in items if str(item).strip()]

    def columns(self) -> dict[str, str]:
        """Every column as a string, as stored in `Chunk.registry`."""
        out = {name: str(getattr(self, name)) for name in COLUMNS}
        if self.positions:
            out["positions"] = "; ".join(self.positions)
        return out


def _check_enum(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if not str(value or "").strip():
        raise ValueError(f"{field} is empty")
    norm = _norm_enum(value)
    if norm not in allowed:
        raise ValueError(f"{field} '{str(value).strip()}' is not one of {', '.join(allowed)}")
    return norm


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "row"
        if err["type"] == "missing":
            out.append(f"{field} is missing")
        elif "error" in err.get("ctx", {}):
            out.append(str(err["ctx"]["error"]))  # our own message, without pydantic's prefix
        else:
            out.append(f"{field}: {err['msg']}")
    return out


# A broken 50 MB file has ~175,000 bad rows; an admin fixes the first ones and re-runs, so the
# report lists this many and counts the rest.
MAX_PROBLEMS = 200
# a cell starting with one of these runs as a formula when the registry is opened in a spreadsheet
FORMULA_START = ("=", "+", "-", "@")


class Problems(list[str]):
    """A problem list that keeps the first `limit` problems and counts all of them."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    def append(self, problem: str) -> None:
        self.total += 1
        if len(self) < self.limit:
            super().append(problem)

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.append(problem)

    def error(self, message: str) -> ValidationProblem:
        listed = list(self)
        if self.total > len(listed):
            listed.append(f"… and {self.total - len(listed)} more problem(s) not listed")
        exc = ValidationProblem(message, listed)
        exc.details["problems_total"] = self.total
        return exc


_MORE_RE = re.compile(r"^… and (\d+) more problem\(s\) not listed$")


def count_problems(problems: Iterable[str]) -> int:
    """How many problems a (possibly capped and merged) list stands for."""
    total = 0
    for problem in problems:
        more = _MORE_RE.match(problem)
        total += int(more.group(1)) if more else 1
    return total


def formula_cells(record: dict[str, Any]) -> list[str]:
    """Problems for cells a spreadsheet would run as formulas (`=HYPERLINK(…)`, `+cmd|…`)."""
    out = []
    for column, value in record.items():
        for item in value if isinstance(value, list) else [value]:
            text = str(item or "").strip()
            if text.startswith(FORMULA_START):
                out.append(f"{column} starts with '{text[0]}': a spreadsheet would run it as a formula")
    return out


def load_registry(path: Path) -> list[RegistryRow]:
    """All rows of a registry file, or one `ValidationProblem` listing bad rows as
    '<file>:<line>: <reason>' (the first `MAX_PROBLEMS`; `problems_total` counts all)."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        reason = f"unsupported registry format '{path.suffix}' (use .csv, .xlsx or .jsonl)"
        raise ValidationProblem(f"cannot read registry {path.name}", [f"{path.name}: {reason}"])
    rows: list[RegistryRow] = []
    problems = Problems()
    first_seen: dict[str, int] = {}
    try:
        for number, record in reader(path, REQUIRED):
            if isinstance(record, str):
                problems.append(f"{path.name}:{number}: {record}")
                continue
            known = {k: v for k, v in record.items() if k in COLUMNS or k in OPTIONAL_COLUMNS}
            formulas = formula_cells(known)
            try:
                row = RegistryRow.model_validate(known)
            except ValidationError as exc:
                problems.extend(f"{path.name}:{number}: {msg}" for msg in [*_messages(exc), *formulas])
                continue
            if formulas:
                problems.extend(f"{path.name}:{number}: {msg}" for msg in formulas)
                continue
            if row.function_id in first_seen:
                first = first_seen[row.function_id]
                problems.append(
                    f"{path.name}:{number}: duplicate function_id '{row.function_id}' (first at line {first})"
                )
                continue
            first_seen[row.function_id] = number
            rows.append(row)
    except Exception as exc:  # undecodable text, broken CSV quoting, not a workbook (BadZipFile)
        kind = path.suffix.lower().lstrip(".")
        raise ValidationProblem(
            f"cannot read registry {path.name}", [f"{path.name}: not a valid {kind} file ({exc})"]
        ) from exc
    if problems.total:
        raise problems.error(f"{problems.total} problem(s) in registry {path.name}")
    if not rows:
        raise ValidationProblem(f"registry {path.name} is empty", [f"{path.name}: no rows"])
    return rows


def registry_point(row: RegistryRow) -> str:
    """The subpoint a row comes from: 'ст. 7, пп. 1)' → '1', 'ст. 27-1, п. 1, пп. 2-1)' → '2-1';
    '' for an article-level row."""
    m = _SUBPOINT_RE.search(row.legal_basis)
    return m.group(1) if m else ""


_PART_RE = re.compile(r"(?:^|[\s,])п\.\s*(\d+(?:-\d+)*)(?=[,\s]|$)")


def registry_part(row: RegistryRow) -> str | None:
    """The numbered part a subpoint sits in: 'ст. 27-1, п. 1, пп. 2-1)' → '1'; None if not named."""
    m = _PART_RE.search(row.legal_basis)
    return m.group(1) if m else None


def _article_of(citation: str) -> str:
    anchor = citation.partition("#")[2]
    return anchor[2:] if anchor.startswith("st") else anchor


def _sentence(value: str) -> str:
    # The template adds its own full stops; avoid «ответственности..».
    return value.strip().rstrip(".")


def row_to_chunk(row: RegistryRow) -> Chunk:
    text = (
        f"Орган: {_sentence(row.agency)}. Функция: {_sentence(row.function_text)}. "
        f"Категория: {_sentence(row.category)}. "
        f"Автоматизация: {row.automatable}, риск: {row.automation_risk}. "
        f"Обоснование: {_sentence(row.automation_rationale)}. "
        f"Правовое основание: {_sentence(row.legal_basis)}."
    )
    status = repeal_status(row.legal_basis)
    citation = f"registry:{row.function_id}"
    return Chunk(
        chunk_id=f"{citation}@ru",
        citation=citation,
        kind="registry",
        lang="ru",
        title=row.function_text,
        text=text,
        act_slug=row.act_slug,
        act_title=row.act_title,
        article=_article_of(row.citation),
        point=registry_point(row),
        version_date=row.updated_on,
        repealed=status is not None,
        status=status or "",
        registry=row.columns(),
    )
