"""A circuit breaker in front of any generator (embedded or a remote vLLM).

After `failures_to_open` failures in a row the circuit opens: calls fail at once with
`LLMUnavailable` (the shopper gets cards and the template answer, with no retries and no
waiting). After a back-off one call is let through as a probe; if it succeeds the circuit
closes, if it fails the back-off doubles (up to `max_backoff_s`). A backend that reports
itself not ready (a model process still loading or restarting) is skipped the same way,
without counting a failure. `status()` feeds `/readyz` and the agent console.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.llm.base import ChatMiddleware, ChatModel, GenerationOptions, Message, ModelStatus
from assistant.llm.errors import LLMError, LLMUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BreakerPolicy:
    failures_to_open: int = 3
    backoff_s: float = 5.0
    max_backoff_s: float = 60.0


class CircuitBreaker(ChatMiddleware):
    def __init__(
        self,
        inner: ChatModel,
        policy: BreakerPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(inner)
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._backoff = self.policy.backoff_s
        self._probing = False
        self.last_error = ""

    # ---------------------------------------------------------------- state

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def _admit(self) -> bool:
        """Whether this call may reach the model (True for the one probe after the back-off)."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._clock() >= self._open_until and not self._probing:
                self._probing = True
                return True
            return False

    def _succeeded(self) -> None:
        with self._lock:
            if self._open_until is not None:
                log.info("language model answers again; circuit closed")
            self._failures = 0
            self._open_until = None
            self._backoff = self.policy.backoff_s
            self._probing = False

    def _failed(self, exc: LLMError) -> None:
        with self._lock:
            self._failures += 1
            self.last_error = str(exc)
            if self._probing or self._failures >= self.policy.failures_to_open:
                if self._probing:
                    self._backoff = min(self._backoff * 2, self.policy.max_backoff_s)
                self._open_until = self._clock() + self._backoff
                self._probing = False
                log.warning("language model failing (%s); skipping it for %.0f s", exc, self._backoff)

    def _released(self) -> None:
        """A probe that ended without a verdict (the consumer stopped early) frees the probe slot."""
        with self._lock:
            self._probing = False

    # ---------------------------------------------------------------- calls

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        inner_status = self.inner.status()
        if inner_status.state in ("loading", "restarting", "down"):
            raise LLMUnavailable(f"the language model is {inner_status.state}; answered from templates")
        if not self._admit():
            raise LLMUnavailable("the language model is failing; answered from templates until it recovers")
        verdict = False
        try:
            for piece in self.inner.stream(messages, options):
                if not verdict:
                    verdict = True
                    self._succeeded()  # the model answers: that is all the breaker needs to know
                yield piece
            if not verdict:
                verdict = True
                self._succeeded()
        except LLMError as exc:
            verdict = True
            self._failed(exc)
            raise
        finally:
            if not verdict:
                self._released()

    def status(self) -> ModelStatus:
        inner = self.inner.status()
        with self._lock:
            failures = self._failures
            open_until = self._open_until
        if open_until is not None and inner.state == "ready":
            retry = max(open_until - self._clock(), 0.0)
            return ModelStatus(inner.backend, "circuit_open", self.last_error, inner.restarts, failures,
                               round(retry, 1))
        return ModelStatus(inner.backend, inner.state, inner.detail, inner.restarts, failures, inner.retry_in_s)
