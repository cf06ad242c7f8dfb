"""The analyst page in a real browser: headless Debian Chromium driven by Playwright against the
real app (demo index, fake LLM) served by uvicorn on a free local port.

Needs `playwright` (the Python package only) and `/usr/bin/chromium`, like tests/e2e/test_browser.py.
Writes docs/screenshots/analytics-desktop.png.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from tests.live_server import serving

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
LOAD_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright==1.65.2")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install Debian's chromium (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_app(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """The real app on 127.0.0.1:<free port>; yields (base_url, analyst token, plain user token)."""
    from assistant.api.app import create_app
    from assistant.db.users import add_user

    demo_container: Container = request.getfixturevalue("demo_container")
    app = create_app(demo_container)
    db = app.state.kenes.db
    db.open()
    suffix = uuid.uuid4().hex[:6]
    _, analyst = add_user(db, f"Данияр Аналитик {suffix}", "analyst")
    _, user = add_user(db, f"Асель Пользователь {suffix}", "user")

    with serving(app, probe="/health") as base:
        yield base, analyst, user


def test_analyst_page(chromium: Any, live_app: tuple[str, str, str]) -> None:
    base, analyst, _ = live_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/analytics")

    # --- log in with the analyst's token (the same localStorage key as the chat) ------------------
    page.locator("#login").wait_for(state="visible")
    page.locator("#token").fill(analyst)
    page.locator("#token").press("Enter")
    page.locator("#login").wait_for(state="hidden")
    assert page.evaluate("localStorage.getItem('kenes.token')") == analyst
    assert "Данияр" in page.locator("#user-name").inner_text()

    # --- the summary table, with a totals row matching the demo registry ----------------------------
    page.locator("#summary-table tr.total").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.locator("#summary-table tbody tr").count() >= 3
    assert page.locator("#summary-table tr.total td").nth(1).inner_text() == "354"
    assert "индекс" in page.locator("#source").inner_text()

    # --- charts are real images ------------------------------------------------------------------
    page.locator('#charts[data-state="ready"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    for name in ("automatable", "risk", "heatmap"):
        page.wait_for_function(
            f"(() => {{ const i = document.getElementById('chart-{name}'); return i.complete && i.naturalWidth > 100; }})()",
            timeout=LOAD_TIMEOUT_MS,
        )

    # --- groups: at least one, with members behind a click -----------------------------------------
    first = page.locator("#groups details.group").first
    first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.locator("#groups details.group").count() >= 10
    assert page.locator("#groups details.group:visible").count() <= 25  # the rest behind «show all»
    assert first.locator(".group-medoid").inner_text().strip()
    first.locator("summary").click()
    assert first.locator(".group-body tr").count() >= 2

    # --- positions: the demo registry has none, the view says what it needs -----------------------
    assert "positions" in page.locator("#positions").inner_text()

    # --- a filter reloads the table ----------------------------------------------------------------
    with page.expect_response(lambda r: "/api/analytics/summary" in r.url and "automatable=" in r.url):
        page.locator("#automatable").select_option("да")
    page.wait_for_function(
        "document.querySelector('#summary-table tr.total td:nth-child(2)').textContent !== '354'"
    )

    # --- an export link downloads a file ----------------------------------------------------------
    with page.expect_download() as download:
        page.locator('#groups-exports a[data-view="groups"][data-format="csv"]').click()
    assert download.value.suggested_filename == "kenes-groups.csv"

    # --- the assessment assistant ------------------------------------------------------------------
    page.locator("#assess-text").fill("ведет реестр поставщиков государственных услуг")
    with page.expect_response(lambda r: r.url.endswith("/api/analytics/assess")) as resp:
        page.locator("#assess-submit").click()
    proposal = json.loads(resp.value.text())
    box = page.locator("#assess-result .proposal")
    box.wait_for()
    assert "подтверждения" in box.locator(".proposal-flag").inner_text().lower()
    assert proposal["proposed_category"] in box.inner_text()
    assert box.locator("table.neighbours tr").count() == len(proposal["neighbours"]) >= 1

    page.locator("#automatable").select_option("")
    page.locator("#summary-table tr.total td:nth-child(2)", has_text="354").wait_for()
    page.locator('#charts[data-state="ready"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "analytics-desktop.png"), full_page=True)
    assert not errors, errors
    context.close()


def test_plain_user_is_told_the_page_is_for_analysts(chromium: Any, live_app: tuple[str, str, str]) -> None:
    base, _, user = live_app
    context = chromium.new_context(viewport=DESKTOP, locale="ru-RU")
    context.add_init_script(f"localStorage.setItem('kenes.token', {json.dumps(user)})")
    page = context.new_page()
    page.goto(base + "/analytics")
    error = page.locator("#page-error")
    error.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    assert "аналитикам" in error.inner_text()
    assert page.locator("#summary-table tr").count() == 0
    context.close()
