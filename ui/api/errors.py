"""One JSON error shape for every refusal: `{"error": {"code", "message"}}`; never a stack trace.

One handler for every person-facing error (`retrieval.errors.UserError`): an `ApiError` a route
raised (its status, code and headers), a `StorageError` (503/507 with Retry-After and the
shopper's sentence; the operator's reason only goes to the log), or any other `UserError` that
escaped a route (its `http_status`, a 4xx, and its one sentence). Then validation and routing
errors, and finally a bug (500, no details).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.storage.errors import StorageError
from retrieval.errors import UserError, one_line

log = logging.getLogger(__name__)


class ApiError(UserError):
    """A refused request with its HTTP status, a stable code and a one-line message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


RETRY_AFTER_S = {"busy": 5, "full": 60, "corrupt": 60, "unavailable": 30}


def storage_error(exc: StorageError) -> ApiError:
    """The shopper's sentence for a database failure (503, or 507 when the disk is full); the operator's
    reason goes to the log and `/readyz`, never to the shopper."""
    log.warning("storage %s: %s", exc.kind, exc.reason)
    return ApiError(exc.status, f"storage_{exc.kind}", exc.message,
                    headers={"Retry-After": str(RETRY_AFTER_S.get(exc.kind, 30))})


def as_api_error(exc: UserError) -> ApiError:
    """The refusal a person-facing error becomes at the HTTP boundary."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, StorageError):
        return storage_error(exc)
    return ApiError(exc.http_status, exc.code, one_line(exc))


def install(app: FastAPI) -> None:
    @app.exception_handler(UserError)
    async def _refused(_: Request, exc: UserError) -> JSONResponse:
        err = as_api_error(exc)
        return JSONResponse(error_body(err.code, err.message), status_code=err.http_status, headers=err.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
                   for e in exc.errors()]
        first = details[0] if details else {"field": "", "problem": "invalid request"}
        message = f"{first['field'] or 'request'}: {first['problem']}"
        return JSONResponse(error_body("invalid_request", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled API error")
        return JSONResponse(error_body("internal", "Something went wrong on our side; please try again."),
                            status_code=500)
