"""The FastAPI application factory: REST API, SSE chat stream, admin API and the static web chat.

`create_app(container)` builds everything for one app; nothing is created at import time.
Run it with one worker (`kenes serve`): embedded Qdrant belongs to a single process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from assistant.api.deps import TELEGRAM_HEADER
from assistant.api.errors import install_error_handlers
from assistant.api.middleware import RequestGuard
from assistant.api.middleware_headers import SecurityHeaders
from assistant.api.routes import admin, analytics, ask, auth, conversations, feedback, health, me, sources
from assistant.api.state import ApiState
from assistant.api.uploads import UPLOADS_DIR, sweep_uploads
from assistant.container import Container

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SHUTDOWN_WAIT_S = 30.0


def create_app(container: Container | None = None) -> FastAPI:
    state = ApiState.build(container or Container())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(state.db.open)  # fail at start-up, not on the first question
        await run_in_threadpool(sweep_uploads, state.container.settings.data_dir / UPLOADS_DIR)
        state.warmup.start(state)
        try:
            yield
        finally:
            await run_in_threadpool(_shutdown, state)

    app = FastAPI(
        title="Kenes API",
        description="Cited answers over the registry of functions of government bodies and laws.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.kenes = state
    install_error_handlers(app)
    # the guard sees a request before FastAPI reads its body; headers go on every response,
    # the guard's 401/413 included (middleware added last runs first)
    app.add_middleware(RequestGuard, fastapi=app)
    app.add_middleware(SecurityHeaders, static_dir=STATIC_DIR)
    origins = state.container.settings.api.cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", TELEGRAM_HEADER],
        )
    for module in (health, ask, sources, feedback, me, admin, analytics, auth, conversations):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app


def _shutdown(state: ApiState) -> None:
    state.jobs.join(SHUTDOWN_WAIT_S)  # let a running re-index finish its switch
    if state.warmup.thread is not None:
        state.warmup.stop.set()
        state.warmup.thread.join(SHUTDOWN_WAIT_S)
    state.gate.uninstall()
    state.db.close()
