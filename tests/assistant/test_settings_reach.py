"""Every setting is read somewhere: a field nobody reads is a knob that silently does nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "retrieval", "ranking", "scene", "ui", "evaluation")


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, field name) of every leaf setting."""
    out: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        nested = [k for k in (info.annotation, *get_args(info.annotation))
                  if isinstance(k, type) and issubclass(k, BaseModel)]  # a section, or a dict of them (sites)
        if nested:
            out += _fields(nested[0], f"{prefix}{name}.")
        else:
            out.append((prefix + name, name))
    return out


def _source() -> str:
    texts = []
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            if path.name != "settings.py":
                texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def test_every_settings_field_is_read_somewhere() -> None:
    source = _source()
    unread = [path for path, name in _fields(Settings)
              if not re.search(rf"\.{name}\b|[\"']{name}[\"']", source)]
    assert not unread, f"settings nobody reads: {unread}"


def test_the_check_finds_an_unread_field() -> None:
    class Extra(BaseModel):
        a_knob_nobody_reads_xyz: int = 1

    assert ("a_knob_nobody_reads_xyz", "a_knob_nobody_reads_xyz") in _fields(Extra)
    assert not re.search(r"\.a_knob_nobody_reads_xyz\b", _source().replace("a_knob_nobody_reads_xyz: int", ""))
