"""The web chat in a real browser: headless Debian Chromium driven by Playwright against the real
app (demo index, fake LLM) served by uvicorn on a free local port.

Needs `playwright` (the Python package only: `playwright install` is never run) and
`/usr/bin/chromium` (`apt-get install -y chromium`). Writes the screenshots in docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.api import sse
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
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT_MS = 90_000

REGISTRY_QUESTION = "Кто обеспечивал работу проектного офиса программы «Рухани жаңғыру»?"
LAW_QUESTION = "В какой срок нужно удалить незаконно размещённые персональные данные по требованию субъекта?"
PHONE_QUESTION = (
    "Кто на уровне области проверяет, как частные предприниматели соблюдают закон о персональных данных?"
)


def _norm(text: str) -> str:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"[«»“”„]", '"', text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def playwright_chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright==1.65.2")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install Debian's chromium (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_app(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """The real app on 127.0.0.1:<free port>; yields (base_url, a user's bearer token).

    KENES_E2E_URL + KENES_E2E_TOKEN point the test at an app that is already running instead
    (for quick iterations on the page)."""
    if os.environ.get("KENES_E2E_URL"):
        yield os.environ["KENES_E2E_URL"].rstrip("/"), os.environ["KENES_E2E_TOKEN"]
        return
    from assistant.api.app import create_app
    from assistant.db.users import add_user
    from assistant.errors import ValidationProblem

    demo_container: Container = request.getfixturevalue("demo_container")
    app = create_app(demo_container)
    db = app.state.kenes.db
    db.open()
    try:
        _, token = add_user(db, "Айгерим Нурланова", "user")
    except ValidationProblem:  # the name is taken in this session's database
        _, token = add_user(db, f"Айгерим Нурланова {time.monotonic_ns() % 10_000}", "user")

    with serving(app) as base:
        yield base, token


def _events(response: Any) -> list[sse.SseEvent]:
    return sse.parse(response.text())


def _ask(page: Any, question: str) -> dict[str, Any]:
    """Type a question, send it with Enter, wait for the final answer; returns the final event."""
    answers = page.locator(".msg-assistant")
    before = answers.count()
    page.locator("#question").fill(question)
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as resp:
        page.locator("#question").press("Enter")
    # the send button is disabled while the answer streams, re-enabled (for new text) after
    page.locator(".msg-assistant").nth(before).locator(".actions").wait_for(timeout=ANSWER_TIMEOUT_MS)
    events = _events(resp.value)
    finals = [e.data for e in events if e.event == "final"]
    assert finals, f"no final event in the stream: {[e.event for e in events]}"
    return {"final": finals[0], "events": events, "request": json.loads(resp.value.request.post_data or "{}")}


def _open_and_check_source(page: Any, card: Any, citation: dict[str, Any]) -> None:
    chip = card.locator(f'.answer .chip[data-citation="{citation["citation"]}"]').first
    if chip.count() == 0:  # cited only in the list below the answer
        chip = card.locator(f'.source-item[data-citation="{citation["citation"]}"]').first
    chip.click()
    panel = page.locator("#panel")
    panel.wait_for(state="visible")
    body = panel.locator(".source-body")
    body.wait_for(timeout=20_000)
    assert len(body.inner_text()) > 20
    if citation.get("quote"):
        mark = body.locator("mark").first
        mark.wait_for(timeout=5_000)
        marked = _norm(mark.inner_text())
        assert len(marked) >= 6
        assert marked[:60] in _norm(citation["quote"]), (marked, citation["quote"])
        if citation.get("kind") == "act":  # a registry row is cited whole: its table stays on top
            page.wait_for_timeout(300)  # scrollIntoView runs on the next frame
            box, panel_box = mark.bounding_box(), panel.bounding_box()
            assert box and panel_box
            assert panel_box["y"] <= box["y"] <= panel_box["y"] + panel_box["height"], "highlight not in view"
    title = panel.locator("#panel-title").inner_text()
    assert title.strip()
    if citation.get("repealed"):
        assert panel.locator(".repealed-banner").is_visible()
    if citation.get("kind") == "registry":
        assert panel.locator(".reg-table").is_visible()
        assert panel.locator(".reg-table th").count() >= 3


def test_chat_in_browser(playwright_chromium: Any, live_app: tuple[str, str]) -> None:
    base, token = live_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="ru-RU")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(base + "/")

    # --- log in: a wrong token is refused politely, the right one is accepted ----------------
    login = page.locator("#login")
    login.wait_for(state="visible")
    page.locator("#token").fill("not-a-token")
    page.locator("#login-submit").click()
    page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert login.is_visible()
    page.locator("#token").fill(token)
    page.locator("#token").press("Enter")
    login.wait_for(state="hidden")
    assert "Айгерим" in page.locator("#user-name").inner_text()
    assert page.evaluate("localStorage.getItem('kenes.token')") == token
    assert "не являются официальным правовым заключением" in page.locator(".disclaimer").inner_text()
    page.wait_for_function(
        "!document.getElementById('footer-index').textContent.includes('—')", timeout=10_000
    )

    # --- an empty question is not sent ----------------------------------------------------------
    assert page.locator("#send").is_disabled()
    page.locator("#question").fill("   ")
    page.locator("#question").press("Enter")
    assert page.locator(".msg").count() == 0
    # Shift+Enter makes a new line instead of sending
    page.locator("#question").fill("строка")
    page.locator("#question").press("Shift+Enter")
    assert page.locator("#question").input_value() == "строка\n"
    assert page.locator(".msg").count() == 0

    # --- a registry question, then a law follow-up in the same conversation ------------------
    first = _ask(page, REGISTRY_QUESTION)
    meta = next(e.data for e in first["events"] if e.event == "meta")
    assert "conversation_id" not in first["request"]
    cards = page.locator(".msg-assistant .card")
    first_card = cards.nth(0)
    assert first_card.locator(".answer").inner_text().strip()
    assert first_card.locator(".answer .chip").count() >= 1, first["final"]["answer"]
    # the rendered answer is the final one (with the [n] markers turned into chips)
    rendered = _norm(first_card.locator(".answer").inner_text())
    final_plain = _norm(re.sub(r"\[(\d+)\]", r"\1", first["final"]["answer"]))
    assert rendered == final_plain

    second = _ask(page, LAW_QUESTION)
    assert second["request"].get("conversation_id") == meta["conversation_id"]
    law_card = cards.nth(1)
    law_citations = second["final"]["citations"]
    assert law_citations, second["final"]
    if second["final"]["refused"]:  # a refusal lists the nearest sources, without [n] markers
        assert law_card.locator(".sources h3").text_content() == "Ближайшие источники"
        assert law_card.locator(".tag").is_visible()
    else:
        assert law_card.locator(".answer .chip").count() >= 1, second["final"]["answer"]
    assert law_card.locator(".source-item").count() == len(law_citations)
    assert page.locator("#send").is_disabled()  # composer is empty again
    assert page.locator(".answer[aria-live]").count() == 2

    # a repealed source is flagged in the list of sources
    if any(c.get("repealed") for c in first["final"]["citations"]):
        assert first_card.locator(".badge-repealed").count() >= 1

    # the conversation from its first question (scrolling is smooth: wait for it to settle)
    page.locator(".msg-user").first.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    page.mouse.move(0, DESKTOP["height"] - 1)  # no hover effect in the picture
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / "chat-desktop.png"))

    # --- an act source: text with the cited passage highlighted, link, version date -------------
    act = next((c for c in law_citations if c["kind"] == "act"), law_citations[0])
    _open_and_check_source(page, law_card, act)
    panel = page.locator("#panel")
    link = panel.locator("a.official-link")
    if act.get("source_url"):
        assert link.get_attribute("href") == act["source_url"]
        assert link.get_attribute("rel") == "noopener noreferrer"
    if act.get("version_date"):
        y, m, d = act["version_date"][:10].split("-")
        assert f"{d}.{m}.{y}" in panel.locator(".meta").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "source-panel.png"))
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")

    # the registry source: its fields as a table
    _open_and_check_source(page, first_card, first["final"]["citations"][0])
    page.locator("#panel-close").click()
    panel.wait_for(state="hidden")

    # --- copy and feedback ------------------------------------------------------------------------
    law_card.locator(".copy-btn").click()
    law_card.locator(".status-msg", has_text="Скопировано").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "Источники" in copied

    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as fb:
        law_card.locator(".fb-up").click()
    assert fb.value.status == 200, fb.value.text()
    assert json.loads(fb.value.request.post_data or "{}")["rating"] == 1
    law_card.locator('.fb-up[aria-pressed="true"]').wait_for()
    law_card.locator(".feedback-form textarea").fill("Нужна ссылка на пункт статьи")
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as fb:
        law_card.locator(".feedback-form button").click()
    assert fb.value.status == 200, fb.value.text()
    assert json.loads(fb.value.request.post_data or "{}")["comment"] == "Нужна ссылка на пункт статьи"

    # --- the interface language switches to Kazakh and is remembered ----------------------------
    assert page.locator("#send span").inner_text() == "Отправить"
    page.locator('.topbar .lang-btn[data-lang="kk"]').click()
    assert page.locator("#send span").inner_text() == "Жіберу"
    assert "ресми құқықтық қорытынды" in page.locator(".disclaimer").inner_text()
    assert page.locator(".sources h3").first.text_content() == "Дереккөздер"
    assert page.evaluate("document.documentElement.lang") == "kk"
    page.reload()
    page.locator("#user-name").wait_for(state="visible")
    assert page.locator("#send span").inner_text() == "Жіберу"
    page.locator('.topbar .lang-btn[data-lang="ru"]').click()
    assert page.locator("#send span").inner_text() == "Отправить"

    assert not page_errors, page_errors
    context.close()


def test_chat_on_phone(playwright_chromium: Any, live_app: tuple[str, str]) -> None:
    base, token = live_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = playwright_chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    context.add_init_script(f"localStorage.setItem('kenes.token', {json.dumps(token)})")
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(base + "/")
    page.locator("#user-name").wait_for(state="attached")
    assert page.locator("#login").is_hidden()

    # nothing overflows the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    result = _ask(page, PHONE_QUESTION)
    card = page.locator(".msg-assistant .card").first
    assert card.locator(".answer .chip").count() >= 1, result["final"]["answer"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "chat-phone.png"))

    # the source panel is a full-screen sheet on a phone
    _open_and_check_source(page, card, result["final"]["citations"][0])
    box = page.locator("#panel").bounding_box()
    assert box and box["width"] >= PHONE["width"] - 1 and box["height"] >= PHONE["height"] - 1
    assert page.locator("#panel").get_attribute("aria-modal") == "true"
    page.screenshot(path=str(SCREENSHOTS / "source-panel-phone.png"))
    page.locator("#panel-close").click()
    page.locator("#panel").wait_for(state="hidden")

    assert not page_errors, page_errors
    context.close()
