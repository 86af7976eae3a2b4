"""`shopassist bench ...`: every benchmark, thin over evaluation/ (which computes; this only prints).

Each prints a table, or with `--json` exactly one JSON object on stdout; progress goes to stderr.
Data files default to the shared data folder (evaluation.paths).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.settings import load_settings
from evaluation.paths import shared_file
from ui.cli.output import emit_json, fail, note, out, progress, report, table
from ui.cli.train import DEFAULT_CACHE, CacheOpt, LabelsOpt, ProductsOpt, homedepot_files

JsonOpt = Annotated[bool, typer.Option("--json", help="print exactly one JSON object")]


def _fmt(value: float | None, spec: str = ".0f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def retrieval_cmd(
    products: Annotated[Path, typer.Option(help="catalog CSV (Home Depot products.csv)")],
    labels: Annotated[Path, typer.Option(help="judgements CSV (id, product_uid, search_term, relevance)")],
    as_json: JsonOpt = False,
    rebuild: Annotated[bool, typer.Option(help="rebuild the catalog index from scratch to time it")] = False,
    limit: Annotated[int, typer.Option(help="evaluate only the first N queries (0 = all)")] = 0,
) -> None:
    """BM25 vs dense vs hybrid: nDCG@10, recall@100 and latency on a judged catalog."""
    from evaluation.retrieval import MODES, run_retrieval_bench

    result = run_retrieval_bench(products, labels, load_settings().data_dir, rebuild=rebuild, limit=limit,
                                 progress=progress)
    if as_json:
        emit_json(result)
        return
    rows = [(m, f"{result['full'][m]['ndcg@10']:.4f}", f"{result['full'][m]['recall@100']:.4f}",
             f"{result['full'][m]['p50_ms']:.1f}", f"{result['full'][m]['p95_ms']:.1f}",
             f"{result['rerank'][m]['ndcg@10']:.4f}") for m in MODES]
    table(f"retrieval on {result['queries']} queries, {result['catalog_size']} products",
          ("method", "full nDCG@10", "recall@100", "p50 ms", "p95 ms", "rerank nDCG@10"), rows)
    idx = result["index"]
    out.print(f"index: {idx['products_per_s']:.0f} products/s ({idx['seconds']:.0f} s for {idx['products']}, "
              f"{'fresh build' if idx.get('fresh') else 'from the last build'})")


def sync_cmd(
    products: Annotated[Path, typer.Option(help="Home Depot products.csv (product_uid, product_title)")],
    change_pct: Annotated[float, typer.Option(min=0.01, max=100, help="percent of products whose price and "
                                              "stock change")] = 1.0,
    titles: Annotated[int, typer.Option(min=0, help="products whose title changes")] = 10,
    deletions: Annotated[int, typer.Option(min=0, help="products removed from the feed")] = 10,
    limit: Annotated[int, typer.Option(min=0, help="use only the first N products (0 = all)")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Full index build vs the sync of a changed feed (prices/stock of 1 % of products, a few new titles
    and deletions), with the real embedder: seconds, texts embedded, and checks of the result."""
    from evaluation.sync import run_sync_bench

    report("bench sync", run_sync_bench(products, change_pct=change_pct, titles=titles, deletions=deletions,
                                        limit=limit), as_json)


def scene_cmd(
    data: Annotated[Path | None, typer.Option(help="JSONL rows {text, scene, context?}")] = None,
    clinc: Annotated[Path | None, typer.Option(help="CLINC150 train_val.json: score val + oos_val")] = None,
    as_json: JsonOpt = False,
    errors: Annotated[int, typer.Option(help="show this many misclassified rows")] = 0,
) -> None:
    """Accuracy, macro-F1, per-scene P/R/F1, out-of-scope recall, in-scope accuracy, latency."""
    from evaluation.datasets.scenes import TEST_FILE
    from evaluation.scene import clinc_rows, load_rows, run
    from scene.loader import default_detector

    if clinc is not None:
        rows, title = clinc_rows(clinc), f"scene bench: CLINC150 val + oos_val ({clinc.name})"
    else:
        path = data or TEST_FILE
        rows, title = load_rows(path), f"scene bench: {path.name}"
    detector = default_detector()
    with progress("scene bench", len(rows), quiet=as_json) as bar:
        result = run(detector, rows, progress=bar)
    if as_json:
        emit_json(result.to_dict())
        return
    table(title, ("scene", "precision", "recall", "f1", "n"),
          [(s, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["n"]))
           for s, m in result.per_scene.items()], left=("scene",))
    out.print(
        f"n={result.n}  accuracy={_fmt(result.accuracy, '.4f', 'n/a')}  "
        f"macro_f1={_fmt(result.macro_f1, '.4f', 'n/a')}  "
        f"oos_recall={_fmt(result.oos_recall, '.4f', 'n/a')}  "
        f"in_scope_accuracy={_fmt(result.in_scope_accuracy, '.4f', 'n/a')}  "
        f"p50={result.p50_ms:.1f} ms  p95={result.p95_ms:.1f} ms", highlight=False
    )
    for e in result.errors[:errors]:
        typer.echo(f"  [{e['gold']} -> {e['pred']}] ({e['reason']}) {e['text'][:120]}")


def ranking_cmd(
    products: ProductsOpt = None,
    labels: LabelsOpt = None,
    as_json: JsonOpt = False,
    cache_dir: CacheOpt = DEFAULT_CACHE,
    model: Annotated[Path | None, typer.Option("--model", help="model file (default: shipped)")] = None,
    cross_encoder: Annotated[
        Path | None, typer.Option("--cross-encoder", help="cross-encoder weights (default: shipped)")
    ] = None,
    no_cross_encoder: Annotated[bool, typer.Option("--no-cross-encoder", help="rank with the LightGBM models only")]
    = False,
) -> None:
    """nDCG@10 / RMSE of the ranker on query-disjoint test queries vs the best retrieval-only order."""
    from evaluation import ranking
    from retrieval.embedding import default_embedder

    products, labels = homedepot_files(products, labels)
    result = ranking.run(products, labels, default_embedder(), cache_dir, model, progress=not as_json,
                         log=None if as_json else typer.echo, cross_encoder_path=cross_encoder,
                         use_cross_encoder=False if no_cross_encoder else None)
    report("ranking benchmark (Home Depot, test queries)", result, as_json)


def personalization_cmd(
    sequences: Annotated[Path, typer.Option("--sequences", help="lines of 'user item1 item2 ...'")],
    attributes: Annotated[Path | None, typer.Option("--attributes", help="item -> attribute ids JSON")] = None,
    as_json: JsonOpt = False,
    stage: Annotated[str, typer.Option("--stage", help="test (last item) or valid")] = "test",
) -> None:
    """Leave-last-out HR@10 / NDCG@10 over all items of the sequential item-KNN recommender."""
    from evaluation.datasets.amazon import STAGES, leave_last_out, load_sequences
    from evaluation.personalization import run

    if stage not in STAGES:
        fail("--stage must be 'test' or 'valid'")
    data = load_sequences(sequences, attributes)
    with progress("evaluating", len(leave_last_out(data, stage)[1]), quiet=as_json) as bar:
        result = run(data, stage=stage, progress=bar)
    report(f"personalization benchmark ({sequences.name}, {stage})", result, as_json)


def support_cmd(
    qa: Annotated[Path | None, typer.Option("--qa", help="Bitext QA csv (instruction, intent); default: the "
                                            "shared data folder's support/bitext_support_qa.csv")] = None,
    json_out: JsonOpt = False,
    all_rows: Annotated[
        bool, typer.Option("--all-rows", help="score every row, including those the classifier trained on")
    ] = False,
    intent_source: Annotated[
        str, typer.Option("--intent-source", help="support (sub-intent classifier) | scene (scene.detect)")
    ] = "support",
    compare_scene: Annotated[bool, typer.Option("--compare-scene", help="also report scene.detect's accuracy")]
    = False,
) -> None:
    """Support intent accuracy, policy-section hit@1 and answer latency."""
    from evaluation.support import run_support_bench
    from retrieval.embedding import default_embedder

    result = run_support_bench(qa or shared_file("support", "bitext_support_qa.csv"), default_embedder(),
                               heldout_only=not all_rows, progress=not json_out, intent_source=intent_source,
                               compare_scene=compare_scene)
    report("support benchmark", result, json_out)


def grounding_cmd(
    json_out: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="run only the first N cases (0 = all)")] = 0,
    products: Annotated[int, typer.Option("--products", help="demo products to explain (5 cases each)")] = 36,
    red_team: Annotated[
        bool, typer.Option("--red-team", help="use a scripted generator that makes every mistake (guard test)")
    ] = False,
    cases_only: Annotated[
        bool, typer.Option("--cases-only", help="only the model-free policy-contradiction and praise cases")
    ] = False,
) -> None:
    """Explanations, support answers and promotions with the configured LLM; count what slips through. The
    policy-contradiction and praise cases (generated from the demo store's data) need no model."""
    from evaluation.grounding_cases import run_grounding_cases

    cases = run_grounding_cases(products)
    if cases_only:
        report("grounding cases (no model)", cases, json_out)
        return
    from assistant.llm.chain import ready_backend
    from assistant.store_profile import DEMO_DIR, demo_config
    from assistant.support.answer import SupportAnswerer
    from assistant.support.index import PolicyIndex
    from evaluation.grounding import red_team_model, run_grounding_bench
    from retrieval.embedding import default_embedder
    from retrieval.ingest import load_demo_catalog

    settings = load_settings()
    model = red_team_model() if red_team else ready_backend(settings.llm, settings.data_dir)
    demo = demo_config()  # the grounding bench runs on the demo store's catalog and policies
    answerer = SupportAnswerer(PolicyIndex.from_folder(default_embedder(), DEMO_DIR / "policies"),
                               store=demo.store_name, money=demo.money)
    with progress(f"grounding bench ({model.name})", quiet=json_out) as bar:
        result = run_grounding_bench(model, load_demo_catalog(), answerer, n_products=products, limit=limit or None,
                                     progress=bar.step)
    result.update(cases)
    report(f"grounding benchmark ({model.name})", result, json_out)


def redteam_cmd(
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
    from assistant.llm import ChatModel
    from assistant.llm.chain import ready_backend
    from assistant.services import build_services
    from assistant.store_profile import demo_settings
    from evaluation.grounding import red_team_model
    from evaluation.redteam.bench import run_redteam

    if llm not in ("embedded", "fake", "none"):
        fail(f"--llm {llm!r}: use embedded, fake or none")
    settings = demo_settings()  # the attacks are written against the demo store (its catalog and orders)
    model: ChatModel | None = None
    if llm == "fake":
        model = red_team_model()
    elif llm == "embedded":
        cfg = settings.llm.model_copy(update={"backend": "llamacpp", "gguf_path": model_name or settings.llm.gguf_path})
        model = ready_backend(cfg, settings.data_dir)
    # an in-memory database: the bench's attackers and victim never touch the store's conversations
    services = build_services(settings.model_copy(update={"database_url": "sqlite://"}), chat_model=None)
    with progress(f"red team ({llm})", quiet=json_out) as bar:
        summary, results = run_redteam(services, model, limit=limit or None, progress=bar.step)
    if not json_out:
        for r in results:
            if not r.passed:
                note(f"FAIL {r.case.id}: {r.case.message[:60]!r}: {'; '.join(r.problems)[:300]}")
    report(f"red-team benchmark ({llm})", summary, json_out)


def turns_cmd(
    json_out: JsonOpt = False,
    llm: Annotated[str, typer.Option(help="fake (assistant cost only) | embedded (the configured model)")] = "fake",
    repeat: Annotated[int, typer.Option(min=1, max=50, help="times each script is played")] = 3,
) -> None:
    """Scripted multi-turn conversations: latency to first event / card / text, turn time, scene accuracy."""
    from assistant.store_profile import demo_settings
    from evaluation.turns import SCRIPTS, bench_services, run_turns_bench

    if llm not in ("fake", "embedded"):
        fail(f"unknown --llm {llm!r}: use fake or embedded")
    cfg = demo_settings()  # the scripted conversations are the demo store's
    services, tmp = bench_services(cfg.ensure_data_dir(), llm, cfg)
    try:
        with progress("turns", repeat * sum(len(s) for s in SCRIPTS), quiet=json_out) as bar:
            result = run_turns_bench(services, repeat, progress=bar)
    finally:
        tmp.cleanup()
    summary = result.summary()
    if json_out:
        emit_json(summary)
        return
    table(f"bench turns ({len(result.turns)} turns, llm={llm}; ms, p95)",
          ("scene", "turns", "routed ok", "first event", "first card", "first text", "turn"),
          [(r["scene"], r["turns"], f"{r['accuracy']:.0%}", _fmt(r["p95_first_event_ms"]),
            _fmt(r["p95_first_card_ms"]), _fmt(r["p95_first_token_ms"]), _fmt(r["p95_turn_ms"]))
           for r in result.per_scene()], left=("scene",))
    out.print(
        f"p95 first card {_fmt(summary['p95_first_card_ms'])} ms (target <= 300), first text "
        f"{_fmt(summary['p95_first_token_ms'])} ms, turn {_fmt(summary['p95_turn_ms'])} ms, scene-switch accuracy "
        f"{summary['scene_switch_accuracy']:.1%}"
    )
    for expected, got in result.misrouted():
        out.print(f"[yellow]misrouted[/]: expected {expected}, got {got}")


def dialogues_cmd(
    json_out: JsonOpt = False,
    data: Annotated[Path | None, typer.Option(help="dialogues JSONL (default: the bundled set)")] = None,
    llm: Annotated[str, typer.Option(help="in process: fake (templates only) | embedded")] = "fake",
    api: Annotated[str | None, typer.Option(help="play through this running API instead (base URL)")] = None,
    site_key: Annotated[str, typer.Option(help="X-Site-Key for --api")] = "pk_demo",
    hmac_secret: Annotated[str, typer.Option(help="the site's secret, to identify the demo shopper")] = "demo-secret",
    split: Annotated[str, typer.Option(help="dev | test | all")] = "all",
    category: Annotated[list[str] | None, typer.Option(help="only these categories (repeatable)")] = None,
    dialogue: Annotated[list[str] | None, typer.Option("--id", help="only these dialogue ids")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="at most N dialogues")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="list every failed check")] = False,
    report_file: Annotated[Path | None, typer.Option("--report", help="write summary, failures and transcripts here")]
    = None,
) -> None:
    """Multi-turn shopper dialogues (EN/ZH) judged turn by turn: dialogues fully right, checks right,
    per category and language, first-card and turn latency."""
    from evaluation.dialogues.command import Options, main
    from evaluation.dialogues.schema import DEFAULT_DATA

    main(Options(data=data or DEFAULT_DATA, json_out=json_out, llm=llm, api=api, site_key=site_key,
                 hmac_secret=hmac_secret, split=split, categories=tuple(category or ()),
                 ids=tuple(dialogue or ()), limit=limit, verbose=verbose, report=report_file))


def load_cmd(
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
    database: Annotated[str, typer.Option(help="sqlite (a temp file) | postgres (a throw-away PostgreSQL "
                                          "server, Debian's postgresql package)")] = "sqlite",
    database_url: Annotated[str, typer.Option(help="an existing database instead (SQLAlchemy URL)")] = "",
    chroma_url: Annotated[str, typer.Option(help="an existing Chroma server (filled with `shopassist index`); "
                                            "several workers start one when empty")] = "",
    restart_worker: Annotated[bool, typer.Option("--restart-worker", help="SIGTERM one worker a third of the "
                                                 "way in (uvicorn replaces it); nothing acknowledged may be lost")]
    = False,
) -> None:
    """Concurrent shoppers against the HTTP API on 127.0.0.1 (a uvicorn subprocess on the demo store):
    turns/s, latency to first card and first text, errors, fairness, server memory; afterwards every
    acknowledged message and cart line is looked up in the database."""
    from evaluation.load.bench import LoadOptions, run_bench
    from evaluation.load.report import print_report

    if llm not in ("fake", "embedded"):
        fail(f"unknown --llm {llm!r}: use fake or embedded")
    if database not in ("sqlite", "postgres"):
        fail(f"unknown --database {database!r}: use sqlite or postgres (or --database-url URL)")
    if workers == 0:  # as the API is deployed: a worker per core; one embedded model serializes anyway
        workers = min(4, os.cpu_count() or 1) if llm == "fake" else 1
    opts = LoadOptions(data_dir=load_settings().ensure_data_dir(), shoppers=shoppers, turns=turns,
                       max_seconds=max_seconds, llm=llm, workers=workers, token_ms=token_ms, think_ms=think_ms,
                       timeout_s=30.0 if llm == "fake" else 120.0, sweep=sweep, sweep_max=sweep_max, soak_s=soak_s,
                       database=database, database_url=database_url, chroma_url=chroma_url,
                       restart_worker=restart_worker)
    say: Any = None if json_out else (lambda text: note(f"· {text}"))
    try:
        result = run_bench(opts, progress=say)
    except RuntimeError as exc:  # the server did not start: the reason, then its log's tail
        fail(str(exc))
    if json_out:
        emit_json(result)
    else:
        print_report(result)
