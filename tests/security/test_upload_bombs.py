"""Defect 5: decompression bombs ran inside the API process — a 401-byte YAML alias bomb in
meta.yaml (39 s, +342 MB) and a 258 KB .docx (26 s, 402 MB) with no uncompressed-size check."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.uploads import validate_isolated
from assistant.errors import ValidationProblem
from ingest.acts.formats import MAX_UNZIPPED_BYTES, read_act_text
from ingest.acts.meta import load_meta
from tests.security.conftest import token_for

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\ntitle: *i\n"
)
RUS = '# Закон\n\n<a id="st1"></a>\n\n### Статья 1. Сроки\n\nЗаявление рассматривается пять дней.\n'


def _docx_bomb() -> bytes:
    """A zip with word/document.xml that unpacks past the limit (tiny when compressed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"<w:p/>" * (1024 * 1024 // 6)
            for _ in range(MAX_UNZIPPED_BYTES // len(block) + 2):
                member.write(block)
    return buf.getvalue()


def _act(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_yaml_alias_bomb_in_meta_is_refused_at_once(tmp_path: Path) -> None:
    act = _act(tmp_path / "bomb-act", "meta.yaml", ALIAS_BOMB)
    started = time.monotonic()
    with pytest.raises(ValidationProblem) as caught:
        load_meta(act)
    assert time.monotonic() - started < 1
    assert "anchors and aliases" in caught.value.problems[0]


def test_yaml_alias_bomb_upload_is_422(client: TestClient) -> None:
    files = [
        ("acts", ("bomb-act/meta.yaml", ALIAS_BOMB.encode())),
        ("acts", ("bomb-act/rus.md", RUS.encode())),
    ]
    r = client.post("/api/admin/ingest", files=files, headers=token_for(client, "root", "admin"))
    assert r.status_code == 422
    assert any("anchors and aliases" in p for p in r.json()["error"]["details"]["problems"])


def test_docx_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "law.docx"
    path.write_bytes(_docx_bomb())
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ValidationProblem) as caught:
        read_act_text(path)
    assert "unpacks to" in caught.value.problems[0]


def test_docx_bomb_upload_is_422(client: TestClient) -> None:
    files = {"acts": ("law.docx", _docx_bomb())}
    r = client.post("/api/admin/ingest", files=files, headers=token_for(client, "root", "admin"))
    assert r.status_code == 422 and "unpacks to" in r.json()["error"]["details"]["problems"][0]


def test_upload_validation_runs_in_a_separate_process_with_a_memory_limit(tmp_path: Path) -> None:
    article = "Заявление рассматривается в течение пяти рабочих дней со дня поступления. " * 20
    articles = "".join(f"### Статья {i}. Сроки\n\n{article}\n\n" for i in range(1, 3000))
    act = _act(tmp_path / "act", "rus.md", "# Закон\n\n" + articles)  # 4.5 MB: 60–100 MB to parse
    validate_isolated(act, None)  # passes in the child under the default limits
    with pytest.raises(ValidationProblem) as caught:
        validate_isolated(act, None, memory_mb=60)
    assert "memory" in caught.value.problems[0].lower()


def test_upload_validation_has_a_time_limit(tmp_path: Path) -> None:
    act = _act(tmp_path / "act", "rus.md", RUS)
    started = time.monotonic()
    with pytest.raises(ValidationProblem) as caught:
        validate_isolated(act, None, seconds=0)  # no time at all: the child is stopped
    assert time.monotonic() - started < 30
    assert "limit" in caught.value.message
