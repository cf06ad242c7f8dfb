from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain import Chunk
from assistant.errors import ValidationProblem
from ingest.acts.formats import read_act_text
from ingest.acts.loader import detect_lang, load_act_dir, load_act_file, load_acts

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

RU_LINES = [
    "О тестовых услугах",
    "Глава 1. Общие положения",
    "Статья 1. Основные понятия",
    "В настоящем Законе используются следующие понятия:",
    "1) услугодатель – государственный орган;",
    "2) услугополучатель – физическое лицо.",
    "Статья 9-1. Компетенция уполномоченного органа",
    "Уполномоченный орган:",
    "1) разрабатывает правила оказания государственных услуг;",
    "2) утверждает формы документов.",
]
KK_LINES = [
    "Сынақ қызметтері туралы",
    "1-тарау. Жалпы ережелер",
    "1-бап. Негізгі ұғымдар",
    "Осы Заңда мынадай ұғымдар пайдаланылады:",
    "1) көрсетілетін қызметті беруші – мемлекеттік орган;",
    "9-1-бап. Уәкілетті органның құзыреті",
    "Уәкілетті орган:",
    "1) мемлекеттік қызметтер көрсету қағидаларын әзірлейді;",
]


def _write_docx(path: Path, lines: list[str], *, heading_styles: bool) -> None:
    import docx

    document = docx.Document()
    for line in lines:
        if heading_styles and line.startswith(("Статья", "Глава")):
            document.add_heading(line, level=3 if line.startswith("Статья") else 2)
        else:
            document.add_paragraph(line)
    document.save(str(path))


def _write_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("DejaVuSans", 11)
    y = 800
    for line in lines:
        pdf.drawString(40, y, line)
        y -= 18
        if y < 60:  # next page, so multi-page extraction is exercised too
            pdf.showPage()
            pdf.setFont("DejaVuSans", 11)
            y = 800
    pdf.save()


def _write_html(path: Path, lines: list[str]) -> None:
    body = [f"<h1>{lines[0]}</h1>", f"<h2>{lines[1]}</h2>"]
    for line in lines[2:]:
        if line.startswith(("Статья", "Глава")):
            body.append(f"<h3>{line}</h3>")
        elif line[0].isdigit():
            body.append(f"<ul><li>{line}</li></ul>")
        else:
            body.append(f"<p>{line}</p>")
    html = (
        "<html><head><title>x</title><style>p {color: red}</style></head><body>"
        "<script>var s = 'Статья 99. Ложная';</script>" + "\n".join(body) + "</body></html>"
    )
    path.write_text(html, encoding="utf-8")


def _citations(chunks: list[Chunk]) -> list[str]:
    return sorted({c.citation for c in chunks})


def test_txt_utf8(tmp_path: Path) -> None:
    path = tmp_path / "test-act.txt"
    path.write_text("\n".join(RU_LINES), encoding="utf-8")
    chunks = load_act_file(path)
    assert _citations(chunks) == ["test-act#st1", "test-act#st9-1"]
    assert all(c.lang == "ru" for c in chunks)
    st91 = next(c for c in chunks if c.article == "9-1")
    assert st91.title == "Статья 9-1. Компетенция уполномоченного органа"
    assert "2) утверждает формы документов." in st91.text
    assert st91.act_title == "О тестовых услугах"


def test_txt_cp1251_fallback(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("\n".join(RU_LINES).encode("cp1251"))
    assert "Статья 9-1. Компетенция" in read_act_text(path)
    assert _citations(load_act_file(path)) == ["legacy#st1", "legacy#st9-1"]


@pytest.mark.parametrize("heading_styles", [True, False])
def test_docx(tmp_path: Path, heading_styles: bool) -> None:
    path = tmp_path / "docx-act.docx"
    _write_docx(path, RU_LINES, heading_styles=heading_styles)
    text = read_act_text(path)
    # Heading-styled or not, an article heading paragraph becomes a heading line.
    assert "### Статья 1. Основные понятия" in text.splitlines()
    chunks = load_act_file(path)
    assert _citations(chunks) == ["docx-act#st1", "docx-act#st9-1"]


def test_docx_kazakh_language_detected(tmp_path: Path) -> None:
    path = tmp_path / "kk-act.docx"
    _write_docx(path, KK_LINES, heading_styles=False)
    chunks = load_act_file(path)
    assert _citations(chunks) == ["kk-act#st1", "kk-act#st9-1"]
    assert {c.lang for c in chunks} == {"kk"}
    assert chunks[0].title == "1-бап. Негізгі ұғымдар"
    assert chunks[0].act_title == "Сынақ қызметтері туралы"


@pytest.mark.skipif(not FONT.exists(), reason="DejaVuSans.ttf is needed to draw Cyrillic into a PDF")
def test_pdf(tmp_path: Path) -> None:
    path = tmp_path / "pdf-act.pdf"
    lines = [*RU_LINES[:-1], "2) утверждает формы государ-", "ственных документов.", *(["Пояснение."] * 40)]
    _write_pdf(path, lines)
    text = read_act_text(path)
    assert "государственных документов." in text  # a line-wrapped word is joined again
    chunks = load_act_file(path)
    assert _citations(chunks) == ["pdf-act#st1", "pdf-act#st9-1"]
    assert all(c.lang == "ru" for c in chunks)


def test_html(tmp_path: Path) -> None:
    path = tmp_path / "html-act.html"
    _write_html(path, RU_LINES)
    text = read_act_text(path)
    assert text.splitlines()[0] == "# О тестовых услугах"
    assert "Ложная" not in text and "color" not in text
    chunks = load_act_file(path)
    assert _citations(chunks) == ["html-act#st1", "html-act#st9-1"]
    assert next(c for c in chunks if c.article == "1").act_title == "О тестовых услугах"


def test_act_dir_with_mixed_formats(tmp_path: Path) -> None:
    act = tmp_path / "mixed"
    act.mkdir()
    _write_docx(act / "rus.docx", RU_LINES, heading_styles=True)
    (act / "kaz.txt").write_text("\n".join(KK_LINES), encoding="utf-8")
    (act / "meta.yaml").write_text("title:\n  rus: О смешанном\n  kaz: Аралас туралы\n", encoding="utf-8")
    chunks = load_act_dir(act)
    by_lang = {lang: _citations([c for c in chunks if c.lang == lang]) for lang in ("ru", "kk")}
    assert by_lang == {"ru": ["mixed#st1", "mixed#st9-1"], "kk": ["mixed#st1", "mixed#st9-1"]}
    assert {c.act_title for c in chunks if c.lang == "kk"} == {"Аралас туралы"}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("corrupt.docx", b"this is not a zip", "not a valid .docx file (File is not a zip file)"),
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj broken", "not a valid .pdf file"),
        ("empty.txt", b"  \n\n", "no text could be extracted"),
        ("act.rtf", b"{\\rtf1}", "unsupported format '.rtf'"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationProblem) as err:
        load_act_file(path)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(f"{name}: {reason}")


def test_file_without_structure_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text("Просто текст без статей и пунктов.\nЕщё строка.", encoding="utf-8")
    with pytest.raises(ValidationProblem) as err:
        load_act_file(path)
    assert err.value.problems[0].startswith("prose.txt: no articles")


def test_load_acts_collects_every_problem(tmp_path: Path) -> None:
    good = tmp_path / "a-good"
    good.mkdir()
    (good / "rus.txt").write_text("\n".join(RU_LINES), encoding="utf-8")
    bad = tmp_path / "b-bad"
    bad.mkdir()
    (bad / "rus.docx").write_bytes(b"garbage")
    (bad / "kaz.pdf").write_bytes(b"garbage")
    empty = tmp_path / "c-empty"
    empty.mkdir()
    with pytest.raises(ValidationProblem) as err:
        load_acts(tmp_path)
    problems = err.value.problems
    assert len(problems) == 3
    assert any(p.startswith("b-bad/rus.docx: not a valid .docx file") for p in problems)
    assert any(p.startswith("b-bad/kaz.pdf: not a valid .pdf file") for p in problems)
    assert any(p.startswith("c-empty: no act text") for p in problems)


def test_detect_lang() -> None:
    assert detect_lang("\n".join(KK_LINES)) == "kk"
    # Russian text quoting Kazakh names stays Russian.
    assert detect_lang("\n".join(RU_LINES) + " газета «Егемен Қазақстан»") == "ru"
