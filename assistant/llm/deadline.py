"""Wall-clock bounds for model calls, and the thread model work runs on.

A call runs on a worker thread and hands its text deltas over a queue; the caller waits for each
one only until the call's deadline. When the deadline passes the caller gets `LLMUnavailable`
at once (the answer engine then answers with the cited extract), and the worker stops
generating at its next token. Waiting on a queue, not on the model, is what makes the bound hold
even while the model is inside one long C call (prefilling a prompt), which no Python code can
interrupt.

`ModelThread` runs every call of one in-process model in order (a llama.cpp context is not
thread-safe) at a lower CPU priority, so on a small machine model work never takes the cores
from registry answers and health checks; the OpenMP threads ggml starts from it inherit that
priority. `FOREGROUND` goes one step further: while any answer is being worked out before it
needs the model (all of a registry answer or a refusal), the model pauses between tokens —
a nice value does not stop a model from filling the caches and the memory bus those answers
need. A paused call still runs against its own deadline.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from assistant.errors import LLMUnavailable

log = logging.getLogger(__name__)

_END = object()


class Call:
    """One model call: the worker puts deltas (and finally `_END` or an exception) in `items`;
    `cancelled` tells it to stop generating."""

    def __init__(self, work: Callable[[Call], None]) -> None:
        self.work = work
        self.items: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.cancelled = threading.Event()

    def put(self, item: object) -> None:
        self.items.put(item)

    def run(self) -> None:
        try:
            if not self.cancelled.is_set():  # its caller gave up while it queued
                self.work(self)
        except BaseException as exc:  # handed to the caller, which raises it
            self.items.put(exc)
        finally:
            self.items.put(_END)


class Foreground:
    """Counts threads doing work that must not wait behind the model. A thread enters with
    `answering()` and leaves when it is done or starts waiting for a model itself (`results`)."""

    def __init__(self) -> None:
        self._count = 0
        self._cond = threading.Condition()
        self._local = threading.local()

    @contextmanager
    def answering(self) -> Iterator[None]:
        if getattr(self._local, "active", False):  # nested: counted once, left once
            yield
            return
        with self._cond:
            self._count += 1
        self._local.active = True
        try:
            yield
        finally:
            self.leave()

    def leave(self) -> None:
        """The calling thread no longer counts (no-op if it never entered or already left)."""
        if not getattr(self._local, "active", False):
            return
        self._local.active = False
        with self._cond:
            self._count -= 1
            if self._count == 0:
                self._cond.notify_all()

    def busy(self) -> int:
        return self._count

    def wait_idle(self, stop: threading.Event, poll_s: float = 0.05) -> None:
        """Block while foreground work runs, or until `stop` is set (the call's time is up)."""
        with self._cond:
            while self._count and not stop.is_set():
                self._cond.wait(poll_s)


FOREGROUND = Foreground()


def results(call: Call, deadline: float, what: str) -> Iterator[str]:
    """The call's deltas as they come, raising `LLMUnavailable` once `deadline` (a
    `time.monotonic()` value) passes; a caller that stops early cancels the call too."""
    FOREGROUND.leave()  # this thread now waits for a model: the model must not wait for it
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMUnavailable(f"{what} exceeded its time limit", details={"timeout": True})
            try:
                item = call.items.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, str)
            yield item
    finally:
        call.cancelled.set()


def wait(call: Call, deadline: float, what: str) -> None:
    """Run a call that yields nothing (load, warm-up) to its end or its deadline."""
    for _ in results(call, deadline, what):
        pass


def deadline_after(timeout_s: float) -> float:
    return time.monotonic() + timeout_s


def in_thread(call: Call, name: str) -> Call:
    """Run `call` on a thread of its own (backends that can serve calls in parallel)."""
    threading.Thread(target=call.run, name=name, daemon=True).start()
    return call


class ModelThread:
    """One daemon thread that runs submitted calls in order, at CPU priority `nice`."""

    def __init__(self, name: str, nice: int = 0) -> None:
        self._name = name
        self._nice = nice
        self._calls: queue.SimpleQueue[Call] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, call: Call) -> Call:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
        self._calls.put(call)
        return call

    def _loop(self) -> None:
        lower_priority(self._nice)
        while True:
            self._calls.get().run()


def lower_priority(nice: int) -> None:
    """Raise the calling thread's nice value by `nice` (Linux: priorities are per thread, and
    threads it starts inherit them). Never fatal: an unprivileged raise always works, anything
    else just leaves the priority as it is."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError as exc:
        log.warning("could not lower the model thread's CPU priority: %s", exc)
