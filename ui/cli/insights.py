"""`shopassist simulate`, `shopassist bench insights` and `shopassist bench learning` (thin over evaluation/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.settings import load_settings
from ui.cli.output import emit_json, note, out, report, table

JsonOpt = Annotated[bool, typer.Option("--json", help="print exactly one JSON object")]


def _arm_rows(experiments: dict[str, Any]) -> list[tuple[str, ...]]:
    def pct(iv: dict[str, float]) -> str:
        return f"{100 * iv['value']:.2f} % [{100 * iv['low']:.2f}, {100 * iv['high']:.2f}]"

    rows: list[tuple[str, ...]] = []
    for exp in experiments["experiments"]:
        for arm in exp["arms"]:
            verdict = "control" if arm["arm"] == exp["control"] else (
                "significant" if arm["significant"] else "not significant")
            rows.append((exp["name"], arm["arm"], str(arm["shoppers"]), pct(arm["ctr"]), pct(arm["atc"]), verdict))
    return rows


def simulate_cmd(
    shoppers: Annotated[int, typer.Option("--shoppers", min=1, max=20_000, help="synthetic shoppers")] = 100,
    days: Annotated[int, typer.Option("--days", min=1, max=365, help="simulated days, ending now")] = 7,
    seed: Annotated[int, typer.Option(help="the same seed gives the same shoppers and coin flips")] = 0,
    experiment: Annotated[str, typer.Option(help="factor:arm,arm (e.g. ranker:learned,random) or none")] = "none",
    holdout: Annotated[float, typer.Option(min=0.0, max=0.5, help="permanent holdout share")] = 0.05,
    data_dir: Annotated[Path | None, typer.Option(help="where the logs go (default: the settings' data dir)")] = None,
    full: Annotated[bool, typer.Option(help="the configured services (MiniLM, Chroma) instead of the light stack")
                    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Drive synthetic shoppers (hidden tastes, position-biased clicks) through the real API on 127.0.0.1 over
    simulated days, with the fake LLM; the logs land in the data dir's database."""
    from evaluation.simulate.run import run_simulation

    target = data_dir or load_settings().data_dir
    result = run_simulation(shoppers, days, target, seed=seed, experiment=experiment, holdout=holdout, full=full,
                            progress=lambda d, n: note(f"day {d}/{n}"))
    result.pop("_counts")
    if as_json:
        emit_json(result)
        return
    report(f"{shoppers} shoppers over {days} days -> {result['database']}", result["summary"], False)
    if result["experiments"]["experiments"]:
        table("experiments (95 % intervals clustered by shopper)",
              ("experiment", "arm", "shoppers", "click-through", "add to cart", "vs control"),
              _arm_rows(result["experiments"]), left=("experiment", "arm", "vs control"))


def bench_insights_cmd(
    turns: Annotated[int, typer.Option(min=1000, max=2_000_000, help="logged turns to fill")] = 100_000,
    days: Annotated[int, typer.Option(min=1, max=366)] = 30,
    repeat: Annotated[int, typer.Option(min=1, max=50)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Time every insights query on a throw-away database of N synthetic logged turns (budget 200 ms)."""
    from evaluation.insights_bench import run_insights_bench

    result = run_insights_bench(turns, days, repeat, progress=note)
    if as_json:
        emit_json(result)
        return
    table(f"insights queries over {result['turns']:,} turns, {result['impressions']:,} cards, {days} days",
          ("query", "median ms", "max ms"),
          [(name, t["median_ms"], t["max_ms"]) for name, t in result["queries"].items()], left=("query",))
    out.print(f"worst {result['worst_query_ms']} ms; every query under {result['budget_ms']:.0f} ms: "
              f"{result['all_under_budget']}")


def bench_learning_cmd(
    shoppers: Annotated[int, typer.Option(min=10, max=5000)] = 120,
    days: Annotated[int, typer.Option(min=3, max=60)] = 6,
    eval_days: Annotated[int, typer.Option(min=1, max=30, help="days of the before/after replay")] = 3,
    seed: int = 1,
    work_dir: Annotated[Path | None, typer.Option(help="keep the runs' databases here")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The learning loop on simulated shoppers: learned vs random ranker experiment, retrain from events,
    add to cart before/after the promoted model, a retrain on shuffled positions, an A/A over 20 seeds."""
    from evaluation.simulate.scenarios import learning_loop

    result = learning_loop(shoppers, days, eval_days, seed=seed, work_dir=work_dir, log=note)
    if as_json:
        emit_json(result)
        return
    out.print_json(data=result)
