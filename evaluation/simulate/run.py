"""`shopassist simulate`: N synthetic shoppers over D simulated days against the real API, and what came of it.

    result = run_simulation(200, 7, data_dir, experiment="ranker:learned,random")

The logs land in `data_dir`'s database as they would on a store (so `shopassist train ranker
--from-events`, the console and `GET /v1/insights` read them); the result holds the shoppers' own tally
and the experiments' statistics computed from the server's logs. `compare_rankers` replays the same
shoppers (same seed, same coin flips) against several ranker files and reports add to cart per ranker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.insights.report import build_insights
from assistant.settings import ExperimentSpec, ExperimentsSettings
from evaluation.metrics import paired_bootstrap_ci
from evaluation.simulate.driver import DAY_S, Driver, SimCounts
from evaluation.simulate.server import full_services, light_services, serve, simulation_settings
from evaluation.simulate.shoppers import CatalogTypes, population
from retrieval.errors import UserError

Progress = Callable[[int, int], None]


def parse_experiment(spec: str, name: str = "") -> list[ExperimentSpec]:
    """"ranker:learned,random" (equal shares) -> one experiment; "none" or "" -> no experiment."""
    if spec in ("", "none"):
        return []
    factor, _, arms = spec.partition(":")
    variants = {a.strip(): 1.0 for a in arms.split(",") if a.strip()}
    try:
        return [ExperimentSpec(name=name or f"{factor}-{'-vs-'.join(variants)}", factor=factor,  # type: ignore[arg-type]
                               variants=variants)]
    except ValueError as exc:
        raise UserError(f"--experiment {spec!r}: {exc}") from exc


def run_simulation(shoppers: int, days: int, data_dir: Path, *, seed: int = 0, experiment: str = "",
                   holdout: float = 0.05, ranker_path: Path | None = None, full: bool = False,
                   side_questions: bool = True, end: float | None = None, progress: Progress | None = None
                   ) -> dict[str, Any]:
    """Simulate `days` days ending at `end` (now by default)."""
    if shoppers < 1 or days < 1:
        raise UserError("--shoppers and --days must be at least 1")
    data_dir.mkdir(parents=True, exist_ok=True)
    exps = ExperimentsSettings(holdout_share=holdout, experiments=parse_experiment(experiment))
    settings = simulation_settings(data_dir, exps)
    services = full_services(settings) if full else light_services(settings, ranker_path)
    types = CatalogTypes.of(list(services.catalog))
    people = population(shoppers, types, seed=seed)
    stop = time.time() if end is None else end
    start = stop - days * DAY_S
    with serve(services, settings) as url:
        driver = Driver(url, services.catalog, types, start=start, seed=seed, side_questions=side_questions)
        try:
            counts = driver.run(people, days, progress=progress)
        finally:
            driver.close()
    insights = build_insights(services.store.engine, services.config.experiments, (start, stop))
    services.store.engine.dispose()
    return {"shoppers": shoppers, "days": days, "seed": seed, "experiment": experiment or "none",
            "database": settings.resolved_database_url(), "summary": counts.summary(),
            "experiments": insights["experiments"], "_counts": counts}


def _per_shopper_atc(counts: SimCounts, users: list[str]) -> np.ndarray:
    return np.array([counts.carts.get(u, 0) / counts.impressions[u] if counts.impressions.get(u) else 0.0
                     for u in users])


def compare_rankers(rankers: dict[str, Path | None], shoppers: int, days: int, root: Path, *, seed: int = 0,
                    progress: Progress | None = None) -> dict[str, Any]:
    """The same shoppers against each ranker (no experiment, no holdout): add to cart per ranker, and each
    ranker's gain over the first with a paired bootstrap interval over shoppers."""
    runs = {name: run_simulation(shoppers, days, root / name, seed=seed, holdout=0.0, ranker_path=path,
                                 side_questions=False, progress=progress) for name, path in rankers.items()}
    names = list(runs)
    base = runs[names[0]]["_counts"]
    users = sorted(base.impressions)
    out: dict[str, Any] = {"shoppers": shoppers, "days": days, "seed": seed, "rankers": {}}
    for name in names:
        counts = runs[name]["_counts"]
        entry = dict(runs[name]["summary"])
        if name != names[0]:
            a, b = _per_shopper_atc(counts, users), _per_shopper_atc(base, users)
            low, high = paired_bootstrap_ci(a, b)
            entry["atc_gain_per_shopper"] = {"mean": round(float((a - b).mean()), 5), "low": round(low, 5),
                                             "high": round(high, 5)}
        out["rankers"][name] = entry
    return out
