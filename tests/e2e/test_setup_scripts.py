"""The README's two commands: setup is idempotent and the scripts say what they do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_readme_names_exactly_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme
    assert "scripts/test.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_setup_on_an_installed_checkout_changes_nothing() -> None:
    stamp = REPO / ".venv" / ".shopassist-setup-dev"
    if not stamp.exists():
        pytest.skip("this checkout was not set up with scripts/setup.sh --dev")
    before = stamp.stat().st_mtime_ns
    result = subprocess.run(["bash", "scripts/setup.sh", "--dev"], cwd=REPO, capture_output=True, text=True,
                            timeout=120, check=True)
    assert "up to date" in result.stdout
    assert "installing" not in result.stdout
    assert stamp.stat().st_mtime_ns == before
