"""Errors the ranking package raises: one line each, meant for the user."""

from __future__ import annotations


class RankingError(Exception):
    """Base class for ranking errors."""


class RankingInputError(RankingError, ValueError):
    """Bad input file or argument (missing file, wrong format)."""


class UnknownProductError(RankingError, KeyError):
    """An event names a product id the catalog does not know; nothing was written."""

    def __init__(self, product_id: str) -> None:
        super().__init__(product_id)
        self.product_id = product_id

    def __str__(self) -> str:
        return f"unknown product id {self.product_id!r}: event rejected, nothing was written"


class ModelFileError(RankingError, RuntimeError):
    """The trained ranker is missing or unreadable."""

    def __init__(self, path: object, why: str) -> None:
        super().__init__(f"ranker model {path} {why}: rebuild it with `shopassist train ranker`")
