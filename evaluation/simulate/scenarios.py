"""The learning loop end to end on simulated shoppers (`shopassist bench learning`), and its pieces.

1. Collect: N shoppers over D days with an experiment learned ranker vs random order (5 % holdout).
   The experiment's verdict is the first number: the real ranker should win significantly.
2. A/A: the learned arm's shoppers split in two by a hash of (seed, shopper), 20 seeds; at a 5 % level
   about one split in twenty may come out "significant" by chance, no more.
3. Retrain from the events and decide (promote if not worse).
4. Replay the same shoppers (same coin flips) on fresh days against the shipped and the retrained
   ranker: add to cart before and after, with a paired interval over shoppers.
5. Corrupt a copy of the logs (shuffle every card's logged position) and retrain: not promoted.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select, update

from assistant.experiments.assign import unit
from assistant.experiments.stats import difference, sums_of
from assistant.storage.insights_schema import AssignmentLogRow, ImpressionRow
from assistant.storage.store import StateStore
from evaluation.simulate.run import compare_rankers, run_simulation
from evaluation.training.from_events import retrain_from_events
from ranking.model import default_model_path
from ranking.registry import ModelRegistry, registry_for

AA_SEEDS = 20


def shuffle_positions(store: StateStore, seed: int = 0) -> int:
    """Corrupt the log: every card's logged position replaced by another card's (a permutation)."""
    table: Any = ImpressionRow.__table__
    with store.engine.begin() as conn:
        rows = conn.execute(select(table.c.id, table.c.position)).all()
        positions = [p for _, p in rows]
        random.Random(seed).shuffle(positions)
        if rows:
            conn.execute(update(table).where(table.c.id == bindparam("i")).values(position=bindparam("p")),
                         [{"i": i, "p": p} for (i, _), p in zip(rows, positions, strict=True)])
    return len(rows)


def aa_test(store: StateStore, experiment: str, arm: str, seeds: int = AA_SEEDS) -> dict[str, Any]:
    """Split one arm's shoppers in two at random (by hash), `seeds` times; how often is the split significant?"""
    a = AssignmentLogRow
    with store.engine.connect() as conn:
        rows = conn.execute(select(a.user_id, a.shown, a.clicks, a.carts)
                            .where(a.experiment == experiment, a.variant == arm, a.shown > 0)).all()
    users = [r.user_id for r in rows]
    n, c, k = (np.array([getattr(r, f) for r in rows], dtype=np.float64) for f in ("shown", "clicks", "carts"))
    significant = []
    for s in range(seeds):
        left = np.array([unit(f"aa-{s}", u) < 0.5 for u in users], dtype=bool)
        ga, gb = sums_of(n[left], c[left], k[left]), sums_of(n[~left], c[~left], k[~left])
        significant.append(difference(ga, gb, "C").excludes_zero or difference(ga, gb, "A").excludes_zero)
    return {"shoppers": len(users), "seeds": seeds, "significant": int(sum(significant)),
            "false_positive_rate": round(sum(significant) / max(seeds, 1), 3)}


def learning_loop(shoppers: int, days: int, eval_days: int, *, seed: int = 1, work_dir: Path | None = None,
                  log: Callable[[str], None] = print) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="shopassist-learning-", dir=work_dir))
    log(f"1/5 collecting: {shoppers} shoppers x {days} days, learned ranker vs random order ({root})")
    data = run_simulation(shoppers, days, root / "collect", seed=seed, experiment="ranker:learned,random",
                          progress=lambda d, n: log(f"  day {d}/{n}"))
    data.pop("_counts")
    store = StateStore.from_url(data["database"])
    exp = data["experiments"]["experiments"][0]
    log("2/5 A/A splits of the learned arm")
    aa = aa_test(store, exp["name"], "learned")
    log("3/5 retraining from the events")
    registry = registry_for(root / "collect")
    retrain = retrain_from_events(store, registry, holdout_days=max(1, days // 3), log=log)
    log("5/5 retraining on a copy of the logs with shuffled positions")
    corrupt_dir = root / "corrupted"
    corrupt_dir.mkdir()
    store.engine.dispose()
    shutil.copy(root / "collect" / "shopassist.db", corrupt_dir / "shopassist.db")
    corrupt_store = StateStore.from_url(f"sqlite:///{corrupt_dir / 'shopassist.db'}")
    shuffle_positions(corrupt_store, seed)
    corrupted = retrain_from_events(corrupt_store, ModelRegistry(corrupt_dir / "models"),
                                    holdout_days=max(1, days // 3), log=log)
    replay: dict[str, Any] = {}
    if retrain.promoted:
        log(f"4/5 replaying {shoppers} shoppers x {eval_days} days: shipped vs retrained ranker")
        replay = compare_rankers({"shipped": default_model_path(), "retrained": Path(retrain.model_path)},
                                 shoppers, eval_days, root / "replay", seed=seed + 1000,
                                 progress=lambda d, n: log(f"  day {d}/{n}"))
    return {
        "work_dir": str(root), "collect": {"summary": data["summary"], "experiment": exp,
                                           "holdout": data["experiments"]["holdout"]},
        "aa": aa,
        "retrain": {"promoted": retrain.promoted, "reason": retrain.reason, "figures": retrain.figures},
        "replay": replay,
        "corrupted_retrain": {"promoted": corrupted.promoted, "reason": corrupted.reason,
                              "figures": corrupted.figures},
    }
