from __future__ import annotations

from assistant.errors import ConfigError
from assistant.llm.base import LLM
from assistant.settings import Settings


def build_llm(settings: Settings) -> LLM:
    """The configured backend. Imports are lazy so `fake`/`openai` never load llama_cpp and
    the embedded backend never needs httpx."""
    mode = settings.llm.mode
    if mode == "llamacpp":
        from assistant.llm.llamacpp import LlamaCppLLM

        return LlamaCppLLM(settings)
    if mode == "openai":
        from assistant.llm.openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(settings)
    if mode == "fake":
        from assistant.llm.fake import FakeLLM

        return FakeLLM(timeout_s=settings.llm.timeout_s)
    raise ConfigError(f"unknown llm.mode {mode!r}; expected llamacpp, openai or fake")
