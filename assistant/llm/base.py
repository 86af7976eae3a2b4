"""The `ChatModel` seam every generator backend implements, and the middleware base.

Messages are plain OpenAI-style dicts (`{"role": "system"|"user"|"assistant", "content": str}`).
A backend implements one method, `_stream(messages, options)`, that yields text pieces;
`stream` and `complete` are built on it here, once. What a call may ask for travels in one
`GenerationOptions` value, so adding an option never touches every backend.

Middleware (privacy masking, the circuit breaker, deadlines) are `ChatModel`s that wrap
another one; `assistant.llm.chain.build_chain` assembles them in one place.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.llm.errors import LLMBadResponse

Message = dict[str, str]
"""`{"role": "system" | "user" | "assistant", "content": str}`"""


@dataclass(frozen=True)
class GenerationOptions:
    """What one call asks of the model; `None` means the backend's configured default."""

    max_tokens: int | None = None
    temperature: float | None = None
    stop: tuple[str, ...] = ()
    schema: dict[str, Any] | None = field(default=None, compare=False)
    """A JSON schema the answer must satisfy (enforced by backends whose `supports_schema` is true)."""


@dataclass(frozen=True)
class ModelStatus:
    """What `/readyz` and the console show about the generator."""

    backend: str
    state: str  # ready | loading | restarting | down | circuit_open | off
    detail: str = ""
    restarts: int = 0
    consecutive_failures: int = 0
    retry_in_s: float | None = None

    @property
    def usable(self) -> bool:
        return self.state == "ready"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ChatModel(ABC):
    """A text generator. Raises `LLMError` subclasses; callers fall back to templates on any of them."""

    name: str = "model"

    @property
    def can_stream(self) -> bool:
        """Pieces arrive while the model is still generating."""
        return True

    @property
    def supports_schema(self) -> bool:
        """`GenerationOptions.schema` is enforced by the decoder, not only asked for in the prompt."""
        return False

    def stream(self, messages: Sequence[Message], options: GenerationOptions | None = None) -> Iterator[str]:
        """Yield text pieces as they are generated."""
        return self._stream([dict(m) for m in messages], options or GenerationOptions())

    def complete(self, messages: Sequence[Message], options: GenerationOptions | None = None) -> str:
        """The whole answer; with `options.schema`, a JSON document (checked to parse)."""
        opts = options or GenerationOptions()
        text = "".join(self.stream(messages, opts))
        if opts.schema is not None:
            try:
                json.loads(text)
            except ValueError as exc:
                raise LLMBadResponse(f"{self.name} returned truncated or invalid JSON (raise max_tokens)") from exc
        return text

    @abstractmethod
    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        """The one method a backend implements."""

    def warm_up(self) -> None:  # noqa: B027 - most backends have nothing to load
        """Start loading now instead of on the first call (never blocks on a model process)."""

    def status(self) -> ModelStatus:
        return ModelStatus(self.name, "ready")

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the model can answer (benchmarks, `doctor`); turns never wait for this."""
        return self.status().usable

    def close(self) -> None:  # noqa: B027 - most backends hold nothing
        """Release processes and connections."""


class ChatMiddleware(ChatModel):
    """A `ChatModel` wrapping another; by default every call passes through."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner
        self.name = inner.name

    @property
    def can_stream(self) -> bool:
        return self.inner.can_stream

    @property
    def supports_schema(self) -> bool:
        return self.inner.supports_schema

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        return self.inner.stream(messages, options)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def status(self) -> ModelStatus:
        return self.inner.status()

    def wait_ready(self, timeout_s: float) -> bool:
        return self.inner.wait_ready(timeout_s)

    def close(self) -> None:
        self.inner.close()

    def innermost(self) -> ChatModel:
        model: ChatModel = self
        while isinstance(model, ChatMiddleware):
            model = model.inner
        return model


def model_status(model: ChatModel | None) -> ModelStatus:
    """The status of a configured generator, or `off` when answers are templates by configuration."""
    if model is None:
        return ModelStatus("none", "off", "no language model configured: answers use the grounded templates")
    return model.status()
