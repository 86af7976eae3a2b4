"""Fake backend, context fitting, backend selection and the FIFO lock."""

from __future__ import annotations

import json
import threading
import time

import pytest
from pydantic import SecretStr

from assistant.llm import FakeChatModel, LLMUnavailable, backend_name, make_chat_model
from assistant.llm.context import estimate_tokens, fit_messages
from assistant.llm.fairlock import FairLock
from assistant.llm.openai_backend import OpenAIChatModel
from assistant.settings import LLMSettings


def test_fake_streams_scripted_text_in_order() -> None:
    model = FakeChatModel(["first answer.", "second answer."])
    msgs = [{"role": "user", "content": "hi"}]
    assert "".join(model.stream(msgs)) == "first answer."
    assert model.complete(msgs) == "second answer."
    assert len(model.calls) == 2


def test_fake_schema_answer_is_valid_json() -> None:
    schema = {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer"}},
        "required": ["ok", "n"],
    }
    out = json.loads(FakeChatModel("not json").complete([{"role": "user", "content": "x"}], schema=schema))
    assert out == {"ok": False, "n": 0}


def test_fake_failure_is_raised() -> None:
    model = FakeChatModel(fail_with=LLMUnavailable("down"))
    with pytest.raises(LLMUnavailable):
        list(model.stream([{"role": "user", "content": "x"}]))


def test_fit_messages_drops_oldest_turns_keeps_system_and_last() -> None:
    msgs = [{"role": "system", "content": "rules"}]
    for i in range(50):
        msgs.append({"role": "user", "content": f"question {i} " + "word " * 40})
        msgs.append({"role": "assistant", "content": f"answer {i} " + "word " * 40})
    msgs.append({"role": "user", "content": "the latest question"})
    fitted = fit_messages(msgs, 300)
    assert fitted[0]["content"] == "rules"
    assert fitted[-1]["content"] == "the latest question"
    assert sum(estimate_tokens(m["content"]) for m in fitted) <= 300
    assert len(fitted) < len(msgs)


def test_fit_messages_cuts_a_single_oversized_message_from_the_front() -> None:
    msgs = [{"role": "user", "content": "filler " * 5000 + "what is the return window?"}]
    fitted = fit_messages(msgs, 200)
    assert fitted[-1]["content"].endswith("what is the return window?")
    assert estimate_tokens(fitted[-1]["content"]) <= 200


@pytest.mark.parametrize(
    ("backend", "base_url", "expected"),
    [
        ("auto", "", "llamacpp"),
        ("auto", "http://gpu:8000/v1", "openai"),
        ("fake", "", "fake"),
        ("LlamaCpp", "http://x", "llamacpp"),
    ],
)
def test_backend_choice_from_one_setting(backend: str, base_url: str, expected: str) -> None:
    assert backend_name(LLMSettings(backend=backend, base_url=base_url)) == expected


def test_unknown_backend_and_missing_url_are_clear_errors() -> None:
    with pytest.raises(LLMUnavailable, match="Unknown LLM backend"):
        backend_name(LLMSettings(backend="gpt5"))
    with pytest.raises(LLMUnavailable, match="SHOPASSIST_LLM__BASE_URL"):
        make_chat_model(LLMSettings(backend="openai"))


def test_factory_builds_openai_backend_without_network() -> None:
    model = make_chat_model(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", api_key=SecretStr("k")))
    assert isinstance(model, OpenAIChatModel)
    assert model.name == "openai:m"


def test_fair_lock_serves_in_arrival_order() -> None:
    lock = FairLock()
    order: list[int] = []
    started = threading.Event()

    def holder() -> None:
        with lock.hold():
            started.set()
            time.sleep(0.2)

    def turn(i: int) -> None:
        with lock.hold():
            order.append(i)

    first = threading.Thread(target=holder)
    first.start()
    started.wait()
    threads = []
    for i in range(5):
        t = threading.Thread(target=turn, args=(i,))
        t.start()
        threads.append(t)
        time.sleep(0.02)  # arrival order 0..4
    for t in [first, *threads]:
        t.join()
    assert order == [0, 1, 2, 3, 4]
