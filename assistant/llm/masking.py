"""The outermost link of every model chain: shoppers' card numbers, phones and emails are masked in
every message (prompts, history, facts) before any backend sees them (`assistant.privacy`)."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.llm.base import ChatMiddleware, GenerationOptions, Message
from assistant.privacy import mask_messages


class MaskingMiddleware(ChatMiddleware):
    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        return self.inner.stream(mask_messages(messages), options)
