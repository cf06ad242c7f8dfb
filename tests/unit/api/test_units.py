"""Small API parts: multipart reading, upload layout, conversations, jobs, the LLM gate."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import cast

import pytest

from assistant.api.conversations import Conversations
from assistant.api.errors import Conflict
from assistant.api.jobs import JobRunner
from assistant.api.llm_gate import GatedLLM, LLMGate
from assistant.api.uploads import FormPart, Upload, parse_multipart, save, to_upload
from assistant.errors import LLMUnavailable, ValidationProblem
from assistant.llm.base import ChatMessage
from assistant.llm.fake import FakeLLM


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "XyZ") -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_multipart_keeps_binary_and_unicode_names() -> None:
    blob = bytes(range(256)) * 4 + b"\r\n--Xy\r\n"
    body = _multipart([("registry", "реестр.xlsx", blob), ("incremental", None, b"false")])
    parts = parse_multipart(body, 'multipart/form-data; boundary="XyZ"')
    assert [(p.name, p.filename) for p in parts] == [("registry", "реестр.xlsx"), ("incremental", None)]
    assert parts[0].data == blob
    upload = to_upload(parts)
    assert upload.registry is parts[0] and upload.incremental is False


def test_multipart_rejects_other_content_types() -> None:
    with pytest.raises(ValidationProblem):
        parse_multipart(b"{}", "application/json")


def test_upload_layout(tmp_path: Path) -> None:
    one = Upload(acts=[FormPart("acts", b"text", "Закон о чём-то.docx")])
    acts, registry = save(one, tmp_path / "a")
    assert registry is None and acts is not None and acts.is_file() and acts.name == "Закон_о_чём-то.docx"
    folders = Upload(acts=[FormPart("acts", b"m", "slug/meta.yaml"), FormPart("acts", b"r", "slug/rus.md")])
    acts, _ = save(folders, tmp_path / "b")
    assert acts is not None and sorted(p.name for p in (acts / "slug").iterdir()) == ["meta.yaml", "rus.md"]
    assert (acts / "slug" / "meta.yaml").read_bytes() == b"m" and (
        acts / "slug" / "rus.md"
    ).read_bytes() == b"r"
    with pytest.raises(ValidationProblem):
        save(Upload(acts=[FormPart("acts", b"", "a.md"), FormPart("acts", b"", "b.md")]), tmp_path / "c")
    with pytest.raises(ValidationProblem):
        save(Upload(acts=[FormPart("acts", b"", "../../etc/passwd")]), tmp_path / "d")


def test_conversations_keep_last_turns_and_drop_oldest() -> None:
    conv = Conversations(max_conversations=2, max_turns=2)
    for q in ("1", "2", "3"):
        conv.add("a", q)
    assert conv.history("a") == ["2", "3"]
    conv.add("b", "x")
    conv.history("a")  # touch: "b" is now the least recently used
    conv.add("c", "y")
    assert conv.history("b") == [] and conv.history("a") == ["2", "3"] and len(conv) == 2


def test_job_runner_states_and_conflict() -> None:
    runner = JobRunner()
    gate = threading.Event()

    def work(progress: object) -> dict[str, int]:
        progress("embedding", 0.5)  # type: ignore[operator]
        gate.wait(5)
        return {"n": 1}

    job = runner.submit("ingest", work)
    with pytest.raises(Conflict):
        runner.submit("ingest", work)
    gate.set()
    runner.join(5)
    done = runner.get(job.id)
    assert (done.state, done.progress, done.report) == ("done", 1.0, {"n": 1})

    def broken(progress: object) -> dict[str, int]:
        raise ValidationProblem("bad", ["x:1: y"])

    failed = runner.submit("ingest", broken)
    runner.join(5)
    snapshot = runner.get(failed.id)
    assert (
        snapshot.state == "failed"
        and snapshot.error is not None
        and snapshot.error["code"] == "invalid_input"
    )


class SlowLLM(FakeLLM):
    def __init__(self) -> None:
        super().__init__(reply="а б в", delay_s=0.05)
        self.active = 0
        self.peak = 0
        self._guard = threading.Lock()

    def stream(self, messages: Sequence[ChatMessage], **kwargs: object) -> Iterator[str]:
        with self._guard:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield from super().stream(messages)
        finally:
            with self._guard:
                self.active -= 1


def test_gated_llm_serialises_generations() -> None:
    inner = SlowLLM()
    gated = GatedLLM(inner, slots=1, wait_s=5)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(gated.complete([]))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == ["а б в"] * 3 and inner.peak == 1 and gated.running == 0


def test_gated_llm_times_out_into_llm_unavailable() -> None:
    gated = GatedLLM(FakeLLM(reply="а б", delay_s=0.3), slots=1, wait_s=5)
    first = cast(Generator[str, None, None], gated.stream([]))
    next(first)  # holds the only slot
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable):
        list(gated.stream([], timeout_s=0.05))
    assert time.perf_counter() - started < 1
    first.close()  # an abandoned stream gives its slot back
    assert list(gated.stream([])) == ["а ", "б"]
    assert gated.running == 0


def test_gated_llm_budget_covers_queueing_and_the_call() -> None:
    """Issue 15, defect 8: one wall-clock bound per LLM answer, however long it queued."""
    slow = FakeLLM(reply=" ".join(["слово"] * 50), delay_s=0.1)
    gated = GatedLLM(slow, slots=1, wait_s=0.6)
    first = cast(Generator[str, None, None], gated.stream([]))
    next(first)
    waiter = threading.Thread(target=lambda: (time.sleep(0.3), first.close()))
    waiter.start()
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable, match="time limit"):
        list(gated.stream([]))  # queues ~0.3 s, then has ~0.3 s left for a 5 s answer
    waiter.join()
    assert 0.5 < time.perf_counter() - started < 1.0
    assert gated.running == 0


def test_gate_installs_and_uninstalls() -> None:
    class Engine:
        llm: object = FakeLLM()

    engine = Engine()
    original = engine.llm
    gate = LLMGate(1, 1.0)
    gate.install(engine)
    gate.install(engine)
    assert isinstance(engine.llm, GatedLLM) and engine.llm.inner is original
    gate.uninstall()
    assert engine.llm is original
