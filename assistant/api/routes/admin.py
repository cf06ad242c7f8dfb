"""Index administration (admin role only): versions, rollback, upload + re-index, job status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from assistant.api.deps import Admin, State
from assistant.api.reindex import start_ingest
from assistant.api.schemas import JobOut, JobStarted, RollbackRequest

router = APIRouter(prefix="/api/admin", tags=["admin"])

_FILE = {"type": "string", "format": "binary"}
_UPLOAD_FIELDS = {
    "registry": {**_FILE, "description": ".csv, .xlsx or .jsonl"},
    "acts": {
        "type": "array",
        "items": _FILE,
        "description": "one act file, or '<slug>/rus.md', '<slug>/meta.yaml'…",
    },
    "incremental": {"type": "boolean", "default": True},
}
_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {"type": "object", "properties": _UPLOAD_FIELDS}}},
    }
}


@router.get("/index")
def index(admin: Admin, state: State) -> dict[str, Any]:
    live = state.assistant.index_version()
    versions = [{**v.model_dump(), "live": v.collection == live} for v in state.assistant.versions()]
    return {"live": live, "versions": versions}


@router.post("/index/rollback")
def rollback(admin: Admin, state: State, body: RollbackRequest | None = None) -> dict[str, Any]:
    state.jobs.ensure_idle()
    info = state.assistant.rollback(body.version if body else None)
    return {"live": info.collection, "version": info.version, "created": info.created}


@router.post("/ingest", response_model=JobStarted, status_code=202, openapi_extra=_UPLOAD_DOC)
async def ingest(request: Request, admin: Admin, state: State) -> JobStarted:
    """Validates the files first (422 with every problem, nothing changed), then re-indexes in
    the background; poll `/api/admin/jobs/{job_id}`. One job at a time (409)."""
    job = await start_ingest(state, request.headers.get("content-type", ""), request.stream())
    return JobStarted(job_id=job.id)


@router.get("/jobs/{job_id}", response_model=JobOut)
async def job(job_id: str, admin: Admin, state: State) -> JobOut:
    return JobOut(**state.jobs.get(job_id).to_dict())
