"""`shopassist db upgrade | current | history`: the database's schema revision (Alembic, see assistant.storage.migrate).

Every worker also upgrades at start (under a lock, once for all); `db upgrade` is the same step
run on its own, e.g. before a deploy starts the workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from assistant.settings import load_settings
from ui.cli.output import out


@contextmanager
def _engine() -> Iterator[Any]:
    """The configured database's engine; its failures become one `error:` line (a `StorageError`)."""
    from sqlalchemy.exc import DBAPIError

    from assistant.storage.engine import make_engine
    from assistant.storage.errors import classify

    cfg = load_settings()
    if not cfg.database_url:
        cfg.ensure_data_dir()
    engine = make_engine(cfg.resolved_database_url())
    try:
        yield engine
    except DBAPIError as exc:
        error = classify(exc, engine.url.database or "")
        if error is None:
            raise
        raise error from exc
    finally:
        engine.dispose()


def upgrade_cmd(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Upgrade the database's schema (a database made before migrations is adopted; nothing is lost)."""
    from assistant.storage import migrate

    with _engine() as engine:
        before, after = migrate.upgrade(engine, revision)
    change = f"was {before or 'without a revision'}" if before != after else "unchanged"
    out.print(f"database at {after} ({change})", highlight=False, soft_wrap=True)


def current_cmd() -> None:
    """Print the database's schema revision and whether it is the newest this release knows."""
    from assistant.storage import migrate

    with _engine() as engine:
        found = migrate.current(engine)
    head = migrate.head()
    state = ("head" if found == head else "none yet: `shopassist db upgrade` (or any start) makes it" if found is None
             else f"behind {head}: run `shopassist db upgrade`" if found in dict(migrate.history())
             else "newer than this release")
    out.print(f"{found or '-'} ({state})", highlight=False, soft_wrap=True)


def history_cmd() -> None:
    """List the schema revisions this release ships, oldest first."""
    from assistant.storage import migrate

    head = migrate.head()
    for revision, message in migrate.history():
        out.print(f"{revision}{' (head)' if revision == head else ''}: {message}", highlight=False, soft_wrap=True)
