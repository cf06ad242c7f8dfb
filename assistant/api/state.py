"""Everything the API keeps for its lifetime, built by `create_app` and stored on
`app.state.kenes`; routes reach it through `deps.get_state`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.api.conversations import Conversations
from assistant.api.jobs import JobRunner
from assistant.api.llm_gate import LLMGate
from assistant.db.session import Database
from assistant.errors import KenesError
from assistant.ratelimit import RateLimiter

if TYPE_CHECKING:
    from assistant.container import Container
    from assistant.facade import Assistant

log = logging.getLogger(__name__)


@dataclass
class Warmup:
    """Loads the answer knowledge of the live index (and the LLM) off the request path."""

    done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)  # the server is shutting down
    model: str = ""
    error: str = ""
    thread: threading.Thread | None = None

    def start(self, state: ApiState) -> None:
        self.thread = threading.Thread(target=self._run, args=(state,), name="kenes-warmup", daemon=True)
        self.thread.start()

    def _run(self, state: ApiState) -> None:
        try:
            c = state.container
            live = c.assistant.index_version()
            c.assistant.prepare(live, keep_going=lambda: not self.stop.is_set())
            engine = c.answer_engine
            state.gate.install(engine)
            if engine.llm is not None:
                self.model = engine.llm.name
                try:
                    engine.warmup()
                except KenesError as exc:  # the answers degrade to extracts; readiness does not
                    log.warning("LLM warm-up failed: %s", exc.message)
            if live:
                c.assistant.search("прогрев", top_k=1)  # loads the embedding model
        except KenesError as exc:
            self.error = exc.message
            log.warning("warm-up failed: %s", exc.message)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("warm-up crashed")
        finally:
            self.done.set()


@dataclass
class ApiState:
    container: Container
    db: Database
    limiter: RateLimiter
    conversations: Conversations
    gate: LLMGate
    jobs: JobRunner
    warmup: Warmup = field(default_factory=Warmup)

    @property
    def assistant(self) -> Assistant:
        return self.container.assistant

    @classmethod
    def build(cls, container: Container) -> ApiState:
        api = container.settings.api
        return cls(
            container=container,
            db=Database.from_settings(container.settings),
            limiter=RateLimiter(api.rate_limit_per_minute),
            conversations=Conversations(),
            gate=LLMGate(api.max_llm_concurrency, wait_s=container.settings.llm.timeout_s),
            jobs=JobRunner(),
        )
