from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ValidationProblem
from ingest.acts.meta import IN_FORCE, load_meta, repeal_status

ACTS = Path(__file__).resolve().parents[3] / "data" / "demo" / "acts"


def test_real_meta_in_force() -> None:
    meta = load_meta(ACTS / "public-services")
    assert meta.slug == "public-services"
    assert meta.title == "О государственных и социально ответственных услугах"
    assert meta.title_kk.startswith("Мемлекеттік")
    assert meta.requisite.startswith("Закон Республики Казахстан от 15 апреля 2013 года")
    # PyYAML parses the unquoted dates as datetime.date; the model keeps ISO strings.
    assert meta.version_date == {"ru": "2023-07-01", "kk": "2023-07-01"}
    assert meta.source_url["ru"].endswith("/rus/01.07.2023")
    assert meta.source_url["kk"].endswith("/kaz/01.07.2023")
    assert not meta.repealed
    assert meta.status == IN_FORCE


def test_real_meta_repealed() -> None:
    meta = load_meta(ACTS / "mior-statute")
    assert meta.repealed
    assert meta.status.startswith("Утратило силу постановлением Правительства")
    assert "№ 866" in meta.status
    assert meta.title_for("kk").startswith("Қазақстан Республикасының")
    assert meta.version_date_for("ru") == "2019-09-12"


def test_missing_meta_is_derived_from_folder_and_heading(tmp_path: Path) -> None:
    act = tmp_path / "my-act"
    act.mkdir()
    (act / "rus.md").write_text("# О тестовом законе\n\n### Статья 1. Понятия\n\nТекст.\n", encoding="utf-8")
    (act / "kaz.md").write_text("# Сынақ заңы туралы\n\n### 1-бап. Ұғымдар\n\nМәтін.\n", encoding="utf-8")
    meta = load_meta(act)
    assert meta.slug == "my-act"
    assert meta.title == "О тестовом законе"
    assert meta.title_kk == "Сынақ заңы туралы"
    assert meta.version_date == {}
    assert not meta.repealed and meta.status == IN_FORCE


def test_missing_meta_and_no_heading_falls_back_to_slug(tmp_path: Path) -> None:
    act = tmp_path / "bare"
    act.mkdir()
    (act / "rus.txt").write_text("Статья 1. Понятия\nТекст.\n", encoding="utf-8")
    assert load_meta(act).title == "bare"


def test_flat_yaml_values_and_repealed_title(tmp_path: Path) -> None:
    act = tmp_path / "old"
    act.mkdir()
    (act / "meta.yaml").write_text(
        "title: Об устаревшем (утратил силу)\nrequisite: Закон РК от 1 января 2000 года № 1\n"
        "version_date: 2001-02-03\nsource: https://example.invalid/doc\n",
        encoding="utf-8",
    )
    meta = load_meta(act)
    assert meta.version_date == {"ru": "2001-02-03", "kk": "2001-02-03"}
    assert meta.source_url_for("kk") == "https://example.invalid/doc"
    assert meta.repealed
    assert meta.status.startswith("Утратил силу")


def test_invalid_yaml_is_a_problem(tmp_path: Path) -> None:
    act = tmp_path / "broken"
    act.mkdir()
    (act / "meta.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationProblem) as err:
        load_meta(act)
    assert err.value.problems[0].startswith("broken/meta.yaml: invalid YAML")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Закон РК от 1 мая 2010 года № 5", None),
        (
            "Приказ № 1. Утратил силу приказом № 2 от 3.4.2020. Прочее.",
            "Утратил силу приказом № 2 от 3.4.2020",
        ),
        (
            "Положение (утв. постановлением № 142; утратило силу постановлением № 866), п. 16",
            "Утратило силу постановлением № 866",
        ),
    ],
)
def test_repeal_status(text: str, expected: str | None) -> None:
    assert repeal_status(text) == expected
