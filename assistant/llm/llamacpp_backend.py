"""Embedded generator: a local GGUF model run in-process by llama-cpp-python.

The model loads lazily on first use (never at import). One `Llama` object can
only decode one sequence at a time, so turns queue on a FIFO lock; a stream holds
the lock until it is exhausted or closed.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.llm.base import Message
from assistant.llm.context import fit_messages
from assistant.llm.errors import LLMBadResponse, LLMUnavailable, ModelFileError
from assistant.llm.fairlock import FairLock
from assistant.llm.models import check_gguf_header


class LlamaCppChatModel:
    can_stream = True
    supports_schema = True  # grammar-constrained JSON via response_format

    def __init__(
        self,
        model_path: Path | str,
        *,
        n_ctx: int = 4096,
        n_threads: int = 2,
        max_tokens: int = 256,
        temperature: float = 0.2,
        name: str | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.name = name or f"llamacpp:{self.model_path.stem}"
        self._llm: Any = None
        self._load_lock = threading.Lock()
        self._turns = FairLock()

    def warm_up(self) -> None:
        """Load the model now (the first call does it otherwise)."""
        self._model()

    def _model(self) -> Any:
        if self._llm is not None:
            return self._llm
        with self._load_lock:
            if self._llm is None:
                if not self.model_path.is_file():
                    raise ModelFileError(f"Model file not found: {self.model_path}")
                check_gguf_header(self.model_path)
                try:
                    from llama_cpp import Llama
                except ImportError as exc:
                    msg = "llama-cpp-python is not installed: pip install llama-cpp-python"
                    raise LLMUnavailable(msg) from exc
                try:
                    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
                        self._llm = Llama(
                            model_path=str(self.model_path),
                            n_ctx=self.n_ctx,
                            n_threads=self.n_threads,
                            verbose=False,
                        )
                except (ValueError, RuntimeError, OSError) as exc:
                    msg = f"Cannot load model {self.model_path.name}: file is corrupt or unsupported"
                    raise ModelFileError(msg) from exc
        return self._llm

    def _fit(self, messages: Sequence[Message], max_tokens: int) -> list[Message]:
        llm = self._model()

        def count(text: str) -> int:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False)) + 6  # + chat-template overhead

        return fit_messages(messages, self.n_ctx - max_tokens - 16, count)

    def _kwargs(self, max_tokens: int | None, temperature: float | None, stop: Sequence[str] | None) -> dict:
        return {
            "max_tokens": max_tokens or self.max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
            "stop": list(stop) if stop else None,
        }

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> Iterator[str]:
        kw = self._kwargs(max_tokens, temperature, stop)
        llm = self._model()
        with self._turns.hold():
            try:
                chunks = llm.create_chat_completion(messages=self._fit(messages, kw["max_tokens"]), stream=True, **kw)
                for chunk in chunks:
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
            except (ValueError, RuntimeError) as exc:
                raise LLMUnavailable(f"Local model failed while generating: {exc}") from exc

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> str:
        kw = self._kwargs(max_tokens, temperature, stop)
        if schema is not None:
            kw["response_format"] = {"type": "json_object", "schema": schema}
        llm = self._model()
        with self._turns.hold():
            try:
                out = llm.create_chat_completion(messages=self._fit(messages, kw["max_tokens"]), **kw)
            except (ValueError, RuntimeError) as exc:
                raise LLMUnavailable(f"Local model failed while generating: {exc}") from exc
        text = str(out["choices"][0]["message"].get("content") or "")
        if schema is not None:
            try:
                json.loads(text)
            except ValueError as exc:
                raise LLMBadResponse("Local model returned truncated JSON (raise max_tokens)") from exc
        return text
