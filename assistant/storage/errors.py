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
_PG_KINDS: dict[str, type[StorageError]] = {  # SQLSTATE classes/codes
    "53100": StorageFull, "55P03": StorageBusy, "40P01": StorageBusy, "XX001": StorageCorrupt, "XX002": StorageCorrupt,
}


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
    hint = {
        StorageBusy: "another connection holds a write lock; writes resume when it is released",
        StorageFull: "the disk of the database is full; free space (writes resume by themselves)",
        StorageCorrupt: f"{damaged_hint(db)}; the service serves again once the file checks out",
        StorageError: "the database cannot be reached",
    }[kind]
    return kind(f"{hint} ({name or code or type(orig).__name__}: {text[:200]})")
