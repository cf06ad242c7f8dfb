"""`kenes analytics …`: counts, charts, groups and positions of the registry, and the
assessment assistant. Mounted by `assistant.cli` with `app.add_typer(analytics_app, name="analytics")`.

    kenes analytics [--by agency|category|act] [--automatable да|частично|нет] [--risk …]
                    [--format md|csv|xlsx|json] [--out DIR] [--registry FILE]
    kenes analytics assess "function text" [--registry FILE] [--json]
    kenes analytics assess --registry FILE --out FILE [--reference FILE]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from assistant.analytics.service import AnalyticsService

analytics_app = typer.Typer(
    help="Registry analytics: counts, charts, groups of similar functions, positions, assessment proposals.",
)

_REGISTRY_HELP = "registry .csv/.xlsx/.jsonl to analyse directly (default: the live index)"


def _service(registry: Path | None) -> AnalyticsService:
    from assistant.analytics.service import AnalyticsService

    if registry is not None:
        return AnalyticsService.from_registry_file(registry)
    from assistant.cli import _container

    return AnalyticsService.from_container(_container())


@analytics_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="agency | category | act")] = "agency",
    automatable: Annotated[str | None, typer.Option(help="only да | частично | нет")] = None,
    risk: Annotated[str | None, typer.Option(help="only низкий | средний | высокий")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | csv | xlsx | json")] = "md",
    out: Annotated[Path | None, typer.Option(help="write the full report (views + PNG charts) here")] = None,
    registry: Annotated[Path | None, typer.Option(help=_REGISTRY_HELP)] = None,
) -> None:
    """Counts and shares by agency/category/act × automatable × risk, charts and groups.

    Without --out the summary table is printed (md, csv or json); with --out DIR the whole report
    is written there."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.cli import cli_errors

    with cli_errors():
        from assistant.analytics.service import check_params

        check_params(by, automatable, risk)
        if fmt not in ("md", "csv", "xlsx", "json"):
            raise typer.BadParameter("--format must be md, csv, xlsx or json")
        if out is None and fmt == "xlsx":
            raise typer.BadParameter("--format xlsx writes a file: give --out DIR")
        service = _service(registry)
        if out is not None:
            for path in service.write_report(out, fmt, by, automatable, risk):
                typer.echo(str(path))
            return
        if fmt == "md":
            sys.stdout.write(service.markdown(by, automatable, risk))
        else:
            data, _, _ = service.export("summary", fmt, by, automatable, risk)
            sys.stdout.write(data.decode("utf-8-sig"))
            if fmt == "json":
                sys.stdout.write("\n")
        sys.stdout.flush()


@analytics_app.command()
def assess(
    text: Annotated[str | None, typer.Argument(help="a function text to assess")] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            help="with a text: assessed rows to compare with (default: the live index); "
            "without one: bulk mode over this file (needs --out)"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="bulk: file for the rows with proposals (.csv/.xlsx/.jsonl)")
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(help="bulk: assessed registry to compare with (default: the file's own assessed rows)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Propose category, automatable status and risk — a proposal for a human to confirm.

    kenes analytics assess "ведет реестр …"  |  kenes analytics assess --registry FILE --out FILE"""
    from assistant.cli import cli_errors

    with cli_errors():
        if text is None:
            if registry is None:
                raise typer.BadParameter("give a function text, or --registry FILE --out FILE")
            _bulk(registry, out, reference)
            return
        if not text.strip():
            raise typer.BadParameter("the function text is empty")
        proposal = _service(registry).assess(text)
        if as_json:
            sys.stdout.write(json.dumps(proposal.to_dict(), ensure_ascii=False) + "\n")
            return
        typer.secho("ПРЕДЛОЖЕНИЕ — требует подтверждения человеком", fg="yellow", bold=True)
        typer.echo(f"категория:        {proposal.category}")
        typer.echo(f"автоматизируемо:  {proposal.automatable}")
        typer.echo(f"риск:             {proposal.risk}")
        typer.echo(f"\n{proposal.rationale}\n")
        for n in proposal.neighbours:
            typer.echo(f"  {n.similarity:.2f}  {n.function_id:<16} {n.category} / {n.automatable} / {n.risk}")
            typer.secho(f"        {n.function_text[:110]}", dim=True)


def _bulk(input_file: Path, out: Path | None, reference: Path | None) -> None:
    from assistant.analytics.rubric import Assessor
    from assistant.analytics.service import AnalyticsService, read_rows, write_rows

    if out is None:
        raise typer.BadParameter("bulk mode needs --out FILE (.csv, .xlsx or .jsonl)")
    if out.resolve() == input_file.resolve():
        raise typer.BadParameter(
            "--out must differ from the input: the input and its human assessments stay as they are"
        )
    rows = read_rows(input_file)
    # The reference is validated like any registry; the input may hold unassessed rows.
    ref = AnalyticsService.from_registry_file(reference) if reference is not None else AnalyticsService(rows)
    result = Assessor(ref.rows, ref.analyzer).bulk(rows)
    write_rows(out, result)
    differ = sum(
        1 for r in result
        if str(r.get("category") or "").strip()
        and (r.get("category"), r.get("automatable"), r.get("automation_risk"))
        != (r["proposed_category"], r["proposed_automatable"], r["proposed_risk"])
    )  # fmt: skip
    unassessed = sum(1 for r in result if not str(r.get("category") or "").strip())
    typer.echo(
        f"{out}: {len(result)} rows with proposals ({unassessed} unassessed; "
        f"{differ} proposals differ from the human assessment, which is kept)"
    )
