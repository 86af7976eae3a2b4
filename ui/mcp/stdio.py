"""`run_stdio()`: the store's MCP server over stdin/stdout (`shopassist mcp`), for local MCP clients.

The caller is fixed for the process and comes from its environment (`SHOPASSIST_MCP_KEY`, and
optionally `SHOPASSIST_MCP_VISITOR_TOKEN`, `SHOPASSIST_MCP_USER_ID` + `SHOPASSIST_MCP_USER_HASH`),
checked exactly as the HTTP headers are before anything is served. Stdout carries the protocol only:
while the assistant loads, anything a library prints goes to stderr.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from typing import Any

from assistant.settings import Settings
from retrieval.errors import UserError
from ui.mcp.identity import AgentCaller, Authenticator, AuthError, credentials_from_env


class StdioSetupError(UserError, RuntimeError):
    """The stdio server cannot start; the message says what to set."""


def stdio_caller(settings: Settings, environ: Mapping[str, str]) -> AgentCaller:
    try:
        return Authenticator(settings.api).authenticate(credentials_from_env(environ))
    except AuthError as exc:
        raise StdioSetupError(exc.message) from exc


def build_stdio_server(settings: Settings, environ: Mapping[str, str], assistant: Any = None) -> Any:
    """The MCP server for this process's caller (the assistant is built now unless given)."""
    from assistant.services import Assistant
    from ui.mcp.server import build_server

    caller = stdio_caller(settings, environ)
    if assistant is None:
        with contextlib.redirect_stdout(sys.stderr):
            assistant = Assistant.from_settings(settings, chat_model=None)  # tools never call a model
    return build_server(assistant, settings.api, local_caller=caller)


def run_stdio(settings: Settings, environ: Mapping[str, str]) -> None:
    build_stdio_server(settings, environ).run("stdio")
