"""Roll-up by staff position: for each position, how many of the functions it takes part in
are automatable and at what risk.

The registry has no positions of its own; an optional `positions` column (`;`-separated
titles) carries them. A position is rarely one function, and a function is shared by many
positions, so the roll-up says where automation would touch a position, not that a
position could be automated.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.analytics.counts import AUTOMATABLE, RISKS, automatable_of, field_value, risk_of, share
from assistant.analytics.export import Cell, Table

CAVEAT = (
    "Должность почти никогда не равна одной функции: доля автоматизируемых функций показывает, "
    "где автоматизация затронет работу должности, а не то, что должность можно автоматизировать."
)
NEEDS_DATA = (
    "В реестре нет столбца «positions». Чтобы увидеть свод по должностям, добавьте в файл реестра "
    "столбец positions с названиями должностей через «;» (например: «главный специалист отдела "
    "реестров; руководитель управления»), по одной строке на функцию, и переиндексируйте реестр "
    "или укажите файл через --registry."
)
# A «title» this long is almost always several titles joined with «,» instead of «;».
MAX_TITLE_CHARS = 120
_SPACE_RE = re.compile(r"\s+")
_KEY_STRIP_RE = re.compile(r"[\s.,;:«»\"'()-]+")


def split_positions(value: object) -> list[str]:
    """Titles of one row: a list as loaded, or a `;`-separated string as stored in the index."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(";")
    return [_SPACE_RE.sub(" ", str(item)).strip() for item in items if str(item).strip()]


def position_key(title: str) -> str:
    """Titles differing only in case, spacing or punctuation are the same position."""
    return _KEY_STRIP_RE.sub(" ", title.lower().replace("ё", "е")).strip()


def has_positions(rows: Sequence[Mapping[str, Any]]) -> bool:
    return any(split_positions(r.get("positions")) for r in rows)


def validate_positions(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Problems an analyst should fix in the positions column before trusting the roll-up."""
    problems: list[str] = []
    spellings: dict[str, Counter[str]] = {}
    for row in rows:
        fid = field_value(row, "function_id") or "?"
        raw = row.get("positions")
        if isinstance(raw, str) and re.search(r";\s*;", raw):
            problems.append(f"{fid}: empty position between «;;»")
        titles = split_positions(raw)
        seen: set[str] = set()
        for title in titles:
            key = position_key(title)
            if key in seen:
                problems.append(f"{fid}: position «{title}» is listed twice")
            seen.add(key)
            spellings.setdefault(key, Counter())[title] += 1
            if len(title) > MAX_TITLE_CHARS:
                problems.append(
                    f"{fid}: position «{title[:60]}…» is {len(title)} characters — several titles joined "
                    "with «,» instead of «;»?"
                )
    for variants in spellings.values():
        if len(variants) > 1:
            names = ", ".join(f"«{v}»" for v, _ in variants.most_common())
            problems.append(f"one position spelled {len(variants)} ways: {names} (counted as one)")
    return problems


@dataclass
class PositionLine:
    position: str
    functions: int
    automatable: dict[str, int]
    risk: dict[str, int]
    function_ids: list[str]
    agencies: list[str]

    @property
    def share_automatable(self) -> float:
        """«да» plus half of «частично», as for groups."""
        return share(
            2 * self.automatable.get("да", 0) + self.automatable.get("частично", 0), 2 * self.functions
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "functions": self.functions,
            "automatable": self.automatable,
            "risk": self.risk,
            "share_automatable": self.share_automatable,
            "function_ids": self.function_ids,
            "agencies": self.agencies,
        }


@dataclass
class PositionsReport:
    available: bool
    message: str
    caveat: str = CAVEAT
    lines: list[PositionLine] = field(default_factory=list)
    rows_with_positions: int = 0
    rows_total: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "message": self.message,
            "caveat": self.caveat,
            "rows_with_positions": self.rows_with_positions,
            "rows_total": self.rows_total,
            "coverage": share(self.rows_with_positions, self.rows_total),
            "problems": self.problems,
            "positions": [line.to_dict() for line in self.lines],
        }


def positions_rollup(rows: Sequence[Mapping[str, Any]]) -> PositionsReport:
    if not has_positions(rows):
        return PositionsReport(available=False, message=NEEDS_DATA, rows_total=len(rows))
    buckets: dict[str, list[Mapping[str, Any]]] = {}
    spellings: dict[str, Counter[str]] = {}
    with_positions = 0
    for row in rows:
        titles = split_positions(row.get("positions"))
        with_positions += bool(titles)
        for key in dict.fromkeys(position_key(t) for t in titles):  # a row counts once per position
            buckets.setdefault(key, []).append(row)
        for t in titles:
            spellings.setdefault(position_key(t), Counter())[t] += 1
    lines = []
    for key, members in buckets.items():
        aut = Counter(automatable_of(r) for r in members)
        rsk = Counter(risk_of(r) for r in members)
        lines.append(
            PositionLine(
                position=spellings[key].most_common(1)[0][0],
                functions=len(members),
                automatable={v: aut.get(v, 0) for v in AUTOMATABLE},
                risk={v: rsk.get(v, 0) for v in RISKS},
                function_ids=[field_value(r, "function_id") for r in members],
                agencies=sorted({field_value(r, "agency") for r in members}),
            )
        )
    lines.sort(key=lambda p: (-p.functions, -p.share_automatable, p.position))
    missing = len(rows) - with_positions
    message = f"{len(lines)} должностей по {with_positions} из {len(rows)} функций."
    if missing:
        message += f" У {missing} функций должности не указаны — они в свод не вошли."
    return PositionsReport(
        available=True, message=message, lines=lines, rows_with_positions=with_positions,
        rows_total=len(rows), problems=validate_positions(rows),
    )  # fmt: skip


def positions_table(report: PositionsReport) -> Table:
    columns = ["должность", "функций", *(f"автоматизируемо: {v}" for v in AUTOMATABLE)]
    columns += [*(f"риск: {v}" for v in RISKS), "доля автоматизируемых", "органы", "функции"]
    rows: list[list[Cell]] = [
        [p.position, p.functions, *(p.automatable[v] for v in AUTOMATABLE), *(p.risk[v] for v in RISKS),
         p.share_automatable, "; ".join(p.agencies), "; ".join(p.function_ids)]
        for p in report.lines
    ]  # fmt: skip
    return Table("positions", "Свод по должностям", columns, rows, frozenset({"доля автоматизируемых"}))
