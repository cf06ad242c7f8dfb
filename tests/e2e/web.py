"""Helpers the browser tests share: web accounts with passwords, signing in through the form,
and the axe-core accessibility check (vendored, injected into the page; never fetched)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.db.session import Database

PASSWORD = "kenes-e2e-password"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def web_user(db: Database, name: str, role: str = "user") -> tuple[str, str]:
    """A user who signs in with a password; returns (name, bearer token). A name taken in this
    test session's database gets a suffix."""
    from assistant.db.users import add_user, set_password
    from assistant.errors import ValidationProblem

    try:
        user, token = add_user(db, name, role)
    except ValidationProblem:
        user, token = add_user(db, f"{name} {time.monotonic_ns() % 100_000}", role)
    set_password(db, user.name, PASSWORD)
    return user.name, token


def sign_in(page: Any, name: str, password: str = PASSWORD) -> None:
    login = page.locator("#login")
    login.wait_for(state="visible")
    page.locator("#username").fill(name)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    login.wait_for(state="hidden")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now (WCAG 2.x A/AA rules).
    The page's CSP forbids inline scripts: the context must be made with `bypass_csp=True`."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]
