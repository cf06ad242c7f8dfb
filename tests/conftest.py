"""Shared fixtures: settings on a temp data dir, the demo corpus, a fake LLM, and one real
embedded-Qdrant index of the whole demo corpus built once per test session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from assistant.settings import DEMO_DIR, Settings

DEV_SETS = [DEMO_DIR / "eval" / "dev-law-qa.jsonl", DEMO_DIR / "eval" / "dev-registry-qa.jsonl"]
# follow-ups, out-of-scope and adversarial items in the wording of real users; gate CI with the first two
DEV_V2_SETS = sorted((DEMO_DIR / "eval").glob("dev-v2-*.jsonl"))


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {"data_dir": data_dir, "llm": {"mode": "fake"}}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return Settings(**base)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture()
def tiny_corpus(tmp_path: Path) -> Path:
    """One small act in the corpus layout, in Russian and Kazakh."""
    act = tmp_path / "acts" / "tiny-act"
    act.mkdir(parents=True)
    (act / "meta.yaml").write_text(
        "title:\n  rus: О тестовых услугах\n  kaz: Сынақ қызметтері туралы\n"
        "requisite: Закон Республики Казахстан от 1 января 2024 года № 1-VIII\n"
        "version_date:\n  rus: 2024-01-01\n  kaz: 2024-01-01\n"
        "source:\n  rus: https://example.invalid/rus\n  kaz: https://example.invalid/kaz\n",
        encoding="utf-8",
    )
    (act / "rus.md").write_text(
        '# О тестовых услугах\n\n<a id="st1"></a>\n\n### Статья 1. Сроки рассмотрения\n\n'
        "Заявление рассматривается в течение пяти рабочих дней со дня его поступления.\n\n"
        '<a id="st2"></a>\n\n### Статья 2. Компетенция уполномоченного органа\n\n'
        "Уполномоченный орган:\n\n1) утверждает правила оказания тестовых услуг;\n\n"
        "2) ведет реестр тестовых услуг.\n",
        encoding="utf-8",
    )
    (act / "kaz.md").write_text(
        '# Сынақ қызметтері туралы\n\n<a id="st1"></a>\n\n### 1-бап. Қарау мерзімдері\n\n'
        "Өтініш ол түскен күннен бастап бес жұмыс күні ішінде қаралады.\n\n"
        '<a id="st2"></a>\n\n### 2-бап. Уәкілетті органның құзыреті\n\n'
        "Уәкілетті орган:\n\n1) сынақ қызметтерін көрсету қағидаларын бекітеді;\n\n"
        "2) сынақ қызметтерінің тізілімін жүргізеді.\n",
        encoding="utf-8",
    )
    return tmp_path / "acts"


def load_dev_items() -> list[dict[str, Any]]:
    items = []
    for path in DEV_SETS:
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def dev_item(item_id: str) -> dict[str, Any]:
    for item in load_dev_items():
        if item["id"] == item_id:
            return item
    raise LookupError(item_id)


@pytest.fixture(scope="session")
def demo_container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """The whole demo corpus + registry v1 indexed with the real embedder in embedded Qdrant."""
    container = Container(make_settings(tmp_path_factory.mktemp("demo") / "data"))
    container.assistant.ingest()
    yield container
    container.close()
