"""Liveness (instant, never touches the index or the LLM) and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.api.deps import State
from assistant.api.schemas import HealthOut, ReadyOut
from assistant.errors import KenesError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    return HealthOut()


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def ready(state: State) -> JSONResponse:
    """200 once the live index is loaded and warm; 503 (same body) before that."""
    warm = state.warmup
    error = warm.error
    version = ""
    try:
        version = state.assistant.index_version()
    except KenesError as exc:
        error = exc.message
    body = ReadyOut(
        ready=warm.done.is_set() and bool(version),
        index_version=version,
        model=warm.model,
        llm_mode=state.container.settings.llm.mode,
        warming=not warm.done.is_set(),
        error=error,
        llm_queue=state.gate.stats(),
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
