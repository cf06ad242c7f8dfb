from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.db.users import add_user
from tests.unit.api.fakes import FakeContainer

MakeClient = Callable[..., TestClient]


@pytest.fixture()
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """`make_client(**settings_overrides)` → a started TestClient over a fake container; the
    container is at `client.app.state.kenes.container`."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        container = FakeContainer(tmp_path / f"data{len(clients)}", **overrides)
        client = TestClient(create_app(container))  # type: ignore[arg-type]
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture()
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def token_for(
    client: TestClient, name: str, role: str = "user", telegram_id: int | None = None
) -> dict[str, str]:
    _, token = add_user(client.app.state.kenes.db, name, role, telegram_id)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {token}"}
