"""Background jobs of the admin API (re-index): one at a time, in a worker thread, with
progress that clients poll. A failed job leaves the live index untouched (the pipeline only
switches the alias after a complete, checked build)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from assistant.api.errors import Conflict
from assistant.errors import KenesError, NotFound

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "done", "failed"]
Progress = Callable[[str, float], None]
Work = Callable[[Progress], dict[str, Any]]

MSG_BUSY = (
    "Переиндексация уже идёт — дождитесь её завершения. / Қайта индекстеу жүріп жатыр — аяқталуын күтіңіз."
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    kind: str
    state: JobState = "queued"
    progress: float = 0.0
    stage: str = "queued"
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created: str = field(default_factory=_now)
    finished: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class JobRunner:
    def __init__(self, *, keep: int = 50) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def busy(self) -> bool:
        with self._lock:
            return any(j.state in ("queued", "running") for j in self._jobs.values())

    def ensure_idle(self) -> None:
        if self.busy():
            raise Conflict(MSG_BUSY)

    def submit(self, kind: str, work: Work, *, cleanup: Callable[[], None] | None = None) -> Job:
        """Start `work(progress)` in a thread; its return value becomes the job's report."""
        with self._lock:
            if any(j.state in ("queued", "running") for j in self._jobs.values()):
                raise Conflict(MSG_BUSY)
            job = Job(id=uuid.uuid4().hex, kind=kind)
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
            self._thread = threading.Thread(
                target=self._run, args=(job, work, cleanup), name=f"kenes-job-{job.id[:8]}", daemon=True
            )
            self._thread.start()
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound(f"Unknown job: {job_id}")
            return Job(**job.to_dict())  # a snapshot, never half-updated

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _update(self, job: Job, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(job, key, value)

    def _run(self, job: Job, work: Work, cleanup: Callable[[], None] | None) -> None:
        self._update(job, state="running", stage="starting")

        def progress(stage: str, fraction: float) -> None:
            self._update(job, stage=stage, progress=round(max(job.progress, min(1.0, fraction)), 3))

        try:
            report = work(progress)
        except KenesError as exc:
            log.warning("job %s failed: %s", job.id, exc.message)
            error = {"code": exc.code, "message": exc.message, "details": exc.details}
            self._update(job, state="failed", stage="failed", finished=_now(), error=error)
        except Exception as exc:
            log.exception("job %s crashed", job.id)
            error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "details": {}}
            self._update(job, state="failed", stage="failed", finished=_now(), error=error)
        else:
            self._update(job, state="done", stage="done", progress=1.0, report=report, finished=_now())
        finally:
            if cleanup is not None:
                try:
                    cleanup()
                except OSError:
                    log.warning("job %s: could not remove its upload", job.id)
