"""The error of a data set file that is missing or malformed, and the one existence check."""

from __future__ import annotations

from pathlib import Path

from retrieval.errors import UserError


class DatasetError(UserError, ValueError):
    """A data set file is missing or malformed; the message names the file."""


def require_file(path: Path, what: str = "data file") -> Path:
    """`path` if it is a file, else `DatasetError("<what> not found: <path> ...")` naming where data is looked for."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{what} not found: {path} (the shared data folder is $SHOPASSIST_SHARED_DATA, "
                           "else ../shared/data beside the checkout)")
    return path
