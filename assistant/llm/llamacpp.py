"""The embedded default: a GGUF model run in-process by llama-cpp-python.

Prefix reuse: llama-cpp-python keeps the tokens of its last evaluation and, on the next
request, re-uses the KV cache for the longest common token prefix. Every request starts with
the same system prompt, so after `warmup()` a question only pays for its own tokens. Russian and
Kazakh questions have different prefixes, so a Kazakh question after a Russian one would
re-evaluate the whole Kazakh prefix (~450 tokens, ~3 s here); a small cache of saved states
(`llm.prompt_cache_mb`, see `prompt_cache.py`) keeps both warm.

Every call (load, warm-up, generation) runs on one model thread (a `Llama` is not thread-safe)
at a lower CPU priority, and is bounded by `llm.timeout_s` of wall-clock time, queueing
included: past it the caller gets `LLMUnavailable` and the generation stops (see `deadline.py`).

`llama_cpp` is imported lazily so this module (and `fake`/`openai` setups) work without it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, LLMUnavailable
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.deadline import FOREGROUND, Call, ModelThread, deadline_after, results, wait
from assistant.llm.model_files import PACKAGED_MODELS, prepare_model
from assistant.settings import Settings

log = logging.getLogger(__name__)

N_BATCH = 512
SEED = 42  # fixed so eval runs are reproducible at the configured (low) temperature
# Any short text: warmup only needs a conversation that shares the real requests' prefix.
_WARMUP_QUESTION = "?"
# Loading may first assemble the packaged GGUF (~0.5 GB); it gets at least this long.
LOAD_TIMEOUT_S = 600.0


class LlamaCppLLM(LLM):
    def __init__(self, settings: Settings, *, model_path: Path | None = None) -> None:
        """Cheap: the model is assembled/loaded on first use, `warmup()` or `load()`."""
        self._settings = settings
        self._cfg = settings.llm
        self._model_path = model_path
        explicit = model_path or self._cfg.model_path
        self.name = (
            Path(explicit).stem if explicit else Path(PACKAGED_MODELS[self._cfg.model_size].filename).stem
        )
        self._llama: Any = None
        self._thread = ModelThread("kenes-llm", nice=self._cfg.nice)
        self._current: Call | None = None  # the call on the model thread right now
        self._abort_cb: Any = None  # kept referenced: llama.cpp holds a pointer to it
        self.load_seconds: float | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model now (assembling the packaged GGUF first if needed)."""
        self._run(lambda: self._ensure_loaded(), "loading the local LLM", LOAD_TIMEOUT_S)

    def _run(self, work: Any, what: str, at_least_s: float = 0.0) -> None:
        call = self._thread.submit(Call(lambda _call: work()))
        wait(call, deadline_after(max(self._cfg.timeout_s, at_least_s)), what)

    def _ensure_loaded(self) -> Any:
        """On the model thread only."""
        if self._llama is not None:
            return self._llama
        # ggml's OpenMP workers spin-wait by default. On 2 cores shared with embeddings, the
        # API and other processes the spinning threads starve each other: measured here under
        # load ~4, generation ran 3-5 tok/s spinning vs 14-16 tok/s passive. libgomp reads this
        # once when llama_cpp loads it, so it must be set before the import; an explicit
        # setting by the admin wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMUnavailable(
                "llama-cpp-python is not installed; install it (see scripts/setup.sh) "
                "or set KENES_LLM__MODE=openai",
            ) from exc
        try:
            path = self._model_path or prepare_model(self._settings)
        except ConfigError as exc:
            raise LLMUnavailable(
                f"local LLM model is not available: {exc.message}", details=exc.details
            ) from exc
        if not path.is_file():
            raise LLMUnavailable(f"local LLM model file {path} does not exist")
        started = time.perf_counter()
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self._cfg.n_ctx,
                n_threads=self._cfg.n_threads,
                n_threads_batch=self._cfg.n_threads,
                n_batch=N_BATCH,
                flash_attn=self._cfg.flash_attn,
                seed=SEED,
                verbose=False,
                # None: use the GGUF's own chat template (Qwen's; it equals ChatML when a
                # system message is given and adds Qwen's default system prompt otherwise).
                chat_format=None,
            )
        except Exception as exc:  # llama_cpp raises ValueError/RuntimeError/OSError variously
            raise LLMUnavailable(f"cannot load local LLM model {path}: {exc}") from exc
        if self._cfg.prompt_cache_mb:
            from assistant.llm.prompt_cache import PromptStateCache

            self._llama.set_cache(
                PromptStateCache(self._cfg.prompt_cache_mb << 20, max_states=self._cfg.prompt_cache_states)
            )
        self._watch_decode()
        self.load_seconds = time.perf_counter() - started
        log.info("loaded %s in %.1fs (chat format %s)", path.name, self.load_seconds, self._llama.chat_format)
        return self._llama

    def _watch_decode(self) -> None:
        """ggml asks this between the steps of every evaluation, prefill included: a prompt of
        hundreds of tokens is one C call that would otherwise run to its end. Here it pauses
        while registry answers and refusals run, and stops once the call's time is up."""
        import llama_cpp

        def between_steps(_data: Any) -> bool:
            call = self._current
            if call is None:
                return False
            if FOREGROUND.busy():
                FOREGROUND.wait_idle(call.cancelled)
            return call.cancelled.is_set()  # True aborts this evaluation

        self._abort_cb = llama_cpp.ggml_abort_callback(between_steps)
        llama_cpp.llama_set_abort_callback(self._llama._ctx.ctx, self._abort_cb, None)

    def close(self) -> None:
        def release() -> None:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

        self._run(release, "closing the local LLM")

    # -- LLM protocol ----------------------------------------------------------------------

    def warmup(self, prefix_messages: Sequence[ChatMessage]) -> None:
        """Evaluate the fixed prefix once. We run a one-token completion of prefix + a dummy
        question through the normal chat path, so the cached tokens are exactly what real
        requests produce (same template, same tokenisation) whatever the chat format."""
        messages = [m.to_dict() for m in [*prefix_messages, ChatMessage("user", _WARMUP_QUESTION)]]

        def work() -> None:
            llama = self._ensure_loaded()
            try:
                llama.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0)
            except Exception as exc:
                raise LLMUnavailable(f"local LLM failed during warmup: {exc}") from exc

        self._run(work, "warming up the local LLM", LOAD_TIMEOUT_S)

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        # the bound starts now, so time spent queueing behind other requests counts
        budget_s = timeout_s if timeout_s is not None else self._cfg.timeout_s
        started = time.monotonic()
        work = partial(
            self._generate,
            [m.to_dict() for m in messages],
            max_tokens if max_tokens is not None else self._cfg.max_tokens,
            temperature if temperature is not None else self._cfg.temperature,
            stop,
        )
        return self._results(work, started, budget_s)

    def _results(self, work: Any, started: float, budget_s: float) -> Iterator[str]:
        # a generator, so a stream that is never iterated never reaches the model
        if self._llama is None:
            # the first call of a process loads the model (seconds to minutes on a busy machine)
            # under the load allowance; its own bound starts once the model is there
            self.load()
            started = time.monotonic()
        yield from results(self._thread.submit(Call(work)), started + budget_s, "the local LLM")

    def _generate(
        self,
        payload: list[dict[str, str]],
        max_tokens: int,
        temperature: float,
        stop: list[str] | None,
        call: Call,
    ) -> None:
        """On the model thread: stream deltas into `call` until done or cancelled."""
        llama = self._ensure_loaded()
        chunks: Any = None
        self._current = call
        try:
            FOREGROUND.wait_idle(call.cancelled)
            chunks = llama.create_chat_completion(
                messages=payload, max_tokens=max_tokens, temperature=temperature, stop=stop, stream=True
            )
            for chunk in chunks:
                if call.cancelled.is_set():  # the caller's time is up or it went away
                    break
                choices = chunk.get("choices") or []
                content = (choices[0].get("delta") or {}).get("content") if choices else None
                if content:
                    call.put(content)
                FOREGROUND.wait_idle(call.cancelled)  # registry answers and refusals first
        except LLMUnavailable:
            raise
        except ValueError as exc:
            # "Requested tokens (N) exceed context window of M": the prompt is too long.
            raise LLMUnavailable(f"local LLM rejected the request: {exc}") from exc
        except Exception as exc:
            raise LLMUnavailable(f"local LLM failed: {exc}") from exc
        finally:
            self._current = None
            # stop generating now, not when the garbage collector finds the generator
            if chunks is not None and hasattr(chunks, "close"):
                chunks.close()

    def healthy(self) -> bool:
        if self._llama is not None:
            return True
        try:
            self.load()
        except LLMUnavailable as exc:
            log.warning("local LLM unhealthy: %s", exc.message)
            return False
        return True
