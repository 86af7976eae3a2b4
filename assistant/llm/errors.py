"""The few errors a chat backend may raise; each carries a one-line, actionable message."""

from __future__ import annotations

from retrieval.errors import UserError


class LLMError(UserError, RuntimeError):
    """Base class: anything the generator cannot do. Callers fall back to templates."""


class LLMUnavailable(LLMError):
    """The backend cannot be reached or loaded (server down, timeout, model file missing)."""


class LLMAuthError(LLMError):
    """The server refused our credentials."""


class LLMBadResponse(LLMError):
    """The server answered with something we cannot use (malformed or truncated JSON, schema mismatch)."""


class ModelFileError(LLMUnavailable):
    """A local GGUF file is missing, incomplete or fails its checksum."""
