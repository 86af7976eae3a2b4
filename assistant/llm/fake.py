"""A deterministic `ChatModel` for unit tests: scripted answers, optional failures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence

from assistant.llm.base import ChatModel, GenerationOptions, Message
from assistant.llm.errors import LLMError

Responder = Callable[[Sequence[Message]], str]


def _default_responder(messages: Sequence[Message]) -> str:
    """Restate the first fact line of the last user message (stable, grounded by construction)."""
    last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    for line in last.splitlines():
        line = line.strip(" -*")
        if line and ":" not in line[:1]:
            return line if line.endswith(".") else line + "."
    return "Here is what I found."


class FakeChatModel(ChatModel):
    """Answers from a script: a fixed string, a list consumed in order, or a function of the messages."""

    def __init__(
        self,
        responses: str | list[str] | Responder | None = None,
        *,
        fail_with: LLMError | None = None,
        name: str = "fake",
    ) -> None:
        self.name = name
        self._responses = responses
        self._queue = list(responses) if isinstance(responses, list) else []
        self.fail_with = fail_with
        self.calls: list[list[Message]] = []
        self.options: list[GenerationOptions] = []

    @property
    def supports_schema(self) -> bool:
        return True

    def _answer(self, messages: Sequence[Message]) -> str:
        self.calls.append(list(messages))
        if self.fail_with is not None:
            raise self.fail_with
        r = self._responses
        if isinstance(r, str):
            return r
        if isinstance(r, list):
            return self._queue.pop(0) if self._queue else (r[-1] if r else "")
        if callable(r):
            return r(messages)
        return _default_responder(messages)

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        self.options.append(options)
        text = self._answer(messages)
        for stop_word in options.stop:
            text = text.split(stop_word, 1)[0]
        if options.schema is not None:
            try:
                json.loads(text)
            except ValueError:
                text = json.dumps(_minimal_instance(options.schema))
            yield text
            return
        # word-sized pieces keep the whitespace, like real token streams
        yield from re.findall(r"\s*\S+", text)


def _minimal_instance(schema: dict) -> object:
    """The smallest JSON value of the schema's type (enough for the fake's contract)."""
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _minimal_instance(v) for k, v in props.items() if k in schema.get("required", props)}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    return ""
