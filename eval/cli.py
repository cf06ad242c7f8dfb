"""`kenes eval …`: run an eval set, compare two runs. Mounted by assistant/cli.py as a sub-app.

Errors are translated here (not via assistant.cli) because assistant.cli imports this module:
importing it back would be circular.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import ConfigError, KenesError, StoreLocked, ValidationProblem
from assistant.settings import Settings

eval_app = typer.Typer(help="Evaluation suite: run gold sets, compare runs.", no_args_is_help=True)

SUMMARY_KEYS = (
    "hit@1", "hit@5", "hit@10", "mrr", "ndcg@10", "must_contain", "citation_precision", "citation_recall",
    "refusal_precision", "refusal_recall", "agency_accuracy", "automatable_accuracy", "risk_accuracy",
    "count_accuracy", "language_match", "faithfulness", "ttft_p50", "ttft_p95", "total_p50", "total_p95",
)  # fmt: skip


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ValidationProblem as exc:
        typer.secho(f"error: {exc.message}", fg="red", err=True)
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(2) from None
    except StoreLocked as exc:
        typer.secho(f"error: {exc.message}", fg="red", err=True)
        raise typer.Exit(3) from None
    except KenesError as exc:
        typer.secho(f"error: {exc.message}", fg="red", err=True)
        raise typer.Exit(1) from None


# -- --config key=value -------------------------------------------------------------------------
def _check_key(model: type[BaseModel], path: Sequence[str], full: str) -> None:
    """Settings ignore unknown keys (env files carry other apps' variables), so an override
    typo would silently do nothing; refuse it instead."""
    field = model.model_fields.get(path[0])
    if field is None:
        raise ConfigError(
            f"--config {full}: unknown setting {path[0]!r} (known: {', '.join(model.model_fields)})"
        )
    if len(path) > 1:
        sub = field.annotation
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            raise ConfigError(f"--config {full}: {path[0]!r} has no sub-settings")
        _check_key(sub, path[1:], full)


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """["answer.mode=extractive", "retrieval.dense_weight=0.5"] -> nested dict. Values are YAML
    scalars so numbers and booleans arrive typed."""
    nested: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--config {pair!r}: expected key=value, e.g. answer.mode=extractive")
        path = [p.strip() for p in key.split(".")]
        _check_key(Settings, path, pair)
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return nested


def build_settings(pairs: Sequence[str]) -> Settings:
    try:
        return Settings(**parse_overrides(pairs))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"--config: invalid setting: {problems}") from None


# -- commands ------------------------------------------------------------------------------------
def _print_summary(summary: Any, out: Path) -> None:
    o = summary.overall
    typer.echo(
        f"{summary.run['items']} items, {summary.run['errors']} errors, index {summary.run['index_version']}"
    )
    for key in SUMMARY_KEYS:
        if o.get(key) is not None:
            typer.echo(f"  {key:22} {o[key]:.3f}")
    typer.echo(f"report: {out / 'report.md'}  {out / 'report.html'}")


@eval_app.command("run")
def run(
    dataset: Annotated[list[Path], typer.Option("--dataset", "-d", help="eval set JSONL (repeatable)")],
    more: Annotated[list[Path] | None, typer.Argument(help="more eval set files", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(help="run folder (default DATA_DIR/eval-runs/<time>)")] = None,
    config: Annotated[list[str] | None, typer.Option("--config", help="setting override key=value")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="first N items after filters")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="only this kind (repeatable)")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="only this language (repeatable)")] = None,
    fresh: Annotated[bool, typer.Option(help="discard results already in the run folder")] = False,
    judge: Annotated[bool, typer.Option(help="LLM-as-judge faithfulness (slow)")] = False,
    gate: Annotated[bool, typer.Option(help="exit 1 if the thresholds are not met")] = False,
    thresholds: Annotated[
        Path | None, typer.Option(help="thresholds YAML (default eval/thresholds.yaml)")
    ] = None,
    progress: Annotated[bool, typer.Option(help="progress bar on stderr")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print summary.json to stdout")] = False,
) -> None:
    """Run eval sets through the assistant and write results, summary and report to a folder."""
    from assistant.container import Container
    from eval.datasets import KINDS, load_dataset, select
    from eval.gate import check_gate, load_thresholds
    from eval.runner import EvalRunner

    with _errors():
        files = [*dataset, *(more or [])]
        bad = [k for k in kind or [] if k not in KINDS] + [x for x in lang or [] if x not in ("ru", "kk")]
        if bad:
            raise ConfigError(f"unknown --kind/--lang value(s): {', '.join(bad)}")
        items = select(load_dataset(files), kinds=kind, langs=lang, limit=limit)
        if not items:
            raise ConfigError("no items left after --kind/--lang/--limit filters")
        limits = load_thresholds(thresholds) if gate else {}
        settings = build_settings(config or [])
        folder = out or settings.data_dir / "eval-runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
        container = Container(settings)
        try:
            runner = EvalRunner(
                container.assistant, folder, progress=progress, datasets=[str(f) for f in files]
            )
            summary = runner.run(items, fresh=fresh, judge=judge)
        finally:
            container.close()
        if as_json:
            sys.stdout.write(json.dumps(summary.model_dump(), ensure_ascii=False) + "\n")
        else:
            _print_summary(summary, folder)
        if gate:
            failures = check_gate(summary, limits)
            for failure in failures:
                typer.secho(f"gate: {failure}", fg="red", err=True)
            if failures:
                raise typer.Exit(1)
            typer.echo("gate: passed", err=True)


@eval_app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="baseline run folder")],
    run_b: Annotated[Path, typer.Argument(help="new run folder (the comparison is written here)")],
) -> None:
    """Metric deltas and regressed/improved items of RUN_B against RUN_A."""
    from eval.compare import compare_runs

    with _errors():
        result = compare_runs(run_a, run_b)
        typer.echo(result.markdown)
        typer.echo(f"written: {result.paths['markdown']}  {result.paths['html']}", err=True)
