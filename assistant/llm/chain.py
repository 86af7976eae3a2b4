"""Build the generator from the settings: the backend, then the middleware chain, in this one place.

    privacy mask -> circuit breaker -> deadlines -> backend

The mask is outermost so nothing reaches a backend (or a log of one) unmasked; the breaker sits
before the deadlines so a model that is down or failing is skipped at once instead of costing
every turn a timeout; the deadlines turn a slow or hung model into a failure the breaker counts.
Backends (after txtai's factory, one config string picks one):

- `openai`: any OpenAI-compatible server (vLLM in production) at `llm.base_url`;
- `llamacpp`: the bundled GGUF in a supervised `llama-server` process (the default without a URL);
- `fake`: no model; answers are the grounded templates.
"""

from __future__ import annotations

from pathlib import Path

from assistant.llm.base import ChatModel
from assistant.llm.breaker import BreakerPolicy, CircuitBreaker
from assistant.llm.deadline import DeadlineMiddleware, Deadlines
from assistant.llm.errors import LLMUnavailable
from assistant.llm.llama_server import EmbeddedChatModel, LlamaServerProcess, ServerOptions
from assistant.llm.masking import MaskingMiddleware
from assistant.llm.models import DEFAULT_MODEL, resolve_gguf
from assistant.llm.openai_backend import OpenAIChatModel
from assistant.settings import LLMSettings

BACKENDS = ("auto", "openai", "llamacpp", "fake")


def backend_name(settings: LLMSettings) -> str:
    """`auto` means the HTTP backend when a server URL is configured, else the embedded model."""
    choice = (settings.backend or "auto").strip().lower()
    if choice not in BACKENDS:
        raise LLMUnavailable(f"Unknown LLM backend {settings.backend!r}: use one of {', '.join(BACKENDS)}")
    if choice == "auto":
        return "openai" if settings.base_url else "llamacpp"
    return choice


def embedded_model_name(settings: LLMSettings) -> str:
    return settings.gguf_path or settings.model or DEFAULT_MODEL


def make_backend(settings: LLMSettings, data_dir: Path) -> ChatModel | None:
    """The configured backend, not started (None for `fake`). Never blocks on a model."""
    kind = backend_name(settings)
    if kind == "fake":
        return None
    if kind == "openai":
        if not settings.base_url:
            raise LLMUnavailable("backend=openai needs a server URL: set SHOPASSIST_LLM__BASE_URL")
        return OpenAIChatModel(
            settings.base_url, api_key=settings.api_key.get_secret_value(), model=settings.model,
            timeout_s=settings.timeout_s, max_retries=settings.max_retries, max_tokens=settings.max_tokens,
            temperature=settings.temperature, n_ctx=settings.n_ctx,
        )
    which = embedded_model_name(settings)
    models_dir = data_dir / "models"
    process = LlamaServerProcess(
        lambda: resolve_gguf(which, models_dir),  # joining the chunks happens in the watcher, not here
        binary=Path(settings.server_binary).expanduser() if settings.server_binary else None,
        options=ServerOptions(slots=settings.slots, ctx_per_slot=settings.n_ctx, threads=settings.n_threads),
        log_path=data_dir / "logs" / "llama-server.log",
        alias=Path(which).stem if which.endswith(".gguf") else which,
    )
    return EmbeddedChatModel(process, max_tokens=settings.max_tokens, temperature=settings.temperature,
                             timeout_s=settings.timeout_s)


def build_chain(backend: ChatModel, settings: LLMSettings | None = None) -> ChatModel:
    """`backend` behind the mask, the circuit breaker and the deadlines."""
    s = settings or LLMSettings()
    deadlines = Deadlines(first_token_s=min(s.first_token_s, s.timeout_s), idle_s=s.idle_s, total_s=s.timeout_s)
    breaker = BreakerPolicy(failures_to_open=s.breaker_failures, backoff_s=s.breaker_backoff_s)
    return MaskingMiddleware(CircuitBreaker(DeadlineMiddleware(backend, deadlines), breaker))


def build_chat_model(settings: LLMSettings, data_dir: Path) -> ChatModel | None:
    """The whole generator for the app: started (loading in the background) and wrapped; None for `fake`."""
    backend = make_backend(settings, data_dir)
    if backend is None:
        return None
    model = build_chain(backend, settings)
    model.warm_up()
    return model


def ready_backend(settings: LLMSettings, data_dir: Path, timeout_s: float = 300.0) -> ChatModel:
    """The bare backend, started and answering (benchmarks and `doctor` measure the model itself)."""
    backend = make_backend(settings, data_dir)
    if backend is None:
        raise LLMUnavailable("the LLM backend is 'fake': there is no model to measure")
    backend.warm_up()
    if not backend.wait_ready(timeout_s):
        status = backend.status()
        backend.close()
        raise LLMUnavailable(f"the language model did not become ready in {timeout_s:.0f} s: {status.detail}")
    return backend
