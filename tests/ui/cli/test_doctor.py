"""`shopassist doctor`: each check says OK or how to fix it; a model that cannot answer fails it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.cli.doctor import Check, cpu_flags, healthy

REPO = Path(__file__).resolve().parents[3]


def _doctor(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "SHOPASSIST_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([sys.executable, "-m", "ui.cli", "doctor", "--json"], cwd=REPO, env=full,
                          capture_output=True, text=True, timeout=300)


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu avx avx2 fma f16c amx_tile\n")
    assert cpu_flags(info) == ("Test CPU", {"fpu", "avx", "avx2", "fma", "f16c", "amx_tile"})


def test_only_essential_failures_make_the_machine_unhealthy() -> None:
    assert healthy([Check("a", "ok", ""), Check("b", "warn", ""), Check("c", "fail", "", essential=False)])
    assert not healthy([Check("a", "ok", ""), Check("m", "fail", "model crashed")])


def test_a_model_that_crashes_fails_doctor_with_a_sentence(tmp_path: Path) -> None:
    crashing = tmp_path / "llama-server"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")  # what a non-portable build did on the first decode
    crashing.chmod(0o755)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    result = _doctor(tmp_path, SHOPASSIST_LLM__SERVER_BINARY=str(crashing), SHOPASSIST_LLM__GGUF_PATH=str(gguf),
                     SHOPASSIST_LLM__BACKEND="llamacpp")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    model = next(c for c in report["checks"] if c["name"] == "model")
    assert report["ok"] is False and model["status"] == "fail"
    assert "signal 11" in model["detail"] and "scripts/build_llama_server.sh" in model["detail"]


@pytest.mark.slow
def test_doctor_passes_on_this_machine_with_the_bundled_model(tmp_path: Path) -> None:
    result = _doctor(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["model"]["status"] == "ok" and "AVX2 = 1" in checks["model"]["detail"]
    assert "NATIVE=OFF" in checks["llama.cpp build"]["detail"] and "AMX_TILE=OFF" in checks["llama.cpp build"]["detail"]
