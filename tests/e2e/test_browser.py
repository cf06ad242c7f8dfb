"""The web chat in a real browser: headless Debian Chromium driven by Playwright against the real
app (demo index, fake LLM) served by uvicorn on a free local port.

Needs `playwright` (the Python package only: `playwright install` is never run) and
`/usr/bin/chromium` (`apt-get install -y chromium`). Writes the screenshots in docs/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.api import sse
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
DESKTOP = {"width": 1280, "height": 800}
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


@dataclass
class LiveApp:
    base: str
    user: str  # a plain user's name (password: web.PASSWORD)
    analyst: str
    llm: Any  # the fake LLM behind the gate (its delay makes an answer slow enough to stop)


@pytest.fixture(scope="module")
def live_app(request: pytest.FixtureRequest) -> Iterator[LiveApp]:
    """The real app on 127.0.0.1:<free port> with a plain user and an analyst who sign in with
    a password."""
    from assistant.api.app import create_app

    demo_container: Container = request.getfixturevalue("demo_container")
    app = create_app(demo_container)
    db = app.state.kenes.db
    db.open()
    user, _ = web_user(db, "Айгерим Нурланова", "user")
    analyst, _ = web_user(db, "Данияр Аналитик", "analyst")
    llm = demo_container.answer_engine.llm
    with serving(app) as base:
        yield LiveApp(base, user, analyst, getattr(llm, "inner", llm))


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


def _as_read(answer: str) -> str:
    """An answer's Markdown as a reader sees it: list marks, ** and [n] brackets gone, ISO dates
    as дд.мм.гггг."""
    text = re.sub(r"(?m)^\s*(?:[-*•]|\d{1,3}[.)])\s+", "", answer)
    text = text.replace("**", "")
    text = re.sub(r"\[(\d+)\]", r"\1", text)
    return re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\3.\2.\1", text)


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


def test_chat_in_browser(playwright_chromium: Any, live_app: LiveApp) -> None:
    base = live_app.base
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="ru-RU", bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(base + "/")

    # --- sign in: a wrong password is refused politely, the right one gives a session cookie ----
    login = page.locator("#login")
    login.wait_for(state="visible")
    page.locator("#username").fill(live_app.user)
    page.locator("#password").fill("not-the-password")
    page.locator("#login-submit").click()
    page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert login.is_visible()
    sign_in(page, live_app.user)
    assert "Айгерим" in page.locator("#user-name").inner_text()
    (cookie,) = [c for c in context.cookies() if c["name"] == "kenes_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "kenes_session" not in page.evaluate("document.cookie")  # out of reach of scripts
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.includes('token'))")
    # a plain user: no analytics link, and the server refuses the API and the page
    assert page.locator("#nav-analyst").is_hidden()
    assert page.request.get(base + "/api/analytics/summary").status == 403
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
    # the rendered answer is the final one (Markdown marks rendered, [n] markers as chips)
    rendered = _norm(first_card.locator(".answer").inner_text())
    assert rendered == _norm(_as_read(first["final"]["answer"]))
    assert page.locator(".draft-note, .answer.draft").count() == 0

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

    # the registry source: its fields as a table, and «Официальный текст» opens the act behind its
    # legal basis (the demo ministry statute on zan.gov.kz), never the chat itself
    _open_and_check_source(page, first_card, first["final"]["citations"][0])
    href = panel.locator("a.official-link").get_attribute("href") or ""
    assert href.startswith("https://zan.gov.kz/"), href
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


def test_chat_on_phone(playwright_chromium: Any, live_app: LiveApp) -> None:
    base = live_app.base
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # no bypass_csp here: the page itself must work under its Content-Security-Policy (the other
    # tests bypass it only because Playwright's string predicates and axe's injection need eval)
    context = playwright_chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(base + "/")
    sign_in(page, live_app.user)
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

    # the conversations are a drawer on a phone: ☰ opens it, ✕ closes it
    page.locator("#history-toggle").click()
    drawer = page.locator("#history")
    drawer.wait_for(state="visible")
    assert page.locator("#history-toggle").get_attribute("aria-expanded") == "true"
    assert drawer.locator(".conv").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "history-phone.png"))
    drawer.locator("#history-close").click()
    drawer.wait_for(state="hidden")

    assert not page_errors, page_errors
    context.close()


LIST_QUESTION = "Какие функции в реестре закреплены за Правительством Республики Казахстан?"
KK_QUESTION = (
    "Ұлттың әлеуметтік-мәдени кодын, рухани-адамгершілік құндылықтарды қалыптастыруға арналған "
    "әлеуметтік жобаларды АҚДМ жүйесінде кім ұйымдастырып, үйлестірді?"
)
KK_SOURCE_HEADINGS = ("Дереккөздер", "Ең жақын дереккөздер")


def _stored(page: Any, base: str) -> list[dict[str, Any]]:
    """The current conversation as the server keeps it (the page's own session cookie)."""
    cid = page.evaluate("localStorage.getItem('kenes.conversation')")
    response = page.request.get(f"{base}/api/conversations/{cid}")
    assert response.status == 200, response.text()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_history_stop_regenerate_edit_retry(playwright_chromium: Any, live_app: LiveApp) -> None:
    base, llm = live_app.base, live_app.llm
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="ru-RU", bypass_csp=True)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(base + "/")
    sign_in(page, live_app.user)
    page.keyboard.press("Control+k")  # a new chat, whatever was open before
    assert page.locator(".msg").count() == 0

    # --- Markdown: a registry list renders as a list, not as literal «1.» lines -----------------
    listed = _ask(page, LIST_QUESTION)
    card = page.locator(".msg-assistant .card").last
    rows = card.locator(".answer ol li, .answer ul li")
    assert rows.count() >= 3, listed["final"]["answer"]
    assert not re.search(r"(?m)^\s*\d+\. ", card.locator(".answer").inner_text())
    assert card.locator(".answer .chip").count() >= 3
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", card.inner_text())  # dates as дд.мм.гггг

    # --- the renderer makes no markup from text: HTML shows as characters, links only http(s) ----
    rendered = page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.append(...KenesMarkdown.render(
            '<img src=x onerror="window.pwned=1"> **жирный** [сайт](https://zan.gov.kz/x) ' +
            '[плохая](javascript:window.pwned=1)\\n- пункт <b>1</b>\\n- пункт 2'));
          return {html: box.innerHTML, text: box.textContent,
                  tags: [...box.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
                  hrefs: [...box.querySelectorAll('a')].map(a => a.href)};
        }"""
    )
    assert set(rendered["tags"]) <= {"p", "strong", "a", "ul", "li", "br", "em", "code"}, rendered
    assert "<img" in rendered["text"] and "<b>1</b>" in rendered["text"]
    assert rendered["hrefs"] == ["https://zan.gov.kz/x"] and rendered["tags"].count("li") == 2
    assert page.evaluate("window.pwned === undefined")

    # --- stop mid-answer: the stream is aborted, the server stops the model and keeps the part ------
    llm.delay_s = 0.3
    try:
        page.locator("#question").fill(LAW_QUESTION)
        page.locator("#question").press("Enter")
        stop = page.locator("#stop")
        stop.wait_for(state="visible")
        page.wait_for_function(
            "(() => { const a = [...document.querySelectorAll('.msg-assistant .answer')].pop();"
            " return a && a.textContent.trim().length > 0; })()",
            timeout=ANSWER_TIMEOUT_MS,
        )
        # the model's words stream as a draft, marked as one, until the verified answer comes
        streaming = page.locator(".msg-assistant").last
        assert streaming.locator(".answer.draft").count() == 1
        assert "сверяется с цитатами" in streaming.locator(".draft-note").inner_text()
        page.keyboard.press("Escape")
        stopped = page.locator(".msg-assistant .card.stopped")
        stopped.wait_for(timeout=10_000)
        assert stopped.locator(".tag").inner_text() == "Ответ остановлен"
        assert stopped.locator(".draft-note, .answer.draft").count() == 0
        assert page.locator("#send").is_visible() and stop.is_hidden()
        # the model stopped too: the LLM slot is free long before the slow answer could end
        page.wait_for_function(
            f"fetch('{base}/ready').then(r => r.json()).then(d => d.llm_queue.running === 0)", timeout=5_000
        )
        statuses = [(m["role"], m["status"]) for m in _stored(page, base)]
        assert statuses[-1] == ("assistant", "stopped"), statuses
    finally:
        llm.delay_s = 0.0

    # --- regenerate the stopped answer: the same question, answered in full, in its place ----------
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as resp:
        stopped.locator(".regen-btn").click()
    assert json.loads(resp.value.request.post_data or "{}")["replace_from"] == 2
    page.locator(".msg-assistant").nth(1).locator(".copy-btn").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".msg-user").count() == 2 and page.locator(".card.stopped").count() == 0
    assert [m["status"] for m in _stored(page, base)] == ["done"] * 4

    # --- edit the last question with ↑ and resend: it replaces the turn -------------------------
    page.locator("#question").focus()
    page.keyboard.press("ArrowUp")
    assert page.locator("#editing").is_visible()
    assert page.locator("#question").input_value() == LAW_QUESTION
    edited = "За какой срок удаляют незаконно размещённые персональные данные?"
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as resp:
        page.locator("#question").fill(edited)
        page.locator("#question").press("Enter")
    assert json.loads(resp.value.request.post_data or "{}")["replace_from"] == 2
    page.locator(".msg-assistant").nth(1).locator(".actions").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".msg-user").count() == 2
    assert page.locator(".msg-user .bubble").last.inner_text() == edited
    assert [m["text"] for m in _stored(page, base) if m["role"] == "user"] == [LIST_QUESTION, edited]

    # --- a network error: the question comes back, «Повторить» sends it again -------------------
    page.route("**/api/chat", lambda route: route.abort())
    retry_question = "Кто ведёт реестр государственных услуг?"
    page.locator("#question").fill(retry_question)
    page.locator("#question").press("Enter")
    error = page.locator(".msg-assistant .error-card")
    error.wait_for(timeout=10_000)
    assert page.locator("#question").input_value() == retry_question
    page.unroute("**/api/chat")
    page.locator("#question").fill("")
    with page.expect_response(lambda r: r.url.endswith("/api/chat")):
        error.locator(".retry-btn").click()
    page.locator(".msg-assistant").nth(2).locator(".copy-btn").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".error-card").count() == 0 and page.locator(".msg-user").count() == 3

    # --- reload: the conversation is in the side list and comes back whole -----------------------
    page.reload()
    page.locator(".msg-assistant .copy-btn").nth(2).wait_for(timeout=20_000)
    current = page.locator(".conv.current .conv-title")
    assert current.inner_text() == LIST_QUESTION
    assert page.locator(".msg-user").count() == 3
    assert page.locator(".msg-assistant .answer ol li, .msg-assistant .answer ul li").count() >= 3
    page.locator("#history-q").fill("удаляют незаконно")
    page.locator(".conv .conv-snippet").first.wait_for()
    assert page.locator(".conv").count() == 1
    page.locator("#history-q").fill("")

    # --- a Kazakh answer keeps Kazakh labels in the Russian UI -----------------------------------
    kk = _ask(page, KK_QUESTION)
    assert kk["final"]["lang"] == "kk"
    kk_card = page.locator(".msg-assistant .card").last
    assert kk_card.get_attribute("data-ui-lang") == "kk"
    assert kk_card.locator(".sources h3").text_content() in KK_SOURCE_HEADINGS
    assert kk_card.locator(".copy-btn span").inner_text() == "Көшіру"
    assert page.locator("#send span").inner_text() == "Отправить"  # the UI itself stays Russian
    registry = [c for c in kk["final"]["citations"] if c["kind"] == "registry"]
    if registry:  # a registry row: Kazakh field names and scale values, and a note it is kept in Russian
        kk_card.locator(f'.source-item[data-citation="{registry[0]["citation"]}"]').click()
        note = page.locator("#panel .ru-only")
        note.wait_for(timeout=20_000)
        assert "орыс тілінде" in note.inner_text()
        assert page.locator("#panel .reg-table th").first.inner_text() == "Функция коды"
        assert page.locator("#panel-kicker").text_content() == "Функциялар тізілімі"
        assert kk_card.locator(".ru-only").is_visible()  # the registry is kept in Russian
        page.keyboard.press("Escape")
    page.locator(".msg-user").first.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    page.mouse.move(0, DESKTOP["height"] - 1)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "chat-history-desktop.png"))

    # --- accessibility: no serious or critical axe-core violations on the chat page --------------
    violations = axe_violations(page)
    assert not violations, violations
    assert not page_errors, page_errors
    context.close()


def test_analytics_is_hidden_from_a_plain_user(playwright_chromium: Any, live_app: LiveApp) -> None:
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="ru-RU", bypass_csp=True)
    page = context.new_page()
    page.goto(live_app.base + "/")
    sign_in(page, live_app.user)
    assert page.locator("#nav-analyst").is_hidden()
    page.goto(live_app.base + "/analytics")
    assert page.url.rstrip("/") == live_app.base  # sent back to the chat
    assert page.request.get(live_app.base + "/api/analytics/groups").status == 403
    context.close()
