"""Analytics over the demo registry: counts checked against the CSV read with the csv module, an
XLSX export read back with openpyxl, and the API on the real demo index (analyst vs plain user)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.analytics.counts import TOTAL
from assistant.analytics.rubric import apply_rubric
from assistant.analytics.service import AnalyticsService
from assistant.api.app import create_app
from assistant.api.routes import analytics as analytics_routes
from assistant.container import Container
from assistant.db.users import add_user
from assistant.settings import DEMO_DIR

pytestmark = pytest.mark.integration

REGISTRY = DEMO_DIR / "registry"
FILES = ["functions.csv", "functions-v2.csv"]


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (REGISTRY / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _key(r: dict[str, str], by: str) -> str:
    if by == "act":
        return r["act_title"] or r["act_slug"] or "(без акта)"
    return r[by]


@pytest.fixture(scope="module")
def services() -> dict[str, AnalyticsService]:
    return {name: AnalyticsService.from_registry_file(REGISTRY / name) for name in FILES}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("by", ["agency", "category", "act"])
def test_counts_match_the_csv(services: dict[str, AnalyticsService], name: str, by: str) -> None:
    rows = _csv_rows(name)
    summary = services[name].summary(by)
    assert summary.totals.total == len(rows)
    expected_aut = Counter((_key(r, by), r["automatable"]) for r in rows)
    expected_risk = Counter((_key(r, by), r["automation_risk"]) for r in rows)
    expected_total = Counter(_key(r, by) for r in rows)
    assert {line.key: line.total for line in summary.lines} == dict(expected_total)
    for line in summary.lines:
        assert line.automatable == {v: expected_aut[(line.key, v)] for v in ("да", "частично", "нет")}
        assert line.risk == {v: expected_risk[(line.key, v)] for v in ("низкий", "средний", "высокий")}
        assert line.share_of_all == pytest.approx(expected_total[line.key] / len(rows), abs=1e-4)
    assert summary.totals.automatable == {
        v: sum(r["automatable"] == v for r in rows) for v in ("да", "частично", "нет")
    }


@pytest.mark.parametrize("name", FILES)
def test_breakdown_and_filters_match_the_csv(services: dict[str, AnalyticsService], name: str) -> None:
    rows = _csv_rows(name)
    cells = Counter((r["agency"], r["category"], r["automatable"], r["automation_risk"]) for r in rows)
    got = {(b.agency, b.category, b.automatable, b.risk): b.count for b in services[name].breakdown()}
    assert got == dict(cells)
    only = services[name].summary("category", automatable="да", risk="низкий")
    assert only.totals.total == sum(
        r["automatable"] == "да" and r["automation_risk"] == "низкий" for r in rows
    )


def test_v1_and_v2_differ_as_changes_v2_says(services: dict[str, AnalyticsService]) -> None:
    v1, v2 = (services[n].summary("agency").totals for n in FILES)
    assert (v1.total, v2.total) == (354, 355)


def test_xlsx_export_reads_back_equal(services: dict[str, AnalyticsService], tmp_path: Path) -> None:
    service = services["functions.csv"]
    data, media, name = service.export("summary", "xlsx", by="category")
    assert media.startswith("application/vnd.openxmlformats") and name == "kenes-summary.xlsx"
    path = tmp_path / name
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    table = service.tables("summary", by="category")[0]
    assert cells[0] == table.columns
    assert [[None if c == "" else c for c in row] for row in cells[1:]] == table.rows
    assert cells[-1][:2] == [TOTAL, 354]

    written = service.write_report(tmp_path / "report", "xlsx")
    book = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    assert {"summary", "category_risk", "breakdown", "groups", "group_members", "positions", "charts"} <= set(
        book.sheetnames
    )
    groups_sheet = book["groups"]
    assert groups_sheet.max_row - 1 == len(service.groups())


def test_the_rubric_reproduces_the_demo_assessment() -> None:
    """The rubric is the one the demo registry's illustrative labels were made with."""
    rows = _csv_rows("functions.csv")
    got = [apply_rubric(r["function_text"]) for r in rows]
    same = sum(
        (g.category, g.automatable, g.risk) == (r["category"], r["automatable"], r["automation_risk"])
        for g, r in zip(got, rows, strict=True)
    )
    assert same == len(rows)


def test_groups_of_the_demo_registry(services: dict[str, AnalyticsService]) -> None:
    groups = services["functions.csv"].groups()
    assert len(groups) > 20
    priorities = [g.priority for g in groups]
    assert priorities == sorted(priorities, reverse=True)
    texts = {g.medoid.function_text for g in groups}
    assert "размещение информации на интернет-портале открытых данных" in texts
    catch_all = next(g for g in groups if any(m.function_id == "PS-08-10" for m in g.members))
    assert len(catch_all.agencies) >= 5  # «иные полномочия» in every law's competence list


# --- the API on the demo index ---------------------------------------------------------------------


@dataclass
class Api:
    client: TestClient
    app: FastAPI
    analyst: dict[str, str]
    admin: dict[str, str]
    user: dict[str, str]


def _bearer(app: FastAPI, role: str) -> dict[str, str]:
    _, token = add_user(app.state.kenes.db, f"analytics-{role}-{uuid.uuid4().hex[:8]}", role)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(demo_container: Container) -> Iterator[Api]:
    app = create_app(demo_container)
    if not any(getattr(r, "path", "").startswith("/api/analytics") for r in app.routes):
        app.include_router(analytics_routes.router)  # until create_app includes it itself
    with TestClient(app) as client:
        yield Api(client, app, _bearer(app, "analyst"), _bearer(app, "admin"), _bearer(app, "user"))


def test_api_summary_matches_the_csv_of_the_indexed_registry(api: Api) -> None:
    rows = _csv_rows("functions.csv")  # the demo index holds registry v1
    res = api.client.get("/api/analytics/summary", params={"by": "category"}, headers=api.analyst)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["rows"] == len(rows) and body["source"].startswith("индекс ")
    by_key = {line["key"]: line for line in body["summary"]["lines"]}
    assert {k: v["total"] for k, v in by_key.items()} == dict(Counter(r["category"] for r in rows))
    assert body["summary"]["totals"]["automatable"]["да"] == sum(r["automatable"] == "да" for r in rows)
    assert sum(map(sum, body["category_risk"]["counts"])) == len(rows)
    filtered = api.client.get(
        "/api/analytics/summary", params={"automatable": "нет", "risk": ""}, headers=api.admin
    ).json()
    assert filtered["summary"]["totals"]["total"] == sum(r["automatable"] == "нет" for r in rows)
    bad = api.client.get("/api/analytics/summary", params={"automatable": "может"}, headers=api.analyst)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    assert "automatable" in bad.json()["error"]["details"]["problems"][0]


def test_api_groups_positions_charts_exports_and_assess(api: Api) -> None:
    c, h = api.client, api.analyst
    groups = c.get("/api/analytics/groups", headers=h).json()
    assert groups["count"] > 20 and groups["groups"][0]["members"] and groups["groups"][0]["representative"]
    positions = c.get("/api/analytics/positions", headers=h).json()
    assert positions["available"] is False and "positions" in positions["message"]
    for name in ("automatable", "risk", "heatmap"):
        png = c.get(f"/api/analytics/chart/{name}.png", params={"by": "agency"}, headers=h)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
    assert c.get("/api/analytics/chart/pie.png", headers=h).status_code == 422
    exported = c.get("/api/analytics/export", params={"view": "groups", "format": "csv"}, headers=h)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(lines) - 1 == groups["count"]
    xlsx = c.get("/api/analytics/export", params={"view": "breakdown", "format": "xlsx"}, headers=h)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames[0] == "breakdown"
    assert c.get("/api/analytics/export", params={"view": "nope"}, headers=h).status_code == 422
    proposal = c.post(
        "/api/analytics/assess", json={"function_text": "ведет реестр поставщиков услуг"}, headers=h
    ).json()
    assert proposal["status"] == "proposal"
    assert (
        proposal["proposed_category"] == "учетно-регистрационная" and proposal["proposed_automatable"] == "да"
    )
    assert proposal["neighbours"] and proposal["neighbours"][0]["function_id"]
    assert c.post("/api/analytics/assess", json={"function_text": ""}, headers=h).status_code == 422
    page = c.get("/analytics")
    assert page.status_code == 200 and "analytics.js" in page.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/analytics/summary"),
        ("get", "/api/analytics/groups"),
        ("get", "/api/analytics/positions"),
        ("get", "/api/analytics/chart/heatmap.png"),
        ("get", "/api/analytics/export?view=summary&format=csv"),
        ("post", "/api/analytics/assess"),
    ],
)
def test_api_is_for_analysts_only(api: Api, method: str, path: str) -> None:
    kwargs = {"json": {"function_text": "ведет реестр"}} if method == "post" else {}
    res = getattr(api.client, method)(path, headers=api.user, **kwargs)
    assert res.status_code == 403, res.text
    assert res.json()["error"]["code"] == "forbidden"
    assert getattr(api.client, method)(path, **kwargs).status_code == 401
