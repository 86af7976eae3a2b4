"""The middleware chain: circuit breaker, deadlines, masking, and the order `build_chain` puts them in."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from assistant.llm import FakeChatModel, GenerationOptions, LLMUnavailable, build_chain
from assistant.llm.base import ChatModel, Message, ModelStatus
from assistant.llm.breaker import BreakerPolicy, CircuitBreaker
from assistant.llm.deadline import DeadlineMiddleware, Deadlines
from assistant.llm.masking import MaskingMiddleware

MSGS = [{"role": "user", "content": "hello"}]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Flaky(ChatModel):
    """Fails while `down` is set; counts the calls that reached it."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0
        self.state = "ready"

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        self.calls += 1
        if self.down:
            raise LLMUnavailable("connection refused")
        yield "fine"

    def status(self) -> ModelStatus:
        return ModelStatus("flaky", self.state)


def test_breaker_opens_after_repeated_failures_and_skips_the_model_at_once() -> None:
    inner, clock = Flaky(), Clock()
    breaker = CircuitBreaker(inner, BreakerPolicy(failures_to_open=3, backoff_s=5), clock=clock)
    for _ in range(3):
        with pytest.raises(LLMUnavailable, match="refused"):
            list(breaker.stream(MSGS))
    assert breaker.status().state == "circuit_open"
    started = time.perf_counter()
    for _ in range(5):
        with pytest.raises(LLMUnavailable, match="failing"):
            list(breaker.stream(MSGS))
    assert inner.calls == 3  # no call reached the model while open
    assert time.perf_counter() - started < 0.05


def test_breaker_probes_after_the_backoff_doubles_it_on_failure_and_closes_on_success() -> None:
    inner, clock = Flaky(), Clock()
    breaker = CircuitBreaker(inner, BreakerPolicy(failures_to_open=2, backoff_s=5, max_backoff_s=60), clock=clock)
    for _ in range(2):
        with pytest.raises(LLMUnavailable):
            list(breaker.stream(MSGS))
    clock.now += 5.1
    with pytest.raises(LLMUnavailable, match="refused"):  # the probe reached the model and failed
        list(breaker.stream(MSGS))
    assert inner.calls == 3
    assert breaker.status().retry_in_s == pytest.approx(10.0, abs=0.2)  # the back-off doubled
    clock.now += 10.1
    inner.down = False
    assert "".join(breaker.stream(MSGS)) == "fine"
    status = breaker.status()
    assert status.state == "ready" and status.consecutive_failures == 0


def test_breaker_lets_only_one_probe_through() -> None:
    inner, clock = Stalling(0), Clock()
    breaker = CircuitBreaker(inner, BreakerPolicy(failures_to_open=1, backoff_s=1), clock=clock)
    breaker._failed(LLMUnavailable("refused"))  # opened by an earlier failure
    clock.now += 2
    probe_result: list[str] = []
    probe = threading.Thread(target=lambda: probe_result.extend(breaker.stream(MSGS)))
    probe.start()
    time.sleep(0.1)  # the probe is in flight and has not answered yet
    with pytest.raises(LLMUnavailable, match="failing"):
        list(breaker.stream(MSGS))
    inner.release.set()
    probe.join(5)
    assert probe_result == ["late"] and breaker.status().state == "ready"


def test_a_model_still_loading_is_skipped_without_counting_a_failure() -> None:
    inner = Flaky()
    inner.down, inner.state = False, "loading"
    breaker = CircuitBreaker(inner)
    with pytest.raises(LLMUnavailable, match="loading"):
        list(breaker.stream(MSGS))
    assert inner.calls == 0 and breaker.status().state == "loading"
    inner.state = "ready"
    assert list(breaker.stream(MSGS)) == ["fine"]


class Stalling(ChatModel):
    """Yields `before` pieces, then hangs until released (a model process under SIGSTOP)."""

    def __init__(self, before: int) -> None:
        self.before = before
        self.release = threading.Event()

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        for i in range(self.before):
            yield f"w{i} "
        self.release.wait(10)
        yield "late"


@pytest.mark.parametrize(("before", "message"), [(0, "first token"), (2, "no token for")])
def test_deadlines_turn_a_hang_into_unavailable(before: int, message: str) -> None:
    inner = Stalling(before)
    model = DeadlineMiddleware(inner, Deadlines(first_token_s=0.3, idle_s=0.3, total_s=5))
    got: list[str] = []
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable, match=message):
        for piece in model.stream(MSGS):
            got.append(piece)
    inner.release.set()
    assert len(got) == before
    assert time.perf_counter() - started < 1.5


def test_chain_masks_before_anything_else_sees_the_messages() -> None:
    fake = FakeChatModel("ok.")
    chained = build_chain(fake)
    assert isinstance(chained, MaskingMiddleware)
    list(chained.stream([{"role": "user", "content": "my card 4111 1111 1111 1111 and mail a@b.org"}]))
    sent = fake.calls[-1][0]["content"]
    assert "4111 1111 1111 1111" not in sent and "a@b.org" not in sent


def test_chain_skips_a_failing_model_quickly() -> None:
    fake = FakeChatModel(fail_with=LLMUnavailable("down"))
    chained = build_chain(fake)
    for _ in range(3):
        with pytest.raises(LLMUnavailable):
            list(chained.stream(MSGS))
    assert chained.status().state == "circuit_open"
    calls = len(fake.calls)
    with pytest.raises(LLMUnavailable, match="failing"):
        list(chained.stream(MSGS))
    assert len(fake.calls) == calls
