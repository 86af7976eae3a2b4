"""`shopassist doctor`: is this machine able to run the assistant? Each check says OK or how to fix it.

Checks: Python, the CPU's features against what the llama.cpp build needs, the build's flags,
a one-token smoke test of the configured model in a subprocess, the data directory, the
database and the vector store. `scripts/run.sh` runs it first and stops on an essential failure.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.settings import Settings

# What the portable llama-server build (scripts/build_llama_server.sh) needs from the CPU.
REQUIRED_CPU = ("avx", "avx2", "fma", "f16c")
NOTED_CPU = ("avx512f", "avx512_bf16", "amx_tile", "amx_int8")


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    essential: bool = True


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, set[str]]:
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return model, flags


def check_python() -> Check:
    ok = sys.version_info[:2] in ((3, 11), (3, 12))
    version = platform.python_version()
    fix = f"Python {version}: 3.11 or 3.12 is required (PYTHON=python3.11 bash scripts/setup.sh)"
    return Check("python", "ok" if ok else "fail", version if ok else fix)


def check_cpu() -> Check:
    model, flags = cpu_flags()
    if platform.machine() not in ("x86_64", "AMD64"):
        return Check("cpu", "warn", f"{model} ({platform.machine()}): the build script's flags are for x86-64",
                     essential=False)
    missing = [f for f in REQUIRED_CPU if f not in flags]
    noted = ", ".join(f for f in NOTED_CPU if f in flags) or "none"
    if missing:
        return Check("cpu", "fail", f"{model} lacks {', '.join(missing)}, which the llama.cpp build uses: edit "
                                    "PORTABLE_FLAGS in scripts/build_llama_server.sh to turn them off, then rerun it")
    return Check("cpu", "ok", f"{model}; has {', '.join(REQUIRED_CPU)}; also {noted} (not compiled in)")


def check_build(settings: Settings) -> Check:
    from assistant.llm.chain import backend_name
    from assistant.llm.errors import LLMError
    from assistant.llm.llama_server import find_binary

    if backend_name(settings.llm) != "llamacpp":
        return Check("llama.cpp build", "ok", f"not used (backend {backend_name(settings.llm)})", essential=False)
    try:
        binary = find_binary(settings.llm.server_binary)
    except LLMError as exc:
        return Check("llama.cpp build", "fail", str(exc))
    manifest = binary.with_name(binary.name + ".build.json")
    try:
        build = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return Check("llama.cpp build", "warn", f"{binary}: no build manifest, so its CPU flags are unknown; "
                                                "rebuild it with `bash scripts/build_llama_server.sh`",
                     essential=False)
    flags = " ".join(f.removeprefix("-DGGML_") for f in build.get("cmake_flags", []))
    if not build.get("portable") or "NATIVE=ON" in flags:
        return Check("llama.cpp build", "fail", f"{binary} was built for one CPU ({flags}); rebuild it with "
                                                "`bash scripts/build_llama_server.sh`")
    return Check("llama.cpp build", "ok", f"{binary} (llama-cpp-python {build.get('llama_cpp_python_sdist')} "
                                          f"source): {flags}")


def check_model(settings: Settings) -> Check:
    from assistant.llm.smoke import smoke_test

    result = smoke_test(settings.llm, settings.ensure_data_dir())
    detail = result.detail + (f" in {result.seconds:.1f} s" if result.ok and result.seconds else "")
    if result.system_info:
        detail += f"; {result.system_info}"
    return Check("model", "ok" if result.ok else "fail", detail)


def check_data_dir(settings: Settings) -> Check:
    try:
        path = settings.ensure_data_dir()
        probe = path / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return Check("data dir", "fail", f"{settings.data_dir} is not writable ({exc.strerror or exc}): set "
                                         "SHOPASSIST_DATA_DIR to a writable folder")
    free_gb = shutil.disk_usage(path).free / 2**30
    if free_gb < 1.5:
        return Check("data dir", "fail", f"{path}: only {free_gb:.1f} GB free; the index and model need about 1.5 GB")
    return Check("data dir", "ok", f"{path} ({free_gb:.0f} GB free)")


def check_database(settings: Settings) -> Check:
    from assistant.storage.store import StateStore

    url = settings.resolved_database_url()
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    try:
        store = StateStore.from_url(url)
        ok, reason = store.health()
    except Exception as exc:
        return Check("database", "fail", f"{shown}: {exc}; check SHOPASSIST_DATABASE_URL")
    return Check("database", "ok" if ok else "fail", shown if ok else f"{shown}: {reason}")


def check_vectors(settings: Settings) -> Check:
    catalog = settings.retrieval.catalog
    if settings.retrieval.chroma_url:
        import httpx

        url = settings.retrieval.chroma_url.rstrip("/")
        try:
            httpx.get(url + "/api/v2/heartbeat", timeout=5).raise_for_status()
        except httpx.HTTPError as exc:
            return Check("vector store", "fail", f"Chroma server {url} does not answer ({type(exc).__name__}): "
                                                 "start it with `chroma run --path DIR`")
        return Check("vector store", "ok", f"Chroma server {url}")
    manifest = settings.data_dir / "catalogs" / catalog / "manifest.json"
    if not manifest.is_file():
        return Check("vector store", "warn", f"catalog {catalog!r} is not indexed yet: `shopassist index` builds "
                                             "it (the first `shopassist run` does it for the demo store)",
                     essential=False)
    meta = json.loads(manifest.read_text())
    return Check("vector store", "ok", f"catalog {catalog!r}: {meta.get('products')} products (Chroma on disk)")


def run_checks(settings: Settings, with_model: bool = True) -> list[Check]:
    checks = [check_python(), check_cpu(), check_build(settings), check_data_dir(settings)]
    if with_model:
        checks.append(check_model(settings))
    checks += [check_database(settings), check_vectors(settings)]
    return checks


def healthy(checks: list[Check]) -> bool:
    return not any(c.status == "fail" and c.essential for c in checks)


def as_json(checks: list[Check]) -> str:
    return json.dumps({"ok": healthy(checks), "checks": [asdict(c) for c in checks]})
