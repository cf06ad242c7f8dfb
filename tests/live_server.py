"""A real app on a loopback port for tests that need a live HTTP server (browser, bot, analytics
page, OpenAI-compatible server)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any, *, probe: str = "/ready", timeout_s: float = 180.0) -> Iterator[str]:
    """Run `app` under uvicorn in a thread; yield its base URL once `probe` answers 200."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}{probe}", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail(f"the app did not answer {probe} within {timeout_s:.0f} s")
        time.sleep(0.25)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(30)
