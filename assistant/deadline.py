"""A `ChatModel` wrapper with deadlines: a slow model becomes an `LLMUnavailable`, so the shopper
gets the template answer instead of waiting.

The inner stream runs in a worker thread that hands pieces over a queue. If the
first piece does not arrive within `first_token_s`, or the whole answer takes
longer than `total_s`, the consumer raises `LLMUnavailable` (the skills' callers
fall back to templates built from the same facts) and the worker closes the inner
stream at its next piece, which releases the local model's lock for the next turn.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.llm.base import ChatModel, Message
from assistant.llm.errors import LLMUnavailable

_END = object()


class DeadlineChatModel:
    """Wraps any `ChatModel`; `stream` enforces the deadlines, `complete` passes through."""

    def __init__(self, inner: ChatModel, first_token_s: float = 10.0, total_s: float = 30.0) -> None:
        self.inner = inner
        self.first_token_s = first_token_s
        self.total_s = total_s
        self.can_stream = inner.can_stream
        self.supports_schema = inner.supports_schema

    @property
    def name(self) -> str:
        return self.inner.name

    def warm_up(self) -> None:
        warm = getattr(self.inner, "warm_up", None)
        if callable(warm):
            warm()

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> Iterator[str]:
        pieces: queue.Queue[Any] = queue.Queue()
        cancelled = threading.Event()

        def work() -> None:
            inner = self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
            try:
                for piece in inner:
                    if cancelled.is_set():
                        break
                    pieces.put(piece)
            except Exception as exc:  # handed to the consumer, raised there
                pieces.put(exc)
            finally:
                close = getattr(inner, "close", None)
                if callable(close):
                    close()
                pieces.put(_END)

        threading.Thread(target=work, name="llm-stream", daemon=True).start()
        started = time.monotonic()
        first = True
        try:
            while True:
                limit = self.first_token_s if first else self.total_s
                remaining = limit - (time.monotonic() - started)
                try:
                    item = pieces.get(timeout=max(remaining, 0.001))
                except queue.Empty:
                    what = "first token" if first else "answer"
                    raise LLMUnavailable(f"the language model is too slow ({what} took over {limit:.0f} s); "
                                         "answered from templates") from None
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                first = False
                yield item
        finally:
            cancelled.set()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> str:
        return self.inner.complete(messages, schema=schema, max_tokens=max_tokens, temperature=temperature, stop=stop)
