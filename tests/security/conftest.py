"""Fixtures for the hardening probes (issue 15): the real app over the fake container of the API
unit tests, in a TestClient or under a real uvicorn server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api.app import create_app
from assistant.api.state import ApiState
from tests.live_server import serving
from tests.unit.api.conftest import MakeClient, client, make_client, token_for
from tests.unit.api.fakes import FakeContainer

__all__ = ["MakeClient", "client", "make_client", "token_for"]


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[tuple[str, ApiState]]:
    """A running server (uvicorn thread) and its API state; `/health` is the readiness probe
    because the fake index is never 'warm'."""
    app = create_app(FakeContainer(tmp_path / "data"))  # type: ignore[arg-type]
    with serving(app, probe="/health") as base:
        yield base, app.state.kenes
