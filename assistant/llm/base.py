"""The `ChatModel` seam every generator backend implements.

Messages are plain OpenAI-style dicts (`{"role": "system"|"user"|"assistant", "content": str}`).
A backend declares what it can do as class attributes (after simonw/llm): `can_stream`
says tokens arrive incrementally, `supports_schema` says `complete(schema=...)` is
enforced by the server/decoder rather than only requested in the prompt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

Message = dict[str, str]
"""`{"role": "system" | "user" | "assistant", "content": str}`"""


@runtime_checkable
class ChatModel(Protocol):
    can_stream: bool
    supports_schema: bool

    @property
    def name(self) -> str: ...

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> Iterator[str]:
        """Yield text pieces as they are generated. Raises `LLMError` subclasses."""
        ...

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> str:
        """Return the whole answer; with `schema`, a JSON document valid against it."""
        ...
