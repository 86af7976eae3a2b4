"""One-token smoke test of the configured model, in a process of its own.

`shopassist doctor` runs it so a broken native build (the llama.cpp binary segfaulting on the
first decode) shows up as one sentence before a shopper ever meets it, never as a dead server.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.llm.chain import backend_name, embedded_model_name
from assistant.llm.errors import LLMError
from assistant.llm.llama_server import LlamaServerProcess, ServerOptions, find_binary
from assistant.llm.models import resolve_gguf
from assistant.llm.openai_backend import discover_model
from assistant.settings import LLMSettings

_SYSTEM_INFO = re.compile(r"system_info:.*?\| (CPU : .*)")


@dataclass
class SmokeResult:
    ok: bool
    backend: str
    detail: str
    seconds: float = 0.0
    system_info: str = ""  # the CPU features the llama.cpp build uses, as it reports them
    extra: dict[str, str] = field(default_factory=dict)


def _one_token(url: str, api_key: str, model: str, timeout_s: float) -> str:
    import httpx

    resp = httpx.post(
        url.rstrip("/") + "/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
        json={"model": model, "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 1,
              "temperature": 0},
        timeout=timeout_s,
    )
    resp.raise_for_status()
    return str(resp.json()["choices"][0]["message"].get("content") or "")


def system_info(log_path: Path) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = _SYSTEM_INFO.findall(text)
    return "llama.cpp reports " + found[-1].strip(" |") if found else ""


def smoke_test(settings: LLMSettings, data_dir: Path, timeout_s: float = 180.0) -> SmokeResult:
    kind = backend_name(settings)
    started = time.perf_counter()
    if kind == "fake":
        return SmokeResult(True, kind, "no model configured (backend fake): answers are templates")
    if kind == "openai":
        try:
            model = settings.model or discover_model(settings.base_url, settings.api_key.get_secret_value())
            _one_token(settings.base_url, settings.api_key.get_secret_value(), model, min(timeout_s, 60))
        except LLMError as exc:
            return SmokeResult(False, kind, str(exc))
        except Exception as exc:
            return SmokeResult(False, kind, f"the LLM server at {settings.base_url} did not answer a one-token "
                                            f"request ({type(exc).__name__}); check SHOPASSIST_LLM__BASE_URL")
        return SmokeResult(True, kind, f"{model} at {settings.base_url} answered",
                           round(time.perf_counter() - started, 2))
    try:
        binary = find_binary(settings.server_binary)
        gguf = resolve_gguf(embedded_model_name(settings), data_dir / "models")
    except LLMError as exc:
        return SmokeResult(False, kind, str(exc))
    log_path = data_dir / "logs" / "llama-server-doctor.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.unlink(missing_ok=True)
    process = LlamaServerProcess(gguf, binary=binary, log_path=log_path, alias="doctor",
                                 options=ServerOptions(slots=1, ctx_per_slot=512, threads=settings.n_threads,
                                                       restart=False, load_timeout_s=timeout_s,
                                                       extra_args=("--log-verbosity", "5")))  # system_info
    process.start()
    try:
        ready = process.wait_ready(timeout_s)
        if not ready:
            status = process.status()
            why = status.detail if status.state in ("restarting", "down") else f"not ready after {timeout_s:.0f} s"
            return SmokeResult(False, kind, _crash_sentence(why, log_path), system_info=system_info(log_path))
        try:
            _one_token(process.url, process.api_key, process.alias, min(timeout_s, 60))
        except Exception as exc:
            time.sleep(0.5)  # let the watcher see a crash
            status = process.status()
            why = status.detail if status.state != "ready" else f"{type(exc).__name__}: {exc}"
            return SmokeResult(False, kind, _crash_sentence(why, log_path), system_info=system_info(log_path))
        return SmokeResult(True, kind, f"{gguf.name} answered a one-token request through {binary}",
                           round(time.perf_counter() - started, 2), system_info(log_path))
    finally:
        process.close()


def _crash_sentence(why: str, log_path: Path) -> str:
    return (f"the embedded model could not answer ({why}). Rebuild the portable llama-server with "
            f"`bash scripts/build_llama_server.sh`, or set SHOPASSIST_LLM__BACKEND=fake to run on templates; "
            f"its log: {log_path}")
