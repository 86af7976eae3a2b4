"""The `shopassist` command line: every command, registered here in one place.

Command modules by job: catalog.py (index, search, shell, info), serve.py (serve, run, doctor,
prepare-model), bench.py (every benchmark, thin over evaluation/), train.py (every model the
product ships), agents.py (console accounts); output.py prints, and documents the exit codes.

A `UserError` (retrieval.errors) escaping any command, or a file the system refused, becomes
one line `error: <sentence>` and exit code 2 (see `ShopAssistGroup`); anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from retrieval.errors import UserError
from ui.cli import agents, bench, catalog, serve, train
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
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")

# catalogs
app.command("index")(catalog.index_cmd)
app.command("search")(catalog.search_cmd)
app.command("shell")(catalog.shell_cmd)
app.command("info")(catalog.info_cmd)

# running the assistant
app.command("run")(serve.run_cmd)
app.command("serve")(serve.serve_cmd)
app.command("doctor")(serve.doctor_cmd)
app.command("prepare-model")(serve.prepare_model_cmd)
app.add_typer(agents_app, name="agents")
agents_app.command("create")(agents.create_cmd)

# benchmarks
bench_app.command("retrieval")(bench.retrieval_cmd)
bench_app.command("scene")(bench.scene_cmd)
bench_app.command("ranking")(bench.ranking_cmd)
bench_app.command("personalization")(bench.personalization_cmd)
bench_app.command("support")(bench.support_cmd)
bench_app.command("grounding")(bench.grounding_cmd)
bench_app.command("redteam")(bench.redteam_cmd)
bench_app.command("turns")(bench.turns_cmd)
bench_app.command("load")(bench.load_cmd)

# training
train_app.command("fusion")(train.fusion_cmd)
train_app.command("scene")(train.scene_cmd)
train_app.command("ranker")(train.ranker_cmd)
train_app.command("cross-encoder")(train.cross_encoder_cmd)
train_app.command("support-intents")(train.support_intents_cmd)


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
