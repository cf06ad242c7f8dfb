"""Re-indexing from the admin API: uploaded files are saved, validated synchronously (a bad
file is refused with its line-by-line problems before anything runs), then indexed by a
background job. The live index is only switched by the pipeline after a complete build."""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from assistant.api.jobs import Job, Progress
from assistant.api.state import ApiState
from assistant.api.uploads import (
    UPLOAD_PREFIX,
    UPLOADS_DIR,
    parse_multipart,
    read_body,
    save,
    to_upload,
    validate_isolated,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from assistant.facade import Assistant


async def start_ingest(state: ApiState, content_type: str, body_stream: AsyncIterator[bytes]) -> Job:
    state.jobs.ensure_idle()  # refuse early, before reading a large upload
    upload = to_upload(parse_multipart(await read_body(body_stream), content_type))
    uploads_dir = state.container.settings.data_dir / UPLOADS_DIR
    uploads_dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=uploads_dir))
    try:
        acts, registry = save(upload, root)
        await run_in_threadpool(validate_isolated, acts, registry)  # a bomb costs the child only
        work = partial(run_ingest, state.assistant, acts, registry, upload.incremental)
        return state.jobs.submit("ingest", work, cleanup=partial(shutil.rmtree, root, ignore_errors=True))
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def run_ingest(
    assistant: Assistant, acts: Path | None, registry: Path | None, incremental: bool, progress: Progress
) -> dict[str, Any]:
    from ingest.changes import summary

    progress("indexing", 0.05)

    def on_progress(stage: str, fraction: float) -> None:
        progress(stage, 0.05 + 0.85 * fraction if stage == "embedding" else 0.95)

    update = assistant.ingest_incremental if incremental else assistant.ingest
    report = update(acts, registry, on_progress)
    progress("preparing", 0.97)
    assistant.prepare(report.collection)  # the first questions on the new index stay fast
    return {
        "version": report.version,
        "collection": report.collection,
        "incremental": incremental,
        "counts": report.counts,
        "embedded": report.embedded,
        "seconds": round(report.seconds, 2),
        "summary": summary(report.changes) if report.changes else {},
        "changes": report.changes,
    }
