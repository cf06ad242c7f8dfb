"""Index builds on real parts: versions, validation that leaves the live index alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.container import Container
from assistant.errors import ValidationProblem
from assistant.settings import DEMO_DIR, Settings

pytestmark = pytest.mark.integration


def test_tiny_corpus_build_and_search(settings: Settings, tiny_corpus: Path) -> None:
    c = Container(settings)
    try:
        report = c.assistant.ingest(tiny_corpus, None)
        assert report.counts["articles"] == 4  # 2 articles x ru/kk
        result = c.assistant.search("В какой срок рассматривается заявление?", top_k=3)
        assert result.hits[0].chunk.citation == "tiny-act#st1"
        assert result.hits[0].chunk.lang == "ru"
        kk = c.assistant.search("Өтініш қанша күнде қаралады?", top_k=3)
        assert kk.hits[0].chunk.citation == "tiny-act#st1" and kk.hits[0].chunk.lang == "kk"
    finally:
        c.close()


def test_bad_registry_rejected_and_live_index_untouched(
    settings: Settings, tiny_corpus: Path, tmp_path: Path
) -> None:
    c = Container(settings)
    try:
        c.assistant.ingest(tiny_corpus, None)
        live = c.store.live_collection()
        bad = tmp_path / "bad.csv"
        lines = (DEMO_DIR / "registry" / "functions.csv").read_text(encoding="utf-8").splitlines()[:6]
        lines[3] = lines[3].replace(",нет,высокий,", ",может быть,высокий,")
        lines.append(
            "PS-99-99,,пустой орган,public-services,x,x,public-services#st6,иная,да,низкий,x,2023-07-01"
        )
        bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ValidationProblem) as err:
            c.assistant.ingest(tiny_corpus, bad)
        text = "\n".join(err.value.problems)
        assert "bad.csv:4" in text and "bad.csv:7" in text
        assert c.store.live_collection() == live
        assert c.store.collections() == [live]
        assert c.assistant.search("срок рассмотрения заявления").hits
    finally:
        c.close()


def test_unreadable_act_is_reported(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "acts" / "broken"
    broken.mkdir(parents=True)
    (broken / "rus.docx").write_bytes(b"not a zip at all")
    c = Container(settings)
    try:
        with pytest.raises(ValidationProblem) as err:
            c.assistant.ingest(tmp_path / "acts", None)
        assert any("rus.docx" in p for p in err.value.problems)
        assert c.store.live_collection() is None
    finally:
        c.close()


def test_second_process_gets_a_plain_lock_message(settings: Settings, tiny_corpus: Path) -> None:
    import subprocess
    import sys

    c = Container(settings)
    try:
        c.assistant.ingest(tiny_corpus, None)
        env = {"KENES_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
        proc = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "search", "срок"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 3, proc.stderr
        assert "in use by another Kenes process" in proc.stderr
    finally:
        c.close()
