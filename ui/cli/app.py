"""The `shopassist` command line: every command, registered here in one place.

Command modules by job: catalog.py (index, search, shell, info), serve.py (serve, run, doctor,
prepare-model), bench.py (every benchmark, thin over evaluation/), train.py (every model the
product ships), agents.py (console accounts), db.py (schema migrations); output.py prints, and
documents the exit codes.

A `UserError` (retrieval.errors) escaping any command, or a file the system refused, becomes
one line `error: <sentence>` and exit code 2 (see `ShopAssistGroup`); anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from retrieval.errors import UserError
from ui.cli import agents, bench, catalog, db, insights, mcp, serve, store, train
from ui.cli.output import EXIT_INTERRUPTED, err, fail


class ShopAssistGroup(TyperGroup):
    """The root command group: turns person-facing errors of any subcommand into one line and exit 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (UserError, OSError) as exc:
            fail(exc)


app = typer.Typer(
    name="shopassist",
    cls=ShopAssistGroup,
    help="A self-hosted conversational shopping assistant: hybrid product search, personalized ranking, "
    "grounded LLM answers.",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(help="Benchmarks that print numbers (a table, or one JSON object with --json).",
                        no_args_is_help=True)
train_app = typer.Typer(help="Train the models the assistant ships (reproducible, minutes on 2 cores).",
                        no_args_is_help=True)
agents_app = typer.Typer(help="Agent console accounts.", no_args_is_help=True)
db_app = typer.Typer(help="The database's schema: upgrade it, show its revision (workers also upgrade at start).",
                     no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")
app.add_typer(agents_app, name="agents")
app.add_typer(db_app, name="db")



def register(group: typer.Typer, commands: dict[str, Callable[..., None]]) -> None:
    for name, function in commands.items():
        group.command(name)(function)


register(app, {
    # catalogs
    "index": catalog.index_cmd,
    "search": catalog.search_cmd,
    "shell": catalog.shell_cmd,
    "info": catalog.info_cmd,
    # the store and running its assistant
    "init": store.init_cmd,
    "run": serve.run_cmd,
    "serve": serve.serve_cmd,
    "doctor": serve.doctor_cmd,
    "prepare-model": serve.prepare_model_cmd,
    # other AI agents
    "mcp": mcp.mcp_cmd,
    "export": mcp.export_cmd,
    # the store owner's view
    "simulate": insights.simulate_cmd,
})
register(agents_app, {"create": agents.create_cmd})
register(db_app, {"upgrade": db.upgrade_cmd, "current": db.current_cmd, "history": db.history_cmd})
register(bench_app, {
    "retrieval": bench.retrieval_cmd,
    "sync": bench.sync_cmd,
    "scene": bench.scene_cmd,
    "ranking": bench.ranking_cmd,
    "personalization": bench.personalization_cmd,
    "support": bench.support_cmd,
    "grounding": bench.grounding_cmd,
    "redteam": bench.redteam_cmd,
    "turns": bench.turns_cmd,
    "dialogues": bench.dialogues_cmd,
    "load": bench.load_cmd,
    "mcp": mcp.bench_mcp_cmd,
    "insights": insights.bench_insights_cmd,
    "learning": insights.bench_learning_cmd,
})
register(train_app, {
    "fusion": train.fusion_cmd,
    "scene": train.scene_cmd,
    "ranker": train.ranker_cmd,
    "cross-encoder": train.cross_encoder_cmd,
    "support-intents": train.support_intents_cmd,
})

def main() -> None:
    from assistant.privacy import install_log_masking

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_masking()  # shoppers' cards, phones and emails never reach a log line (uvicorn's too)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
