"""The real packaged model through llama-cpp-python (slow: loads a 0.5B GGUF on CPU)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatMessage
from assistant.llm.llamacpp import LlamaCppLLM
from assistant.settings import LLMSettings, Settings

pytestmark = pytest.mark.e2e

SYSTEM = ChatMessage(
    "system",
    "Ты — помощник для государственных служащих. Отвечай кратко, по-русски, только по источникам.",
)


def model_data_dir() -> Path:
    # Outside tmp so the ~0.5 GB assembly happens once per machine, not once per run;
    # the .sha256 marker makes later runs instant.
    return Path(os.environ.get("KENES_DATA_DIR") or Path.home() / ".cache" / "kenes" / "test-data")


@pytest.fixture(scope="module")
def llm() -> Iterator[LlamaCppLLM]:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")
    settings = Settings(data_dir=model_data_dir(), llm=LLMSettings(n_ctx=2048, n_threads=2, max_tokens=48))
    model = LlamaCppLLM(settings)
    model.load()
    yield model
    model.close()


def test_streams_a_non_empty_russian_answer(llm: LlamaCppLLM) -> None:
    deltas = list(
        llm.stream(
            [SYSTEM, ChatMessage("user", "Как называется столица Казахстана? Ответь одним предложением.")],
            max_tokens=32,
            temperature=0.0,
        )
    )
    text = "".join(deltas)
    assert text.strip(), "the model produced no text"
    assert len(deltas) > 1, "expected a streamed answer in several deltas"
    assert "<|im_end|>" not in text and "<|im_start|>" not in text


def test_the_fused_attention_setting_reaches_the_model(llm: LlamaCppLLM) -> None:
    # on by default: it is what makes the first token ≈14 % sooner (docs/benchmarks.md)
    assert llm._llama.context_params.flash_attn_type == 1  # LLAMA_FLASH_ATTN_TYPE_ENABLED
    off = LlamaCppLLM(
        Settings(data_dir=model_data_dir(), llm=LLMSettings(n_ctx=512, n_threads=2, flash_attn=False))
    )
    off.load()
    try:
        assert off._llama.context_params.flash_attn_type == 0
    finally:
        off.close()


def test_warmup_caches_the_system_prefix(llm: LlamaCppLLM) -> None:
    llm.warmup([SYSTEM])
    llama = llm._llama
    system_tokens = llama.tokenize(SYSTEM.content.encode("utf-8"), add_bos=False, special=False)
    cached = list(llama._input_ids)
    assert llama.n_tokens >= len(system_tokens)
    # The system text sits verbatim near the start of the evaluated tokens (after the template
    # header), so the next request can reuse it.
    assert any(cached[i : i + len(system_tokens)] == system_tokens for i in range(8))

    answer = llm.complete([SYSTEM, ChatMessage("user", "Скажи «да».")], max_tokens=8, temperature=0.0)
    assert answer.strip()


def test_both_language_prefixes_stay_warm(llm: LlamaCppLLM) -> None:
    from assistant.rag.prompts import prefix_messages

    llm.warmup(prefix_messages("kk"))
    llm.warmup(prefix_messages("ru"))
    llama = llm._llama
    assert llama.cache is not None
    kk_tokens = llama.tokenize(prefix_messages("kk")[0].content.encode("utf-8"), add_bos=False, special=False)
    # after a Russian request the Kazakh prefix is no longer in the live context…
    assert not any(list(llama._input_ids)[i : i + len(kk_tokens)] == kk_tokens for i in range(8))
    # …but a saved state holds it, so a Kazakh question resumes from there
    assert any(
        any(list(key)[i : i + len(kk_tokens)] == kk_tokens for i in range(8))
        for key in llama.cache.cache_state
    )


def test_concurrent_requests_are_serialised(llm: LlamaCppLLM) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def ask(question: str) -> None:
        try:
            results.append(llm.complete([SYSTEM, ChatMessage("user", question)], max_tokens=8))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(q,)) for q in ("Что такое закон?", "Что такое суд?")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(results) == 2 and all(r.strip() for r in results)


def test_abandoned_stream_releases_the_model(llm: LlamaCppLLM) -> None:
    stream = llm.stream([SYSTEM, ChatMessage("user", "Перечисли десять городов.")], max_tokens=64)
    next(iter(stream))
    stream.close()  # type: ignore[attr-defined]
    assert llm.complete([SYSTEM, ChatMessage("user", "Скажи «да».")], max_tokens=4).strip()


def test_missing_model_file_is_unavailable(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")
    settings = Settings(data_dir=tmp_path, llm=LLMSettings(model_path=tmp_path / "absent.gguf"))
    broken = LlamaCppLLM(settings)
    assert not broken.healthy()
    with pytest.raises(LLMUnavailable, match=r"absent\.gguf"):
        broken.complete([ChatMessage("user", "?")])


def test_corrupt_model_file_is_unavailable(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all")
    broken = LlamaCppLLM(Settings(data_dir=tmp_path, llm=LLMSettings(model_path=bad)))
    with pytest.raises(LLMUnavailable, match="cannot load"):
        broken.load()


# -- issue 15, defect 8: bounded calls, bounded memory ---------------------------------------------
def test_a_call_past_its_bound_stops_and_raises(llm: LlamaCppLLM) -> None:
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="time limit"):
        llm.complete(
            [SYSTEM, ChatMessage("user", "Перечисли сто городов мира через запятую.")],
            max_tokens=400,
            timeout_s=1.0,
        )
    assert time.monotonic() - started < 2.0
    # the model stopped generating: the next call gets the model at once
    answer = llm.complete([SYSTEM, ChatMessage("user", "Скажи «да».")], max_tokens=4, timeout_s=120)
    assert answer.strip()


def test_the_configured_bound_applies_to_every_call(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=model_data_dir(), llm=LLMSettings(n_ctx=2048, n_threads=2, max_tokens=400, timeout_s=1.0)
    )
    bounded = LlamaCppLLM(settings)
    bounded.load()  # loading has its own, longer allowance
    try:
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match="time limit"):
            bounded.complete([SYSTEM, ChatMessage("user", "Перечисли сто городов мира через запятую.")])
        assert time.monotonic() - started < 2.0
    finally:
        bounded.close()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_saved_prompt_states_do_not_grow_memory(llm: LlamaCppLLM) -> None:
    """llama-cpp-python saves a state after every completion with a copy of the logits buffer
    (n_tokens × 151,936 floats) that its RAM cache never counted: +300 MB per law question."""
    filler = " ".join(f"Статья {i} закона устанавливает порядок рассмотрения обращений." for i in range(20))
    readings = []
    for i in range(8):
        question = f"Вопрос {i}: {filler} Что сказано в статье {i}?"
        llm.complete([SYSTEM, ChatMessage("user", question)], max_tokens=2, timeout_s=300)
        readings.append(_rss_mb())
    cache = llm._llama.cache
    assert len(cache.cache_state) <= llm._cfg.prompt_cache_states
    assert all(state.scores.shape[0] == 1 for state in cache.cache_state.values())
    assert readings[-1] - readings[2] < 150, readings


def test_a_call_past_its_bound_aborts_a_long_prefill(llm: LlamaCppLLM) -> None:
    """A prompt of ~1,600 tokens is one C call of several seconds; ggml's abort callback ends it
    when the call's time is up instead of finishing a prefill nobody waits for."""
    filler = " ".join(f"Пункт {i}: заявление рассматривается в срок." for i in range(110))
    with pytest.raises(LLMUnavailable, match="time limit"):
        llm.complete([SYSTEM, ChatMessage("user", filler)], max_tokens=8, timeout_s=0.5)
    started = time.monotonic()
    while llm._current is not None and time.monotonic() - started < 30:
        time.sleep(0.05)
    assert llm._current is None
    assert time.monotonic() - started < 3.0  # the whole prefill alone takes longer here
    assert llm.complete([SYSTEM, ChatMessage("user", "Скажи «да».")], max_tokens=4, timeout_s=120).strip()
