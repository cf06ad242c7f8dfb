"""The real large acts answer questions about them through the web chat's API, citing the right
article (issue 14): demo + data/large indexed sparse-only (`embeddings.mode=none`, a supported
configuration that needs no model), the real parser, store, retrieval, rankers and answer
engine; the fake LLM, so the answer is the extractive one built from the quoted sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Container
from assistant.db.users import add_user
from assistant.settings import DEMO_DIR, PROJECT_ROOT
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(
        tmp_path_factory.mktemp("large") / "data",
        embeddings={"mode": "none"},
        api={"rate_limit_per_minute": 1000},
    )
    container = Container(settings)
    container.assistant.ingest([DEMO_DIR / "acts", PROJECT_ROOT / "data" / "large"])
    app = create_app(container)
    with TestClient(app) as client:
        _, token = add_user(app.state.kenes.db, "large-acts", "user")
        yield client, {"Authorization": f"Bearer {token}"}
    container.close()


@pytest.mark.parametrize(
    ("question", "article", "fact"),
    [
        (
            "На какой максимальный срок можно установить испытательный срок при приеме на работу?",
            "labour-code#st36",
            "три месяца",
        ),
        ("Какова нормальная продолжительность рабочего времени в неделю?", "labour-code#st68", "40 часов"),
        (
            "Сколько календарных дней длится основной оплачиваемый ежегодный трудовой отпуск?",
            "labour-code#st88",
            "двадцать четыре",
        ),
    ],
    ids=["probation", "working-week", "annual-leave"],
)
def test_a_large_act_answers_with_its_article(
    chat: tuple[TestClient, dict[str, str]], question: str, article: str, fact: str
) -> None:
    client, auth = chat
    r = client.post("/api/ask", json={"question": question}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["refused"]
    assert article in [c["citation"] for c in body["citations"]]
    assert fact in body["answer"]
