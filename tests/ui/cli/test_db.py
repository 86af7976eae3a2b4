"""`shopassist db upgrade | current | history` on SQLite and PostgreSQL, and one error line when it is down."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.storage import migrate
from evaluation.load.server import free_port
from ui.cli.app import app

runner = CliRunner()
PREVIOUS = Path(__file__).parents[2] / "assistant" / "storage" / "previous_release.sql"


def test_upgrade_current_and_history(empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                     ) -> None:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", empty_database_url)
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 0 and before.output.startswith("- (none yet"), before.output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and f"database at {migrate.head()} (was without a revision)" in upgraded.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert "(unchanged)" in again.output
    assert runner.invoke(app, ["db", "current"]).output.strip() == f"{migrate.head()} (head)"
    history = runner.invoke(app, ["db", "history"]).output.splitlines()
    assert history[0].startswith("0001_initial: ") and history[-1].startswith(f"{migrate.head()} (head): ")


def test_upgrade_adopts_a_previous_release_file_step_by_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as con:
        con.executescript(PREVIOUS.read_text(encoding="utf-8"))
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", f"sqlite:///{db}")
    first = runner.invoke(app, ["db", "upgrade", "0001_initial"])
    assert first.exit_code == 0 and "database at 0001_initial (was without a revision)" in first.output
    assert "behind" in runner.invoke(app, ["db", "current"]).output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM as_messages").fetchone() == (10,)


def test_an_unreachable_database_is_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", f"postgresql://shop@127.0.0.1:{free_port()}/shop")
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith("error: the database server refused the connection"), result.output
