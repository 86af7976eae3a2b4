"""`UserError`: the one base of every error a person should read.

It lives here because `retrieval` is the lowest package (scene, ranking, assistant and ui all
import it), so every layer can derive its own person-facing errors from it. An error of this
family carries a complete sentence that says what went wrong and, where there is one, the
command that fixes it ("... run `shopassist index`"); anything else that escapes is a bug.

Front ends show it as it is: the CLI prints `error: <sentence>` and exits 2, the HTTP API
answers `{"error": {"code", "message"}}` with `http_status` (a 4xx). Subclasses keep their
old builtin bases as well (`class QueryError(UserError, ValueError)`) so existing
`except ValueError` callers are unaffected.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is meant for a person: one sentence, actionable."""

    http_status: int = 400
    code: str = "bad_request"


def one_line(exc: BaseException) -> str:
    """The first line of an error's message (its class name when it has none): what a front end shows."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
