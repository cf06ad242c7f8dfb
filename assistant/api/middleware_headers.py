"""Security headers on every response (pure ASGI, so error pages, static files and streams get
them too): a Content-Security-Policy, no framing, no MIME sniffing, no referrer.

The web pages load their scripts and styles from /static only; the one inline `<style>` block
(analytics.html) is allowed by its hash, computed from the files at start-up so an edited page
keeps working. Style *attributes* stay allowed (`style-src-attr`): the analytics bars set their
width that way, and CSS in an attribute cannot run code."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE = re.compile(r"<(style|script)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)


def inline_hashes(static_dir: Path) -> dict[str, list[str]]:
    """CSP source expressions for the inline `<style>`/`<script>` blocks of the static pages."""
    found: dict[str, list[str]] = {"style": [], "script": []}
    for page in sorted(static_dir.glob("*.html")):
        for kind, attrs, body in _INLINE.findall(page.read_text(encoding="utf-8")):
            if kind.lower() == "script" and "src=" in attrs.lower():
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            source = f"'sha256-{digest}'"
            if source not in found[kind.lower()]:
                found[kind.lower()].append(source)
    return found


def content_security_policy(static_dir: Path) -> str:
    hashes = inline_hashes(static_dir)
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *hashes["script"]]),
        "style-src": " ".join(["'self'", *hashes["style"]]),
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data: blob:",  # the favicon is a data: URL, charts are blob: URLs
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, static_dir: Path) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(static_dir),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
