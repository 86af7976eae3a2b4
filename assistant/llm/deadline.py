"""Deadlines for any model: a slow or hung model becomes an `LLMUnavailable`, so the shopper gets the
template answer instead of waiting.

The inner stream runs in a worker thread that hands pieces over a queue. If the first piece does not
arrive within `first_token_s`, a later one not within `idle_s` of the previous (a model process that
hangs mid-answer), or the whole answer takes longer than `total_s`, the consumer raises
`LLMUnavailable` (the callers fall back to templates built from the same facts). The worker stops at
its next piece and closes the inner stream, which frees the model's slot for the next turn.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.llm.base import ChatMiddleware, ChatModel, GenerationOptions, Message
from assistant.llm.errors import LLMUnavailable

_END = object()


@dataclass(frozen=True)
class Deadlines:
    first_token_s: float = 15.0
    idle_s: float = 6.0
    total_s: float = 30.0


class DeadlineMiddleware(ChatMiddleware):
    def __init__(self, inner: ChatModel, deadlines: Deadlines | None = None) -> None:
        super().__init__(inner)
        self.deadlines = deadlines or Deadlines()

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        pieces: queue.Queue[Any] = queue.Queue()
        cancelled = threading.Event()

        def work() -> None:
            inner = self.inner.stream(messages, options)
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
        d = self.deadlines
        started = last = time.monotonic()
        first = True
        try:
            while True:
                now = time.monotonic()
                if first:
                    wait, what = d.first_token_s - (now - started), f"first token took over {d.first_token_s:g} s"
                else:
                    gap, total = d.idle_s - (now - last), d.total_s - (now - started)
                    wait, what = ((gap, f"no token for {d.idle_s:g} s") if gap < total
                                  else (total, f"answer took over {d.total_s:g} s"))
                try:
                    item = pieces.get(timeout=max(wait, 0.001))
                except queue.Empty:
                    raise LLMUnavailable(f"the language model is too slow ({what}); answered from templates") from None
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                first = False
                last = time.monotonic()
                yield item
        finally:
            cancelled.set()
