"""Pick the generator from one setting (after txtai's LLM factory)."""

from __future__ import annotations

from pathlib import Path

from assistant.llm.base import ChatModel
from assistant.llm.errors import LLMUnavailable
from assistant.llm.fake import FakeChatModel
from assistant.llm.llamacpp_backend import LlamaCppChatModel
from assistant.llm.models import DEFAULT_MODEL, resolve_gguf
from assistant.llm.openai_backend import OpenAIChatModel
from assistant.settings import LLMSettings, default_data_dir

BACKENDS = ("auto", "openai", "llamacpp", "fake")


def backend_name(settings: LLMSettings) -> str:
    """`auto` means the HTTP backend when a server URL is configured, else the embedded model."""
    choice = (settings.backend or "auto").strip().lower()
    if choice not in BACKENDS:
        raise LLMUnavailable(f"Unknown LLM backend {settings.backend!r}: use one of {', '.join(BACKENDS)}")
    if choice == "auto":
        return "openai" if settings.base_url else "llamacpp"
    return choice


def make_chat_model(settings: LLMSettings, data_dir: Path | None = None) -> ChatModel:
    """Build (not load) the configured backend. Local models are assembled/verified here, loaded lazily."""
    kind = backend_name(settings)
    if kind == "fake":
        return FakeChatModel()
    if kind == "openai":
        if not settings.base_url:
            raise LLMUnavailable("backend=openai needs a server URL: set SHOPASSIST_LLM__BASE_URL")
        return OpenAIChatModel(
            settings.base_url,
            api_key=settings.api_key.get_secret_value(),
            model=settings.model,
            timeout_s=settings.timeout_s,
            max_retries=settings.max_retries,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            n_ctx=settings.n_ctx,
        )
    # `gguf_path` may be a file or a bundled model name; `model` also names a bundled model.
    which = settings.gguf_path or settings.model or DEFAULT_MODEL
    path = resolve_gguf(which, (data_dir or default_data_dir()) / "models")
    return LlamaCppChatModel(
        path,
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
