"""Errors the ranking package raises: one line each, meant for the user."""

from __future__ import annotations

from retrieval.errors import UserError


class RankingError(UserError):
    """Base class for ranking errors."""


class RankingInputError(RankingError, ValueError):
    """Bad input file or argument (missing file, wrong format)."""


class UnknownProductError(RankingError, KeyError):
    """An event names a product id the catalog does not know; nothing was written."""

    http_status = 404
    code = "unknown_product"

    def __init__(self, product_id: str) -> None:
        super().__init__(product_id)
        self.product_id = product_id

    def __str__(self) -> str:
        return f"unknown product id {self.product_id!r}: event rejected, nothing was written"


class ModelFileError(RankingError, RuntimeError):
    """A trained ranking model file is missing or unreadable; the message names the command that
    rebuilds it."""

    def __init__(self, path: object, why: str, what: str = "ranker model",
                 command: str = "shopassist train ranker") -> None:
        super().__init__(f"{what} {path} {why}: rebuild it with `{command}`")
