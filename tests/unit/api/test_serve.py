from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant import cli_serve


def test_serve_runs_one_worker_over_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from fastapi import FastAPI

    monkeypatch.setenv("KENES_DATA_DIR", str(tmp_path))
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    cli_serve.serve("0.0.0.0", 8123)
    app, options = calls[0]
    assert isinstance(app, FastAPI)
    assert options["host"] == "0.0.0.0" and options["port"] == 8123 and options["workers"] == 1
