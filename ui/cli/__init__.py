"""The `shopassist` command line."""

from ui.cli.app import main

__all__ = ["main"]
