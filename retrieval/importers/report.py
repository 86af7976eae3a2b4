"""What an import found: the searchable products, and every row or product it left out and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.importers.tabular import Table, read_table
from retrieval.ingest import IngestError, IngestReport, RowError

INVALID_ROW = "invalid row"


@dataclass
class ImportReport(IngestReport):
    """An `IngestReport` that also knows the format, the currency, the rows read and why things were skipped.

    `skipped` counts products for product-level reasons (a draft with five variant rows
    counts once) and lines for malformed rows (`INVALID_ROW`, each also in `errors`).
    """

    format: str = ""
    currency: str = ""
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    converted: dict[str, float] = field(default_factory=dict)  # source currency -> rate into the store's

    @classmethod
    def from_ingest(cls, report: IngestReport, fmt: str, currency: str = "") -> ImportReport:
        """Wrap what an older loader (Flipkart, Home Depot, mapped) returned."""
        out = cls(products=report.products, errors=report.errors, source=report.source, format=fmt)
        out.rows = len(report.products) + len(report.errors)
        if report.errors:
            out.skipped[INVALID_ROW] = len(report.errors)
        out.currency = currency
        return out

    def reject(self, line: int, reason: str) -> None:
        """A malformed row: named in `errors`, counted, skipped; nothing else is lost."""
        self.errors.append(RowError(line, reason))
        self.skipped[INVALID_ROW] += 1

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def done(self) -> ImportReport:
        """Errors in file order (importers find some only after reading the whole file)."""
        self.errors.sort(key=lambda e: e.line)
        return self

    @property
    def variants(self) -> int:
        return sum(len(p.variants) for p in self.products)

    def summary(self, max_errors: int = 100) -> dict[str, Any]:
        """The JSON summary `shopassist index --json` prints (before the index's own counts)."""
        return {
            "file": self.source,
            "format": self.format,
            "products": len(self.products),
            "variants": self.variants,
            "rows": self.rows,
            "skipped": dict(sorted(((k, n) for k, n in self.skipped.items() if n), key=lambda kv: (-kv[1], kv[0]))),
            "currency": self.currency,
            "converted_from": dict(self.converted),
            "errors": [str(e) for e in self.errors[:max_errors]],
        }


def read_export(
    path: Path, fmt: str, currency: str, looks_like: Callable[[set[str]], bool], not_this: str
) -> tuple[Table, ImportReport]:
    """A CSV export of `fmt` read into its table, and the report that already counts its rows and rejects
    the malformed ones; `IngestError` ("<file>: <not_this>") when the columns are not `fmt`'s."""
    table = read_table(Path(path))
    if not looks_like(table.columns.names()):
        raise IngestError(f"{Path(path).name}: {not_this}")
    report = ImportReport(source=str(path), format=fmt, currency=currency)
    report.rows = len(table.records) + len(table.errors)
    for error in table.errors:
        report.reject(error.line, error.reason)
    return table, report
