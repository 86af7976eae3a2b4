"""OpenAI-compatible HTTP backend (vLLM in production, the embedded llama-server by default).

Talks through LangChain's `ChatOpenAI(base_url=..., api_key=...)`. Retries with
exponential backoff are the OpenAI client's (`max_retries`); structured output
uses `response_format={"type": "json_schema", ...}`, which vLLM enforces (the old
`guided_json` key is silently ignored since vLLM 0.12, so we never send it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.llm.base import ChatModel, GenerationOptions, Message
from assistant.llm.context import fit_messages
from assistant.llm.errors import LLMAuthError, LLMBadResponse, LLMError, LLMUnavailable


def discover_model(base_url: str, api_key: str = "", timeout_s: float = 10.0) -> str:
    """The first model id listed at `GET {base_url}/models`."""
    import httpx

    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        resp = httpx.get(url, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise LLMUnavailable(f"LLM server unreachable at {base_url}: {type(exc).__name__}") from exc
    if resp.status_code in (401, 403):
        raise LLMAuthError(f"LLM server at {base_url} rejected the API key: set SHOPASSIST_LLM__API_KEY")
    if resp.status_code >= 400:
        raise LLMUnavailable(f"LLM server at {base_url} answered {resp.status_code} to GET /models")
    try:
        data = resp.json()["data"]
        return str(data[0]["id"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMBadResponse(f"LLM server at {base_url} sent an unreadable model list") from exc


def map_error(exc: BaseException, base_url: str) -> LLMError:
    """Translate openai/httpx/langchain exceptions into our three error kinds."""
    if isinstance(exc, LLMError):
        return exc
    import openai

    name = type(exc).__name__
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMAuthError(f"LLM server at {base_url} rejected the API key: set SHOPASSIST_LLM__API_KEY")
    if isinstance(exc, openai.APITimeoutError):
        return LLMUnavailable(f"LLM server at {base_url} timed out")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailable(f"LLM server unreachable at {base_url}")
    if isinstance(exc, openai.NotFoundError):
        return LLMBadResponse(f"LLM server at {base_url}: model not found (check SHOPASSIST_LLM__MODEL)")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500:
            return LLMUnavailable(f"LLM server at {base_url} failed with HTTP {exc.status_code}")
        return LLMBadResponse(f"LLM server at {base_url} refused the request (HTTP {exc.status_code})")
    malformed = (ValueError, KeyError, TypeError, AttributeError, AssertionError, openai.APIResponseValidationError)
    if isinstance(exc, malformed):
        return LLMBadResponse(f"LLM server at {base_url} sent a malformed response ({name})")
    return LLMUnavailable(f"LLM call to {base_url} failed ({name})")


def _is_context_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    markers = ("context length", "context_length", "maximum context", "too long", "n_ctx")
    return any(k in text for k in markers)


class OpenAIChatModel(ChatModel):
    """vLLM (or any OpenAI-compatible server, llama-server included) over HTTP."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        model: str = "",
        timeout_s: float = 30.0,
        max_retries: int = 1,
        max_tokens: int = 256,
        temperature: float = 0.2,
        n_ctx: int = 4096,
        schema_mode: str = "json_schema",
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise LLMUnavailable(f"LLM base_url must start with http:// or https:// (got {base_url!r})")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._model = model
        self.name = f"openai:{model or '?'}"
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.n_ctx = n_ctx
        self._client: Any = None
        # vLLM, OpenAI and llama-server enforce `json_schema`; switched once to `json_object` + schema if refused
        self._schema_mode = schema_mode
        self._lock = threading.Lock()

    @property
    def supports_schema(self) -> bool:
        return True

    @property
    def model(self) -> str:
        if not self._model:
            self._model = discover_model(self.base_url, self.api_key, self.timeout_s)
            self.name = f"openai:{self._model}"
        return self._model

    def _chat(self) -> Any:
        with self._lock:
            if self._client is None:
                from langchain_openai import ChatOpenAI

                self._client = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    # the OpenAI client insists on a key; vLLM without --api-key accepts any
                    api_key=self.api_key or "not-needed",  # type: ignore[arg-type]
                    timeout=self.timeout_s,
                    max_retries=self.max_retries,
                    temperature=self.temperature,
                )
            return self._client

    def _prepare(self, messages: Sequence[Message], max_tokens: int, shrink: int = 1) -> list[tuple[str, str]]:
        budget = max(256, (self.n_ctx - max_tokens - 64) // shrink)
        fitted = fit_messages(messages, budget)
        roles = {"system": "system", "user": "human", "assistant": "ai"}
        return [(roles.get(m["role"], "human"), m["content"]) for m in fitted]

    def _response_format(self, schema: dict) -> dict:
        if self._schema_mode == "json_object":
            return {"type": "json_object", "schema": schema}
        name = str(schema.get("title", "answer"))
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}

    def _kwargs(self, options: GenerationOptions) -> dict:
        limit = options.max_tokens or self.max_tokens
        kw: dict[str, Any] = {
            "max_tokens": limit,
            "temperature": self.temperature if options.temperature is None else options.temperature,
            # LangChain sends the limit as `max_completion_tokens`, which llama.cpp's server ignores
            # (answers then run to the context end); vLLM and OpenAI read either name.
            "extra_body": {"max_tokens": limit},
        }
        if options.stop:
            kw["stop"] = list(options.stop)
        if options.schema is not None:
            kw["response_format"] = self._response_format(options.schema)
        return kw

    def _stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        kw = self._kwargs(options)
        attempts = [1, 2, 4]  # how much of the history to keep: all, half, a quarter
        while attempts:
            shrink = attempts[0]
            started = False
            try:
                chat = self._chat()
                for chunk in chat.stream(self._prepare(messages, kw["max_tokens"], shrink), **kw):
                    text = chunk.content if isinstance(chunk.content, str) else ""
                    if text:
                        started = True
                        yield text
                return
            except Exception as exc:
                if started:
                    raise map_error(exc, self.base_url) from exc
                if options.schema is not None and self._schema_mode == "json_schema" and "json_schema" in str(exc):
                    self._schema_mode = "json_object"  # an older llama.cpp server knows only json_object + schema
                    kw["response_format"] = self._response_format(options.schema)
                    continue
                attempts.pop(0)
                if attempts and _is_context_error(exc):
                    continue  # drop more old turns and try again
                raise map_error(exc, self.base_url) from exc
