"""The error of a data set file that is missing or malformed."""

from __future__ import annotations

from retrieval.errors import UserError


class DatasetError(UserError, ValueError):
    """A data set file is missing or malformed; the message names the file."""
