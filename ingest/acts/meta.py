"""Act metadata (meta.yaml) in one normalised shape for both languages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from assistant.errors import ValidationProblem

IN_FORCE = "действует"

# The corpus writes «Утратило силу …» in the requisite; older acts sometimes only say «Утратил».
_REPEALED_RE = re.compile(r"[Уу]тратил[аои]?\s+силу|Утратил")
_STATUS_START_RE = re.compile(r"[Уу]тратил\w*\s+силу")
_SENTENCE_END_RE = re.compile(r"\.\s+(?=[А-ЯЁA-Z])")

# meta.yaml uses the corpus' folder-language keys (rus/kaz); the product speaks ru/kk.
_LANG_KEYS = {"rus": "ru", "ru": "ru", "kaz": "kk", "kk": "kk"}
MAX_META_BYTES = 64 * 1024


class ActMeta(BaseModel):
    slug: str
    title: str = Field(description="Russian title")
    title_kk: str = ""
    requisite: str = ""
    version_date: dict[str, str] = Field(default_factory=dict, description="ISO date per lang (ru/kk)")
    source_url: dict[str, str] = Field(default_factory=dict, description="official URL per lang (ru/kk)")
    repealed: bool = False
    status: str = IN_FORCE

    def title_for(self, lang: str) -> str:
        if lang == "kk" and self.title_kk:
            return self.title_kk
        return self.title or self.title_kk or self.slug

    def version_date_for(self, lang: str) -> str:
        return self.version_date.get(lang) or self.version_date.get("ru") or ""

    def source_url_for(self, lang: str) -> str:
        return self.source_url.get(lang) or self.source_url.get("ru") or ""


def repeal_status(*texts: str) -> str | None:
    """The «Утратило силу …» sentence found in any of `texts`, or None when the act is in force."""
    for text in texts:
        if not text or not _REPEALED_RE.search(text):
            continue
        m = _STATUS_START_RE.search(text)
        sentence = _clause(text[m.start() :]) if m else text
        sentence = sentence.strip().rstrip(".")
        return sentence[:1].upper() + sentence[1:]
    return None


def _clause(text: str) -> str:
    """`text` up to the end of its sentence, or up to the bracket that closes around it
    («… (утв. …; утратило силу … № 866), п. 16» → «утратило силу … № 866»)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return text[:i]
        if depth == 0 and _SENTENCE_END_RE.match(text, i):
            return text[:i]
    return text


def _as_str(value: Any) -> str:
    # PyYAML turns unquoted 2019-09-12 into datetime.date; the contract wants ISO strings.
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return "" if value is None else str(value).strip()


def _per_lang(value: Any) -> dict[str, str]:
    """`{rus: x, kaz: y}` → `{ru: x, kk: y}`; a plain scalar applies to both languages."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            lang = _LANG_KEYS.get(str(key).lower())
            if lang and _as_str(item):
                out[lang] = _as_str(item)
        return out
    text = _as_str(value)
    return {"ru": text, "kk": text} if text else {}


def _first_heading(path: Path) -> str:
    # Imported here: formats is heavier (docx/pdf/bs4) and only needed when meta.yaml is missing.
    from ingest.acts.formats import read_act_text

    try:
        text = read_act_text(path)
    except ValidationProblem:
        return ""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _lang_files(act_dir: Path) -> dict[str, Path]:
    from ingest.acts.formats import SUPPORTED_SUFFIXES, lang_of_stem

    found: dict[str, Path] = {}
    for path in sorted(act_dir.iterdir()):
        lang = lang_of_stem(path.stem)
        if path.is_file() and lang and path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.setdefault(lang, path)
    return found


def make_meta(slug: str, title: str, *, title_kk: str = "", requisite: str = "", **extra: Any) -> ActMeta:
    status = repeal_status(requisite, title, title_kk)
    return ActMeta(
        slug=slug,
        title=title or title_kk or slug,
        title_kk=title_kk,
        requisite=requisite,
        repealed=status is not None,
        status=status or IN_FORCE,
        **extra,
    )


# libyaml's safe loader when PyYAML was built with it: the same documents, ≈13× faster (a large
# corpus has a meta.yaml per act; 44 of them took 0.19 s in pure Python, 0.015 s)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, name: str) -> Any:
    """Plain YAML only: a few hundred bytes of nested aliases expand to gigabytes («billion
    laughs»), and metadata never needs them, so anchors and aliases are refused before any node
    is built, and so is a file larger than any real meta.yaml."""

    def invalid(reason: str) -> ValidationProblem:
        return ValidationProblem(f"{name} is invalid", [f"{name}: {reason}"])

    if path.stat().st_size > MAX_META_BYTES:
        raise invalid(f"larger than {MAX_META_BYTES // 1024} KB; metadata is a few lines")
    try:
        text = path.read_text(encoding="utf-8")
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise invalid(f"line {line}: YAML anchors and aliases (&, *) are not allowed")
        return yaml.load(text, Loader=_LOADER) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise invalid(f"invalid YAML ({exc})") from exc


def load_meta(act_dir: Path) -> ActMeta:
    """Read `<act_dir>/meta.yaml`; without it, derive a minimal meta from the folder name and the
    first `# ` heading of the act texts."""
    act_dir = Path(act_dir)
    meta_path = act_dir / "meta.yaml"
    if not meta_path.exists():
        files = _lang_files(act_dir)
        title = _first_heading(files["ru"]) if "ru" in files else ""
        title_kk = _first_heading(files["kk"]) if "kk" in files else ""
        return make_meta(act_dir.name, title or title_kk, title_kk=title_kk)
    data = _read_yaml(meta_path, f"{act_dir.name}/meta.yaml")
    if not isinstance(data, dict):
        problem = f"{act_dir.name}/meta.yaml: expected a mapping, got {type(data).__name__}"
        raise ValidationProblem(f"{act_dir.name}/meta.yaml is invalid", [problem])
    titles = _per_lang(data.get("title"))
    return make_meta(
        act_dir.name,
        titles.get("ru", ""),
        title_kk=titles.get("kk", ""),
        requisite=_as_str(data.get("requisite")),
        version_date=_per_lang(data.get("version_date")),
        source_url=_per_lang(data.get("source") or data.get("source_url")),
    )
