"""Fake backend, the ChatModel base, context fitting and backend selection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.llm import FakeChatModel, GenerationOptions, LLMBadResponse, LLMUnavailable, backend_name, make_backend
from assistant.llm.base import ChatModel, Message
from assistant.llm.context import estimate_tokens, fit_messages
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
    out = json.loads(FakeChatModel("not json").complete([{"role": "user", "content": "x"}],
                                                        GenerationOptions(schema=schema)))
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
        make_backend(LLMSettings(backend="openai"), Path("/nonexistent"))


def test_factory_builds_openai_backend_without_network() -> None:
    model = make_backend(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", api_key=SecretStr("k")),
                         Path("/nonexistent"))
    assert isinstance(model, OpenAIChatModel)
    assert model.name == "openai:m"


def test_fake_backend_is_no_model_at_all(tmp_path: Path) -> None:
    assert make_backend(LLMSettings(backend="fake"), tmp_path) is None


class _Echo(ChatModel):
    """A backend that implements only `_stream`, as every backend does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: list[GenerationOptions] = []

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        self.seen.append(options)
        yield from self.text.split("|")


def test_one_stream_method_gives_stream_and_complete() -> None:
    model = _Echo('{"ok":| true}')
    assert model.complete([{"role": "user", "content": "x"}]) == '{"ok": true}'
    opts = GenerationOptions(max_tokens=5, stop=("!",), schema={"type": "object"})
    assert model.complete([{"role": "user", "content": "x"}], opts) == '{"ok": true}'
    assert model.seen[-1] is opts


def test_complete_with_a_schema_refuses_broken_json() -> None:
    with pytest.raises(LLMBadResponse, match="invalid JSON"):
        _Echo('{"ok":| ').complete([{"role": "user", "content": "x"}], GenerationOptions(schema={"type": "object"}))
