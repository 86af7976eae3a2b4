"""Database failures as one `StorageError` per cause, and the one classifier that picks the cause.

Each error carries a `message` for the shopper (a sentence any front end can show
as it is) and a `reason` for the operator (the log and `/readyz`), whose repair
hint names the exact command to run. `classify` returns None for our own bugs
(constraint violations, bad SQL): those must stay loud exceptions, not turn into
"try again later".
"""

from __future__ import annotations

from sqlalchemy.exc import DatabaseError, IntegrityError

from retrieval.errors import UserError


class StorageError(UserError, RuntimeError):
    """The database refused an operation. `message` is for the shopper, `reason` for the operator."""

    kind = "unavailable"
    status = 503
    message = ("Our records are temporarily unavailable, so nothing was saved just now. "
               "Please try again in a minute.")
    lead = "Our records are temporarily unavailable,"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def unfinished(self) -> str:
        """For a failure after part of an answer was shown (some of it may already be saved)."""
        return f"{self.lead} so I couldn't finish saving this answer; it may be missing when you come back. " \
               "Please try again later."


class StorageBusy(StorageError):
    kind = "busy"
    lead = "We're busy saving other changes,"
    message = "We're busy saving other changes and nothing was saved just now. Please try again in a few seconds."


class StorageFull(StorageError):
    kind = "full"
    status = 507
    lead = "Our storage is full,"
    message = ("Our storage is full, so your last change was not saved. You can keep browsing; "
               "please try again later.")


class StorageCorrupt(StorageError):
    kind = "corrupt"
    message = ("Our records are temporarily unavailable, so nothing was saved just now; the store's team "
               "has been told. Please try again later.")


_SQLITE_KINDS: dict[str, type[StorageError]] = {
    "SQLITE_BUSY": StorageBusy, "SQLITE_LOCKED": StorageBusy, "SQLITE_FULL": StorageFull,
    "SQLITE_CORRUPT": StorageCorrupt, "SQLITE_NOTADB": StorageCorrupt,
}
_PG_KINDS: dict[str, type[StorageError]] = {  # SQLSTATE codes; the rest (08xxx connection, 57P0x shutdown) is
    "53100": StorageFull,                   # "unavailable"
    "55P03": StorageBusy, "40P01": StorageBusy, "40001": StorageBusy, "53300": StorageBusy, "57014": StorageBusy,
    "XX001": StorageCorrupt, "XX002": StorageCorrupt,
}
# What a PostgreSQL server that cannot be reached looks like in psycopg's message (no SQLSTATE: the failure
# is before any session). The operator reads the cause, never the host and port (`/readyz` is public).
_PG_UNREACHABLE = (
    ("connection refused", "the database server refused the connection: is PostgreSQL running and listening?"),
    ("timeout expired", "the database server did not answer in time"),
    ("timed out", "the database server did not answer in time"),
    ("could not translate host name", "the database host name does not resolve"),
    ("name or service not known", "the database host name does not resolve"),
    ("no route to host", "the database server cannot be reached over the network"),
    ("password authentication failed", "the database server refused our credentials"),
    ("does not exist", "the database named in SHOPASSIST_DATABASE_URL does not exist"),
    ("server closed the connection", "the database server closed the connection (restarting?)"),
    ("terminating connection", "the database server closed the connection (restarting?)"),
    ("the database system is", "the database server is starting up or shutting down"),
)


def damaged_hint(db: str) -> str:
    """The operator's repair hint for a damaged file (one wording for the classifier and the integrity check)."""
    return f"the database file is damaged and was left untouched; restore it from a backup (or `sqlite3 {db} .recover`)"


def classify(exc: BaseException, db: str = "FILE") -> StorageError | None:
    """Our error for a driver/SQLAlchemy failure of the database itself; None for bugs (constraints, SQL).
    `db` names the database file in the operator's repair hint."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", exc)
    if isinstance(exc, IntegrityError) or not isinstance(exc, DatabaseError) or type(exc).__name__ in (
            "ProgrammingError", "DataError", "NotSupportedError"):
        return None
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    code = str(getattr(orig, "pgcode", "") or getattr(orig, "sqlstate", "") or "")
    kind = next((k for prefix, k in _SQLITE_KINDS.items() if name.startswith(prefix)), None) or _PG_KINDS.get(code)
    low = text.lower()
    if kind is None:
        kind = (StorageFull if "disk is full" in low or "no space left" in low
                else StorageCorrupt if "malformed" in low or "not a database" in low
                else StorageBusy if "locked" in low else StorageError)
    if kind is StorageError and type(orig).__module__.startswith("psycopg"):
        cause = next((why for needle, why in _PG_UNREACHABLE if needle in low), "the database server cannot be reached")
        return StorageError(f"{cause}; check SHOPASSIST_DATABASE_URL and the server "
                            f"({code or type(orig).__name__}); service resumes by itself once it answers")
    hint = {
        StorageBusy: "another connection holds a write lock; writes resume when it is released",
        StorageFull: "the disk of the database is full; free space (writes resume by themselves)",
        StorageCorrupt: f"{damaged_hint(db)}; the service serves again once the file checks out",
        StorageError: "the database cannot be reached",
    }[kind]
    return kind(f"{hint} ({name or code or type(orig).__name__}: {text[:200]})")
