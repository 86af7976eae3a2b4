"""Everything the `shopassist` commands print: results on stdout, errors and progress on stderr.

Exit codes (one convention for every command):

- 0: done (a benchmark ran, whatever its numbers);
- 1: a check failed (`doctor` found an essential problem);
- 2: bad input or a user error: a wrong option value, a missing or malformed file, a missing
  index or model (any `retrieval.errors.UserError`, or a file the system refused); Click's own
  usage errors exit 2 as well;
- 130: interrupted (Ctrl-C).

An error is one line, `error: <sentence>`, never a traceback; anything else that escapes a
command is a bug and shows its traceback. A benchmark's result is a table, or with `--json`
exactly one JSON object on stdout (progress goes to stderr, so stdout stays parseable).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from retrieval.errors import one_line

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

out = Console()
err = Console(stderr=True)


def fail(message: object) -> NoReturn:
    """`error: <message>` on stderr (its first line) and exit 2."""
    text = one_line(message) if isinstance(message, BaseException) else str(message)
    err.print(f"[bold red]error:[/] {escape(text)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USER_ERROR)


def warn(message: str) -> None:
    err.print(f"[yellow]{escape(message)}[/]", highlight=False, soft_wrap=True)


def note(message: str) -> None:
    """A line of progress or diagnostics on stderr (never mixed into a result on stdout)."""
    err.print(escape(message), highlight=False, soft_wrap=True)


def emit_json(result: Any) -> None:
    """Exactly one JSON object on one line of stdout."""
    typer.echo(json.dumps(result))


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[object]],
          left: Sequence[str] = ()) -> None:
    """A table on stdout; columns are right-aligned except those named in `left`."""
    t = Table(title=title, show_header=True, header_style="bold")
    for col in columns:
        t.add_column(col, justify="left" if col in left else "right")
    for row in rows:
        t.add_row(*(str(cell) for cell in row))
    out.print(t)


def report(title: str, result: Mapping[str, object], as_json: bool) -> None:
    """A benchmark result: exactly one JSON object with `--json`, else a metric/value table."""
    if as_json:
        emit_json(result)
    else:
        table(title, ("metric", "value"), [(key, value) for key, value in result.items()], left=("metric",))


class Bar:
    """What `progress` yields: `bar(n)` advances, `bar.step(done, total)` sets both (totals known late)."""

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress, self._task = progress, task

    def __call__(self, n: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def step(self, done: int, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)


@contextmanager
def progress(description: str, total: int | None = None, *, quiet: bool = False) -> Iterator[Bar]:
    """A progress bar on stderr (nothing with `quiet`, e.g. under `--json`)."""
    if quiet:
        yield Bar(None, None)
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=not err.is_terminal,
    ) as bar:
        yield Bar(bar, bar.add_task(description, total=total))
