"""`AnalyticsService`: one facade over a set of registry rows for the CLI, the API and reports.

Rows come from a registry file (validated by `ingest.registry.load_registry`) or from the live
index (`Container.knowledge`); everything downstream works on plain row dicts. Groups and the
assessor are computed lazily and kept, since a service lives as long as its rows.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.analytics import charts, counts, export, facets
from assistant.analytics.counts import DIMENSIONS, Summary
from assistant.analytics.export import Table
from assistant.analytics.groups import DEFAULT_THRESHOLD, Group, find_groups, groups_table, members_table
from assistant.analytics.positions import PositionsReport, positions_rollup, positions_table, split_positions
from assistant.analytics.rubric import Assessor, Proposal
from assistant.errors import ValidationProblem

if TYPE_CHECKING:
    from assistant.container import Container
    from assistant.text.analyzer import Analyzer

_BY_TITLES = {"agency": "органы", "category": "категории", "act": "акты"}
VIEWS: tuple[str, ...] = ("summary", "breakdown", "heatmap", "groups", "group_members", "positions")
DISCLAIMER = (
    "Значения «автоматизируемо» и «риск» в демонстрационном реестре — иллюстративная рубрика, "
    "а не официальная оценка; группы и предложения — материал для проверки аналитиком."
)


def _default_analyzer() -> Analyzer:
    from assistant.text.analyzer import Analyzer
    from assistant.text.lexicon import Lexicon

    return Analyzer(Lexicon.load())


def check_params(by: str = "agency", automatable: str | None = None, risk: str | None = None) -> None:
    problems = counts.check_filters(automatable, risk)
    if by not in DIMENSIONS:
        problems.append(f"by: '{by}' is not one of {', '.join(DIMENSIONS)}")
    if problems:
        raise ValidationProblem("invalid analytics parameters", problems)


class AnalyticsService:
    def __init__(
        self,
        rows: Sequence[Mapping[str, Any]],
        analyzer: Analyzer | None = None,
        source: str = "",
        engine: tuple[facets.Facet, facets.Count] | None = None,
    ) -> None:
        self.rows: list[dict[str, Any]] = []
        for row in rows:
            item = {k: ("" if v is None else v) for k, v in row.items()}
            if "positions" in item:
                item["positions"] = split_positions(item["positions"])
            self.rows.append(item)
        self.source = source
        # the live index's engine counts the summary, breakdown and heat map; a file is counted here
        self._engine = engine
        self._act_titles = {
            str(r.get("act_slug", "")): str(r.get("act_title", "")) for r in self.rows if r.get("act_title")
        }
        self._analyzer = analyzer
        self._lock = threading.Lock()
        self._groups: dict[tuple[float, int, int], list[Group]] = {}
        self._assessor: Assessor | None = None
        self._charts: dict[tuple[str, str, str | None, str | None], bytes] = {}

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def from_registry_file(cls, path: Path | str, analyzer: Analyzer | None = None) -> AnalyticsService:
        """A validated registry file, analysed directly (no index needed)."""
        from ingest.registry import load_registry

        path = Path(path)
        rows = []
        for r in load_registry(path):
            item: dict[str, Any] = dict(r.columns())
            item["positions"] = list(r.positions)
            rows.append(item)
        return cls(rows, analyzer, source=f"файл {path.name}")

    @classmethod
    def from_container(cls, container: Container) -> AnalyticsService:
        """The registry rows of the live index version, analysed once per version: the service is
        kept with that version's other read data (articles, rows, term statistics) and goes with
        them when a promote or rollback changes the live version."""
        collection = container.store.require_live()
        kb = container.knowledge.for_version(collection)

        store = container.store

        def build() -> AnalyticsService:
            rows = [dict(c.registry) for c in kb.registry.rows]
            engine = (
                lambda key, flt: store.facet(collection, key, flt),
                lambda flt: store.count(collection, flt),
            )
            return cls(rows, container.analyzer, source=f"индекс {collection}", engine=engine)

        return kb.memo(("analytics",), build)

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = _default_analyzer()
        return self._analyzer

    # --- views ----------------------------------------------------------------------------------

    def summary(self, by: str = "agency", automatable: str | None = None, risk: str | None = None) -> Summary:
        check_params(by, automatable, risk)
        if self._engine is not None:
            return facets.summarize(*self._engine, by, automatable, risk, self._act_titles)
        return counts.summarize(self.rows, by, automatable, risk)

    def breakdown(
        self, automatable: str | None = None, risk: str | None = None
    ) -> list[counts.BreakdownLine]:
        check_params("agency", automatable, risk)
        if self._engine is not None:
            return facets.breakdown(*self._engine, automatable, risk)
        return counts.breakdown(self.rows, automatable, risk)

    def heat(self, automatable: str | None = None, risk: str | None = None) -> counts.Matrix:
        check_params("agency", automatable, risk)
        if self._engine is not None:
            return facets.matrix(self._engine[0], automatable, risk)
        return counts.matrix(self.rows, "category", "automation_risk", automatable, risk)

    def groups(
        self, threshold: float = DEFAULT_THRESHOLD, min_size: int = 2, min_agencies: int = 1
    ) -> list[Group]:
        if not 0.05 <= threshold <= 0.95:
            raise ValidationProblem(
                "invalid analytics parameters", ["threshold: must be between 0.05 and 0.95"]
            )
        key = (round(threshold, 3), min_size, min_agencies)
        with self._lock:  # the API may ask from several threads; compute once
            if key not in self._groups:
                self._groups[key] = find_groups(self.rows, self.analyzer, threshold, min_size, min_agencies)
            return self._groups[key]

    def positions(self) -> PositionsReport:
        return positions_rollup(self.rows)

    @property
    def assessor(self) -> Assessor:
        with self._lock:
            if self._assessor is None:
                self._assessor = Assessor(self.rows, self.analyzer)
            return self._assessor

    def assess(self, text: str) -> Proposal:
        if not text.strip():
            raise ValidationProblem("nothing to assess", ["function_text: must not be empty"])
        return self.assessor.propose(text.strip())

    def chart(
        self, name: str, by: str = "agency", automatable: str | None = None, risk: str | None = None
    ) -> bytes:
        if name not in charts.CHART_NAMES:
            raise ValidationProblem(
                "unknown chart", [f"name: '{name}' is not one of {', '.join(charts.CHART_NAMES)}"]
            )
        key = (name, by, automatable, risk)
        if key not in self._charts:  # a page load asks for every chart; rendering takes ~0.5 s each
            if name == "heatmap":
                self._charts[key] = charts.heatmap(self.heat(automatable, risk))
            else:
                self._charts[key] = charts.stacked_bars(self.summary(by, automatable, risk), name)
        return self._charts[key]

    # --- export ---------------------------------------------------------------------------------

    def tables(
        self, view: str, by: str = "agency", automatable: str | None = None, risk: str | None = None
    ) -> list[Table]:
        if view == "summary":
            return [counts.summary_table(self.summary(by, automatable, risk))]
        if view == "breakdown":
            return [counts.breakdown_table(self.breakdown(automatable, risk))]
        if view == "heatmap":
            return [counts.matrix_table(self.heat(automatable, risk))]
        if view == "groups":
            return [groups_table(self.groups())]
        if view == "group_members":
            return [members_table(self.groups())]
        if view == "positions":
            return [positions_table(self.positions())]
        raise ValidationProblem("unknown view", [f"view: '{view}' is not one of {', '.join(VIEWS)}"])

    def export(
        self, view: str, fmt: str, by: str = "agency", automatable: str | None = None, risk: str | None = None
    ) -> tuple[bytes, str, str]:
        """(content, media type, file name) of one view."""
        tables = self.tables(view, by, automatable, risk)
        if view == "groups" and fmt == "xlsx":
            tables.append(members_table(self.groups()))
        if fmt == "csv":
            data = export.to_csv(tables[0])
        elif fmt == "xlsx":
            data = export.to_xlsx(tables)
        elif fmt == "json":
            data = export.tables_to_json(tables)
        elif fmt == "md":
            data = "\n\n".join(f"## {t.title}\n\n{export.md_table(t)}" for t in tables).encode("utf-8")
        else:
            raise ValidationProblem(
                "unknown format", [f"format: '{fmt}' is not one of {', '.join(export.FORMATS)}"]
            )
        return data, export.MEDIA_TYPES[fmt], f"kenes-{view}.{fmt}"

    def report_data(
        self, by: str = "agency", automatable: str | None = None, risk: str | None = None
    ) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": len(self.rows),
            "generated": dt.date.today().isoformat(),
            "disclaimer": DISCLAIMER,
            "summary": self.summary(by, automatable, risk).to_dict(),
            "category_risk": self.heat(automatable, risk).to_dict(),
            "breakdown": [b.__dict__ for b in self.breakdown(automatable, risk)],
            "groups": [g.to_dict() for g in self.groups()],
            "positions": self.positions().to_dict(),
        }

    def write_report(
        self,
        out_dir: Path,
        fmt: str = "md",
        by: str = "agency",
        automatable: str | None = None,
        risk: str | None = None,
        top_groups: int = 15,
    ) -> list[Path]:
        """A full report in `out_dir`: the views in `fmt` plus the charts as PNG; returns the files."""
        check_params(by, automatable, risk)
        if fmt not in export.FORMATS:
            raise ValidationProblem(
                "unknown format", [f"format: '{fmt}' is not one of {', '.join(export.FORMATS)}"]
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        images: list[tuple[str, bytes]] = []
        for name in charts.CHART_NAMES:
            png = self.chart(name, by, automatable, risk)
            path = out_dir / f"chart-{name}.png"
            path.write_bytes(png)
            images.append((path.name, png))
            written.append(path)
        views = ("summary", "heatmap", "breakdown", "groups", "group_members", "positions")
        tables = [t for v in views for t in self.tables(v, by, automatable, risk)]
        if fmt == "csv":
            for t in tables:
                written.append(out_dir / f"{t.name}.csv")
                written[-1].write_bytes(export.to_csv(t))
        elif fmt == "xlsx":
            written.append(out_dir / "report.xlsx")
            written[-1].write_bytes(export.to_xlsx(tables, images))
        elif fmt == "json":
            written.append(out_dir / "report.json")
            written[-1].write_bytes(export.to_json(self.report_data(by, automatable, risk)))
        else:
            written.append(out_dir / "report.md")
            written[-1].write_text(self.markdown(by, automatable, risk, top_groups), encoding="utf-8")
        return written

    def markdown(
        self,
        by: str = "agency",
        automatable: str | None = None,
        risk: str | None = None,
        top_groups: int = 15,
        chart_dir: str = ".",
    ) -> str:
        s = self.summary(by, automatable, risk)
        groups = self.groups()
        pos = self.positions()
        filt = ", ".join(f"{k} = {v}" for k, v in s.filters.items()) or "нет"
        lines = [
            "# Аналитика реестра функций", "",
            f"Источник: {self.source or 'реестр'}; функций: {len(self.rows)}; фильтры: {filt}.", "",
            f"> {DISCLAIMER}", "",
            f"## Сводка: {_BY_TITLES.get(by, by)} × автоматизируемость × риск", "",
            export.md_table(counts.compact_table(s)), "",
            f"![Автоматизируемость]({chart_dir}/chart-automatable.png)", "",
            f"![Риск]({chart_dir}/chart-risk.png)", "",
            "## Категория × риск", "", export.md_table(counts.matrix_table(self.heat(automatable, risk))), "",
            f"![Категория × риск]({chart_dir}/chart-heatmap.png)", "",
            f"## Группы однотипных функций (первые {min(top_groups, len(groups))} из {len(groups)})", "",
            "Похожие по тексту функции разных органов; порядок — размер группы × доля автоматизируемых "
            "(«частично» считается за половину). «Типичная формулировка» — медоид группы.", "",
        ]  # fmt: skip
        for g in groups[:top_groups]:
            mix = ", ".join(f"{k}: {n}" for k, n in g.automatable.items() if n)
            lines.append(
                f"- **{g.id} · {g.label}** — функций: {g.size}, органов: {len(g.agencies)} ({mix}); "
                f"«{g.medoid.function_text}» ({g.medoid.function_id})"
            )
        lines += ["", "## Должности", "", pos.message, ""]
        if pos.available:
            lines += [f"> {pos.caveat}", "", export.md_table(positions_table(pos), max_rows=30), ""]
            lines += [f"- {p}" for p in pos.problems]
        return "\n".join(lines).rstrip() + "\n"


# --- loose registry files for bulk assessment -------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a csv/xlsx/jsonl file as dicts, without requiring an assessment: bulk assessment
    is for registries whose category/automatable/risk are still empty."""
    path = Path(path)
    suffix = path.suffix.lower()
    rows: list[dict[str, Any]]
    try:
        if suffix == ".csv":
            import csv
            import io

            rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        elif suffix == ".jsonl":
            text = path.read_bytes().decode("utf-8-sig")
            rows = [json.loads(line) for line in text.split("\n") if line.strip()]
        elif suffix == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            values = list(wb.worksheets[0].iter_rows(values_only=True))
            wb.close()
            header = [str(h or "").strip().lower() for h in values[0]] if values else []
            rows = [
                dict(zip(header, ["" if v is None else v for v in r], strict=False))
                for r in values[1:]
                if any(r)
            ]
        else:
            raise ValidationProblem(f"cannot read {path.name}", [f"{path.name}: use .csv, .xlsx or .jsonl"])
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationProblem(f"cannot read {path.name}", [f"{path.name}: {exc}"]) from exc
    rows = [{str(k).strip().lower(): v for k, v in r.items() if k is not None} for r in rows]
    if not rows or "function_text" not in rows[0]:
        raise ValidationProblem(f"cannot read {path.name}", [f"{path.name}: needs a function_text column"])
    return rows


def write_rows(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Rows back to csv/xlsx/jsonl (by the suffix), columns in first-seen order."""
    columns: list[str] = list(dict.fromkeys(k for r in rows for k in r))
    table = Table(path.stem, path.stem, columns, [[_flat(r.get(c)) for c in columns] for r in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(export.to_csv(table))
    elif suffix == ".xlsx":
        path.write_bytes(export.to_xlsx([table]))
    elif suffix == ".jsonl":
        path.write_text(
            "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    else:
        raise ValidationProblem(f"cannot write {path.name}", [f"{path.name}: use .csv, .xlsx or .jsonl"])
    return path


def _flat(value: Any) -> export.Cell:
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
