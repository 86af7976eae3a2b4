"""Reading the delimited text files stores export (CSV, TSV, ';'-separated), whatever their encoding.

- Encoding: a BOM decides (UTF-8, UTF-16); otherwise UTF-8, and Windows-1252 when
  the bytes are not UTF-8 (spreadsheets re-saving an export on Windows).
- Delimiter: comma, tab or semicolon, from the header line.
- Columns are found by name, case- and space-insensitively (`Columns`).
- Each record carries the line it starts on, so a multi-line HTML body still gets
  errors pointing at the right line; a record with the wrong number of fields or
  broken quoting is reported with that line and skipped, never fatal.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.ingest import IngestError, RowError

csv.field_size_limit(10 * 1024 * 1024)


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise IngestError(f"catalog file not found: {path}")
    if path.is_dir():
        raise IngestError(f"expected a catalog file, got a directory: {path}")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise IngestError(f"{path.name}: a damaged gzip file ({exc})") from exc
    return data


def read_head(path: Path, size: int = 256 * 1024) -> bytes:
    """The first `size` bytes of a file (decompressed when gzipped), cut after the last whole line."""
    if not path.exists():
        raise IngestError(f"catalog file not found: {path}")
    if path.is_dir():
        raise IngestError(f"expected a catalog file, got a directory: {path}")
    with path.open("rb") as handle:
        magic = handle.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read(size)
    except (OSError, EOFError) as exc:
        raise IngestError(f"{path.name}: unreadable ({exc})") from exc
    cut = data.rfind(b"\n")
    return data[:cut] if len(data) == size and cut > 0 else data


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a file's bytes; never raises."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_text(path: Path) -> str:
    return decode(read_bytes(path))[0]


def normalize_name(name: str) -> str:
    """A header cell as compared: lower case, single spaces, no BOM or surrounding quotes."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


def sniff_delimiter(text: str) -> str:
    """The delimiter of a header line: the most frequent of tab, comma and semicolon outside quotes."""
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class Columns:
    """Finds a column by any of its names, whatever the case and spacing the export used."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = list(header)
        self.by_name: dict[str, int] = {}
        for i, name in enumerate(header):
            self.by_name.setdefault(normalize_name(name), i)

    def index(self, *names: str) -> int | None:
        for name in names:
            i = self.by_name.get(normalize_name(name))
            if i is not None:
                return i
        return None

    def has(self, *names: str) -> bool:
        return self.index(*names) is not None

    def names(self) -> set[str]:
        return set(self.by_name)


@dataclass
class Record:
    """One data record: the line it starts on and its cells."""

    line: int
    cells: list[str]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()


@dataclass
class Table:
    columns: Columns
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def value(self, record: Record, *names: str) -> str:
        return record.get(self.columns.index(*names))


def read_table(path: Path, delimiter: str | None = None) -> Table:
    """Every record of a delimited file; malformed ones end up in `errors` with their line."""
    text = read_text(path)
    if not text.strip():
        raise IngestError(f"{path.name}: the file is empty")
    return parse_table(text, delimiter or sniff_delimiter(text), path.name)


def parse_table(text: str, delimiter: str, name: str = "file") -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise IngestError(f"{name}: no header row ({exc})") from exc
    table = Table(Columns(header))
    width = len(header)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.errors.append(RowError(start, f"unreadable record ({exc})"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            hint = " (an unclosed quote?)" if len(cells) < width and "\n" in "".join(cells) else ""
            table.errors.append(RowError(line, f"has {len(cells)} fields, the header has {width}{hint}"))
            continue
        table.records.append(Record(line, cells))
    return table


def header_names(path: Path) -> tuple[set[str], str]:
    """Normalized names of a delimited file's first row and its delimiter (for format detection)."""
    head = decode(read_head(path))[0]
    delimiter = sniff_delimiter(head)
    try:
        row = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    except csv.Error:
        row = []
    return {normalize_name(c) for c in row}, delimiter
