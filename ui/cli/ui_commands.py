"""CLI commands of the chat UI (wired into `shopassist` by ui/cli.py).

shopassist serve [--host H] [--port P] [--llm auto|fake|llamacpp|openai]
shopassist bench turns [--json] [--llm fake|embedded] [--repeat N]
shopassist bench dialogues [--json] [--data FILE] [--llm fake|embedded] [--api URL] [--verbose]
shopassist bench load [--json] [--llm fake|embedded] [--shoppers N --turns N --max-seconds S] [--sweep] [--soak-s N]
shopassist agents create --name NAME --password PW [--admin]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ui.cli.ranking_commands import JsonOpt, fail


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: Annotated[str | None, typer.Option(help="address to listen on (default from settings: 127.0.0.1)")]
        = None,
        port: Annotated[int | None, typer.Option(help="port (default 7860)")] = None,
        llm: Annotated[str | None, typer.Option(help="LLM backend: auto | llamacpp | openai | fake")] = None,
    ) -> None:
        """The chat web app (Gradio) on the demo store with the embedded defaults."""
        from ui.server import serve

        if llm and llm not in ("auto", "llamacpp", "openai", "fake"):
            fail(f"unknown --llm {llm!r}: use auto, llamacpp, openai or fake")
        serve(host=host, port=port, llm_backend=llm)

    @app.command("doctor")
    def doctor_cmd(
        json_out: JsonOpt = False,
        model: Annotated[bool, typer.Option(help="run the model's one-token smoke test")] = True,
    ) -> None:
        """Check this machine: Python, CPU features, the llama.cpp build, the model (one token, in a
        subprocess), the data directory, the database and the vector store. Exits 1 when something
        essential is broken, with the sentence that says how to fix it."""
        from assistant.settings import load_settings
        from ui.cli.doctor import as_json, healthy, run_checks

        checks = run_checks(load_settings(), with_model=model)
        if json_out:
            print(as_json(checks))
        else:
            marks = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
            for c in checks:
                typer.echo(f"{marks[c.status]} {c.name}: {c.detail}")
        if not healthy(checks):
            raise typer.Exit(1)

    agents = typer.Typer(help="Agent console accounts.", no_args_is_help=True)
    app.add_typer(agents, name="agents")

    @agents.command("create")
    def agents_create_cmd(
        name: Annotated[str, typer.Option(help="login name")],
        password: Annotated[str, typer.Option(help="at least 8 characters", prompt=True, hide_input=True,
                                              confirmation_prompt=True)],
        admin: Annotated[bool, typer.Option("--admin", help="may take over any agent's conversations")] = False,
    ) -> None:
        """Create an agent (or admin) account for the console at /console; the password is stored scrypt-hashed."""
        from assistant.desk.desk import AgentDesk, AgentError
        from assistant.settings import load_settings
        from assistant.storage.store import StateStore

        cfg = load_settings()
        cfg.ensure_data_dir()
        try:
            agent = AgentDesk(StateStore.from_url(cfg.resolved_database_url())).create_agent(name, password, admin)
        except AgentError as exc:
            fail(str(exc))
            return
        typer.echo(f"created {'admin' if agent.is_admin else 'agent'} {agent.name!r}")

    @bench.command("turns")
    def bench_turns_cmd(
        json_out: JsonOpt = False,
        llm: Annotated[str, typer.Option(help="fake (assistant cost only) | embedded (the configured model)")]
        = "fake",
        repeat: Annotated[int, typer.Option(min=1, max=50, help="times each script is played")] = 3,
    ) -> None:
        """Scripted multi-turn conversations: latency to first event / card / text, turn time, scene accuracy."""
        from assistant.services import AppBuildError
        from assistant.settings import load_settings
        from evaluation.turns import SCRIPTS, bench_services, run_turns_bench

        if llm not in ("fake", "embedded"):
            fail(f"unknown --llm {llm!r}: use fake or embedded")
        cfg = load_settings()
        try:
            services, tmp = bench_services(cfg.ensure_data_dir(), llm, cfg)
        except AppBuildError as exc:
            fail(str(exc))
            return
        total = repeat * sum(len(s) for s in SCRIPTS)
        try:
            if json_out:
                result = run_turns_bench(services, repeat)
            else:
                from tqdm import tqdm

                with tqdm(total=total, desc="turns", file=sys.stderr) as bar:
                    result = run_turns_bench(services, repeat, progress=bar.update)
        finally:
            tmp.cleanup()
        summary = result.summary()
        if json_out:
            print(json.dumps(summary))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"bench turns ({len(result.turns)} turns, llm={llm}; ms, p95)")
        for col in ("scene", "turns", "routed ok", "first event", "first card", "first text", "turn"):
            table.add_column(col, justify="right" if col != "scene" else "left")

        def fmt(v: float | None) -> str:
            return "-" if v is None else f"{v:.0f}"

        for row in result.per_scene():
            table.add_row(row["scene"], str(row["turns"]), f"{row['accuracy']:.0%}", fmt(row["p95_first_event_ms"]),
                          fmt(row["p95_first_card_ms"]), fmt(row["p95_first_token_ms"]), fmt(row["p95_turn_ms"]))
        console = Console()
        console.print(table)
        console.print(
            f"p95 first card {fmt(summary['p95_first_card_ms'])} ms (target <= 300), first text "
            f"{fmt(summary['p95_first_token_ms'])} ms, turn {fmt(summary['p95_turn_ms'])} ms, scene-switch accuracy "
            f"{summary['scene_switch_accuracy']:.1%}"
        )
        for expected, got in result.misrouted():
            console.print(f"[yellow]misrouted[/]: expected {expected}, got {got}")

    @bench.command("dialogues")
    def bench_dialogues_cmd(
        json_out: JsonOpt = False,
        data: Annotated[Path | None, typer.Option(help="dialogues JSONL (default: the bundled set)")] = None,
        llm: Annotated[str, typer.Option(help="in process: fake (templates only) | embedded")] = "fake",
        api: Annotated[str | None, typer.Option(help="play through this running API instead (base URL)")] = None,
        site_key: Annotated[str, typer.Option(help="X-Site-Key for --api")] = "pk_demo",
        hmac_secret: Annotated[str, typer.Option(help="the site's secret, to identify the demo shopper")]
        = "demo-secret",
        split: Annotated[str, typer.Option(help="dev | test | all")] = "all",
        category: Annotated[list[str] | None, typer.Option(help="only these categories (repeatable)")] = None,
        dialogue: Annotated[list[str] | None, typer.Option("--id", help="only these dialogue ids")] = None,
        limit: Annotated[int | None, typer.Option(min=1, help="at most N dialogues")] = None,
        verbose: Annotated[bool, typer.Option("--verbose", help="list every failed check")] = False,
        report: Annotated[Path | None, typer.Option(help="write summary, failures and transcripts here")] = None,
    ) -> None:
        """Multi-turn shopper dialogues (EN/ZH) judged turn by turn: dialogues fully right, checks right,
        per category and language, first-card and turn latency."""
        from evaluation.dialogues.command import BenchError, Options, main
        from evaluation.dialogues.schema import DEFAULT_DATA

        try:
            main(Options(data=data or DEFAULT_DATA, json_out=json_out, llm=llm, api=api, site_key=site_key,
                         hmac_secret=hmac_secret, split=split, categories=tuple(category or ()),
                         ids=tuple(dialogue or ()), limit=limit, verbose=verbose, report=report))
        except BenchError as exc:
            fail(str(exc))

    @bench.command("load")
    def bench_load_cmd(
        json_out: JsonOpt = False,
        llm: Annotated[str, typer.Option(help="fake (paced fake model: the rest of the stack) | embedded")] = "fake",
        shoppers: Annotated[int, typer.Option(min=1, max=256, help="concurrent simulated shoppers")] = 16,
        turns: Annotated[int, typer.Option(min=1, max=10_000, help="chat turns per shopper")] = 10,
        max_seconds: Annotated[float, typer.Option(min=1, max=3600, help="no new request after this")] = 60.0,
        workers: Annotated[int, typer.Option(min=0, max=8, help="uvicorn worker processes; 0: one per CPU "
                                             "core (at most 4) with the fake LLM, 1 with the embedded model")] = 0,
        think_ms: Annotated[float, typer.Option(min=0, help="pause between a shopper's requests (0.5-1.5x)")] = 0.0,
        token_ms: Annotated[float, typer.Option(min=0, help="fake LLM: delay per streamed word")] = 5.0,
        sweep: Annotated[bool, typer.Option("--sweep", help="1, 2, 4, ... shoppers until p95 first card > 1 s")]
        = False,
        sweep_max: Annotated[int, typer.Option(min=1, max=256, help="largest swept concurrency")] = 64,
        soak_s: Annotated[float, typer.Option(min=0, max=86_400, help="then N seconds of load, RSS sampled")] = 0.0,
    ) -> None:
        """Concurrent shoppers against the HTTP API on 127.0.0.1 (a uvicorn subprocess on the demo store):
        turns/s, latency to first card and first text, errors, fairness, server memory."""
        from assistant.settings import load_settings
        from evaluation.load.bench import LoadOptions, run_bench
        from evaluation.load.report import print_report

        if llm not in ("fake", "embedded"):
            fail(f"unknown --llm {llm!r}: use fake or embedded")
        if workers == 0:  # as the API is deployed: a worker per core; one embedded model serializes anyway
            workers = min(4, os.cpu_count() or 1) if llm == "fake" else 1
        opts = LoadOptions(data_dir=load_settings().ensure_data_dir(), shoppers=shoppers, turns=turns,
                           max_seconds=max_seconds, llm=llm, workers=workers, token_ms=token_ms, think_ms=think_ms,
                           timeout_s=30.0 if llm == "fake" else 120.0, sweep=sweep, sweep_max=sweep_max,
                           soak_s=soak_s)
        try:
            result = run_bench(opts, progress=None if json_out else lambda t: print(f"· {t}", file=sys.stderr))
        except RuntimeError as exc:
            fail(str(exc))
            return
        if json_out:
            print(json.dumps(result))
        else:
            print_report(result)
