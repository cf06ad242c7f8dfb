"""Issue 15, defect 8: every model call has a wall-clock bound. Past it the caller gets
`LLMUnavailable` at once (even while the model sits in one long uninterruptible step) and the
model stops generating; the model thread runs at a lower CPU priority."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from assistant.container import Container
from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatMessage
from assistant.llm.deadline import (
    FOREGROUND,
    Call,
    Foreground,
    ModelThread,
    deadline_after,
    in_thread,
    results,
)
from assistant.llm.factory import build_llm
from assistant.llm.fake import FakeLLM
from assistant.rag.answer import AnswerEngine
from assistant.rag.prompts import phrase
from assistant.settings import LLMSettings, Settings
from tests.conftest import make_settings
from tests.unit.rag import tiny_data as td


def test_the_caller_is_released_at_the_deadline_while_the_model_is_stuck() -> None:
    produced: list[int] = []
    release = threading.Event()

    def work(call: Call) -> None:
        release.wait(5)  # a long prefill: one C call no Python code can interrupt
        for i in range(100):
            if call.cancelled.is_set():
                return
            produced.append(i)
            call.put(f"{i} ")

    call = in_thread(Call(work), "test-model")
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="time limit") as err:
        list(results(call, deadline_after(0.3), "the model"))
    assert 0.25 < time.monotonic() - started < 1.0
    assert err.value.details == {"timeout": True}
    release.set()
    time.sleep(0.2)
    assert produced == []  # it saw the cancellation at its first token and stopped


def test_generation_stops_when_the_bound_passes_mid_answer() -> None:
    produced: list[int] = []

    def work(call: Call) -> None:
        for i in range(1000):
            if call.cancelled.is_set():
                return
            produced.append(i)
            call.put("x")
            time.sleep(0.01)

    got: list[str] = []
    with pytest.raises(LLMUnavailable):
        for delta in results(in_thread(Call(work), "test-model"), deadline_after(0.2), "the model"):
            got.append(delta)
    assert got  # part of the answer arrived before the bound
    time.sleep(0.1)
    stopped_at = len(produced)
    time.sleep(0.2)
    assert len(produced) == stopped_at < 1000


def test_model_thread_runs_calls_in_order_at_a_lower_priority() -> None:
    thread = ModelThread("test-model", nice=5)
    seen: list[tuple[str, int]] = []

    def work(name: str) -> Call:
        def run(call: Call) -> None:
            seen.append((name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
            call.put(name)

        return Call(run)

    base = os.getpriority(os.PRIO_PROCESS, 0)
    calls = [thread.submit(work(n)) for n in ("a", "b", "c")]
    assert ["".join(results(c, deadline_after(5), "m")) for c in calls] == ["a", "b", "c"]
    assert seen == [(n, min(19, base + 5)) for n in ("a", "b", "c")]


def test_a_call_whose_caller_gave_up_in_the_queue_never_runs() -> None:
    thread = ModelThread("test-model")
    gate = threading.Event()
    ran: list[str] = []

    def blocker(call: Call) -> None:
        gate.wait(5)

    thread.submit(Call(blocker))
    late = thread.submit(Call(lambda call: ran.append("late")))
    with pytest.raises(LLMUnavailable):
        list(results(late, deadline_after(0.1), "m"))
    gate.set()
    done = thread.submit(Call(lambda call: call.put("next")))
    assert list(results(done, deadline_after(5), "m")) == ["next"]
    assert ran == []


def test_fake_llm_is_bounded_like_the_real_ones() -> None:
    llm = FakeLLM(reply=" ".join(["слово"] * 40), delay_s=0.05, timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="time limit"):
        llm.complete([ChatMessage("user", "?")])
    assert time.monotonic() - started < 0.6
    assert llm.complete([ChatMessage("user", "?")], timeout_s=5).count("слово") == 40  # per call


def test_the_configured_bound_reaches_the_fake_backend(tmp_path: object) -> None:
    llm = build_llm(Settings(llm=LLMSettings(mode="fake", timeout_s=7.5)))
    assert isinstance(llm, FakeLLM) and llm.timeout_s == 7.5


# -- through the answer engine -------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    root = tmp_path_factory.mktemp("bounded")
    # the hand-written answerability rules: this test is about the model's bound, not ranking
    c = Container(make_settings(root / "data", embeddings={"mode": "hashing"}, retrieval={"learned": False}))
    c.assistant.ingest(td.write_acts(root), td.write_registry(root / "registry.csv"))
    yield c
    c.close()


def test_a_model_past_its_bound_gives_the_cited_extract(tiny: Container) -> None:
    slow = FakeLLM(reply=" ".join(["Срок"] * 200), delay_s=0.05, timeout_s=0.4)
    engine = AnswerEngine(tiny.routed_retriever, tiny.knowledge, slow, tiny.settings)
    started = time.monotonic()
    answer = engine.answer("В какой срок рассматривается заявление?")
    assert time.monotonic() - started < 3.0
    assert answer.notice == phrase("llm_down", "ru")
    assert answer.citations and answer.citations[0].citation == "tiny-act#st1"
    assert "пяти рабочих дней" in answer.answer


# -- registry answers and refusals before model work ---------------------------------------------
def test_the_model_pauses_between_tokens_while_foreground_answers_run() -> None:
    fg = Foreground()
    stop = threading.Event()
    produced: list[float] = []

    def model() -> None:
        for _ in range(20):
            fg.wait_idle(stop, poll_s=0.01)
            produced.append(time.monotonic())
            time.sleep(0.01)

    with fg.answering():
        worker = threading.Thread(target=model)
        worker.start()
        time.sleep(0.2)
        assert produced == []  # not one token while a registry answer is being worked out
        left = time.monotonic()
    worker.join(5)
    assert len(produced) == 20 and produced[0] >= left


def test_a_paused_model_still_stops_at_its_deadline() -> None:
    fg = Foreground()
    stop = threading.Event()
    with fg.answering():
        threading.Timer(0.1, stop.set).start()
        started = time.monotonic()
        fg.wait_idle(stop, poll_s=0.01)
        assert time.monotonic() - started < 1.0


def test_an_answer_that_waits_for_the_model_no_longer_holds_it_back() -> None:
    """Otherwise an LLM answer would pause the very model it waits for."""
    thread = ModelThread("test-model")
    before = FOREGROUND.busy()

    def work(call: Call) -> None:
        FOREGROUND.wait_idle(call.cancelled)
        call.put("ok")

    with FOREGROUND.answering():
        assert FOREGROUND.busy() == before + 1
        assert list(results(thread.submit(Call(work)), deadline_after(2), "m")) == ["ok"]
        assert FOREGROUND.busy() == before
    assert FOREGROUND.busy() == before


def test_waiting_for_a_gate_slot_leaves_the_foreground() -> None:
    from assistant.api.llm_gate import GatedLLM

    before = FOREGROUND.busy()
    gated = GatedLLM(FakeLLM(reply="да"), slots=1, wait_s=5)
    with FOREGROUND.answering():
        assert list(gated.stream([])) == ["да"]
        assert FOREGROUND.busy() == before


def test_nested_foreground_work_is_counted_once() -> None:
    fg = Foreground()
    with fg.answering(), fg.answering():
        assert fg.busy() == 1
    assert fg.busy() == 0
