from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.db.session import Database


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'sub' / 'kenes.db'}")
    yield database
    database.close()
