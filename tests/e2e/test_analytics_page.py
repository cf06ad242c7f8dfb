"""The analyst page in a real browser: headless Debian Chromium driven by Playwright against the
real app (demo index, fake LLM) served by uvicorn on a free local port.

Needs `playwright` (the Python package only) and `/usr/bin/chromium`, like tests/e2e/test_browser.py.
Writes docs/screenshots/analytics-desktop.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from tests.e2e.web import axe_violations, sign_in, web_user
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
    """The real app on 127.0.0.1:<free port>; yields (base_url, analyst name, plain user name),
    both signing in with `web.PASSWORD`."""
    from assistant.api.app import create_app

    demo_container: Container = request.getfixturevalue("demo_container")
    app = create_app(demo_container)
    db = app.state.kenes.db
    db.open()
    analyst, _ = web_user(db, "Данияр Аналитик", "analyst")
    user, _ = web_user(db, "Асель Пользователь", "user")

    with serving(app, probe="/health") as base:
        yield base, analyst, user


def test_analyst_page(chromium: Any, live_app: tuple[str, str, str]) -> None:
    base, analyst, _ = live_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # bypass_csp: Playwright's string predicates and the injected axe-core need eval
    context = chromium.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/analytics")

    # --- sign in as the analyst (the same session cookie as the chat) -----------------------------
    sign_in(page, analyst)
    assert "Данияр" in page.locator("#user-name").inner_text()
    assert page.locator("#nav-analyst").is_visible()

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
    # the result is scrolled into view, not left below the fold
    page.wait_for_function(
        "(() => { const r = document.querySelector('#assess-result .proposal').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; })()",
        timeout=5_000,
    )

    # --- ҚАЗ re-renders everything, the table headers and the proposal included --------------------
    page.locator('.lang-btn[data-lang="kk"]').click()
    heads = page.locator("#summary-table thead th").all_inner_texts()
    assert "барлығы" in heads and "иә" in heads, heads
    assert page.locator("#summary-title").inner_text().startswith("Жиынтық")
    assert "Жүктеу" in page.locator("#groups-exports").inner_text()
    assert "адамның растауын" in (box.locator(".proposal-flag").text_content() or "")
    assert page.locator("#ru-only").is_visible()
    page.locator('.lang-btn[data-lang="ru"]').click()
    assert "да" in page.locator("#summary-table thead th").all_inner_texts()

    page.locator("#automatable").select_option("")
    page.locator("#summary-table tr.total td:nth-child(2)", has_text="354").wait_for()
    page.locator('#charts[data-state="ready"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "analytics-desktop.png"), full_page=True)
    violations = axe_violations(page)
    assert not violations, violations
    assert not errors, errors
    context.close()


def test_plain_user_is_told_the_page_is_for_analysts(chromium: Any, live_app: tuple[str, str, str]) -> None:
    base, _, user = live_app
    context = chromium.new_context(viewport=DESKTOP, locale="ru-RU")
    page = context.new_page()
    page.goto(base + "/analytics")  # signs in on the page itself: told plainly, no empty cards
    sign_in(page, user)
    message = page.locator("#forbidden")
    message.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    assert "аналитикам" in message.inner_text()
    assert page.locator(".an-card:visible").count() == 0
    assert page.locator("#nav-analyst").is_hidden()
    assert page.locator("#summary-table tr").count() == 0
    page.goto(base + "/analytics")  # once signed in, the page sends a plain user back to the chat
    assert page.url.rstrip("/") == base
    context.close()
